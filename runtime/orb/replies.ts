/**
 * Waiting for answers: one registry from an id (a message id, a correlation id) to the
 * promise that waits for it, with its deadline and its caller's AbortSignal. Used for
 * `request()` (by correlation id) and for `status()` and `ping()` (by message id).
 *
 * Whatever ends a wait (an answer, a failure, the deadline, the signal) ends it once and
 * clears its timer and its abort listener. Ids whose wait ended without an answer are
 * remembered for a while (bounded), so that an answer arriving late is recognized and
 * dropped instead of being taken for something else.
 */
import type { Clock, TimerHandle } from "../clock.js";
import { abortError, onAbort } from "./abort.js";

interface Entry<T, M> {
  readonly meta: M;
  readonly resolve: (value: T) => void;
  readonly reject: (error: Error) => void;
  readonly timer: TimerHandle;
  readonly unwatch: () => void;
  readonly onEnd: (() => void) | undefined;
}

/** How one wait ends by itself. */
export interface WaitSpec<M> {
  /** What the wait is attached to (the connection of a request ...), readable with `meta()`. */
  readonly meta: M;
  readonly timeoutMs: number;
  /** The error of a missed deadline. */
  readonly onTimeout: () => Error;
  readonly signal?: AbortSignal | undefined;
  /** Names the wait in an AbortError (`request get_status to lamp-x`). */
  readonly what: string;
  /** Called once when the wait ends, however it ends (before the promise settles). */
  readonly onEnd?: () => void;
}

/** Ids remembered after their wait ended without an answer. */
const ABANDONED_KEPT = 1024;

export class ReplyRegistry<T, M = undefined> {
  private readonly entries = new Map<string, Entry<T, M>>();
  private readonly abandoned = new Set<string>();

  constructor(private readonly clock: Clock) {}

  /** Waits for the answer to `id`. The caller checks `signal.aborted` first. */
  wait(id: string, spec: WaitSpec<M>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => this.end(id, spec.onTimeout(), true), spec.timeoutMs);
      const unwatch = onAbort(spec.signal, () => this.end(id, abortError(spec.signal!, spec.what), true));
      this.entries.set(id, { meta: spec.meta, resolve, reject, timer, unwatch, onEnd: spec.onEnd });
    });
  }

  /** Whether `id` is awaited. */
  has(id: string): boolean {
    return this.entries.has(id);
  }

  /** What the wait for `id` is attached to. */
  meta(id: string): M | undefined {
    return this.entries.get(id)?.meta;
  }

  /** Whether the wait for `id` ended without its answer (timed out, aborted, failed) recently. */
  abandonedRecently(id: string): boolean {
    return this.abandoned.has(id);
  }

  /** Ends the wait for `id` with `value`; false when nobody waits for it. */
  resolve(id: string, value: T): boolean {
    const entry = this.take(id);
    if (!entry) return false;
    entry.resolve(value);
    return true;
  }

  /** Ends the wait for `id` with `error`; false when nobody waits for it. */
  reject(id: string, error: Error): boolean {
    return this.end(id, error, true);
  }

  /** Ends every wait whose meta matches with the error `make` gives. */
  rejectWhere(match: (meta: M) => boolean, make: (meta: M) => Error): void {
    for (const [id, entry] of [...this.entries]) if (match(entry.meta)) this.end(id, make(entry.meta), true);
  }

  /** Number of waits in progress. */
  get size(): number {
    return this.entries.size;
  }

  private end(id: string, error: Error, abandon: boolean): boolean {
    const entry = this.take(id);
    if (!entry) return false;
    if (abandon) this.remember(id);
    entry.reject(error);
    return true;
  }

  private take(id: string): Entry<T, M> | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    this.entries.delete(id);
    this.clock.clearTimeout(entry.timer);
    entry.unwatch();
    entry.onEnd?.();
    return entry;
  }

  private remember(id: string): void {
    this.abandoned.add(id);
    if (this.abandoned.size > ABANDONED_KEPT)
      this.abandoned.delete(this.abandoned.values().next().value as string);
  }
}
