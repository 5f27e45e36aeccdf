/**
 * What a fake plugin records: every input it got, in order, with a wait for the calls a
 * test expects (a core's `execute` resolves once the input is sent, before it is handled).
 * @packageDocumentation
 */
import type { Clock, TimerHandle } from "../clock.js";
import { TimeoutError } from "../errors.js";
import type { MessageMeta } from "../orb/meta.js";
import { checkTimeoutMs } from "../orb/options.js";
import { count as checkCount } from "../orb/policy.js";

/** One input a fake plugin received. */
export interface FakeCall<K extends string = string, I = unknown> {
  /**
   * Order of the call among every call recorded by every fake of the process (1, 2, ...):
   * compare it across fakes to say which was called first.
   */
  readonly seq: number;
  /** Id of the fake that got it. */
  readonly plugin: string;
  /** Id of the core that sent it. */
  readonly core: string;
  /** The operation called. */
  readonly operation: K;
  /** The input, as the fake's handler got it (validated against the operation's input schema). */
  readonly input: I;
  /** The input's metadata (empty when it had none). */
  readonly meta: MessageMeta;
  /** When it arrived: milliseconds since the Unix epoch, from the fake's clock. */
  readonly at: number;
}

/** Options of `waitForCalls`. */
export interface WaitForCallsOptions {
  /** How many calls to wait for, counting those already recorded (default 1). */
  readonly count?: number;
  /** Give up after this many ms (default 5000), with a `TimeoutError` saying what came. */
  readonly timeoutMs?: number;
}

/** Calls made in this process so far, for {@link FakeCall.seq}. */
let sequence = 0;

interface Waiter {
  readonly operation: string;
  readonly count: number;
  readonly resolve: (calls: readonly FakeCall[]) => void;
}

/** The calls of one fake, and the tests waiting for some. */
export class CallLog {
  private list: FakeCall[] = [];
  private readonly waiters = new Set<Waiter>();

  constructor(
    private readonly owner: () => string,
    private readonly clock: Clock,
  ) {}

  /** Every call so far, oldest first: a frozen snapshot (later calls do not appear in it). */
  get all(): readonly FakeCall[] {
    return Object.freeze(this.list.slice());
  }

  /** The calls of one operation, oldest first. */
  of(operation: string): readonly FakeCall[] {
    return this.list.filter((c) => c.operation === operation);
  }

  /** Records a call and wakes the waits it completes. */
  record(call: Omit<FakeCall, "seq" | "plugin" | "at">): void {
    this.list.push(Object.freeze({ seq: ++sequence, plugin: this.owner(), at: this.clock.now(), ...call }));
    for (const waiter of [...this.waiters]) {
      const calls = this.of(waiter.operation);
      if (calls.length >= waiter.count) waiter.resolve(calls);
    }
  }

  /** Forgets every call (waits in progress go on waiting). */
  clear(): void {
    this.list = [];
  }

  /**
   * Resolves with the calls of `operation` once there are at least `count`.
   * @throws ConfigError for a bad count or timeout (synchronously).
   */
  waitFor(operation: string, options: WaitForCallsOptions = {}): Promise<readonly FakeCall[]> {
    const count = checkCount(options.count, "count", 1) ?? 1;
    const timeoutMs = checkTimeoutMs(options.timeoutMs ?? 5000);
    const now = this.of(operation);
    if (now.length >= count) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      let timer: TimerHandle | undefined = undefined;
      const waiter: Waiter = {
        operation,
        count,
        resolve: (calls) => {
          this.waiters.delete(waiter);
          if (timer !== undefined) this.clock.clearTimeout(timer);
          resolve(calls);
        },
      };
      this.waiters.add(waiter);
      timer = this.clock.setTimeout(() => {
        this.waiters.delete(waiter);
        reject(
          new TimeoutError(
            `${this.owner()}: ${this.of(operation).length} of ${count} ${operation} call(s) within ${timeoutMs} ms (${this.summary()})`,
          ),
        );
      }, timeoutMs);
    });
  }

  /** `calls so far: read_temperature x2, set_target x1`, or `no calls so far`. */
  summary(): string {
    if (this.list.length === 0) return "no calls so far";
    const counts = new Map<string, number>();
    for (const c of this.list) counts.set(c.operation, (counts.get(c.operation) ?? 0) + 1);
    return `calls so far: ${[...counts].map(([op, n]) => `${op} x${n}`).join(", ")}`;
  }
}
