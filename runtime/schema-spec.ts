/**
 * Schema specs: what an operation takes as input or gives as output, and how two specs
 * are matched (by the sha-256 fingerprint of each schema's RFC 8785 canonical form).
 * @packageDocumentation
 */
import { createHash } from "node:crypto";
import Ajv, { type ValidateFunction } from "ajv";
import canonicalize from "canonicalize";
import { ConfigError, SchemaError } from "./errors.js";
import { FORMAT_NAMES, formats } from "./validation.js";
import type { SchemaSpec as WireSchemaSpec } from "../generated/protocol/index.js";
import { formatValidationErrors } from "../generated/protocol/index.js";

/** A JSON Schema (draft-07) as plain data. */
export type JsonSchema = Readonly<Record<string, unknown>> | boolean;

/**
 * What an operation takes or gives:
 * - `"none"`: no data at all;
 * - `{ schemas, empty, any }`: data valid against any of `schemas`, or absent data when
 *   `empty`, or anything when `any`.
 */
export type SchemaSpec =
  "none" | { readonly schemas?: readonly JsonSchema[]; readonly empty?: boolean; readonly any?: boolean };

export type { WireSchemaSpec };

/**
 * Sha-256 (lower-case hex) of the RFC 8785 canonical JSON of `schema`.
 * @throws SchemaError when it has no canonical form.
 */
export function fingerprint(schema: JsonSchema): string {
  const canonical = canonicalize(schema);
  if (canonical === undefined) throw new SchemaError("schema cannot be canonicalized");
  return createHash("sha256").update(canonical).digest("hex");
}

/**
 * ajv's logger for this process's own schemas. With `strict: false` the one thing ajv
 * warns about is a `format` it does not know, and it would ignore it after a console
 * line: a schema of one's own naming one is refused instead (a ConfigError where the
 * schema is given), as `orbitalis generate` refuses it in a contract.
 */
const REFUSE_UNKNOWN_FORMATS = {
  log(): void {},
  warn(...args: unknown[]): void {
    const name = /unknown format "([^"]*)"/.exec(String(args[0]))?.[1];
    throw new SchemaError(
      name === undefined
        ? String(args[0])
        : `format "${name}" is not one Orbitalis checks (${FORMAT_NAMES.join(", ")}): use one of these, or a pattern`,
    );
  },
  error(): void {},
};

/**
 * A new ajv: the format checks of `orbitalis/validation` (the ones generated validators
 * use, so a schema is checked the same compiled ahead of time or here). For schemas from
 * other orbs an unknown format stays an annotation, silently: refusing it would make a
 * peer's schema unusable for a check JSON Schema leaves optional.
 */
function newAjv(kind: "user" | "remote"): Ajv.default {
  const ajv = new Ajv.default({
    allErrors: true,
    strict: false,
    logger: kind === "user" ? REFUSE_UNKNOWN_FORMATS : false,
  });
  for (const [name, check] of Object.entries(formats)) ajv.addFormat(name, check);
  return ajv;
}
// Compiled validators are shared by fingerprint.
/** Our own schemas' ajv, and the one remote schemas get (evicted ones are removed from it). */
const ajvs = { user: newAjv("user"), remote: newAjv("remote") };
/** Validators of this process's own schemas (its orbs', registered ones): kept for good. */
const compiled = new Map<string, ValidateFunction>();
/**
 * Validators of schemas only remotes sent (offers): ajv turns a schema into code, so
 * these are bounded in number (least recently used go first) and in size and depth.
 */
const remoteCompiled = new Map<string, ValidateFunction>();

/** Limits on the schemas this process receives from other orbs and compiles. */
export interface RemoteSchemaLimits {
  /** Compiled remote-only schemas kept at once (default 256; least recently used go first). */
  readonly cached: number;
  /** Characters of a schema's canonical JSON (default 65,536). */
  readonly size: number;
  /** Nesting of objects and arrays in a schema (default 32). */
  readonly depth: number;
}

