/**
 * Compares two JSON Schemas (draft-07, as the contract model cleans them: `$ref`s resolved)
 * keyword by keyword and names each change with a {@link DataKindName}: what it does to the
 * set of accepted values. It does not decide verdicts (rules.ts does, per direction).
 */
import type { DataKindName } from "./rules.js";

/** One change between two schemas. */
export interface SchemaChange {
  /** JSON pointer of the subschema that changed (`#` is the root). */
  readonly path: string;
  readonly kind: DataKindName;
  /** What changed, in words (`type narrowed: number -> integer`). */
  readonly change: string;
}

type Node = Readonly<Record<string, unknown>>;

/** Keywords validators do not check: changing them changes no verdict. */
const ANNOTATIONS = new Set([
  "$schema",
  "$id",
  "$comment",
  "title",
  "description",
  "summary",
  "examples",
  "default",
  "readOnly",
  "writeOnly",
  "deprecated",
  "contentEncoding",
  "contentMediaType",
  // $refs are resolved before fingerprinting, so definitions are never read.
  "definitions",
]);

/** Validation keywords compared below; any other key is an annotation (ajv ignores unknown keywords). */
const VALIDATION = new Set([
  "type",
  "enum",
  "const",
  "minimum",
  "exclusiveMinimum",
  "minLength",
  "minItems",
  "minProperties",
  "maximum",
  "exclusiveMaximum",
  "maxLength",
  "maxItems",
  "maxProperties",
  "multipleOf",
  "pattern",
  "format",
  "required",
  "properties",
  "additionalProperties",
  "patternProperties",
  "propertyNames",
  "dependencies",
  "items",
  "additionalItems",
  "contains",
  "uniqueItems",
  "allOf",
  "anyOf",
  "oneOf",
  "not",
  "if",
  "then",
  "else",
]);

const LOWER_BOUNDS = ["minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties"] as const;
const UPPER_BOUNDS = ["maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties"] as const;

