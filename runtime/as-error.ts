/**
 * What was thrown, as an `Error` (a thrown string or object is wrapped, its text kept).
 * Internal: not exported from the package.
 */
export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
