/**
 * The in-process message router: a {@link LocalHub} routes messages between the
 * {@link LocalBus} clients it creates, with no server, no copying of bytes and no JSON for
 * values. Its clients reach it through a {@link HubPort}, never through public methods.
 *
 * Delivery is asynchronous (never inside the publisher's call) through one FIFO queue per
 * hub, so every subscriber sees the messages of one publisher in publish order (and, in
 * fact, all messages of the hub in one global order). A message reaches the subscriptions
 * that existed when it was published and are still active when it is delivered.
 * @packageDocumentation
 */

import { FilterIndex } from "./filter-index.js";
import { decodeJson, encodeJson } from "./base.js";
import { createLocalBus, type HubPort, type LocalBus } from "./local-bus.js";
import type { LocalBusOptions, LocalHubOptions } from "./local-options.js";
import { freezeValue } from "./json-value.js";
import type { MessageHandler, ValueHandler } from "./bus.js";
import { compileFilter, isWildcardFilter, type TopicMatcher } from "./topic.js";

export type { LocalHubOptions } from "./local-options.js";

/** Topics whose wildcard matches a hub remembers at most (see `LocalHub.#matchCache`). */
const MATCH_CACHE_SIZE = 4096;

/** One subscription on the hub. */
interface HubSubscription {
  readonly filter: string;
  readonly matches: TopicMatcher;
  /** Byte handler, or value handler when {@link HubSubscription.values}. */
  readonly handler: MessageHandler | ValueHandler;
  readonly values: boolean;
  readonly onInvalid: ((topic: string, error: Error) => void) | undefined;
  /** Hub sequence number when it was created: it gets messages published after that. */
  readonly since: number;
  active: boolean;
}

/**
 * A message in the hub: bytes, a frozen value, or both once one was derived from the other
 * (each derived at most once, shared by every subscriber).
 */
interface HubMessage {
  readonly topic: string;
  readonly seq: number;
  bytes: Uint8Array | undefined;
  value: unknown;
  hasValue: boolean;
  /** Set when the bytes are not JSON (value subscribers get `onInvalid`). */
  invalid: Error | undefined;
}

/**
 * An in-process message router, the embedded default bus. Create one per process (or per
 * test) and give each orb its own {@link LocalBus} from {@link LocalHub.bus}.
 */
export class LocalHub {
  readonly #onError: (error: unknown, topic: string) => void;
  readonly #batchSize: number;
  /** Literal filter -> subscriptions; arrays are replaced, never mutated. */
  readonly #exact = new Map<string, HubSubscription[]>();
  /** Wildcard subscriptions, indexed by their filters' levels. */
  readonly #wildcards = new FilterIndex<HubSubscription>();
  /**
   * Topic -> the wildcard subscriptions it matches, cached: orbs publish to the same few
   * topics again and again, and walking the index for each message was a tenth of an
   * in-process message's cost. Cleared whenever a wildcard subscription comes or goes,
   * and when it grows past {@link MATCH_CACHE_SIZE} topics.
   */
  #matchCache = new Map<string, readonly HubSubscription[]>();
  readonly #retained = new Map<string, HubMessage>();
  /** FIFO of messages and, for retained deliveries, the one subscription they target. */
  #queue: (HubMessage | HubSubscription | undefined)[] = [];
  #head = 0;
  #scheduled = false;
  #seq = 0;

  constructor(options: LocalHubOptions = {}) {
    this.#onError =
      options.onError ??
      ((error, topic) => {
        console.warn(`[orbitalis local bus] subscriber of ${topic} threw`, error);
      });
    this.#batchSize = options.batchSize ?? 1024;
  }

