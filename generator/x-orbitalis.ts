/**
 * The `x-orbitalis` root extension of a contract, checked against its JSON Schema
 * (`spec/x-orbitalis.schema.json`, shipped with the CLI so editors and other tools can
 * use it too).
 */
import { readFileSync } from "node:fs";
import Ajv from "ajv";
import { ContractError } from "orbitalis";
import type { LoadedSpec } from "./load-spec.js";
import { packagePath } from "./paths.js";

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

/** The extension as written. */
export interface ExtensionSpec {
  readonly plugins?: Readonly<Record<string, PluginTypeSpec>>;
  readonly cores?: Readonly<Record<string, CoreTypeSpec>>;
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
    // Requirement counts that contradict each other are caught here, where they are written.
    const cores = (value as ExtensionSpec).cores ?? {};
    for (const [core, type] of Object.entries(cores)) {
      for (const [op, req] of Object.entries(type.requires)) {
        const { minimum, maximum } = req as { minimum?: number; maximum?: number };
        if (minimum !== undefined && maximum !== undefined && minimum > maximum) {
          throw new ContractError(
            where(["x-orbitalis", "cores", core, "requires", op, "minimum"]),
            `minimum ${minimum} is above maximum ${maximum}`,
          );
        }
      }
    }
    return value as ExtensionSpec;
  }
  const error = check.errors![0]!;
  const segments = error.instancePath
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  const detail =
    error.keyword === "additionalProperties"
      ? `unknown field ${JSON.stringify((error.params as { additionalProperty: string }).additionalProperty)}`
      : (error.message ?? "invalid");
  throw new ContractError(where(["x-orbitalis", ...segments]), `x-orbitalis: ${detail}`);
}
