/**
 * JSON Schemas (draft-07) in words, for people: the type of a field (`string`, `array of
 * OrbId`, `"on" or "off"`), its constraints (`0 to 255`, `at most 64 characters`, `no other
 * fields` ...) and the field rows of an object, nested objects and arrays included. Used by
 * `orbitalis docs` (field tables) and `orbitalis validate` (what an error expected).
 */

type Schema = Readonly<Record<string, unknown>>;

function isSchema(value: unknown): value is Schema {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** A JSON value, short enough for a line or a table cell. */
export function shortJson(value: unknown, max = 60): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}

/** Inline code, whatever the text holds. */
export function code(text: string): string {
  return text.includes("`") ? `\`\` ${text} \`\`` : `\`${text}\``;
}

/** `n things`, with the singular for one. */
export function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

/** `1 to 64 characters`, `at least 1 item`, `at most 16 fields`, `exactly 43 characters`. */
export function countText(
  min: number | undefined,
  max: number | undefined,
  unit: string,
): string | undefined {
  if (min !== undefined && max !== undefined)
    return min === max ? `exactly ${plural(min, unit)}` : `${min} to ${max} ${unit}s`;
  if (min !== undefined) return `at least ${plural(min, unit)}`;
  if (max !== undefined) return `at most ${plural(max, unit)}`;
  return undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === "number" ? value : undefined;
}

/** `0 to 255`, `at least 1`, `above 0, at most 1` (draft-07 numeric exclusives; draft-04 booleans too). */
export function rangeText(s: Schema): string | undefined {
  let min = num(s.minimum);
  let max = num(s.maximum);
  let above = num(s.exclusiveMinimum);
  let below = num(s.exclusiveMaximum);
  if (s.exclusiveMinimum === true && min !== undefined) [above, min] = [min, undefined];
  if (s.exclusiveMaximum === true && max !== undefined) [below, max] = [max, undefined];
  if (min !== undefined && max !== undefined && above === undefined && below === undefined)
    return min === max ? `exactly ${min}` : `${min} to ${max}`;
  const parts: string[] = [];
  if (above !== undefined) parts.push(`above ${above}`);
  else if (min !== undefined) parts.push(`at least ${min}`);
  if (below !== undefined) parts.push(`below ${below}`);
  else if (max !== undefined) parts.push(`at most ${max}`);
  return parts.length > 0 ? parts.join(", ") : undefined;
}

/** `` `a` ``, `` `a` and `b` ``, `` `a`, `b` and `c` ``. */
function names(list: readonly unknown[]): string {
  const all = list.map((n) => code(String(n)));
  return all.length < 2 ? all.join("") : `${all.slice(0, -1).join(", ")} and ${all[all.length - 1]!}`;
}

function requiredOnly(s: unknown): readonly string[] | undefined {
  if (!isSchema(s) || !Array.isArray(s.required)) return undefined;
  return Object.keys(s).length === 1 ? (s.required as string[]) : undefined;
}

/** `when `graceful` is true: `ackTo` required; otherwise ...` for the simple if/then/else forms. */
function conditionText(s: Schema): string | undefined {
  if (!isSchema(s.if) || !isSchema(s.if.properties)) return undefined;
  const conditions = Object.entries(s.if.properties).map(([field, sub]) =>
    isSchema(sub) && "const" in sub
      ? `${code(field)} is ${shortJson(sub.const)}`
      : `${code(field)} is ${typeOf(sub)}`,
  );
  const consequence = (branch: unknown): string | undefined => {
    const required = requiredOnly(branch);
    if (required) return `${names(required)} ${required.length === 1 ? "is" : "are"} required`;
    if (isSchema(branch) && isSchema(branch.not)) {
      const direct = requiredOnly(branch.not);
      if (direct) return `no ${names(direct)}`;
      const any = branch.not.anyOf ?? branch.not.oneOf;
      if (Array.isArray(any) && any.every((a) => requiredOnly(a)?.length === 1))
        return `no ${any.map((a) => code(requiredOnly(a)![0]!)).join(" or ")}`;
    }
    return undefined;
  };
  const then = consequence(s.then);
  if (then === undefined) return undefined;
  const otherwise = s.else === undefined ? undefined : consequence(s.else);
  return `when ${conditions.join(" and ")}: ${then}${otherwise ? `; otherwise ${otherwise}` : ""}`;
}

/** What an object schema says about its fields as a whole (`no other fields`, `1 to 16 fields` ...). */
function objectConstraints(s: Schema): string[] {
  const out: string[] = [];
  const count = countText(num(s.minProperties), num(s.maxProperties), "field");
  if (count) out.push(count);
  if (isSchema(s.propertyNames)) {
    const rules = constraintsOf(s.propertyNames);
    if (rules.length > 0) out.push(`field names ${rules.join(", ")}`);
  }
  if (isSchema(s.patternProperties)) {
    for (const [pattern, sub] of Object.entries(s.patternProperties))
      out.push(`fields matching ${code(pattern)}: ${describe(sub)}`);
  }
  if (s.additionalProperties === false) out.push("no other fields");
  else if (isSchema(s.additionalProperties))
    out.push(`${s.properties ? "other fields" : "each field"}: ${describe(s.additionalProperties)}`);
  const never = requiredOnly(s.not);
  if (never) out.push(never.length === 1 ? `never ${names(never)}` : `never both ${names(never)}`);
  const condition = conditionText(s);
  if (condition) out.push(condition);
  return out;
}

