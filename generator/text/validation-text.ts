/**
 * Validation errors for people (`orbitalis validate`): one line per error, `<JSON pointer
 * in the message>: expected <what>, found <value>`, from ajv's errors (compiled with
 * `allErrors` and `verbose`). The errors under an `anyOf`/`oneOf` that failed become one
 * line for it (or stay, when the value's type fits one branch only), and the errors of a
 * `then` or `else` say the `if` condition they depend on.
 */
import type { ErrorObject } from "ajv";
import { code, constraintsOf, countText, describe, plural, shortJson, typeOf } from "./schema-text.js";

type Schema = Readonly<Record<string, unknown>>;

function isSchema(value: unknown): value is Schema {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** `a/b` -> `a~1b` (RFC 6901). */
function escape(segment: string): string {
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** The value at a JSON pointer, or `undefined` when there is none. */
function at(root: unknown, pointer: string): unknown {
  let node = root;
  for (const raw of pointer.split("/").slice(1)) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(node)) node = node[Number(key)];
    else if (isSchema(node)) node = Object.prototype.hasOwnProperty.call(node, key) ? node[key] : undefined;
    else return undefined;
  }
  return node;
}

/** What was found: the value (shortened), with its length or size when that is what is wrong. */
function found(value: unknown, keyword: string): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string" && (keyword === "minLength" || keyword === "maxLength"))
    return `${shortJson(value, 40)} (${plural([...value].length, "character")})`;
  if (Array.isArray(value) && (keyword === "minItems" || keyword === "maxItems"))
    return plural(value.length, "item");
  if (isSchema(value) && (keyword === "minProperties" || keyword === "maxProperties"))
    return plural(Object.keys(value).length, "field");
  return shortJson(value);
}

/** One error in words. */
export interface ErrorLine {
  /** JSON pointer in the message (`/` for the message itself). */
  readonly pointer: string;
  readonly expected: string;
  readonly found: string;
}

export function formatErrorLine(e: ErrorLine): string {
  return `${e.pointer}: expected ${e.expected}, found ${e.found}`;
}

function limit(e: ErrorObject): number {
  return (e.params as { limit: number }).limit;
}

/** What the failing keyword expected, in words. */
function expected(e: ErrorObject): string {
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "type":
      return String(params.type).split(",").join(" or ");
    case "minimum":
      return `at least ${limit(e)}`;
    case "maximum":
      return `at most ${limit(e)}`;
    case "exclusiveMinimum":
      return `above ${limit(e)}`;
    case "exclusiveMaximum":
      return `below ${limit(e)}`;
    case "multipleOf":
      return `a multiple of ${String(params.multipleOf)}`;
    case "minLength":
      return countText(limit(e), undefined, "character")!;
    case "maxLength":
      return countText(undefined, limit(e), "character")!;
    case "minItems":
      return countText(limit(e), undefined, "item")!;
    case "maxItems":
      return countText(undefined, limit(e), "item")!;
    case "minProperties":
      return countText(limit(e), undefined, "field")!;
    case "maxProperties":
      return countText(undefined, limit(e), "field")!;
    case "pattern":
      return `a string matching ${code(String(params.pattern))}`;
    case "format":
      return `format ${String(params.format)}`;
    case "enum":
      return `one of ${(params.allowedValues as unknown[]).map((v) => shortJson(v)).join(", ")}`;
    case "const":
      return shortJson(params.allowedValue);
    case "uniqueItems":
      return `no duplicates (items ${String(params.j)} and ${String(params.i)} are equal)`;
    case "anyOf":
    case "oneOf":
      return params.passingSchemas !== undefined && params.passingSchemas !== null
        ? `exactly one of ${typeOf(e.parentSchema)}, not several`
        : typeOf(e.parentSchema);
    case "not":
      return `anything but ${describe(e.schema)}`;
    case "false schema":
      return "nothing here";
    default:
      return e.message ?? `to pass ${e.keyword}`;
  }
}

/** The fields a `not` forbids: all together (`not: { required }`) or each (`not: { anyOf: [{ required }] }`). */
function forbidden(schema: unknown): { fields: string[]; together: boolean } | undefined {
  const only = (s: unknown): string[] | undefined =>
    isSchema(s) && Array.isArray(s.required) && Object.keys(s).length === 1
      ? s.required.map(String)
      : undefined;
  const together = only(schema);
  if (together) return { fields: together, together: true };
  const any = isSchema(schema) ? (schema.anyOf ?? schema.oneOf) : undefined;
  if (!Array.isArray(any)) return undefined;
  const each = any.map(only);
  return each.every((f) => f?.length === 1)
    ? { fields: each.map((f) => f![0]!), together: false }
    : undefined;
}

/**
 * The if/then/else an error comes from: its condition (` when role is not "hybrid"`, or
 * "") and the fields of the schema holding it (a `then: { required }` names no types).
 */
function condition(e: ErrorObject, ifs: readonly ErrorObject[]): { when: string; fields: Schema } {
  const source = ifs.find(
    (i) =>
      i.instancePath === e.instancePath &&
      e.schemaPath.startsWith(
        `${i.schemaPath.slice(0, -"/if".length)}/${String((i.params as { failingKeyword: string }).failingKeyword)}/`,
      ),
  );
  const parent: unknown = source?.parentSchema;
  if (!source || !isSchema(parent) || !isSchema(parent.if) || !isSchema(parent.if.properties))
    return { when: "", fields: {} };
  const negated = (source.params as { failingKeyword: string }).failingKeyword === "else";
  const parts = Object.entries(parent.if.properties).map(([field, sub]) => {
    const value = isSchema(sub) && "const" in sub ? shortJson(sub.const) : typeOf(sub);
    return `${field} is ${negated ? "not " : ""}${value}`;
  });
  return {
    when: parts.length === 0 ? "" : ` when ${parts.join(negated ? " or " : " and ")}`,
    fields: isSchema(parent.properties) ? parent.properties : {},
  };
}

