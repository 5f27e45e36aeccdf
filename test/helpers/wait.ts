/**
 * Test helpers to await events with a deadline (tests never sleep for protocol steps).
 */

import type { Bus, BusStatus, MessageHandler } from "../../runtime/bus/bus.js";

/** Rejects with a clear message when `promise` takes longer than `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A unique topic root per test, so tests never see each other's messages. */
export function uniqueRoot(prefix = "t"): string {
  return `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
}

/** One received message. */
export interface Received {
  readonly topic: string;
  readonly payload: Uint8Array;
}

/** Collects messages and lets a test await a condition on them. */
export class Inbox {
  readonly items: Received[] = [];
  readonly #waiters: { check: () => boolean; resolve: () => void }[] = [];

  /** The handler to pass to `subscribe`. */
  readonly handler: MessageHandler = (topic, payload) => {
    this.items.push({ topic, payload });
    for (let i = this.#waiters.length - 1; i >= 0; i--) {
      const waiter = this.#waiters[i]!;
      if (waiter.check()) {
        this.#waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  };

  /** Topics received, in order. */
  get topics(): string[] {
    return this.items.map((m) => m.topic);
  }

  /** Payloads decoded as UTF-8, in order. */
  get texts(): string[] {
    return this.items.map((m) => Buffer.from(m.payload).toString("utf8"));
  }

  /** Resolves once `check()` holds (checked now and after every message). */
  until(check: () => boolean, ms = 5000, what = "messages"): Promise<void> {
    if (check()) return Promise.resolve();
    return withTimeout(
      new Promise<void>((resolve) => {
        this.#waiters.push({ check, resolve });
      }),
      ms,
      `${what} (got ${this.items.length})`,
    );
  }

  /** Resolves once at least `n` messages arrived. */
  count(n: number, ms = 5000): Promise<void> {
    return this.until(() => this.items.length >= n, ms, `${n} messages`);
  }
}

/** Resolves when `bus` reports `status` (after this call). */
export function nextStatus(bus: Bus, status: BusStatus, ms = 10_000): Promise<void> {
  let stop: (() => void) | undefined;
  return withTimeout(
    new Promise<void>((resolve) => {
      stop = bus.onStatus((s) => {
        if (s === status) resolve();
      });
    }),
    ms,
    `${bus.kind} bus status ${status}`,
  ).finally(() => stop?.());
}

/**
 * A barrier between one publisher and one subscriber bus: `await barrier()` publishes a
 * marker and waits for it. Since the buses keep per-publisher order, everything the
 * publisher sent before has been dispatched on the subscriber by then.
 */
export async function makeBarrier(pub: Bus, sub: Bus, root: string): Promise<() => Promise<void>> {
  const topic = `${root}~barrier`;
  const inbox = new Inbox();
  await sub.subscribe(topic, inbox.handler);
  let n = 0;
  return async () => {
    const id = String(++n);
    await pub.publish(topic, Buffer.from(id));
    await inbox.until(() => inbox.texts.includes(id), 10_000, `barrier ${id}`);
  };
}
