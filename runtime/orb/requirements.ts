/**
 * What a core requires of each operation: the options as a user writes them, checked and
 * compiled (schema specs, allow/block lists, counts) into what the core decides with.
 */
import { ConfigError } from "../errors.js";
import { CompiledSpec, type SchemaSpec, type WireSchemaSpec } from "../schema-spec.js";
import { Access, count, idList } from "./policy.js";
import { checkId } from "../ids.js";

/** What a core needs of one operation. */
export interface RequirementOptions {
  /** Connections needed in total to be compliant (mandatory ones count). Default 1; 0 makes it optional. */
  readonly minimum?: number;
  /** Connections taken at most (absent: unbounded). */
  readonly maximum?: number;
  /** Plugins that must be connected for compliance. */
  readonly mandatory?: readonly string[];
  /** Only these plugins (exclusive with `block`). */
  readonly allow?: readonly string[];
  /** Never these plugins. */
  readonly block?: readonly string[];
  /** Input specs the core sends; a plugin's input must match one. Default: anything. */
  readonly inputs?: readonly SchemaSpec[];
  /** Output specs the core accepts; a plugin's output must match one. Default: anything, or none. */
  readonly outputs?: readonly SchemaSpec[];
  /** Preferred plugins, most preferred first: they win when offers exceed what is needed. */
  readonly prefer?: readonly string[];
}

/** A requirement, checked and compiled. */
export interface Requirement {
  readonly name: string;
  readonly minimum: number;
  readonly maximum: number | undefined;
  readonly mandatory: readonly string[];
  readonly access: Access;
  readonly inputs: readonly CompiledSpec[];
  readonly outputs: readonly CompiledSpec[];
  readonly prefer: readonly string[];
}

const ANY_INPUT: readonly CompiledSpec[] = [
  CompiledSpec.fromWire({ any: true }),
  CompiledSpec.fromWire("none"),
];

/** Checks and compiles the requirement of operation `name`. @throws ConfigError naming the field. */
export function compileRequirement(name: string, req: RequirementOptions): Requirement {
  const field = `requires.${name}`;
  checkId(field, name);
  if (req === null || typeof req !== "object") throw new ConfigError(field, "must be an object");
  const minimum = count(req.minimum, `${field}.minimum`, 0) ?? 1;
  const maximum = count(req.maximum, `${field}.maximum`, 1);
  const mandatory = idList(req.mandatory, `${field}.mandatory`) ?? [];
  if (maximum !== undefined && minimum > maximum) {
    throw new ConfigError(`${field}.minimum`, `minimum ${minimum} is above maximum ${maximum}`);
  }
  if (maximum !== undefined && mandatory.length > maximum) {
    throw new ConfigError(
      `${field}.mandatory`,
      `${mandatory.length} mandatory plugins do not fit in maximum ${maximum}`,
    );
  }
  const access = Access.from(req, field);
  for (const p of mandatory) {
    if (access.blocks(p))
      throw new ConfigError(
        `${field}.mandatory`,
        `mandatory plugin ${JSON.stringify(p)} is on the block list`,
      );
    if (!access.permits(p))
      throw new ConfigError(
        `${field}.mandatory`,
        `mandatory plugin ${JSON.stringify(p)} is not on the allow list`,
      );
  }
  const specs = (list: readonly SchemaSpec[] | undefined, key: string): CompiledSpec[] | undefined => {
    if (list === undefined) return undefined;
    if (!Array.isArray(list) || list.length === 0)
      throw new ConfigError(`${field}.${key}`, "must be a non-empty array of schema specs");
    return (list as readonly SchemaSpec[]).map((s, i) =>
      CompiledSpec.fromUser(s, `${field}.${key}[${i}]`, "none"),
    );
  };
  const prefer = idList(req.prefer, `${field}.prefer`) ?? [];
  return {
    name,
    minimum: Math.max(minimum, 0),
    maximum,
    mandatory,
    access,
    inputs: specs(req.inputs, "inputs") ?? ANY_INPUT,
    outputs: specs(req.outputs, "outputs") ?? ANY_INPUT,
    prefer,
  };
}

/** A short description of a wire schema spec for messages (`none`, `{empty}`, `1 schema`). */
export function describeSpec(spec: WireSchemaSpec): string {
  if (spec === "none") return "none";
  const parts: string[] = [];
  if (spec.any) parts.push("any");
  if (spec.empty) parts.push("empty");
  const n = spec.schemas?.length ?? 0;
  if (n > 0)
    parts.push(
      `${n} schema${n === 1 ? "" : "s"} (${spec.schemas!.map((x) => x.fingerprint.slice(0, 8)).join(", ")})`,
    );
  return `{${parts.join(", ")}}`;
}
