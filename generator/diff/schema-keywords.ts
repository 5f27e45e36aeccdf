/**
 * The keywords of a JSON Schema that constrain one value by themselves (type, enum and
 * const, bounds, pattern, format ...) compared between two revisions, and the helpers the
 * structural comparison (schema-diff.ts: objects, arrays, combinators) shares with them.
 */
import type { DataKindName } from "./rules.js";

export type Node = Readonly<Record<string, unknown>>;

/** Keywords validators do not check: changing them changes no verdict. */
export const ANNOTATIONS = new Set([
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
export const VALIDATION = new Set([
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

export const same = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b);

/** A JSON pointer segment appended to `at`. */
export function child(at: string, ...segments: (string | number)[]): string {
  return [at, ...segments.map((s) => String(s).replace(/~/g, "~0").replace(/\//g, "~1"))].join("/");
}

export const show = (value: unknown): string => JSON.stringify(value);

export function isNode(value: unknown): value is Node {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** A schema with nothing that restricts a value: `true`, `{}` or annotations only. */
export function unrestricted(value: unknown): boolean {
  if (value === undefined || value === true) return true;
  return isNode(value) && Object.keys(value).every((k) => !VALIDATION.has(k));
}

export type Add = (path: string, kind: DataKindName, change: string) => void;

/** `added`, `removed` or `changed`, for an annotation. */
export function describe(before: unknown, after: unknown): string {
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

export function compareType(before: Node, after: Node, at: string, add: Add): void {
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

export function compareValues(before: Node, after: Node, at: string, add: Add): void {
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

export function compareBounds(before: Node, after: Node, at: string, add: Add): void {
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

/** Keywords compared as a whole: added constrains, removed frees, changed is both. */
export function compareSimple(before: Node, after: Node, at: string, add: Add): void {
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