/** The lines of one error (a `not` that forbids several fields says each one present). */
function linesOf(e: ErrorObject, data: unknown, context: { when: string; fields: Schema }): ErrorLine[] {
  const when = context.when;
  const params = e.params as Record<string, unknown>;
  const parent: unknown = e.parentSchema;
  const properties = isSchema(parent) && isSchema(parent.properties) ? parent.properties : context.fields;
  const value = at(data, e.instancePath);
  if (e.keyword === "required") {
    const name = String(params.missingProperty);
    const field = properties[name];
    const what = field === undefined ? "a value" : [typeOf(field), ...constraintsOf(field)].join(", ");
    return [
      {
        pointer: `${e.instancePath}/${escape(name)}`,
        expected: `${what} (required field${when})`,
        found: "nothing",
      },
    ];
  }
  if (e.keyword === "additionalProperties") {
    const pointer = `${e.instancePath}/${escape(String(params.additionalProperty))}`;
    const known = Object.keys(properties);
    return [
      {
        pointer,
        expected: known.length === 0 ? "no fields" : `no other fields than ${known.join(", ")}`,
        found: found(at(data, pointer), e.keyword),
      },
    ];
  }
  if (e.propertyName !== undefined) {
    const rule = e.keyword === "pattern" ? `matching ${code(String(params.pattern))}` : expected(e);
    return [
      {
        pointer: `${e.instancePath}/${escape(e.propertyName)}`,
        expected: `a field name ${rule}`,
        found: `the name ${shortJson(e.propertyName)}`,
      },
    ];
  }
  const fields = e.keyword === "not" ? forbidden(e.schema) : undefined;
  if (fields && isSchema(value)) {
    const present = fields.fields.filter((f) => f in value);
    if (fields.together)
      return [
        {
          pointer: e.instancePath || "/",
          expected: `not all of ${fields.fields.join(", ")} together${when}`,
          found: `all of them`,
        },
      ];
    return present.map((f) => ({
      pointer: `${e.instancePath}/${escape(f)}`,
      expected: `no ${f} field${when}`,
      found: found(value[f], e.keyword),
    }));
  }
  return [
    { pointer: e.instancePath || "/", expected: `${expected(e)}${when}`, found: found(value, e.keyword) },
  ];
}

/** The JSON type of a value, as JSON Schema names it. */
function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/** Whether a branch of a union can be meant for a value of JSON type `t` (unknown: yes). */
function fits(branch: unknown, t: string): boolean {
  if (!isSchema(branch)) return true;
  if ("const" in branch)
    return jsonType(branch.const) === t || (t === "integer" && typeof branch.const === "number");
  const types = Array.isArray(branch.type)
    ? branch.type
    : branch.type === undefined
      ? undefined
      : [branch.type];
  if (types === undefined) return true;
  return types.includes(t) || (t === "integer" && types.includes("number"));
}

/**
 * The errors a failed anyOf/oneOf stands for, to leave out: the branches' errors (those
 * just before it, on its value or inside it). When the value's JSON type fits one branch
 * only, that branch's errors are kept instead of the union's line: they say what is wrong.
 */
function unionSkips(all: readonly ErrorObject[], data: unknown): Set<ErrorObject> {
  const skip = new Set<ErrorObject>();
  all.forEach((union, index) => {
    if (union.keyword !== "anyOf" && union.keyword !== "oneOf") return;
    const inside = (e: ErrorObject): boolean =>
      e.instancePath === union.instancePath || e.instancePath.startsWith(`${union.instancePath}/`);
    let first = index;
    while (first > 0 && inside(all[first - 1]!) && !skip.has(all[first - 1]!)) first--;
    const branchErrors = all.slice(first, index);
    const branches: unknown[] = Array.isArray(union.schema) ? (union.schema as unknown[]) : [];
    const t = jsonType(at(data, union.instancePath));
    const fitting = branches.flatMap((b, i) => (fits(b, t) ? [i] : []));
    if (union.params && (union.params as { passingSchemas?: unknown }).passingSchemas != null)
      fitting.length = 0;
    if (fitting.length === 1) {
      skip.add(union);
      for (const e of branchErrors) {
        const other = branches.some(
          (_, i) => i !== fitting[0] && e.schemaPath.startsWith(`${union.schemaPath}/${i}/`),
        );
        if (other) skip.add(e);
      }
    } else for (const e of branchErrors) skip.add(e);
  });
  return skip;
}

/** The errors in words, one per line, in ajv's order, without repeats. */
export function errorLines(errors: readonly ErrorObject[] | null | undefined, data: unknown): ErrorLine[] {
  const all = errors ?? [];
  const skip = unionSkips(all, data);
  // A failed if/then/else is said by its then or else errors, with the condition.
  const ifs = all.filter((e) => e.keyword === "if");
  const lines: ErrorLine[] = [];
  const seen = new Set<string>();
  for (const e of all) {
    if (skip.has(e)) continue;
    if (e.keyword === "if" || e.keyword === "propertyNames") continue; // said by the errors under it
    for (const line of linesOf(e, data, condition(e, ifs))) {
      const text = formatErrorLine(line);
      if (seen.has(text)) continue;
      seen.add(text);
      lines.push(line);
    }
  }
  return lines;
}
