/**
 * A `required` name must be a declared property of its schema: where the rule applies and
 * where it does not (patternProperties, an allOf branch adding to another's properties,
 * data inside enum or default), and how the error reads.
 */
import { ContractError } from "orbitalis";
import { describe, expect, it } from "vitest";
import { checkRequired } from "../../generator/model/payload-rules.js";

const where = (path: (string | number)[]): string => `c.yaml #/${path.join("/")}`;
const check = (schema: unknown): void => checkRequired(schema, ["payload"], where);

const job = (extra: Record<string, unknown>): Record<string, unknown> => ({
  type: "object",
  properties: { document: { type: "string" }, copies: { type: "integer" } },
  ...extra,
});

describe("required names a declared property", () => {
  it("a misspelt name in a closed schema: no payload can be valid, the pointer names it", () => {
    expect(() => check(job({ required: ["document", "copeis"], additionalProperties: false }))).toThrow(
      new ContractError(
        "c.yaml #/payload/required/1",
        'required names "copeis", which is not among the properties (document, copies): with additionalProperties false no payload can be valid (did you mean "copies"?)',
      ),
    );
  });

  it("a misspelt name in an open schema: the type would not ask for it, the validators would", () => {
    expect(() => check(job({ required: ["copeis"] }))).toThrow(
      /^c\.yaml #\/payload\/required\/0: required names "copeis", which is not among the properties \(document, copies\): the generated type does not ask for it but validators do, so every payload of that type is refused \(did you mean "copies"\?\); if it is meant, declare it in properties \(`copeis: \{\}` for any value\)$/,
    );
  });

  it("no suggestion when no property is close, or the close one is required already", () => {
    expect(() => check(job({ required: ["pages"], additionalProperties: false }))).toThrow(
      /\(document, copies\): with additionalProperties false no payload can be valid$/,
    );
    expect(() => check(job({ required: ["copies", "copie"], additionalProperties: false }))).toThrow(
      /can be valid$/,
    );
  });

  it("a closed schema without properties names none", () => {
    expect(() => check({ type: "object", required: ["a"], additionalProperties: false })).toThrow(
      /required names "a", which is not among the properties \(none\)/,
    );
  });

  it("nested schemas are checked, with their path", () => {
    expect(() =>
      check({
        type: "array",
        items: { type: "object", properties: { jobs: job({ required: ["copeis"] }) } },
      }),
    ).toThrow(/^c\.yaml #\/payload\/items\/properties\/jobs\/required\/0: required names "copeis"/);
    expect(() => check({ anyOf: [{ type: "string" }, job({ required: ["x"] })] })).toThrow(
      /#\/payload\/anyOf\/1\/required\/0/,
    );
  });

  it("valid: declared names, names matched by patternProperties, a required alone in an allOf branch", () => {
    check(job({ required: ["document", "copies"], additionalProperties: false }));
    check(job({ required: ["x-tag"], patternProperties: { "^x-": { type: "string" } } }));
    check({ allOf: [job({}), { required: ["document", "copies"] }] });
    check({ type: "object", required: ["anything"] });
  });

  it("data is not a schema: a required list inside enum, const, default or examples is left alone", () => {
    check({
      ...job({}),
      default: { properties: {}, required: ["nope"] },
      examples: [{ properties: {}, required: ["nope"] }],
      enum: [{ properties: {}, required: ["nope"] }],
    });
  });

  it("a property called required or properties is a property, not a keyword", () => {
    check({
      type: "object",
      properties: { required: { type: "array" }, properties: { type: "object" } },
      required: ["required", "properties"],
      additionalProperties: false,
    });
  });

  it("a property named like a data keyword (default, enum) is a schema, and checked", () => {
    expect(() =>
      check({ type: "object", properties: { default: job({ required: ["copeis"] }), enum: {} } }),
    ).toThrow(/#\/payload\/properties\/default\/required\/0: required names "copeis"/);
  });

  it("a recursive schema ends (the model refuses it elsewhere)", () => {
    const node: Record<string, unknown> = { type: "object", properties: {} };
    (node.properties as Record<string, unknown>).next = node;
    check(node);
  });
});
