/**
 * The two small languages of a scenario: `${...}` templates (values from the scenario's
 * scope: the implementation's id, the root, scripted orbs, captured messages) and field
 * matchers (`where`: exact values, partial objects and a few named matchers).
 */

/** Names a scenario may use as matchers: an object with exactly one of these keys. */
export const MATCHERS = ["present", "absent", "oneOf", "contains", "not", "gte", "lte", "length"] as const;

/** A reference that a template could not resolve. */
export class TemplateError extends Error {}

const WHOLE = /^\$\{([^}]+)\}$/;
const ANY = /\$\{([^}]+)\}/g;

/** The references (`offer1.id`) a value's templates use, for checks before a run. */
export function references(value: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === "string") for (const m of v.matchAll(ANY)) out.push(m[1]!.trim());
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(value);
  return out;
}

/** The value at a dotted path (`offer1.operations.0.name`) of `scope`. @throws TemplateError. */
export function lookup(scope: Readonly<Record<string, unknown>>, path: string): unknown {
  const [head, ...rest] = path.split(".");
  if (head === undefined || !(head in scope)) {
    throw new TemplateError(`unknown reference \${${path}} (known: ${Object.keys(scope).sort().join(", ")})`);
  }
  let value: unknown = scope[head];
  for (const key of rest) {
    if (value === null || typeof value !== "object" || !(key in value)) {
      throw new TemplateError(`\${${path}}: no field ${JSON.stringify(key)} in ${short(value)}`);
    }
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * Replaces templates in `value`, deeply. A string that is one whole template becomes the
 * referenced value (a number stays a number); templates inside a longer string are
 * replaced by their text. @throws TemplateError for an unknown reference.
 */
export function substitute(value: unknown, scope: Readonly<Record<string, unknown>>): unknown {
  if (typeof value === "string") {
    const whole = WHOLE.exec(value);
    if (whole) return lookup(scope, whole[1]!.trim());
    return value.replace(ANY, (_m, path: string) => {
      const v = lookup(scope, path.trim());
      return typeof v === "string" ? v : JSON.stringify(v);
    });
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, scope));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substitute(v, scope);
    return out;
  }
  return value;
}

/** The matcher name of `expected` when it is a named matcher (`{present: true}` ...). */
function matcherOf(expected: unknown): (typeof MATCHERS)[number] | undefined {
  if (expected === null || typeof expected !== "object" || Array.isArray(expected)) return undefined;
  const keys = Object.keys(expected);
  if (keys.length !== 1) return undefined;
  return MATCHERS.find((m) => m === keys[0]);
}

/** A value in a few characters, for messages. */
export function short(value: unknown, max = 120): string {
  const text = value === undefined ? "(absent)" : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/**
 * Why `actual` does not match `expected`, or undefined when it does. `expected` is an exact
 * value (scalars, arrays of the same length), a partial object (its keys must match, other
 * keys of `actual` are free) or a named matcher: `{present: true}`, `{absent: true}`,
 * `{oneOf: [...]}`, `{contains: m}` (an array with an element matching m), `{not: m}`,
 * `{gte: n}`, `{lte: n}`, `{length: n}` (an array's or string's).
 */
export function mismatch(actual: unknown, expected: unknown, path = ""): string | undefined {
  const at = path === "" ? "" : `${path}: `;
  const matcher = matcherOf(expected);
  if (matcher !== undefined) {
    const arg = (expected as Record<string, unknown>)[matcher];
    switch (matcher) {
      case "present":
        return (actual !== undefined) === (arg !== false)
          ? undefined
          : `${at}expected ${arg === false ? "absent" : "present"}, found ${short(actual)}`;
      case "absent":
        return (actual === undefined) === (arg !== false)
          ? undefined
          : `${at}expected absent, found ${short(actual)}`;
      case "oneOf":
        return Array.isArray(arg) && arg.some((a) => mismatch(actual, a) === undefined)
          ? undefined
          : `${at}expected one of ${short(arg)}, found ${short(actual)}`;
      case "contains":
        return Array.isArray(actual) && actual.some((a) => mismatch(a, arg) === undefined)
          ? undefined
          : `${at}expected a list containing ${short(arg)}, found ${short(actual)}`;
      case "not":
        return mismatch(actual, arg) === undefined
          ? `${at}expected not ${short(arg)}, found ${short(actual)}`
          : undefined;
      case "gte":
      case "lte": {
        const ok =
          typeof actual === "number" &&
          typeof arg === "number" &&
          (matcher === "gte" ? actual >= arg : actual <= arg);
        return ok
          ? undefined
          : `${at}expected ${matcher === "gte" ? ">=" : "<="} ${short(arg)}, found ${short(actual)}`;
      }
      case "length": {
        const len = Array.isArray(actual) || typeof actual === "string" ? actual.length : undefined;
        return len === arg ? undefined : `${at}expected length ${short(arg)}, found ${short(actual)}`;
      }
    }
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length)
      return `${at}expected ${short(expected)}, found ${short(actual)}`;
    for (let i = 0; i < expected.length; i++) {
      const m = mismatch(actual[i], expected[i], `${path}${path ? "." : ""}${i}`);
      if (m !== undefined) return m;
    }
    return undefined;
  }
  if (expected !== null && typeof expected === "object") {
    if (actual === null || typeof actual !== "object" || Array.isArray(actual))
      return `${at}expected an object like ${short(expected)}, found ${short(actual)}`;
    for (const [k, v] of Object.entries(expected)) {
      const m = mismatch((actual as Record<string, unknown>)[k], v, `${path}${path ? "." : ""}${k}`);
      if (m !== undefined) return m;
    }
    return undefined;
  }
  return actual === expected ? undefined : `${at}expected ${short(expected)}, found ${short(actual)}`;
}

/** Whether an MQTT-style topic filter (`+`, `#`) matches a topic. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split("/");
  const t = topic.split("/");
  for (let i = 0; i < f.length; i++) {
    if (f[i] === "#") return true;
    if (i >= t.length) return false;
    if (f[i] !== "+" && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}
