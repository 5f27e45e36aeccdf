/**
 * Compares two JSON Schemas (draft-07, as the contract model cleans them: `$ref`s resolved)
 * keyword by keyword and names each change with a {@link DataKindName}: what it does to the
 * set of accepted values. It does not decide verdicts (rules.ts does, per direction).
 */
import type { DataKindName } from "./rules.js";
import {
  ANNOTATIONS,
  VALIDATION,
  child,
  compareBounds,
  compareSimple,
  compareType,
  compareValues,
  describe,
  isNode,
  same,
  show,
  unrestricted,
  type Add,
  type Node,
} from "./schema-keywords.js";

/** One change between two schemas. */
export interface SchemaChange {
  /** JSON pointer of the subschema that changed (`#` is the root). */
  readonly path: string;
  readonly kind: DataKindName;
  /** What changed, in words (`type narrowed: number -> integer`). */
  readonly change: string;
}

/**
 * Every change from `before` to `after` (JSON Schemas: objects or booleans), each with the
 * JSON pointer of the subschema where it is.
 */
export function compareSchemas(before: unknown, after: unknown, at = "#"): SchemaChange[] {
  if (same(before, after)) return [];
  const out: SchemaChange[] = [];
  const add = (path: string, kind: DataKindName, change: string): void => {
    out.push({ path, kind, change });
  };
  if (typeof before === "boolean" || typeof after === "boolean") {
    if (before === false) add(at, "CONSTRAINT-REMOVED", "the schema was false (it accepted nothing)");
    else if (after === false) add(at, "CONSTRAINT-ADDED", "the schema is now false (it accepts nothing)");
    else out.push(...compareSchemas(before === true ? {} : before, after === true ? {} : after, at));
    return out;
  }
  if (!isNode(before) || !isNode(after)) {
    add(at, "CONSTRAINT-CHANGED", `schema changed: ${show(before)} -> ${show(after)}`);
    return out;
  }
  compareType(before, after, at, add);
  compareValues(before, after, at, add);
  compareBounds(before, after, at, add);
  compareObjects(before, after, at, add, out);
  compareArrays(before, after, at, add, out);
  compareCombinators(before, after, at, add, out);
  compareSimple(before, after, at, add);
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (VALIDATION.has(key) || same(before[key], after[key])) continue;
    const note = ANNOTATIONS.has(key) ? "" : " (not a keyword validators check)";
    add(at, "ANNOTATION", `${key} ${describe(before[key], after[key])}${note}`);
  }
  return out;
}

