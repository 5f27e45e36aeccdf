/**
 * Versioning checks of the protocol spec (its rules VER-5 and VER-6): what of a spec makes
 * its wire contract (the message schemas, stripped of prose), and whether one revision of
 * it is a compatible extension of another (what a minor revision may change).
 */

/** Keys that are prose or examples: changing them changes no message's validity. */
const PROSE = new Set(["description", "title", "summary", "examples", "$comment"]);

/** A JSON value with every prose key removed, deeply. */
export function withoutProse(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutProse);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) if (!PROSE.has(key)) out[key] = withoutProse(child);
  return out;
}

/**
 * The wire contract of a parsed spec: its component schemas and the payload of each
 * component message, without prose. Two revisions with equal wire contracts accept and
 * reject exactly the same messages.
 */
export function wireContract(spec: Record<string, unknown>): Record<string, unknown> {
  const components = (spec.components ?? {}) as Record<string, unknown>;
  return withoutProse({ schemas: components.schemas ?? {}, messages: components.messages ?? {} }) as Record<
    string,
    unknown
  >;
}

/** The first place where two JSON values differ (a JSON pointer), or undefined when equal. */
export function firstDifference(a: unknown, b: unknown, at = ""): string | undefined {
  if (a === b) return undefined;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return at || "/";
  if (Array.isArray(a) !== Array.isArray(b)) return at || "/";
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of [...keys].sort()) {
    const d = firstDifference(
      (a as Record<string, unknown>)[key],
      (b as Record<string, unknown>)[key],
      `${at}/${key}`,
    );
    if (d !== undefined) return d;
  }
  return undefined;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * Why `newer` is not a compatible minor revision of `older` (both wire contracts): one line
 * per breaking change, empty when it only adds what the compatibility rule allows --
 * optional properties, message kinds, schemas, values of extensible enums. Removing or
 * retyping a property, requiring one, changing a `const`, a `pattern` or a bound, or
 * removing an enum value is breaking; so is adding a value to a closed enum (an older
 * receiver would reject it).
 */
export function breakingChanges(older: unknown, newer: unknown, at = ""): string[] {
  if (Array.isArray(older) && Array.isArray(newer) && older.length === newer.length) {
    return older.flatMap((item, i) => breakingChanges(item, newer[i], `${at}/${i}`));
  }
  const a = asRecord(older);
  const b = asRecord(newer);
  if (!a || !b) {
    return JSON.stringify(older) === JSON.stringify(newer)
      ? []
      : [`${at || "/"}: changed from ${JSON.stringify(older)} to ${JSON.stringify(newer)}`];
  }
  const out: string[] = [];
  for (const [key, before] of Object.entries(a)) {
    const path = `${at}/${key}`;
    if (!(key in b)) {
      // Dropping `additionalProperties: false` (opening a schema) accepts more: compatible.
      if (!(key === "additionalProperties" && before === false)) out.push(`${path}: removed`);
      continue;
    }
    const after = b[key];
    if (key === "required" && Array.isArray(before) && Array.isArray(after)) {
      const added = after.filter((r) => !before.includes(r));
      const dropped = before.filter((r) => !after.includes(r));
      out.push(...added.map((r) => `${path}: ${JSON.stringify(r)} became required`));
      // A property no longer required is still accepted by older receivers only if always sent.
      out.push(...dropped.map((r) => `${path}: ${JSON.stringify(r)} is no longer required`));
    } else if (key === "enum" && Array.isArray(before) && Array.isArray(after)) {
      const gone = before.filter((v) => !after.some((w) => JSON.stringify(w) === JSON.stringify(v)));
      const added = after.filter((v) => !before.some((w) => JSON.stringify(w) === JSON.stringify(v)));
      out.push(...gone.map((v) => `${path}: value ${JSON.stringify(v)} removed`));
      if (!extensibleEnumPath(path))
        out.push(...added.map((v) => `${path}: value ${JSON.stringify(v)} added to a closed enum`));
    } else if (
      (key === "properties" || key === "definitions" || key === "schemas" || key === "messages") &&
      asRecord(before) &&
      asRecord(after)
    ) {
      for (const [name, schema] of Object.entries(before as Record<string, unknown>)) {
        const next = (after as Record<string, unknown>)[name];
        if (next === undefined) out.push(`${path}/${name}: removed`);
        else out.push(...breakingChanges(schema, next, `${path}/${name}`));
      }
      // A closed schema (additionalProperties: false) rejects any property it does not name:
      // a new one, even optional, is refused by older receivers.
      if (key === "properties" && a.additionalProperties === false) {
        for (const name of Object.keys(after as Record<string, unknown>))
          if (!(name in (before as Record<string, unknown>)))
            out.push(`${path}/${name}: added to a closed schema`);
      }
    } else {
      out.push(...breakingChanges(before, after, path));
    }
  }
  // New keys constrain more (a new `maxLength`, `pattern`, `not` ...), except new named
  // members (properties, schemas, messages), which are compared above.
  for (const key of Object.keys(b)) {
    if (!(key in a)) out.push(`${at}/${key}: added (a new constraint)`);
  }
  return out;
}

/**
 * An enum inside the first branch of an `anyOf` whose second branch accepts other tokens:
 * an extensible enum (rule VER-3). Detected from the path, as
 * `.../anyOf/0/enum`.
 */
function extensibleEnumPath(path: string): boolean {
  return /\/anyOf\/0\/enum$/.test(path);
}
