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
  return walk(value, 0, "$", true);
}

/**
 * Checks that `value` is JSON-compatible data (the rule of every bus) without copying it.
 * @throws InvalidPayloadError naming the first offending place (`$.data.when is a Date`).
 */
export function checkJsonValue(value: unknown): void {
  walk(value, 0, "$", false);
}

/** Checks `value` and, with `freeze`, returns it deep-frozen (copying unfrozen parts). */
function walk(value: unknown, depth: number, path: string, freeze: boolean): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (!Number.isFinite(value))
        throw new InvalidPayloadError(`value is not JSON-compatible: ${path} is ${value}`);
      return value;
    case "object":
      break;
    default:
      throw new InvalidPayloadError(`value is not JSON-compatible: ${path} is a ${typeof value}`);
  }
  if (value === null) return null;
  if (depth >= MAX_VALUE_DEPTH) {
    throw new InvalidPayloadError(
      `value is not JSON-compatible: deeper than ${MAX_VALUE_DEPTH} levels (or circular) at ${path}`,
    );
  }
  // Only copy when freezing, and only what is not frozen yet.
  const copying = freeze && !Object.isFrozen(value);
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined = copying ? new Array<unknown>(value.length) : undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const done = walk(item, depth + 1, `${path}[${i}]`, freeze);
      if (copy === undefined && done !== item) copy = value.slice(0, i) as unknown[];
      if (copy !== undefined) copy[i] = done;
    }
    return copy === undefined ? value : Object.freeze(copy);
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    const name = (value as { constructor?: { name?: string } }).constructor?.name ?? "object";
    throw new InvalidPayloadError(`value is not JSON-compatible: ${path} is a ${name}, not a plain object`);
  }
  const source = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined = copying ? {} : undefined;
  const keys = Object.keys(source);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const item = source[key];
    // JSON drops undefined properties; so does a copy (a frozen original keeps them).
    if (item === undefined) continue;
    const done = walk(item, depth + 1, `${path}.${key}`, freeze);
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

/** Sets an own enumerable property, even one named `__proto__` (which `=` would not). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
