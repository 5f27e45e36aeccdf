/**
 * The in-process bus client: a {@link LocalBus} is one orb's connection to a
 * `LocalHub` (created by `LocalHub.bus()`, never on its own). It checks what it is
 * given, keeps its will and its subscriptions, and hands messages to the hub through a
 * {@link HubPort}, the one thing it knows of its hub.
 * @packageDocumentation
 */

import { BaseBus, checkPayload } from "./base.js";
import type { LocalBusOptions } from "./local-options.js";
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
import { validateFilter, validateTopic } from "./topic.js";
import { asError } from "../as-error.js";

export type { LocalBusOptions } from "./local-options.js";

/**
 * What a bus needs of its hub. `LocalHub` implements it and hands it to each bus it
 * creates; it is not public (a bus is made by `LocalHub.bus()` only).
 */
export interface HubPort {
  /** Queues a message: `bytes`, or a frozen `value` when `hasValue`. */
  publish(
    topic: string,
    bytes: Uint8Array | undefined,
    value: unknown,
    hasValue: boolean,
    retain: boolean,
  ): void;
  /** Adds a subscription (its retained matches are queued); returns what removes it. */
  subscribe(
    filter: string,
    handler: MessageHandler | ValueHandler,
    values: boolean,
    onInvalid: ((topic: string, error: Error) => void) | undefined,
  ): () => void;
}

const RESOLVED: Promise<void> = Promise.resolve();

const LOCAL_CAPABILITIES: BusCapabilities = Object.freeze({ will: true, retain: true, values: true });

/** `new LocalBus(...)` for {@link createLocalBus}: the constructor is private. */
let construct: (port: HubPort, options: LocalBusOptions | undefined) => LocalBus;

/**
 * One client of a `LocalHub` (create it with `LocalHub.bus()`). Capabilities:
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
  readonly #port: HubPort;
  #will: BusWill | undefined;
  /** What removes each active subscription from the hub. */
  readonly #subs = new Set<() => void>();

  static {
    construct = (port, options) => new LocalBus(port, options);
  }

  /** Private: a bus is created by `LocalHub.bus()`. */
  private constructor(port: HubPort, options?: LocalBusOptions) {
    super(options);
    this.#port = port;
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
    this.#port.publish(topic, payload, undefined, false, options?.retain === true);
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
      this.#port.publish(topic, undefined, freezeValue(value), true, options?.retain === true);
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
    const remove = this.#port.subscribe(filter, handler, values, onInvalid);
    this.#subs.add(remove);
    return {
      filter,
      unsubscribe: () => {
        this.#subs.delete(remove);
        remove();
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
      this.#port.publish(will.topic, will.payload, undefined, false, will.retain === true);
  }

  #drop(): void {
    for (const remove of this.#subs) remove();
    this.#subs.clear();
    this.setStatus("closed");
  }
}

/** Creates a bus of the hub behind `port` (for `LocalHub.bus()`; not public). */
export function createLocalBus(port: HubPort, options?: LocalBusOptions): LocalBus {
  return construct(port, options);
}
