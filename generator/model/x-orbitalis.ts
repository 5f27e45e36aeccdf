/**
 * The `x-orbitalis` root extension of a contract, checked against its JSON Schema
 * (`spec/x-orbitalis.schema.json`, shipped with the CLI so editors and other tools can
 * use it too).
 */
import { readFileSync } from "node:fs";
import Ajv from "ajv";
import { ContractError } from "orbitalis";
import type { LoadedSpec } from "../load/load-spec.js";
import { packagePath } from "../paths.js";

/** A plugin type as written. */
export interface PluginTypeSpec {
  readonly description?: string;
  readonly operations: readonly (string | { readonly name: string; readonly accepts?: readonly string[] })[];
  readonly maxCores?: number;
  readonly allow?: readonly string[];
  readonly block?: readonly string[];
  readonly prefer?: readonly string[];
  readonly policy?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** A core type as written. */
export interface CoreTypeSpec {
  readonly description?: string;
  readonly requires: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** A hybrid type as written: what it lends (as a plugin type) and what it requires (as a core type). */
export interface HybridTypeSpec extends PluginTypeSpec, CoreTypeSpec {
  readonly description?: string;
  /** When it offers what it lends (the hybrid orb's option of the same name). */
  readonly offerWhen?: "always" | "compliant";
}

/** The extension as written. */
export interface ExtensionSpec {
  readonly plugins?: Readonly<Record<string, PluginTypeSpec>>;
  readonly cores?: Readonly<Record<string, CoreTypeSpec>>;
  readonly hybrids?: Readonly<Record<string, HybridTypeSpec>>;
}

let validator: Ajv.ValidateFunction | undefined;

function validate(): Ajv.ValidateFunction {
  if (!validator) {
    const schema = JSON.parse(readFileSync(packagePath("spec", "x-orbitalis.schema.json"), "utf8")) as object;
    validator = new Ajv.default({ allErrors: false, strict: true }).compile(schema);
  }
  return validator;
}

/**
 * Checks `x-orbitalis` (absent: no types). `where` formats a path as `file:line #/pointer`.
 * @throws ContractError at the first violation.
 */
export function checkExtension(
  spec: LoadedSpec,
  where: (path: (string | number)[]) => string,
): ExtensionSpec {
  const value = spec.raw["x-orbitalis"];
  if (value === undefined) return {};
  const check = validate();
  if (check(value)) {
    const extension = value as ExtensionSpec;
    // Requirement counts that contradict each other are caught here, where they are written.
    const requirers = [
      ...Object.entries(extension.cores ?? {}).map(([name, type]) => ({ kind: "cores", name, type })),
      ...Object.entries(extension.hybrids ?? {}).map(([name, type]) => ({ kind: "hybrids", name, type })),
    ];
    for (const { kind, name, type } of requirers) {
      for (const [op, req] of Object.entries(type.requires)) {
        const { minimum, maximum } = req as { minimum?: number; maximum?: number };
        if (minimum !== undefined && maximum !== undefined && minimum > maximum) {
          throw new ContractError(
            where(["x-orbitalis", kind, name, "requires", op, "minimum"]),
            `minimum ${minimum} is above maximum ${maximum}`,
          );
        }
      }
    }
    for (const [name, type] of Object.entries(extension.hybrids ?? {})) {
      if (Object.keys(type.requires).length === 0) {
        throw new ContractError(
          where(["x-orbitalis", "hybrids", name, "requires"]),
          `hybrid ${name} requires nothing: a type that only lends operations is a plugin type (x-orbitalis.plugins)`,
        );
      }
    }
    return extension;
  }
  const error = check.errors![0]!;
  const segments = error.instancePath
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  const detail =
    error.keyword === "additionalProperties"
      ? `unknown field ${JSON.stringify((error.params as { additionalProperty: string }).additionalProperty)}`
      : error.keyword === "enum"
        ? `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")}`
        : (error.message ?? "invalid");
  throw new ContractError(where(["x-orbitalis", ...segments]), `x-orbitalis: ${detail}`);
}
