/**
 * A schema that cannot be used is a SchemaError (ERR_SCHEMA), its message as before: a
 * peer's schema whose fingerprint is not its own, one too deep to compile, one ajv cannot
 * compile (ajv's error as cause); in a schema of one's own, a format Orbitalis does not
 * check (the cause of the ConfigError naming the option).
 */
import { describe, expect, it } from "vitest";
import { ConfigError, SchemaError } from "../../runtime/index.js";
import { CompiledSpec, REMOTE_SCHEMA_LIMITS, fingerprint } from "../../runtime/schema-spec.js";

/** A spec as a peer sends it, with one schema under `fp` (its own fingerprint by default). */
function fromPeer(schema: Record<string, unknown>, fp = fingerprint(schema)): CompiledSpec {
  return CompiledSpec.fromWire({ schemas: [{ fingerprint: fp, schema }] });
}

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new SchemaError("expected a throw");
}

describe("schemas that cannot be used", () => {
  it("a peer's schema under another fingerprint", () => {
    const spec = fromPeer({ type: "string", title: "a" }, "0".repeat(64));
    expect(spec.usable()).toBe(false);
    const error = thrownBy(() => spec.check("x"));
    expect(error).toBeInstanceOf(SchemaError);
    expect((error as SchemaError).code).toBe("ERR_SCHEMA");
    expect((error as SchemaError).message).toMatch(
      /^fingerprint 0{64} does not match its schema \([0-9a-f]{64}\)$/,
    );
  });

  it("a peer's schema nested too deep to compile", () => {
    let schema: Record<string, unknown> = { type: "string" };
    for (let i = 0; i <= REMOTE_SCHEMA_LIMITS.depth; i++) schema = { type: "array", items: schema };
    const spec = fromPeer(schema);
    expect(spec.usable()).toBe(false);
    const error = thrownBy(() => spec.check([]));
    expect(error).toBeInstanceOf(SchemaError);
    expect((error as Error).message).toMatch(
      /^a schema from another orb is too large to compile: nested \d+ deep/,
    );
  });

  it("a peer's schema ajv cannot compile: ajv's message, ajv's error as cause", () => {
    const spec = fromPeer({ type: 5 });
    expect(spec.usable()).toBe(false);
    const error = thrownBy(() => spec.check("x")) as SchemaError;
    expect(error).toBeInstanceOf(SchemaError);
    expect(error.cause).toBeInstanceOf(Error);
    expect(error.cause).not.toBeInstanceOf(SchemaError);
    expect(error.message).toBe((error.cause as Error).message);
  });

  it("a format Orbitalis does not check, in one's own schema: a ConfigError caused by a SchemaError", () => {
    const error = thrownBy(() =>
      CompiledSpec.fromUser({ schemas: [{ type: "string", format: "no-such-format" }] }, "input", "none"),
    ) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(
      /^input\.schemas\[0\]: not a valid JSON Schema: format "no-such-format" is not one Orbitalis checks/,
    );
    expect(error.cause).toBeInstanceOf(SchemaError);
  });

  it("a value with no canonical form has no fingerprint", () => {
    expect(thrownBy(() => fingerprint(undefined as unknown as boolean))).toMatchObject({
      code: "ERR_SCHEMA",
      message: "schema cannot be canonicalized",
    });
  });
});
