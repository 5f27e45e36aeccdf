/**
 * Ids: orb id validation, epochs and message ids.
 * @packageDocumentation
 */
import { randomBytes } from "node:crypto";
import { ConfigError } from "./errors.js";

/** Orb ids and operation names: safe as a topic level on every bus. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Throws a {@link ConfigError} naming `field` when `value` is not a valid orb id / operation name. */
export function checkId(field: string, value: unknown): string {
  if (typeof value !== "string" || !ID_PATTERN.test(value)) {
    throw new ConfigError(
      field,
      `${JSON.stringify(value)} is not a valid id: use 1-128 characters from A-Z a-z 0-9 . _ - starting with a letter or digit`,
    );
  }
  return value;
}

/**
 * Words that `execute` and `request` read as targets (`to: "any"`, `to: "all"`), so no orb
 * may be called that: an orb named `all` could never be addressed alone.
 */
export const RESERVED_ORB_IDS: readonly string[] = Object.freeze(["any", "all"]);

/**
 * Like {@link checkId}, and also rejects the {@link RESERVED_ORB_IDS}: for orb ids (an
 * orb's own id, and the ids in mandatory, allow, block and prefer lists).
 */
export function checkOrbId(field: string, value: unknown): string {
  checkId(field, value);
  if (RESERVED_ORB_IDS.includes(value as string)) {
    throw new ConfigError(
      field,
      `${JSON.stringify(value)} is reserved (execute and request read "any" and "all" as targets): choose another orb id`,
    );
  }
  return value as string;
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/**
 * Random bytes drawn from the operating system 4 KiB at a time: a request needs a
 * correlation id, and one `randomBytes` call per id was a visible part of its cost.
 */
let pool = Buffer.alloc(0);
let poolAt = 0;

/** A random id of `length` letters and digits (an orb's epoch, a correlation id). */
export function randomId(length = 12): string {
  if (poolAt + length > pool.length) {
    pool = randomBytes(Math.max(4096, length));
    poolAt = 0;
  }
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHABET[pool[poolAt++]! % ALPHABET.length];
  return out;
}

/** Makes unique message ids for one orb start: `<epoch>.<counter>`, cheap to produce. */
export class MessageIds {
  private counter = 0;
  constructor(private readonly epoch: string) {}
  next(): string {
    return `${this.epoch}.${(this.counter++).toString(36)}`;
  }
}