/** The limits in force (see {@link setRemoteSchemaLimits}). */
export const REMOTE_SCHEMA_LIMITS: RemoteSchemaLimits = { cached: 256, size: 65_536, depth: 32 };

/**
 * Changes the limits on schemas received from other orbs, for the whole process (every
 * orb in it shares one cache). A schema over a limit is not compiled: the offer carrying
 * it is skipped (`unusable-schema`).
 * @throws ConfigError when a limit is not a positive integer.
 */
export function setRemoteSchemaLimits(limits: Partial<RemoteSchemaLimits>): void {
  for (const [key, value] of Object.entries(limits)) {
    if (!(key in REMOTE_SCHEMA_LIMITS))
      throw new ConfigError(`remoteSchemaLimits.${key}`, "unknown limit (known: cached, size, depth)");
    if (!Number.isInteger(value) || value < 1)
      throw new ConfigError(
        `remoteSchemaLimits.${key}`,
        `must be a positive integer, found ${JSON.stringify(value)}`,
      );
  }
  Object.assign(REMOTE_SCHEMA_LIMITS, limits);
}

/** Why a remote schema is too large to compile, or undefined. */
function tooLarge(schema: JsonSchema): string | undefined {
  const text = canonicalize(schema) ?? "";
  if (text.length > REMOTE_SCHEMA_LIMITS.size)
    return `${text.length} characters (at most ${REMOTE_SCHEMA_LIMITS.size})`;
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) max = Math.max(max, ++depth);
    else if (c === 125 || c === 93) depth--;
  }
  return max > REMOTE_SCHEMA_LIMITS.depth
    ? `nested ${max} deep (at most ${REMOTE_SCHEMA_LIMITS.depth})`
    : undefined;
}

/** The validator of a schema a remote sent: the process's own if it has one, else a bounded compile. */
function compileRemote(fp: string, schema: JsonSchema): ValidateFunction {
  const own = compiled.get(fp);
  if (own) return own;
  let validate = remoteCompiled.get(fp);
  if (validate) {
    remoteCompiled.delete(fp); // most recently used last
  } else {
    const why = tooLarge(schema);
    if (why !== undefined) throw new SchemaError(`a schema from another orb is too large to compile: ${why}`);
    validate = build(fp, schema, true);
  }
  remoteCompiled.set(fp, validate);
  if (remoteCompiled.size > REMOTE_SCHEMA_LIMITS.cached) {
    const [oldest, evicted] = remoteCompiled.entries().next().value as [string, ValidateFunction];
    remoteCompiled.delete(oldest);
    // ajv keeps what it compiled: let it go too.
    if (typeof evicted.schema === "object") ajvs.remote.removeSchema(evicted.schema);
  }
  return validate;
}

/** Number of remote-only validators compiled and kept (for tests and diagnostics). */
export function remoteValidatorCount(): number {
  return remoteCompiled.size;
}

function compile(fp: string, schema: JsonSchema): ValidateFunction {
  let validate = compiled.get(fp);
  if (!validate) {
    validate = build(fp, schema);
    compiled.set(fp, validate);
  }
  return validate;
}

function build(fp: string, schema: JsonSchema, remote = false): ValidateFunction {
  // The cache is keyed by fingerprint: never let a schema in under another's fingerprint.
  const actual = fingerprint(schema);
  if (actual !== fp) throw new SchemaError(`fingerprint ${fp} does not match its schema (${actual})`);
  const kind = remote ? "remote" : "user";
  try {
    return ajvs[kind].compile(schema as object);
  } catch (error) {
    // Two different schemas with the same $id cannot live in one ajv instance: start a new one.
    if (!/already exists/.test((error as Error).message)) throw notCompiled(error);
  }
  ajvs[kind] = newAjv(kind);
  try {
    return ajvs[kind].compile(schema as object);
  } catch (error) {
    throw notCompiled(error);
  }
}

