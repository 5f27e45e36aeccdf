/**
 * Cancellation through `AbortSignal`: one way for every wait of an orb (request,
 * compliant, status, ping) to stop early, and to report it.
 */
import { AbortError, ConfigError } from "../errors.js";

/** The {@link AbortError} for `what`, with the signal's reason as `cause`. */
export function abortError(signal: AbortSignal, what: string): AbortError {
  return new AbortError(`${what} aborted`, { cause: signal.reason });
}

/**
 * Calls `onAbort` once when `signal` aborts; returns a function that stops watching. With
 * no signal it does nothing. The caller checks `signal.aborted` first (an already aborted
 * signal never fires again).
 */
export function onAbort(signal: AbortSignal | undefined, onAbort: () => void): () => void {
  if (signal === undefined) return () => undefined;
  signal.addEventListener("abort", onAbort, { once: true });
  return () => signal.removeEventListener("abort", onAbort);
}

/** Throws {@link ConfigError} unless `signal` is undefined or an AbortSignal. */
export function checkSignal(signal: unknown): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (!(signal instanceof AbortSignal)) throw new ConfigError("signal", "must be an AbortSignal");
  return signal;
}
