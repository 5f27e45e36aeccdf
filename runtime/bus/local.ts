/**
 * The in-process bus: a {@link LocalHub} routes messages between the {@link LocalBus}
 * clients it creates, with no server, no copying of bytes and no JSON for values.
 *
 * Delivery is asynchronous (never inside the publisher's call) through one FIFO queue per
 * hub, so every subscriber sees the messages of one publisher in publish order (and, in
 * fact, all messages of the hub in one global order). A message reaches the subscriptions
 * that existed when it was published and are still active when it is delivered.
 * @packageDocumentation
 */

import { FilterIndex } from "./filter-index.js";
import { BaseBus, checkPayload, decodeJson, encodeJson } from "./base.js";
import type { LocalBusOptions, LocalHubOptions } from "./local-options.js";
import { freezeValue } from "./json-value.js";
import type {
  BusCapabilities,
  BusConnectOptions,
  BusWill,
  MessageHandler,
  PublishOptions,
  Subscription,
  ValueHandler,
} from "./bus.js";
import {
  compileFilter,
  isWildcardFilter,
  validateFilter,
  validateTopic,
  type TopicMatcher,
} from "./topic.js";
import { asError } from "../as-error.js";

export type { LocalBusOptions, LocalHubOptions } from "./local-options.js";

const RESOLVED: Promise<void> = Promise.resolve();

/** Topics whose wildcard matches a hub remembers at most (see `LocalHub.#matchCache`). */
const MATCH_CACHE_SIZE = 4096;

const LOCAL_CAPABILITIES: BusCapabilities = Object.freeze({ will: true, retain: true, values: true });

