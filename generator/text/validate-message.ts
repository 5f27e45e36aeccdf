/**
 * Validates a message against an AsyncAPI spec, compiling the schemas at run time (the
 * CLI's `validate`; orbs use precompiled validators):
 * - the Orbitalis protocol spec: by the message's `kind` (or the kind named);
 * - a contract: against the payload of a named message, or every message, to find which
 *   one it is.
 * When no schema was named and none matches, the verdict is the closest one's errors
 * (the candidate whose discriminators and fields the message shares most, then the one
 * with the fewest errors) and the others it was checked against.
 */
import Ajv, { type ErrorObject } from "ajv";
import { ContractError } from "orbitalis";
import { formats } from "orbitalis/validation";
import { buildContractModel } from "../model/contract-model.js";
import { loadSpec, type LoadedSpec } from "../load/load-spec.js";
import {
  buildProtocolModel,
  combinedSchema,
  SCHEMA_ID,
  type ProtocolModel,
} from "../model/protocol-model.js";
import { shortJson } from "./schema-text.js";
import { errorLines, formatErrorLine } from "./validation-text.js";

/** Result of {@link validateAgainstSpec}. */
export type SpecValidation =
  | {
      readonly ok: true;
      /** What it is: `offer message`, `ColorRgb payload`. */
      readonly what: string;
    }
  | {
      readonly ok: false;
      /** What it was checked as: `offer message`, `ColorHsv payload`. */
      readonly what: string;
      /** Set when no schema was named and none matched: why (`matches no message of the contract`); `what` is then the closest. */
      readonly unmatched: string | undefined;
      /** One line per error: `<pointer>: expected <what>, found <value>`. */
      readonly errors: readonly string[];
      /** The other candidates it was checked against, closest first. */
      readonly others: readonly { readonly name: string; readonly errors: number }[];
    };

/** Validates `message` against `specFile`: the protocol (by kind, or `messageName`) or a contract (by `messageName`, or any). */
export async function validateAgainstSpec(
  specFile: string,
  message: unknown,
  messageName?: string,
): Promise<SpecValidation> {
  const spec = await loadSpec(specFile);
  const protocol = spec.raw["x-orbitalis"] === undefined ? tryProtocol(spec) : undefined;
  return protocol
    ? validateProtocol(protocol, specFile, message, messageName)
    : validateContract(spec, message, messageName);
}

function tryProtocol(spec: LoadedSpec): ProtocolModel | undefined {
  try {
    return buildProtocolModel(spec);
  } catch {
    return undefined; // not the protocol spec: a contract
  }
}

