/**
 * The values a bus carries, the same on every bus: JSON-compatible data only (plain
 * objects, arrays, strings, finite numbers, booleans, `null`; object properties that are
 * `undefined` are left out, as JSON does). Anything else (a `Date`, a `Map`, a class
 * instance, a function, `NaN`, a `BigInt`, `undefined` in an array, a cycle) is rejected
 * with an {@link InvalidPayloadError} naming where it is, before anything is sent, on
 * LocalBus and on the network buses alike: what works on one bus works on all of them.
 * @packageDocumentation
 */
import { InvalidPayloadError } from "../errors.js";

/** Deepest value walked (deeper values, or cycles, are rejected). */
const MAX_VALUE_DEPTH = 256;

/**
 * Returns `value` deep-frozen without touching the caller's objects: a value that is
 * already deep-frozen is returned as is (no copy); any part that is not frozen is copied
 * and the copy frozen (frozen parts are shared). Only JSON-compatible data is accepted,
 * so that in-process subscribers see what a network bus would deliver.
 * @throws InvalidPayloadError for anything else (functions, class instances, cycles ...).
 */
export function freezeValue(value: unknown): unknown {
  return walk(value, [], true);
}

/**
 * Checks that `value` is JSON-compatible data (the rule of every bus) without copying it.
 * @throws InvalidPayloadError naming the first offending place (`$.data.when is a Date`).
 */
export function checkJsonValue(value: unknown): void {
  walk(value, [], false);
}

/**
 * Where the walk is, as the keys from the root: one shared stack (pushed and popped)
 * rather than a path string per property, which made the walk's cost mostly string
 * building. Turned into `$.a[0].b` only for an error.
 */
type PathStack = (string | number)[];

function pathOf(stack: PathStack): string {
  let out = "$";
  for (const key of stack) out += typeof key === "number" ? `[${key}]` : `.${key}`;
  return out;
}

function invalid(stack: PathStack, what: string): InvalidPayloadError {
  return new InvalidPayloadError(`value is not JSON-compatible: ${pathOf(stack)} ${what}`);
}

/** Checks `value` and, with `freeze`, returns it deep-frozen (copying unfrozen parts). */
function walk(value: unknown, path: PathStack, freeze: boolean): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (!Number.isFinite(value)) throw invalid(path, `is ${value}`);
      return value;
    case "object":
      break;
    default:
      throw invalid(path, `is a ${typeof value}`);
  }
  if (value === null) return null;
  if (path.length >= MAX_VALUE_DEPTH) {
    throw new InvalidPayloadError(
      `value is not JSON-compatible: deeper than ${MAX_VALUE_DEPTH} levels (or circular) at ${pathOf(path)}`,
    );
  }
  // Only copy when freezing, and only what is not frozen yet.
  const copying = freeze && !Object.isFrozen(value);
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined = copying ? new Array<unknown>(value.length) : undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      path.push(i);
      const done = walk(item, path, freeze);
      path.pop();
      if (copy === undefined && done !== item) copy = value.slice(0, i) as unknown[];
      if (copy !== undefined) copy[i] = done;
    }
    return copy === undefined ? value : Object.freeze(copy);
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    const name = (value as { constructor?: { name?: string } }).constructor?.name ?? "object";
    throw invalid(path, `is a ${name}, not a plain object`);
  }
  const source = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined = copying ? {} : undefined;
  const keys = Object.keys(source);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const item = source[key];
    // JSON drops undefined properties; so does a copy (a frozen original keeps them).
    if (item === undefined) continue;
    path.push(key);
    const done = walk(item, path, freeze);
    path.pop();
    if (copy === undefined && done !== item) copy = copyKeys(source, keys, i);
    if (copy !== undefined) setOwn(copy, key, done);
  }
  return copy === undefined ? value : Object.freeze(copy);
}

function copyKeys(source: Record<string, unknown>, keys: string[], end: number): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (let i = 0; i < end; i++) {
    const key = keys[i] as string;
    if (source[key] !== undefined) setOwn(copy, key, source[key]);
  }
  return copy;
}

const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

/**
 * Sets an own enumerable property, even one named `__proto__` (which `=` would not).
 * Plain assignment otherwise: `defineProperty` on every key made copying the hottest
 * part of an in-process message (a profiler showed it).
 */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  // Also a key Object.prototype has (`constructor`, `toString` ...): where that prototype
  // is frozen (hardened JavaScript), `=` would throw instead of making an own property.
  // (A Set of those names: `key in Object.prototype` cost a tenth of in-process throughput.)
  if (PROTOTYPE_KEYS.has(key))
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