function names(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

function record(value: unknown): Node {
  return isNode(value) ? value : {};
}

function compareObjects(before: Node, after: Node, at: string, add: Add, out: SchemaChange[]): void {
  const wasProps = record(before.properties);
  const isProps = record(after.properties);
  const wasRequired = new Set(names(before.required));
  const isRequired = new Set(names(after.required));
  const wasClosed = !unrestricted(before.additionalProperties);
  const isClosed = !unrestricted(after.additionalProperties);
  for (const name of Object.keys(isProps)) {
    const path = child(at, "properties", name);
    if (name in wasProps) {
      out.push(...compareSchemas(wasProps[name], isProps[name], path));
      continue;
    }
    // Required or not, a property an old closed schema rejected is now accepted.
    if (wasClosed) add(path, "FIELD-ADDED-CLOSED", `field added to a closed schema: ${name}`);
    else if (!isRequired.has(name)) add(path, "FIELD-ADDED", `optional field added: ${name}`);
  }
  for (const name of Object.keys(wasProps)) {
    if (name in isProps) continue;
    const path = child(at, "properties", name);
    if (after.additionalProperties === false)
      add(path, "FIELD-REMOVED-CLOSED", `field removed from a closed schema (now rejected): ${name}`);
    else if (isClosed)
      add(path, "CONSTRAINT-CHANGED", `field removed: ${name} (now checked by additionalProperties)`);
    // A required field removed from an open schema is reported once, as REQUIRED-REMOVED below.
    else if (!(wasRequired.has(name) && !isRequired.has(name)))
      add(path, "FIELD-REMOVED", `field removed: ${name} (no longer checked)`);
  }
  for (const name of isRequired) {
    if (wasRequired.has(name)) continue;
    const path = child(at, "properties", name);
    add(
      path,
      "REQUIRED-ADDED",
      name in wasProps || !(name in isProps)
        ? `field made required: ${name}`
        : `required field added: ${name}`,
    );
  }
  for (const name of wasRequired) {
    if (isRequired.has(name)) continue;
    const path = child(at, "properties", name);
    add(
      path,
      "REQUIRED-REMOVED",
      name in isProps || !(name in wasProps)
        ? `field made optional: ${name}`
        : `required field removed: ${name}`,
    );
  }
  compareAdditional(before, after, at, add, out);
  const wasPatterns = record(before.patternProperties);
  const isPatterns = record(after.patternProperties);
  for (const pattern of new Set([...Object.keys(wasPatterns), ...Object.keys(isPatterns)])) {
    const path = child(at, "patternProperties", pattern);
    if (pattern in wasPatterns && pattern in isPatterns)
      out.push(...compareSchemas(wasPatterns[pattern], isPatterns[pattern], path));
    else if (pattern in isPatterns)
      add(path, wasClosed ? "CONSTRAINT-CHANGED" : "CONSTRAINT-ADDED", `patternProperties added: ${pattern}`);
    else
      add(
        path,
        isClosed ? "CONSTRAINT-CHANGED" : "CONSTRAINT-REMOVED",
        `patternProperties removed: ${pattern}`,
      );
  }
  compareDependencies(before, after, at, add, out);
  compareOptionalSubschema("propertyNames", before, after, at, add, out);
}

function compareAdditional(before: Node, after: Node, at: string, add: Add, out: SchemaChange[]): void {
  const [b, a] = [before.additionalProperties, after.additionalProperties];
  if (same(b, a)) return;
  const state = (v: unknown): "open" | "closed" | "schema" =>
    unrestricted(v) ? "open" : v === false ? "closed" : "schema";
  const [was, is] = [state(b), state(a)];
  const path = child(at, "additionalProperties");
  if (was === is) {
    if (was === "schema") out.push(...compareSchemas(b, a, path));
    return;
  }
  if (is === "closed")
    add(at, "ADDITIONAL-CLOSED", "additionalProperties: false added (the schema is closed)");
  else if (was === "closed")
    add(
      at,
      "ADDITIONAL-OPENED",
      `additionalProperties: false removed (${is === "open" ? "any other property" : "other properties valid against a schema"} accepted)`,
    );
  else if (is === "schema") add(path, "CONSTRAINT-ADDED", "additionalProperties constrained by a schema");
  else add(path, "CONSTRAINT-REMOVED", "additionalProperties no longer constrained");
}

function compareDependencies(before: Node, after: Node, at: string, add: Add, out: SchemaChange[]): void {
  const was = record(before.dependencies);
  const is = record(after.dependencies);
  for (const key of new Set([...Object.keys(was), ...Object.keys(is)])) {
    const [b, a] = [was[key], is[key]];
    const path = child(at, "dependencies", key);
    if (same(b, a)) continue;
    if (b === undefined) add(path, "CONSTRAINT-ADDED", `dependency added: ${key}`);
    else if (a === undefined) add(path, "CONSTRAINT-REMOVED", `dependency removed: ${key}`);
    else if (Array.isArray(b) && Array.isArray(a)) {
      const more = names(a).filter((n) => !names(b).includes(n));
      const fewer = names(b).filter((n) => !names(a).includes(n));
      if (more.length > 0) add(path, "CONSTRAINT-ADDED", `${key} now also needs ${more.join(", ")}`);
      if (fewer.length > 0) add(path, "CONSTRAINT-REMOVED", `${key} no longer needs ${fewer.join(", ")}`);
    } else if (!Array.isArray(b) && !Array.isArray(a)) out.push(...compareSchemas(b, a, path));
    else add(path, "CONSTRAINT-CHANGED", `dependency ${key} changed form`);
  }
}

/** A keyword whose absence constrains nothing and whose presence is a subschema (contains, propertyNames). */
function compareOptionalSubschema(
  key: string,
  before: Node,
  after: Node,
  at: string,
  add: Add,
  out: SchemaChange[],
): void {
  const [b, a] = [before[key], after[key]];
  if (same(b, a)) return;
  const path = child(at, key);
  if (b === undefined) add(path, "CONSTRAINT-ADDED", `${key} added`);
  else if (a === undefined) add(path, "CONSTRAINT-REMOVED", `${key} removed`);
  else out.push(...compareSchemas(b, a, path));
}

function compareArrays(before: Node, after: Node, at: string, add: Add, out: SchemaChange[]): void {
  const [b, a] = [before.items, after.items];
  if (!same(b, a)) {
    const path = child(at, "items");
    if (Array.isArray(b) && Array.isArray(a)) {
      for (let i = 0; i < Math.min(b.length, a.length); i++)
        out.push(...compareSchemas(b[i], a[i], child(path, i)));
      // Items past a tuple are checked by additionalItems: a longer or shorter tuple moves them.
      if (a.length !== b.length) add(path, "CONSTRAINT-CHANGED", `tuple length ${b.length} -> ${a.length}`);
    } else if (Array.isArray(b) || Array.isArray(a)) {
      add(path, "CONSTRAINT-CHANGED", `items changed between a tuple and a single schema`);
    } else out.push(...compareSchemas(b ?? true, a ?? true, path));
  }
  if (!same(before.additionalItems, after.additionalItems))
    out.push(
      ...compareSchemas(
        before.additionalItems ?? true,
        after.additionalItems ?? true,
        child(at, "additionalItems"),
      ),
    );
  compareOptionalSubschema("contains", before, after, at, add, out);
}

/**
 * Pairs the entries of two lists of subschemas: equal ones first, then the rest in order.
 * Returns the pairs (indexes) and the entries left on each side.
 */
function pairUp(
  before: readonly unknown[],
  after: readonly unknown[],
): { pairs: [number, number][]; removed: number[]; added: number[] } {
  const freeAfter = new Set(after.map((_, i) => i));
  const pairs: [number, number][] = [];
  const leftBefore: number[] = [];
  before.forEach((entry, i) => {
    const j = [...freeAfter].find((k) => same(entry, after[k]));
    if (j === undefined) leftBefore.push(i);
    else {
      freeAfter.delete(j);
      pairs.push([i, j]);
    }
  });
  const leftAfter = [...freeAfter];
  const n = Math.min(leftBefore.length, leftAfter.length);
  for (let k = 0; k < n; k++) pairs.push([leftBefore[k]!, leftAfter[k]!]);
  return { pairs, removed: leftBefore.slice(n), added: leftAfter.slice(n) };
}

function compareCombinators(before: Node, after: Node, at: string, add: Add, out: SchemaChange[]): void {
  for (const key of ["allOf", "anyOf", "oneOf"] as const) {
    const [b, a] = [before[key], after[key]];
    if (same(b, a)) continue;
    const path = child(at, key);
    if (!Array.isArray(b) || !Array.isArray(a)) {
      if (b === undefined) add(path, "CONSTRAINT-ADDED", `${key} added`);
      else if (a === undefined) add(path, "CONSTRAINT-REMOVED", `${key} removed`);
      else add(path, "CONSTRAINT-CHANGED", `${key} changed`);
      continue;
    }
    const { pairs, removed, added } = pairUp(b, a);
    for (const [i, j] of pairs) out.push(...compareSchemas(b[i], a[j], child(path, j)));
    const union = key !== "allOf";
    for (const j of added)
      add(
        child(path, j),
        union ? "UNION-WIDENED" : "CONSTRAINT-ADDED",
        `${key} ${union ? "branch" : "entry"} added`,
      );
    for (const i of removed)
      add(
        child(path, i),
        union ? "UNION-NARROWED" : "CONSTRAINT-REMOVED",
        `${key} ${union ? "branch" : "entry"} removed`,
      );
  }
}