/** One subscription on the hub. */
interface HubSubscription {
  readonly bus: LocalBus;
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
  /** Wildcard subscriptions; replaced, never mutated. */
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
    return new LocalBus(this, options);
  }

  /** Drops `bus` as if its process died: no `close()`, its will (if any) is published. */
  crash(bus: LocalBus): void {
    bus.simulateCrash();
  }

  /** Number of retained messages (for tests and diagnostics). */
  get retainedCount(): number {
    return this.#retained.size;
  }

  /** @internal Publishes; called by {@link LocalBus} after validation. */
  _publish(
    topic: string,
    bytes: Uint8Array | undefined,
    value: unknown,
    hasValue: boolean,
    retain: boolean,
  ): void {
    const message: HubMessage = { topic, seq: ++this.#seq, bytes, value, hasValue, invalid: undefined };
    if (retain) {
      // MQTT semantics: an empty payload clears the retained message of the topic.
      if (!hasValue && (bytes as Uint8Array).byteLength === 0) this.#retained.delete(topic);
      else this.#retained.set(topic, message);
    }
    this.#enqueue(message, undefined);
  }

  /** @internal Adds a subscription and queues the retained messages it matches. */
  _subscribe(
    bus: LocalBus,
    filter: string,
    handler: MessageHandler | ValueHandler,
    values: boolean,
    onInvalid?: (topic: string, error: Error) => void,
  ): HubSubscription {
    const sub: HubSubscription = {
      bus,
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

  /** @internal Removes a subscription; it gets nothing more, not even queued messages. */
  _unsubscribe(sub: HubSubscription): void {
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

/**
 * One client of a {@link LocalHub} (create it with {@link LocalHub.bus}). Capabilities:
 * will (published by {@link LocalBus.simulateCrash}), retained messages, and values:
 * {@link LocalBus.publishValue} hands value subscribers the same deep-frozen object.
 *
 * Byte payloads are passed to subscribers without copying: subscribers must not mutate
 * them.
 */
export class LocalBus extends BaseBus {
  /** Always `"local"`. */
  readonly kind = "local";
  /** `{ will: true, retain: true, values: true }`. */
  readonly capabilities: BusCapabilities = LOCAL_CAPABILITIES;
  /** The hub this bus belongs to. */
  readonly hub: LocalHub;
  #will: BusWill | undefined;
  readonly #subs = new Set<HubSubscription>();

  /** Prefer {@link LocalHub.bus}. */
  constructor(hub: LocalHub, options?: LocalBusOptions) {
    super(options);
    this.hub = hub;
  }

  /**
   * Connects (immediately) and remembers the will. Rejects with
   * `InvalidTopicError`/`InvalidPayloadError` for a bad will.
   */
  // eslint-disable-next-line @typescript-eslint/require-await -- async: errors become rejections
  protected override async open(options?: BusConnectOptions): Promise<void> {
    const will = options?.will;
    if (will !== undefined) {
      validateTopic(will.topic);
      checkPayload(will.payload);
    }
    this.#will = will;
    this.setStatus("connected");
  }

  /**
   * Queues the bytes for delivery (not copied). Resolves once queued; rejects with
   * `InvalidTopicError`, `InvalidPayloadError`, `ERR_BUS_NOT_CONNECTED` or `ERR_BUS_CLOSED`
   * and then publishes nothing.
   */
  // eslint-disable-next-line @typescript-eslint/require-await -- async: errors become rejections
  async publish(topic: string, payload: Uint8Array, options?: PublishOptions): Promise<void> {
    const refused = this.unusable("publish");
    if (refused) throw refused;
    validateTopic(topic);
    checkPayload(payload);
    this.hub._publish(topic, payload, undefined, false, options?.retain === true);
  }

  /**
   * Queues a value: value subscribers get it deep-frozen (the same object for all, see
   * {@link freezeValue}: frozen values pass through, others are copied once), byte
   * subscribers its UTF-8 JSON, encoded at most once.
   */
  override publishValue(topic: string, value: unknown, options?: PublishOptions): Promise<void> {
    // Not `async`: the hot path of every in-process message returns one settled promise.
    try {
      const refused = this.unusable("publish");
      if (refused) throw refused;
      validateTopic(topic);
      this.hub._publish(topic, undefined, freezeValue(value), true, options?.retain === true);
      return RESOLVED;
    } catch (error) {
      return Promise.reject(asError(error));
    }
  }

  /** Subscribes to a filter; resolves at once. Retained matches are delivered next. */
  subscribe(filter: string, onMessage: MessageHandler): Promise<Subscription> {
    return this.#subscribe(filter, onMessage, false, undefined);
  }

  /**
   * Subscribes for values: the publisher's frozen value, or the JSON payload of a byte
   * publish decoded once per message (shared by all value subscribers, frozen). Payloads
   * that are not JSON go to `onInvalid`.
   */
  override subscribeValue(
    filter: string,
    onValue: ValueHandler,
    onInvalid?: (topic: string, error: Error) => void,
  ): Promise<Subscription> {
    return this.#subscribe(filter, onValue, true, onInvalid);
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- async: errors become rejections
  async #subscribe(
    filter: string,
    handler: MessageHandler | ValueHandler,
    values: boolean,
    onInvalid: ((topic: string, error: Error) => void) | undefined,
  ): Promise<Subscription> {
    const refused = this.unusable("subscribe");
    if (refused) throw refused;
    validateFilter(filter);
    const sub = this.hub._subscribe(this, filter, handler, values, onInvalid);
    this.#subs.add(sub);
    return {
      filter,
      unsubscribe: () => {
        this.#subs.delete(sub);
        this.hub._unsubscribe(sub);
        return Promise.resolve();
      },
    };
  }

  /** Drops all subscriptions and forgets the will. */
  protected override shutdown(): Promise<void> {
    this.#drop();
    this.#will = undefined;
    return Promise.resolve();
  }

  /**
   * Simulates the death of this client's process: the bus is dropped without `close()` and
   * its will, if any, is published (retained if the will says so). Later calls reject with
   * `ERR_BUS_CLOSED`. Does nothing on a bus that is already closed.
   */
  simulateCrash(): void {
    if (this.isClosed()) return;
    const will = this.#will;
    this.#will = undefined;
    this.#drop();
    if (will !== undefined)
      this.hub._publish(will.topic, will.payload, undefined, false, will.retain === true);
  }

  #drop(): void {
    for (const sub of this.#subs) this.hub._unsubscribe(sub);
    this.#subs.clear();
    this.setStatus("closed");
  }
}