/** What ajv threw compiling a schema, as a {@link SchemaError} with the same message (ajv's error its cause). */
function notCompiled(error: unknown): SchemaError {
  if (error instanceof SchemaError) return error;
  return new SchemaError(error instanceof Error ? error.message : String(error), { cause: error });
}

/**
 * A validator compiled ahead of time (ajv standalone code, as `orbitalis generate` emits):
 * returns whether the data is valid and leaves ajv's `errors` on itself.
 */
export type PrecompiledValidator = ((data: unknown) => boolean) & { errors?: ValidateFunction["errors"] };

/**
 * Registers validators compiled ahead of time, by the fingerprint of the schema each was
 * compiled from. Schema specs holding those schemas then compile nothing at run time.
 * Generated contract modules call it on import; a fingerprint already known is left as
 * it is.
 */
export function registerValidators(validators: Readonly<Record<string, PrecompiledValidator>>): void {
  for (const [fp, validate] of Object.entries(validators)) {
    if (!/^[0-9a-f]{64}$/.test(fp) || typeof validate !== "function")
      throw new ConfigError(
        "validators",
        `expected sha-256 fingerprints mapped to functions, found ${JSON.stringify(fp)}`,
      );
    if (!compiled.has(fp)) compiled.set(fp, validate as ValidateFunction);
  }
}

/** Result of checking data against a spec: ok, or one line per problem. */
export type DataCheck = { readonly ok: true } | { readonly ok: false; readonly errors: readonly string[] };

const OK: DataCheck = { ok: true };

/**
 * A schema spec ready for matching and validation: fingerprints computed, schemas compiled
 * (lazily, once per distinct schema in the process).
 */
export class CompiledSpec {
  /** The spec as sent on the wire (schemas with fingerprints). */
  readonly wire: WireSchemaSpec;
  /** Fingerprints of the accepted schemas. */
  readonly fingerprints: ReadonlySet<string>;
  readonly none: boolean;
  readonly any: boolean;
  readonly empty: boolean;
  private readonly schemas: readonly { fp: string; schema: JsonSchema }[];
  /** Compiles this spec's schemas: kept for good (ours) or bounded (a remote's). */
  private readonly compile: (fp: string, schema: JsonSchema) => ValidateFunction;
  /**
   * The validators of {@link schemas}, looked up once: a spec lives as long as its
   * operation or connection, and finding the validator per message (a remote one through
   * the bounded cache's bookkeeping) cost as much as validating.
   */
  private readonly validators: (ValidateFunction | undefined)[] = [];

  private constructor(wire: WireSchemaSpec, remote: boolean) {
    this.wire = wire;
    this.compile = remote ? compileRemote : compile;
    if (wire === "none") {
      this.none = true;
      this.any = false;
      this.empty = false;
      this.schemas = [];
    } else {
      this.none = false;
      this.any = wire.any === true;
      this.empty = wire.empty === true;
      this.schemas = (wire.schemas ?? []).map((e) => ({ fp: e.fingerprint, schema: e.schema }));
    }
    this.fingerprints = new Set(this.schemas.map((s) => s.fp));
  }

