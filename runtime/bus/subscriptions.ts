/**
 * Reference-counted broker subscriptions, shared by the network adapters that need one
 * broker subscription per key (an MQTT filter, a Redis channel or pattern) however many
 * local subscriptions use it.
 * @packageDocumentation
 */

import type { MessageHandler, Subscription } from "./bus.js";
import { compileFilter, type TopicMatcher } from "./topic.js";
import { asError } from "../as-error.js";

/** One `subscribe()` call of a user. */
export interface LocalSubscription {
  /** The filter as given to `subscribe`. */
  readonly filter: string;
  /** Compiled {@link LocalSubscription.filter}. */
  readonly matches: TopicMatcher;
  readonly handler: MessageHandler;
  /** False once unsubscribed: no delivery from then on, even of messages already received. */
  active: boolean;
}

/** Broker state of one key: `subscribed` once the broker confirmed, until unsubscribed. */
export type BrokerSubscriptionState = "unsubscribed" | "subscribed";

/** One broker subscription and the local subscriptions that share it. */
export interface BrokerEntry {
  /** Broker-side key: MQTT filter, Redis channel or pattern. */
  readonly key: string;
  /** Adapter-assigned number (the MQTT 5 subscription identifier). */
  readonly id: number;
  /** Local subscriptions; replaced, never mutated, so dispatch can iterate safely. */
  subs: readonly LocalSubscription[];
  state: BrokerSubscriptionState;
  /** Serializes broker subscribe/unsubscribe of this key. */
  chain: Promise<void>;
}

/** How the registry reaches the broker. */
export interface BrokerOps {
  /** Subscribes `entry.key`; resolves once the broker confirmed. */
  subscribe(entry: BrokerEntry): Promise<void>;
  /** Unsubscribes `entry.key`; resolves once done (or when there is nothing left to do). */
  unsubscribe(entry: BrokerEntry): Promise<void>;
}

/**
 * Keeps one broker subscription per key and any number of local subscriptions on it.
 * Subscribe and unsubscribe of one key are serialized, so racing calls end in the state
 * of the last call; a local subscription stops receiving as soon as `unsubscribe()` is
 * called.
 */
export class SubscriptionRegistry {
  readonly #ops: BrokerOps;
  readonly #report: (error: Error) => void;
  readonly #entries = new Map<string, BrokerEntry>();
  readonly #byId = new Map<number, BrokerEntry>();
  #nextId: number;

  /**
   * @param firstId first identifier handed out (MQTT 5: random, so that identifiers of a
   *   previous process's persistent session do not collide with ours).
   */
  constructor(ops: BrokerOps, report: (error: Error) => void, firstId = 1) {
    this.#ops = ops;
    this.#report = report;
    this.#nextId = firstId;
  }

  /** Entry of a key, if any local subscription uses it. */
  get(key: string): BrokerEntry | undefined {
    return this.#entries.get(key);
  }

  /** Entry by identifier. */
  byId(id: number): BrokerEntry | undefined {
    return this.#byId.get(id);
  }

  /** All entries (for resubscription and matcher-based dispatch). */
  entries(): IterableIterator<BrokerEntry> {
    return this.#entries.values();
  }

  /**
   * Adds a local subscription under `key`; resolves once the broker subscription exists.
   * Rejects (and adds nothing) when the broker refused.
   */
  async add(key: string, filter: string, handler: MessageHandler): Promise<Subscription> {
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      // Identifiers stay below the MQTT 5 maximum (268,435,455).
      const id = this.#nextId;
      this.#nextId = id >= 268_435_455 ? 1 : id + 1;
      entry = { key, id, subs: [], state: "unsubscribed", chain: Promise.resolve() };
      this.#entries.set(key, entry);
      this.#byId.set(id, entry);
    }
    const sub: LocalSubscription = { filter, matches: compileFilter(filter), handler, active: true };
    entry.subs = [...entry.subs, sub];
    const target = entry;
    try {
      await this.#enqueue(target, async () => {
        if (target.state === "unsubscribed" && target.subs.length > 0) {
          await this.#ops.subscribe(target);
          target.state = "subscribed";
        }
      });
    } catch (error) {
      this.#remove(target, sub);
      this.#forgetIfUnused(target);
      throw error;
    }
    let done: Promise<void> | undefined;
    return {
      filter,
      unsubscribe: () => (done ??= this.#release(target, sub)),
    };
  }

  /** Delivers to the active subscriptions of `entry` (checking the filter when `check`). */
  deliver(entry: BrokerEntry, topic: string, payload: Uint8Array, check: boolean): void {
    const subs = entry.subs;
    for (let i = 0; i < subs.length; i++) {
      const sub = subs[i] as LocalSubscription;
      if (!sub.active || (check && !sub.matches(topic))) continue;
      try {
        sub.handler(topic, payload);
      } catch (error) {
        this.#report(asError(error));
      }
    }
  }

  /** Marks every entry as not subscribed (after the broker forgot them). */
  resetAll(): void {
    for (const entry of this.#entries.values()) entry.state = "unsubscribed";
  }

  /**
   * Subscribes again every entry that has local subscriptions and is not (known to be)
   * subscribed; resolves when all are confirmed, rejects on the first failure.
   */
  async resubscribe(): Promise<void> {
    const pending: Promise<void>[] = [];
    for (const entry of this.#entries.values()) {
      pending.push(
        this.#enqueue(entry, async () => {
          if (entry.state === "unsubscribed" && entry.subs.length > 0) {
            await this.#ops.subscribe(entry);
            entry.state = "subscribed";
          }
        }),
      );
    }
    await Promise.all(pending);
  }

  /** Drops every local subscription (on close). */
  clear(): void {
    for (const entry of this.#entries.values()) {
      for (const sub of entry.subs) sub.active = false;
      entry.subs = [];
    }
    this.#entries.clear();
    this.#byId.clear();
  }

  async #release(entry: BrokerEntry, sub: LocalSubscription): Promise<void> {
    if (!sub.active) return;
    this.#remove(entry, sub);
    if (entry.subs.length > 0) return;
    await this.#enqueue(entry, async () => {
      if (entry.subs.length === 0 && entry.state === "subscribed") {
        entry.state = "unsubscribed";
        await this.#ops.unsubscribe(entry);
      }
    }).finally(() => this.#forgetIfUnused(entry));
  }

  #remove(entry: BrokerEntry, sub: LocalSubscription): void {
    sub.active = false;
    entry.subs = entry.subs.filter((s) => s !== sub);
  }

  #forgetIfUnused(entry: BrokerEntry): void {
    if (entry.subs.length === 0 && entry.state === "unsubscribed" && this.#entries.get(entry.key) === entry) {
      this.#entries.delete(entry.key);
      this.#byId.delete(entry.id);
    }
  }

  #enqueue(entry: BrokerEntry, op: () => Promise<void>): Promise<void> {
    const run = entry.chain.then(op);
    entry.chain = run.catch(() => undefined);
    return run;
  }
}
