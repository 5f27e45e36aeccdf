/**
 * What was thrown, as an `Error`: an Error is kept as it is, anything else (a thrown
 * string or object) becomes a {@link ThrownValueError} holding it, its text the message.
 * Internal: not exported from the package.
 */
import { ThrownValueError } from "./errors.js";

export function asError(value: unknown): Error {
  return value instanceof Error ? value : new ThrownValueError(value);
}