  /** Creates a new, not yet connected, bus client of this hub. */
  bus(options?: LocalBusOptions): LocalBus {
    return createLocalBus(this.#port, options);
  }

  /** Drops `bus` as if its process died: no `close()`, its will (if any) is published. */
  crash(bus: LocalBus): void {
    bus.simulateCrash();
  }

  /** Number of retained messages (for tests and diagnostics). */
  get retainedCount(): number {
    return this.#retained.size;
  }

  /** What the buses of this hub call: publish and subscribe, nothing else. */
  readonly #port: HubPort = {
    publish: (topic, bytes, value, hasValue, retain) => {
      const message: HubMessage = { topic, seq: ++this.#seq, bytes, value, hasValue, invalid: undefined };
      if (retain) {
        // MQTT semantics: an empty payload clears the retained message of the topic.
        if (!hasValue && (bytes as Uint8Array).byteLength === 0) this.#retained.delete(topic);
        else this.#retained.set(topic, message);
      }
      this.#enqueue(message, undefined);
    },
    subscribe: (filter, handler, values, onInvalid) => {
      const sub = this.#subscribe(filter, handler, values, onInvalid);
      return () => {
        this.#unsubscribe(sub);
      };
    },
  };

  /** Adds a subscription and queues the retained messages it matches. */
  #subscribe(
    filter: string,
    handler: MessageHandler | ValueHandler,
    values: boolean,
    onInvalid: ((topic: string, error: Error) => void) | undefined,
  ): HubSubscription {
    const sub: HubSubscription = {
      filter,
      matches: compileFilter(filter),
      handler,
      values,
      onInvalid,
      since: ++this.#seq,
      active: true,
    };
    if (isWildcardFilter(filter)) {
      this.#wildcards.add(filter, sub);
      this.#matchCache = new Map();
      for (const message of this.#retained.values()) {
        if (sub.matches(message.topic)) this.#enqueue(message, sub);
      }
    } else {
      const list = this.#exact.get(filter);
      if (list) list.push(sub);
      else this.#exact.set(filter, [sub]);
      const message = this.#retained.get(filter);
      if (message !== undefined) this.#enqueue(message, sub);
    }
    return sub;
  }

  /** Removes a subscription; it gets nothing more, not even queued messages. */
  #unsubscribe(sub: HubSubscription): void {
    if (!sub.active) return;
    sub.active = false;
    if (isWildcardFilter(sub.filter)) {
      this.#wildcards.delete(sub.filter, sub);
      this.#matchCache = new Map();
    } else {
      // A new array: a delivery in progress keeps iterating the one it has.
      const left = (this.#exact.get(sub.filter) ?? []).filter((s) => s !== sub);
      if (left.length === 0) this.#exact.delete(sub.filter);
      else this.#exact.set(sub.filter, left);
    }
  }

  #enqueue(message: HubMessage, target: HubSubscription | undefined): void {
    this.#queue.push(message, target);
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(this.#drain);
    }
  }

  readonly #drain = (): void => {
    const queue = this.#queue;
    let budget = this.#batchSize;
    while (this.#head < queue.length) {
      if (budget-- === 0) {
        // Yield to I/O; the rest is delivered on the next turn, still in order.
        setImmediate(this.#drain);
        return;
      }
      const message = queue[this.#head] as HubMessage;
      const target = queue[this.#head + 1] as HubSubscription | undefined;
      queue[this.#head] = undefined;
      queue[this.#head + 1] = undefined;
      this.#head += 2;
      if (target !== undefined) {
        if (target.active) this.#deliver(target, message);
        continue;
      }
      const exact = this.#exact.get(message.topic);
      if (exact !== undefined) {
        for (let i = 0; i < exact.length; i++) {
          const sub = exact[i] as HubSubscription;
          if (sub.active && sub.since < message.seq) this.#deliver(sub, message);
        }
      }
      // A (un)subscription inside a handler replaces the cache, never this array.
      const matched = this.#wildcardMatches(message.topic);
      for (let i = 0; i < matched.length; i++) {
        const sub = matched[i] as HubSubscription;
        if (sub.active && sub.since < message.seq) this.#deliver(sub, message);
      }
    }
    // Everything delivered: reuse the array instead of growing it forever.
    queue.length = 0;
    this.#head = 0;
    this.#scheduled = false;
  };

  #wildcardMatches(topic: string): readonly HubSubscription[] {
    let matched = this.#matchCache.get(topic);
    if (matched === undefined) {
      const found: HubSubscription[] = [];
      this.#wildcards.match(topic, found);
      if (this.#matchCache.size >= MATCH_CACHE_SIZE) this.#matchCache = new Map();
      this.#matchCache.set(topic, (matched = found));
    }
    return matched;
  }

  #deliver(sub: HubSubscription, message: HubMessage): void {
    try {
      if (sub.values) {
        // An empty payload clears a retained message (MQTT): it carries no value.
        if (!message.hasValue && (message.bytes as Uint8Array).byteLength === 0) return;
        if (!message.hasValue && message.invalid === undefined) {
          try {
            message.value = freezeValue(decodeJson(message.bytes as Uint8Array));
            message.hasValue = true;
          } catch (error) {
            message.invalid = error as Error;
          }
        }
        if (message.invalid !== undefined) sub.onInvalid?.(message.topic, message.invalid);
        else (sub.handler as ValueHandler)(message.topic, message.value);
      } else {
        // Values are encoded lazily, once, for the first byte subscriber.
        message.bytes ??= encodeJson(message.value);
        sub.handler(message.topic, message.bytes);
      }
    } catch (error) {
      try {
        this.#onError(error, message.topic);
      } catch {
        // A failing error hook must not stop delivery either.
      }
    }
  }
}