type Schema = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is Schema {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** One schema a message was checked against. */
interface Check {
  readonly name: string;
  readonly schema: unknown;
  readonly errors: readonly ErrorObject[];
  readonly lines: readonly string[];
}

/**
 * How far a message is from a schema, to compare (lower is closer): the wrong JSON type
 * altogether, then discriminators (fields with a `const`) that differ, then the fields it
 * lacks or has that the schema does not know, then the number of errors.
 */
function distance(check: Check, value: unknown): number[] {
  const wrongType = check.errors.some((e) => e.instancePath === "" && e.keyword === "type") ? 1 : 0;
  let discriminators = 0;
  let fields = 0;
  const schema = check.schema;
  if (isObject(value) && isObject(schema) && isObject(schema.properties)) {
    const properties = schema.properties;
    for (const [key, sub] of Object.entries(properties)) {
      if (!isObject(sub) || !(key in value)) continue;
      const fixed =
        "const" in sub
          ? [sub.const]
          : Array.isArray(sub.enum) && sub.enum.length === 1
            ? sub.enum
            : undefined;
      if (fixed) discriminators += JSON.stringify(fixed[0]) === JSON.stringify(value[key]) ? -1 : 1;
    }
    for (const key of Object.keys(value)) fields += key in properties ? -1 : 1;
    const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
    fields += required.filter((r) => !(r in value)).length;
  }
  return [wrongType, discriminators, fields, check.lines.length];
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** The verdict over several candidates, none named: valid as those that match, or the closest one's errors. */
function verdict(
  checks: readonly Check[],
  value: unknown,
  suffix: string,
  unmatched: string,
): SpecValidation {
  const matched = checks.filter((c) => c.errors.length === 0);
  if (matched.length > 0) return { ok: true, what: `${matched.map((c) => c.name).join(" / ")} ${suffix}` };
  const ranked = checks
    .map((check, order) => ({ check, key: [...distance(check, value), order] }))
    .sort((a, b) => compare(a.key, b.key))
    .map((r) => r.check);
  const [closest, ...others] = ranked;
  return {
    ok: false,
    what: `${closest!.name} ${suffix}`,
    unmatched: ranked.length > 1 ? unmatched : undefined,
    errors: closest!.lines,
    others: others.map((o) => ({ name: o.name, errors: o.lines.length })),
  };
}

function check(name: string, schema: unknown, validate: Ajv.ValidateFunction, value: unknown): Check {
  const ok = validate(value);
  const errors = ok ? [] : (validate.errors ?? []);
  return { name, schema, errors, lines: errorLines(errors, value).map(formatErrorLine) };
}

function validateProtocol(
  model: ProtocolModel,
  specFile: string,
  message: unknown,
  messageName: string | undefined,
): SpecValidation {
  const entries =
    messageName === undefined
      ? model.messages
      : model.messages.filter((m) => m.kind === messageName || m.schemaName === messageName);
  if (entries.length === 0)
    throw new ContractError(
      specFile,
      `no message ${JSON.stringify(messageName)} (kinds: ${model.messages.map((m) => m.kind).join(", ")})`,
    );
  if (!isObject(message))
    return {
      ok: false,
      what: "message",
      unmatched: undefined,
      errors: [`/: expected a JSON object (a protocol message), found ${shortJson(message)}`],
      others: [],
    };
  // The protocol validators' options (emit-protocol.ts), verbose: errors carry their schema.
  const ajv = new Ajv.default({
    allErrors: true,
    strict: true,
    strictRequired: false,
    allowUnionTypes: true,
    verbose: true,
  });
  ajv.addSchema(combinedSchema(model));
  const definitions = model.definitions as Record<string, unknown>;
  const checkKind = (entry: (typeof entries)[number]): Check => {
    const validate = ajv.getSchema(`${SCHEMA_ID}#/definitions/${entry.schemaName}`)!;
    return check(entry.kind, definitions[entry.schemaName], validate, message);
  };
  const kind = message.kind;
  const byKind = entries.find((m) => m.kind === kind);
  const one = messageName !== undefined || byKind !== undefined ? (byKind ?? entries[0]!) : undefined;
  if (one) {
    const c = checkKind(one);
    return c.errors.length === 0
      ? { ok: true, what: `${one.kind} message` }
      : { ok: false, what: `${one.kind} message`, unmatched: undefined, errors: c.lines, others: [] };
  }
  const why = kind === undefined ? "the message has no kind" : `no message kind ${shortJson(kind)}`;
  return verdict(entries.map(checkKind), message, "message", why);
}

function validateContract(
  spec: LoadedSpec,
  payload: unknown,
  messageName: string | undefined,
): SpecValidation {
  const model = buildContractModel(spec);
  const candidates =
    messageName === undefined
      ? model.messages.filter((m) => m.schema !== undefined)
      : model.messages.filter((m) => m.name === messageName || m.typeName === messageName);
  if (candidates.length === 0) {
    throw new ContractError(
      spec.file,
      messageName === undefined
        ? "the contract has no message with a payload"
        : `no message ${JSON.stringify(messageName)} (messages: ${model.messages.map((m) => m.name).join(", ")})`,
    );
  }
  const named = candidates[0]!;
  if (messageName !== undefined && named.schema === undefined)
    return {
      ok: false,
      what: `${named.name} message`,
      unmatched: undefined,
      errors: [`/: expected no data (${named.name} has no payload), found ${shortJson(payload)}`],
      others: [],
    };
  const ajv = new Ajv.default({ allErrors: true, strict: false, logger: false, verbose: true });
  // Formats are checked with the generated validators' own definitions.
  for (const [name, check] of Object.entries(formats)) ajv.addFormat(name, check);
  const checks = candidates.map((m) => check(m.name, m.schema, ajv.compile(m.schema as object), payload));
  return verdict(checks, payload, "payload", "matches no message of the contract");
}
