/**
 * Message metadata (`meta`, spec rule META-1): a small map of string keys to string values
 * that travels with a message (trace context, deadlines ...). Callers set it on `request`,
 * `execute` and `emit`; handlers and output sinks read it as `ctx.meta`.
 */
import { InvalidPayloadError } from "../errors.js";

/** Metadata of a message: string keys (`[A-Za-z0-9][A-Za-z0-9._-]{0,63}`) to strings. */
export type MessageMeta = Readonly<Record<string, string>>;

/** The limits of the spec's `Meta` schema. */
export const META_LIMITS = { keys: 16, valueLength: 1024 } as const;

const META_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** What a message without `meta` gives its handler: an empty, frozen map. */
export const NO_META: MessageMeta = Object.freeze({});

/**
 * The metadata of a received message for its handler or sink: frozen (in process it
 * already is; from a broker it is the parsed object, frozen here so that no handler can
 * change what another sees), or {@link NO_META}.
 */
export function metaOf(message: { readonly meta?: unknown }): MessageMeta {
  const meta = message.meta as MessageMeta | undefined;
  return meta === undefined ? NO_META : Object.freeze(meta);
}

/**
 * Checks metadata a caller wants to send against the spec's limits, so a bad key fails at
 * the call with a clear error instead of making the peer drop the message. Returns a frozen
 * copy, or undefined for none (absent or empty).
 * @throws InvalidPayloadError naming the offending key.
 */
export function checkMeta(meta: unknown): MessageMeta | undefined {
  if (meta === undefined) return undefined;
  const proto: unknown = meta !== null && typeof meta === "object" ? Object.getPrototypeOf(meta) : undefined;
  if (proto !== Object.prototype && proto !== null) {
    const found =
      meta === null ? "null" : Array.isArray(meta) ? "an array" : (proto?.constructor?.name ?? typeof meta);
    throw new InvalidPayloadError(
      `meta must be a plain object of string keys to string values, found ${found}`,
    );
  }
  const entries = Object.entries(meta as Record<string, unknown>);
  if (entries.length === 0) return undefined;
  if (entries.length > META_LIMITS.keys)
    throw new InvalidPayloadError(`meta has ${entries.length} keys; at most ${META_LIMITS.keys} are allowed`);
  for (const [key, value] of entries) {
    if (!META_KEY.test(key))
      throw new InvalidPayloadError(
        `meta key ${JSON.stringify(key)} is not allowed: use 1-64 characters from A-Z a-z 0-9 . _ - starting with a letter or digit`,
      );
    if (typeof value !== "string")
      throw new InvalidPayloadError(`meta ${JSON.stringify(key)} must be a string, found ${typeof value}`);
    // The spec counts characters (code points), as JSON Schema's maxLength does; a string
    // no longer than the limit in UTF-16 units cannot be longer in code points.
    const length = value.length > META_LIMITS.valueLength ? [...value].length : value.length;
    if (length > META_LIMITS.valueLength)
      throw new InvalidPayloadError(
        `meta ${JSON.stringify(key)} is ${length} characters long; at most ${META_LIMITS.valueLength} are allowed`,
      );
  }
  return Object.freeze(Object.fromEntries(entries)) as MessageMeta;
}