  /** From a user's spec; `field` names it in a {@link ConfigError}. */
  static fromUser(spec: SchemaSpec | undefined, field: string, fallback: SchemaSpec): CompiledSpec {
    const s = spec ?? fallback;
    if (s === "none") return new CompiledSpec("none", false);
    if (s === null || typeof s !== "object" || Array.isArray(s)) {
      throw new ConfigError(
        field,
        `expected "none" or { schemas?, empty?, any? }, found ${JSON.stringify(s)}`,
      );
    }
    const schemas: readonly JsonSchema[] = s.schemas ?? [];
    if (!Array.isArray(schemas))
      throw new ConfigError(`${field}.schemas`, "must be an array of JSON Schemas");
    if (!s.any && !s.empty && schemas.length === 0) {
      throw new ConfigError(field, 'accepts nothing: give schemas, or set empty or any (or use "none")');
    }
    if (schemas.length > 32) throw new ConfigError(`${field}.schemas`, "at most 32 schemas");
    const wire: {
      schemas?: { fingerprint: string; schema: Record<string, unknown> | boolean }[];
      empty?: boolean;
      any?: boolean;
    } = {};
    if (schemas.length > 0) {
      wire.schemas = schemas.map((schema, i) => {
        if (
          typeof schema !== "boolean" &&
          (schema === null || typeof schema !== "object" || Array.isArray(schema))
        ) {
          throw new ConfigError(`${field}.schemas[${i}]`, "a JSON Schema must be an object or a boolean");
        }
        const fp = fingerprint(schema as JsonSchema);
        try {
          compile(fp, schema as JsonSchema);
        } catch (error) {
          throw new ConfigError(
            `${field}.schemas[${i}]`,
            `not a valid JSON Schema: ${(error as Error).message}`,
            { cause: error },
          );
        }
        return { fingerprint: fp, schema: schema as Record<string, unknown> | boolean };
      });
    }
    if (s.empty) wire.empty = true;
    if (s.any) wire.any = true;
    return new CompiledSpec(wire, false);
  }

  /**
   * From a spec received on the wire (already validated by the protocol schema). Its
   * schemas compile within {@link REMOTE_SCHEMA_LIMITS}.
   */
  static fromWire(wire: WireSchemaSpec): CompiledSpec {
    return new CompiledSpec(wire, true);
  }

  /**
   * Whether this spec and `other` can work together: both `none`; or, neither being
   * `none`, either accepts anything, both accept empty data, or they share a schema.
   */
  matches(other: CompiledSpec): boolean {
    if (this.none || other.none) return this.none && other.none;
    if (this.any || other.any) return true;
    if (this.empty && other.empty) return true;
    for (const fp of this.fingerprints) if (other.fingerprints.has(fp)) return true;
    return false;
  }

  /** Whether every schema of this spec compiles here (remote specs are checked before use). */
  usable(): boolean {
    try {
      for (const { fp, schema } of this.schemas) this.compile(fp, schema);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Whether data that `other` accepted is known to pass this spec without checking it
   * again: this spec accepts anything, or holds every schema of `other` (which took
   * defined data through one of them). Lets a core skip validating the same data twice
   * against the same schemas (its own accepted spec, then the connection's).
   */
  covers(other: CompiledSpec, data: unknown): boolean {
    if (this.any) return !this.none;
    if (data === undefined || other.any || other.none || other.schemas.length === 0) return false;
    for (const fp of other.fingerprints) if (!this.fingerprints.has(fp)) return false;
    return true;
  }

  /** Checks data (`undefined` = no data) against this spec. */
  check(data: unknown): DataCheck {
    if (this.none)
      return data === undefined
        ? OK
        : { ok: false, errors: ['the operation takes no data (schema spec "none")'] };
    if (this.any) return OK;
    if (data === undefined)
      return this.empty
        ? OK
        : { ok: false, errors: ["data is required (the schema spec does not accept empty data)"] };
    const errors: string[] = [];
    for (let i = 0; i < this.schemas.length; i++) {
      const { fp, schema } = this.schemas[i]!;
      const validate = (this.validators[i] ??= this.compile(fp, schema));
      if (validate(data)) return OK;
      errors.push(
        ...formatValidationErrors(validate.errors).map((e) =>
          this.schemas.length > 1 ? `schema ${fp.slice(0, 8)}: ${e}` : e,
        ),
      );
    }
    if (this.schemas.length === 0) errors.push("only empty data is accepted");
    return { ok: false, errors };
  }
}

/** True when `spec` matches any of `accepted`. */
export function matchesAny(spec: CompiledSpec, accepted: readonly CompiledSpec[]): boolean {
  return accepted.some((a) => a.matches(spec));
}
