/**
 * The agnostic event bus that orbs talk over. Adapters move bytes (or, in process, frozen
 * values) between topics; they never interpret protocol messages.
 *
 * Topics are `/`-separated levels. Subscriptions take MQTT-style filters: `+` matches
 * exactly one level, `#` (only as the last level) matches any number of levels, including
 * none (so `a/#` matches `a`). Adapters translate to their broker's syntax.
 * @packageDocumentation
 */

/** What an adapter can do beyond plain publish/subscribe. */
export interface BusCapabilities {
  /** The broker publishes a registered will when the client drops without `close()`. */
  readonly will: boolean;
  /** The broker keeps the last retained message of a topic for late subscribers. */
  readonly retain: boolean;
  /**
   * The bus carries values in process: {@link Bus.publishValue} hands subscribers the same
   * frozen object without encoding it. Network buses encode once per publish.
   */
  readonly values: boolean;
}

/** A message the bus publishes on the client's behalf when the client dies. */
export interface BusWill {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly retain?: boolean;
  /**
   * Where the broker can (MQTT 5: the message expiry interval), a retained will is removed
   * this many seconds after it was published, so the wills of orbs that never come back do
   * not stay on the broker for good.
   */
  readonly expirySeconds?: number;
}

/** Options of {@link Bus.connect}. */
export interface BusConnectOptions {
  /** Registered with the broker where `capabilities.will` is true; ignored elsewhere. */
  readonly will?: BusWill;
}

/** Options of {@link Bus.publish}. */
export interface PublishOptions {
  /** Keep as the topic's retained message where `capabilities.retain` is true. */
  readonly retain?: boolean;
  /**
   * `false`: the message may be lost when the connection drops, and the bus may send it
   * faster (MQTT: `lossyQos`, default QoS 0, no acknowledgement round). Orbs mark operation
   * traffic, keepalives and status this way (their loss ends in a timeout); the handshake,
   * closes and presence stay reliable. Default true. Buses that cannot tell the two apart
   * ignore it.
   */
  readonly reliable?: boolean;
}

/** An active subscription. */
export interface Subscription {
  /** The filter as given to `subscribe`. */
  readonly filter: string;
  /** Stops delivery; resolves when the broker confirmed. Idempotent. */
  unsubscribe(): Promise<void>;
}

/** Receives each message whose topic matches the filter, with its raw bytes. */
export type MessageHandler = (topic: string, payload: Uint8Array) => void;

/** Receives each message whose topic matches the filter, decoded (or passed through in process). */
export type ValueHandler = (topic: string, value: unknown) => void;

/**
 * Connection status of a bus:
 * - `connecting`: created or connecting for the first time;
 * - `connected`: ready;
 * - `disconnected`: the link to the broker dropped; the adapter is reconnecting by itself;
 * - `reconnected`: back after a `disconnected`, subscriptions restored;
 * - `closed`: `close()` was called (final).
 */
export type BusStatus = "connecting" | "connected" | "disconnected" | "reconnected" | "closed";

/** Listener of status changes; `error` is set when a failure caused the change. */
export type BusStatusListener = (status: BusStatus, error?: Error) => void;

/**
 * One client of an event bus. One bus instance serves one orb (so each orb has its own
 * will). Every method rejects with a `BusError` (stable `code`, library error as `cause`)
 * rather than throwing synchronously.
 */
export interface Bus {
  /** `"local"`, `"mqtt"`, `"nats"`, `"redis"` ... */
  readonly kind: string;
  readonly capabilities: BusCapabilities;
  /** Current connection status. */
  readonly status: BusStatus;

  /**
   * Connects (and registers the will where supported). Resolves once usable. After
   * `close()` it opens a new session (an orb that stops and starts again).
   */
  connect(options?: BusConnectOptions): Promise<void>;
  /**
   * Publishes bytes to a topic (no wildcards). Resolves when the adapter handed the message
   * over (for MQTT QoS >= 1: when the broker acknowledged it, or queued it during an outage).
   */
  publish(topic: string, payload: Uint8Array, options?: PublishOptions): Promise<void>;
  /**
   * Publishes a JSON-compatible value. In-process buses pass the (deep-frozen) value
   * through; network buses encode it to UTF-8 JSON exactly once.
   */
  publishValue(topic: string, value: unknown, options?: PublishOptions): Promise<void>;
  /** Subscribes to a filter; resolves once the broker confirmed the subscription. */
  subscribe(filter: string, onMessage: MessageHandler): Promise<Subscription>;
  /**
   * Subscribes and receives values: UTF-8 JSON payloads decoded once per delivery, or the
   * publisher's frozen value in process. Payloads that are not JSON are reported through
   * `onInvalid` (if given) and otherwise dropped.
   */
  subscribeValue(
    filter: string,
    onValue: ValueHandler,
    onInvalid?: (topic: string, error: Error) => void,
  ): Promise<Subscription>;
  /** Watches status changes; returns a function that stops watching. */
  onStatus(listener: BusStatusListener): () => void;
  /**
   * Closes the client (no will is sent). Idempotent; later publishes reject with
   * `ERR_BUS_CLOSED` until `connect()` is called again.
   */
  close(): Promise<void>;
}