/** Whether a schema's object fields are listed as rows of their own (an inline object with fields). */
function hasFields(schema: unknown): schema is Schema {
  return isSchema(schema) && typeof schema.$ref !== "string" && isSchema(schema.properties);
}

/**
 * The constraints of a schema as short phrases, its type aside (`typeOf` has the type,
 * enum and const): range, multipleOf, length, pattern, format, item and field counts,
 * `no other fields`, simple conditions, default.
 */
export function constraintsOf(schema: unknown): string[] {
  if (!isSchema(schema) || typeof schema.$ref === "string") return [];
  const s = schema;
  const out: string[] = [];
  const range = rangeText(s);
  if (range) out.push(range);
  if (typeof s.multipleOf === "number") out.push(`a multiple of ${s.multipleOf}`);
  const length = countText(num(s.minLength), num(s.maxLength), "character");
  if (length) out.push(length);
  if (typeof s.pattern === "string") out.push(`matching ${code(s.pattern)}`);
  if (typeof s.format === "string") out.push(`format ${s.format}`);
  const items = countText(num(s.minItems), num(s.maxItems), "item");
  if (items) out.push(items);
  if (s.uniqueItems === true) out.push("no duplicates");
  if (isSchema(s.items)) {
    // An array of objects has rows for the items' fields; what holds for an item as a whole is said here.
    const each = hasFields(s.items) ? objectConstraints(s.items) : constraintsOf(s.items);
    if (each.length > 0) out.push(`each item: ${each.join(", ")}`);
  }
  out.push(...objectConstraints(s));
  if (isSchema(s.not) && requiredOnly(s.not) === undefined) {
    out.push(
      Array.isArray(s.not.enum)
        ? `except ${s.not.enum.map((v) => shortJson(v)).join(", ")}`
        : `not ${describe(s.not)}`,
    );
  }
  if ("default" in s) out.push(`default ${code(shortJson(s.default))}`);
  return out;
}

/**
 * A short type of a schema: `string`, `integer`, `OrbId` (a `$ref`), `array of Role`,
 * `"on" or "off"`, `string or null`; alternatives carry their constraints in parentheses.
 */
export function typeOf(schema: unknown): string {
  if (schema === true || schema === undefined) return "any";
  if (schema === false) return "nothing";
  if (!isSchema(schema)) return "any";
  const s = schema;
  if (typeof s.$ref === "string") return s.$ref.split("/").pop()!;
  if ("const" in s) return shortJson(s.const);
  if (Array.isArray(s.enum)) return s.enum.map((v) => shortJson(v)).join(" or ");
  for (const key of ["oneOf", "anyOf"]) {
    if (Array.isArray(s[key])) return (s[key] as unknown[]).map(describe).join(" or ");
  }
  const type = Array.isArray(s.type) ? (s.type as string[]).join(" or ") : (s.type as string | undefined);
  if (type === "array") return s.items === undefined ? "array" : `array of ${typeOf(s.items)}`;
  return type ?? (s.properties ? "object" : "any");
}

/** The type with its constraints in parentheses: `string (at most 64 characters)`. */
export function describe(schema: unknown): string {
  const rules = constraintsOf(schema);
  return rules.length > 0 ? `${typeOf(schema)} (${rules.join(", ")})` : typeOf(schema);
}

/** One row of a field table. */
export interface FieldRow {
  /** Its path from the message: `lamp`, `position.x`, `tags[]`, `items[].name`. */
  readonly field: string;
  readonly type: string;
  readonly required: boolean;
  readonly constraints: readonly string[];
  readonly description: string;
}

/** The array's innermost items and how many `[]` lead to them, when they are an object with fields. */
function arrayOfFields(schema: Schema): { items: Schema; depth: number } | undefined {
  let node: unknown = schema;
  let depth = 0;
  while (isSchema(node) && node.type === "array" && isSchema(node.items)) {
    node = node.items;
    depth++;
  }
  return depth > 0 && hasFields(node) ? { items: node, depth } : undefined;
}

/**
 * The field rows of an object schema: every property, then the fields of inline objects
 * and of arrays of objects under it (`position.x`, `items[].name`); a root array of
 * objects gives `[].name` rows. Empty for other schemas.
 */
export function fieldRows(schema: unknown, prefix = ""): FieldRow[] {
  if (!isSchema(schema)) return [];
  if (prefix === "" && !hasFields(schema)) {
    const array = arrayOfFields(schema);
    return array ? fieldRows(array.items, "[]".repeat(array.depth) + ".") : [];
  }
  if (!hasFields(schema)) return [];
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const rows: FieldRow[] = [];
  for (const [name, child] of Object.entries(schema.properties as Record<string, unknown>)) {
    const field = `${prefix}${name}`;
    rows.push({
      field,
      type: typeOf(child),
      required: required.has(name),
      constraints: constraintsOf(child),
      description: isSchema(child) && typeof child.description === "string" ? child.description : "",
    });
    if (!isSchema(child)) continue;
    if (hasFields(child)) rows.push(...fieldRows(child, `${field}.`));
    else {
      const array = arrayOfFields(child);
      if (array) rows.push(...fieldRows(array.items, `${field}${"[]".repeat(array.depth)}.`));
    }
  }
  return rows;
}

/** What an object schema says of its fields as a whole, for a line under its table (the root of a message). */
export function objectNotes(schema: unknown): string[] {
  if (!isSchema(schema)) return [];
  if (hasFields(schema)) return objectConstraints(schema);
  return arrayOfFields(schema) ? constraintsOf(schema) : [];
}