/** JSON with sorted keys: equality of JSON values. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "undefined";
}

const same = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b);

/** A JSON pointer segment appended to `at`. */
function child(at: string, ...segments: (string | number)[]): string {
  return [at, ...segments.map((s) => String(s).replace(/~/g, "~0").replace(/\//g, "~1"))].join("/");
}

const show = (value: unknown): string => JSON.stringify(value);

function isNode(value: unknown): value is Node {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** A schema with nothing that restricts a value: `true`, `{}` or annotations only. */
function unrestricted(value: unknown): boolean {
  if (value === undefined || value === true) return true;
  return isNode(value) && Object.keys(value).every((k) => !VALIDATION.has(k));
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

type Add = (path: string, kind: DataKindName, change: string) => void;

/** `added`, `removed` or `changed`, for an annotation. */
function describe(before: unknown, after: unknown): string {
  if (before === undefined) return "added";
  if (after === undefined) return "removed";
  return "changed";
}

/** Value classes a `type` admits: integers and other numbers apart, `number` being both. */
function typeAtoms(type: unknown): Set<string> {
  const all = ["null", "boolean", "object", "array", "string", "integer", "fraction"];
  if (type === undefined) return new Set(all);
  const out = new Set<string>();
  for (const t of Array.isArray(type) ? type : [type]) {
    if (t === "number") out.add("integer").add("fraction");
    else out.add(String(t));
  }
  return out;
}

function compareType(before: Node, after: Node, at: string, add: Add): void {
  if (same(before.type, after.type)) return;
  const was = typeAtoms(before.type);
  const is = typeAtoms(after.type);
  const narrows = [...was].some((t) => !is.has(t));
  const widens = [...is].some((t) => !was.has(t));
  if (!narrows && !widens) return; // ["number", "integer"] and "number" admit the same values
  const name = (type: unknown): string =>
    type === undefined
      ? "any"
      : (Array.isArray(type) ? (type as unknown[]) : [type])
          .map((t) => (typeof t === "string" ? t : JSON.stringify(t)))
          .join("|");
  const text = `${name(before.type)} -> ${name(after.type)}`;
  if (narrows && widens) add(at, "TYPE-CHANGED", `type changed: ${text}`);
  else if (narrows) add(at, "TYPE-NARROWED", `type narrowed: ${text}`);
  else add(at, "TYPE-WIDENED", `type widened: ${text}`);
}

/** The values an `enum` and a `const` allow together, or undefined when they allow any. */
function allowedValues(node: Node): unknown[] | undefined {
  const values = Array.isArray(node.enum) ? (node.enum as unknown[]) : undefined;
  if (!("const" in node)) return values;
  if (values === undefined) return [node.const];
  return values.filter((v) => same(v, node.const));
}

function compareValues(before: Node, after: Node, at: string, add: Add): void {
  if (same(before.enum, after.enum) && same(before.const, after.const)) return;
  const was = allowedValues(before);
  const is = allowedValues(after);
  const list = (values: unknown[]): string => values.map(show).join(", ");
  if (was === undefined && is === undefined) return;
  if (was === undefined) {
    add(at, "ENUM-NARROWED", `values restricted to ${list(is!)} (enum/const added)`);
    return;
  }
  if (is === undefined) {
    add(at, "ENUM-WIDENED", `any value accepted (enum/const ${list(was)} removed)`);
    return;
  }
  const removed = was.filter((v) => !is.some((w) => same(v, w)));
  const added = is.filter((v) => !was.some((w) => same(v, w)));
  if (removed.length > 0) add(at, "ENUM-NARROWED", `enum values removed: ${list(removed)}`);
  if (added.length > 0) add(at, "ENUM-WIDENED", `enum values added: ${list(added)}`);
}

function compareBounds(before: Node, after: Node, at: string, add: Add): void {
  const bound = (key: string, lower: boolean): void => {
    const [b, a] = [before[key], after[key]];
    if (same(b, a)) return;
    if (b === undefined) add(at, "BOUND-TIGHTENED", `${key} added: ${show(a)}`);
    else if (a === undefined) add(at, "BOUND-RELAXED", `${key} removed (was ${show(b)})`);
    else if (typeof b !== "number" || typeof a !== "number")
      add(at, "CONSTRAINT-CHANGED", `${key} changed: ${show(b)} -> ${show(a)}`);
    else if (a > b === lower)
      add(at, "BOUND-TIGHTENED", `${key} ${lower ? "raised" : "lowered"}: ${b} -> ${a}`);
    else add(at, "BOUND-RELAXED", `${key} ${lower ? "lowered" : "raised"}: ${b} -> ${a}`);
  };
  for (const key of LOWER_BOUNDS) bound(key, true);
  for (const key of UPPER_BOUNDS) bound(key, false);
  const [b, a] = [before.multipleOf, after.multipleOf];
  if (same(b, a)) return;
  if (b === undefined) add(at, "BOUND-TIGHTENED", `multipleOf added: ${show(a)}`);
  else if (a === undefined) add(at, "BOUND-RELAXED", `multipleOf removed (was ${show(b)})`);
  else if (typeof a === "number" && typeof b === "number" && Number.isInteger(a / b))
    add(at, "BOUND-TIGHTENED", `multipleOf ${b} -> ${a} (fewer values)`);
  else if (typeof a === "number" && typeof b === "number" && Number.isInteger(b / a))
    add(at, "BOUND-RELAXED", `multipleOf ${b} -> ${a} (more values)`);
  else add(at, "CONSTRAINT-CHANGED", `multipleOf changed: ${show(b)} -> ${show(a)}`);
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

/** Keywords compared as a whole: added constrains, removed frees, changed is both. */
function compareSimple(before: Node, after: Node, at: string, add: Add): void {
  for (const key of ["pattern", "format", "not", "if", "then", "else"] as const) {
    const [b, a] = [before[key], after[key]];
    if (same(b, a)) continue;
    const named = key === "pattern" || key === "format";
    const text = named ? `: ${show(b ?? a)}` : "";
    if (b === undefined) add(at, "CONSTRAINT-ADDED", `${key} added${text}`);
    else if (a === undefined) add(at, "CONSTRAINT-REMOVED", `${key} removed${text}`);
    else
      add(at, "CONSTRAINT-CHANGED", `${key} changed${key === "pattern" ? `: ${show(b)} -> ${show(a)}` : ""}`);
  }
  if (Boolean(before.uniqueItems) !== Boolean(after.uniqueItems))
    add(
      at,
      after.uniqueItems ? "CONSTRAINT-ADDED" : "CONSTRAINT-REMOVED",
      `uniqueItems ${after.uniqueItems ? "added" : "removed"}`,
    );
}
