/**
 * Schema specs: what an operation takes as input or gives as output, and how two specs
 * are matched (by the sha-256 fingerprint of each schema's RFC 8785 canonical form).
 * @packageDocumentation
 */
import { createHash } from "node:crypto";
import Ajv, { type ValidateFunction } from "ajv";
import canonicalize from "canonicalize";
import { ConfigError } from "./errors.js";
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

/** Sha-256 (lower-case hex) of the RFC 8785 canonical JSON of `schema`. */
export function fingerprint(schema: JsonSchema): string {
  const canonical = canonicalize(schema);
  if (canonical === undefined) throw new TypeError("schema cannot be canonicalized");
  return createHash("sha256").update(canonical).digest("hex");
}

// One ajv for every user schema; compiled validators are shared by fingerprint.
let userAjv = new Ajv.default({ allErrors: true, strict: false });
const compiled = new Map<string, ValidateFunction>();

function compile(fp: string, schema: JsonSchema): ValidateFunction {
  let validate = compiled.get(fp);
  if (!validate) {
    // The cache is keyed by fingerprint: never let a schema in under another's fingerprint.
    const actual = fingerprint(schema);
    if (actual !== fp) throw new Error(`fingerprint ${fp} does not match its schema (${actual})`);
    try {
      validate = userAjv.compile(schema as object);
    } catch (error) {
      // Two different schemas with the same $id cannot live in one ajv instance: start a new one.
      if (/already exists/.test((error as Error).message)) {
        userAjv = new Ajv.default({ allErrors: true, strict: false });
        validate = userAjv.compile(schema as object);
      } else throw error;
    }
    compiled.set(fp, validate);
  }
  return validate;
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

  private constructor(wire: WireSchemaSpec) {
    this.wire = wire;
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
    if (s === "none") return new CompiledSpec("none");
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
    return new CompiledSpec(wire);
  }

  /** From a spec received on the wire (already validated by the protocol schema). */
  static fromWire(wire: WireSchemaSpec): CompiledSpec {
    return new CompiledSpec(wire);
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
      for (const { fp, schema } of this.schemas) compile(fp, schema);
      return true;
    } catch {
      return false;
    }
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
    for (const { fp, schema } of this.schemas) {
      const validate = compile(fp, schema);
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
