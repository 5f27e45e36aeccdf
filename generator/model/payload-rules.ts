/**
 * Rules a payload schema must follow beyond being JSON Schema: a `required` name must be a
 * declared property (a misspelt one makes every payload of the generated type invalid).
 */
import { ContractError } from "orbitalis";

type Path = (string | number)[];

/** Keywords whose values are data, not schemas: nothing below them is checked. */
const DATA_KEYWORDS = new Set(["enum", "const", "default", "examples"]);
/** Keywords whose values map names to schemas. */
const SCHEMA_MAPS = new Set(["properties", "patternProperties", "definitions", "dependencies"]);

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Levenshtein distance, to suggest the property a misspelt name meant. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++)
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/** Whether a `patternProperties` key matches `name` (a pattern JavaScript cannot read matches nothing). */
function matches(pattern: string, name: string): boolean {
  try {
    return new RegExp(pattern, "u").test(name);
  } catch {
    return false;
  }
}

/**
 * Checks that every name in a `required` of `schema` (a payload at `path`) is declared: in
 * the same schema's `properties`, or matched by its `patternProperties`. Checked where a
 * schema declares `properties` or closes itself (`additionalProperties: false`); a
 * `required` alone (an `allOf` branch adding to another's properties) is left alone.
 * @throws ContractError naming the name, the properties, and where it is written.
 */
export function checkRequired(schema: unknown, path: Path, where: (path: Path) => string): void {
  const seen = new Set<object>();
  const walk = (node: unknown, at: Path): void => {
    if (node === null || typeof node !== "object" || seen.has(node)) return;
    seen.add(node); // also ends a recursive schema, which the model refuses on its own
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, [...at, i]));
      return;
    }
    const object = node as Record<string, unknown>;
    checkNode(object, at, where);
    for (const [key, child] of Object.entries(object)) {
      if (DATA_KEYWORDS.has(key) || key.startsWith("x-")) continue;
      if (SCHEMA_MAPS.has(key) && isObject(child)) {
        for (const [name, value] of Object.entries(child)) walk(value, [...at, key, name]);
      } else walk(child, [...at, key]);
    }
  };
  walk(schema, path);
}

function checkNode(schema: Record<string, unknown>, at: Path, where: (path: Path) => string): void {
  const required = schema.required;
  if (!Array.isArray(required)) return;
  const closed = schema.additionalProperties === false;
  if (!isObject(schema.properties) && !closed) return;
  const properties = isObject(schema.properties) ? Object.keys(schema.properties) : [];
  const patterns = isObject(schema.patternProperties) ? Object.keys(schema.patternProperties) : [];
  required.forEach((name, i) => {
    if (typeof name !== "string" || properties.includes(name) || patterns.some((p) => matches(p, name)))
      return;
    const near = properties.find((p) => !required.includes(p) && distance(p, name) <= 2);
    const meant = near === undefined ? "" : ` (did you mean ${JSON.stringify(near)}?)`;
    const why = closed
      ? `with additionalProperties false no payload can be valid${meant}`
      : `the generated type does not ask for it but validators do, so every payload of that type is refused${meant}; if it is meant, declare it in properties (\`${name}: {}\` for any value)`;
    throw new ContractError(
      where([...at, "required", i]),
      `required names ${JSON.stringify(name)}, which is not among the properties (${properties.join(", ") || "none"}): ${why}`,
    );
  });
}
