/**
 * Redis pub/sub adapter on ioredis. See docs/buses.md for its guarantees.
 *
 * Topics are used as channel names unchanged. A literal filter is a `SUBSCRIBE` to that
 * channel; a wildcard filter becomes a `PSUBSCRIBE` glob that matches at least every topic
 * the filter matches (`a/+/c` -> `a/*\/c`, `a/#` -> `a*`, glob specials in literal levels
 * escaped), and the adapter then applies the exact MQTT rule, since Redis globs are looser
 * (`*` crosses `/`).
 * @packageDocumentation
 */

// Types only: ioredis is an optional peer dependency, loaded when the bus connects.
import type { Redis, RedisOptions } from "ioredis";
import { BaseBus, checkPayload, settleWithin, toBusError, type BaseBusOptions } from "./base.js";
import { loadClient } from "./load-client.js";
import type {
  BusCapabilities,
  BusConnectOptions,
  MessageHandler,
  PublishOptions,
  Subscription,
} from "./bus.js";
import { SubscriptionRegistry, type BrokerEntry } from "./subscriptions.js";
import { isWildcardFilter, validateFilter, validateTopic } from "./topic.js";

/** Options of {@link RedisBus}. */
export interface RedisBusOptions extends BaseBusOptions {
  /** `redis://[user:pass@]host:port[/db]` or `rediss://`. Default `redis://127.0.0.1:6379`. */
  readonly url?: string;
  /** Delay between reconnect attempts. Default 1000 ms. */
  readonly reconnectDelayMs?: number;
  /** Time allowed for a connection. Default 10,000 ms. */
  readonly connectTimeoutMs?: number;
  /**
   * Raw ioredis `RedisOptions` for both connections, applied last. Typed as a plain object
   * so that these typings do not depend on ioredis's.
   */
  readonly redisOptions?: Readonly<Record<string, unknown>>;
}

const REDIS_CAPABILITIES: BusCapabilities = Object.freeze({ will: false, retain: false, values: false });

const GLOB_SPECIALS = /[\\*?[\]]/g;

/** Redis key of a filter: `c:<channel>` for a literal filter, `p:<glob>` for a wildcard. */
export function filterToRedisKey(filter: string): string {
  if (!isWildcardFilter(filter)) return "c:" + filter;
  const levels = filter.split("/");
  const multi = levels[levels.length - 1] === "#";
  const fixed = multi ? levels.slice(0, -1) : levels;
  let glob = fixed.map((level) => (level === "+" ? "*" : level.replace(GLOB_SPECIALS, "\\$&"))).join("/");
  // "a/#" matches "a" and "a/...": the glob "a*" covers both; "#" alone is "*".
  if (multi) glob += "*";
  return "p:" + glob;
}

/**
 * A Redis pub/sub client with two connections: one publishes, one subscribes (a Redis
 * connection in subscriber mode cannot publish). Capabilities: no will, no retained
 * messages.
 */
export class RedisBus extends BaseBus {
  /** Always `"redis"`. */
  readonly kind = "redis";
  /** `{ will: false, retain: false, values: false }`. */
  readonly capabilities: BusCapabilities = REDIS_CAPABILITIES;
  readonly #options: RedisBusOptions;
  readonly #registry: SubscriptionRegistry;
  #pub: Redis | undefined;
  #sub: Redis | undefined;
  #epoch = 0;
  #lastError: Error | undefined;

  constructor(options: RedisBusOptions = {}) {
    super(options);
    this.#options = options;
    this.#registry = new SubscriptionRegistry(
      {
        subscribe: (entry) => this.#brokerSubscribe(entry),
        unsubscribe: (entry) => this.#brokerUnsubscribe(entry),
      },
      (error) => this.reportError(toBusError(error, "redis subscriber threw")),
    );
  }

  /**
   * Opens both connections. Resolves once both are ready; rejects with a `BusError`
   * (ioredis error as `cause`) if either fails, and then the bus may be connected again.
   * A will is ignored (see `capabilities.will`).
   */
  protected override open(_options?: BusConnectOptions): Promise<void> {
    return this.#open();
  }

  protected override resetAfterClose(): void {
    this.#pub = undefined;
    this.#sub = undefined;
  }

  async #open(): Promise<void> {
    const o = this.#options;
    const url = o.url ?? "redis://127.0.0.1:6379";
    const delay = o.reconnectDelayMs ?? 1000;
    const redisOptions: RedisOptions = {
      lazyConnect: true,
      connectTimeout: o.connectTimeoutMs ?? 10_000,
      retryStrategy: () => delay,
      // Queued commands wait for the connection as long as it takes (bounded by memory).
      maxRetriesPerRequest: null,
      // This adapter resubscribes itself, so it knows when subscriptions are back.
      autoResubscribe: false,
      ...(o.redisOptions as RedisOptions | undefined),
    };
    const { Redis: RedisClient } = await loadClient("ioredis", "RedisBus", () => import("ioredis"));
    if (this.isClosed()) throw this.closedError("connect");
    const pub = new RedisClient(url, redisOptions);
    const sub = new RedisClient(url, redisOptions);
    for (const client of [pub, sub]) {
      client.on("error", (error: Error) => {
        this.#lastError = error;
      });
    }
    try {
      // The first attempt must succeed: a failure rejects connect() rather than retrying.
      await Promise.all([pub.connect(), sub.connect()]);
    } catch (error) {
      pub.disconnect();
      sub.disconnect();
      if (this.isClosed()) throw this.closedError("connect");
      throw toBusError(error, `redis connect to ${url} failed`);
    }
    if (this.isClosed()) {
      pub.disconnect();
      sub.disconnect();
      throw this.closedError("connect");
    }
    this.#pub = pub;
    this.#sub = sub;
    sub.on("messageBuffer", this.#onMessage);
    sub.on("pmessageBuffer", this.#onPatternMessage);
    for (const client of [pub, sub]) {
      client.on("close", this.#onClose);
      client.on("ready", this.#onReady);
    }
    this.setStatus("connected");
  }

  readonly #onClose = (): void => {
    this.#epoch++;
    if (this.status === "connected" || this.status === "reconnected") {
      this.setStatus("disconnected", this.#lastError);
    }
  };

  readonly #onReady = (): void => {
    void this.#afterReconnect();
  };

  async #afterReconnect(): Promise<void> {
    const pub = this.#pub;
    const sub = this.#sub;
    if (this.status !== "disconnected" || pub?.status !== "ready" || sub?.status !== "ready") return;
    const epoch = this.#epoch;
    // A new subscriber connection has no subscriptions.
    this.#registry.resetAll();
    try {
      await this.#registry.resubscribe();
    } catch (error) {
      if (this.isClosed()) return;
      this.reportError(toBusError(error, "redis resubscribe after reconnect failed"));
    }
    if (epoch === this.#epoch && pub.status === "ready" && sub.status === "ready") {
      this.#lastError = undefined;
      this.setStatus("reconnected");
    }
  }

  readonly #onMessage = (channel: Buffer, message: Buffer): void => {
    const topic = channel.toString();
    const entry = this.#registry.get("c:" + topic);
    if (entry !== undefined) this.#registry.deliver(entry, topic, message, false);
  };

  readonly #onPatternMessage = (pattern: string | Buffer, channel: Buffer, message: Buffer): void => {
    const entry = this.#registry.get("p:" + pattern.toString());
    if (entry !== undefined) this.#registry.deliver(entry, channel.toString(), message, true);
  };

  async #brokerSubscribe(entry: BrokerEntry): Promise<void> {
    const sub = this.#sub;
    if (sub === undefined || this.isClosed()) throw this.closedError("subscribe");
    const name = entry.key.slice(2);
    try {
      if (entry.key.startsWith("c:")) await sub.subscribe(name);
      else await sub.psubscribe(name);
    } catch (error) {
      if (this.isClosed()) throw this.closedError("subscribe");
      throw toBusError(error, `redis subscribe to ${name} failed`);
    }
  }

  async #brokerUnsubscribe(entry: BrokerEntry): Promise<void> {
    const sub = this.#sub;
    if (sub === undefined || sub.status !== "ready" || this.isClosed()) return;
    const name = entry.key.slice(2);
    try {
      if (entry.key.startsWith("c:")) await sub.unsubscribe(name);
      else await sub.punsubscribe(name);
    } catch (error) {
      if (sub.status !== "ready" || this.isClosed()) return;
      throw toBusError(error, `redis unsubscribe from ${name} failed`);
    }
  }

  /**
   * Publishes. While connected, resolves when Redis answered (it returns how many
   * subscribers got the message). During an outage, resolves at once: ioredis queues the
   * command in memory and sends it after reconnecting (a later failure goes to `onError`).
   * Rejects with `InvalidTopicError`, `InvalidPayloadError`, `ERR_BUS_NOT_CONNECTED` or
   * `ERR_BUS_CLOSED`, having sent nothing.
   */
  async publish(topic: string, payload: Uint8Array, _options?: PublishOptions): Promise<void> {
    const refused = this.unusable("publish");
    if (refused) throw refused;
    validateTopic(topic);
    checkPayload(payload);
    const pub = this.#pub as Redis;
    const buffer = Buffer.isBuffer(payload)
      ? payload
      : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    if (pub.status !== "ready" || this.status === "disconnected") {
      pub.publish(topic, buffer).catch((error: unknown) => {
        if (!this.isClosed()) this.reportError(toBusError(error, `redis publish to ${topic} failed`));
      });
      return;
    }
    try {
      await pub.publish(topic, buffer);
    } catch (error) {
      if (this.isClosed()) throw this.closedError("publish");
      throw toBusError(error, `redis publish to ${topic} failed`);
    }
  }

  /**
   * Subscribes; resolves once Redis confirmed (during an outage, after reconnecting).
   * Rejects with `InvalidTopicError` for a bad filter.
   */
  async subscribe(filter: string, onMessage: MessageHandler): Promise<Subscription> {
    const refused = this.unusable("subscribe");
    if (refused) throw refused;
    validateFilter(filter);
    return this.#registry.add(filterToRedisKey(filter), filter, onMessage);
  }

  /**
   * Closes both connections (`QUIT` when connected, waiting for queued commands; at most
   * 2 s). Idempotent; later calls reject with `ERR_BUS_CLOSED` until `connect()` opens a new session.
   */
  protected override shutdown(): Promise<void> {
    return this.#shutdown();
  }

  async #shutdown(): Promise<void> {
    this.setStatus("closed");
    this.#registry.clear();
    await Promise.all(
      [this.#pub, this.#sub].map((client) => (client === undefined ? Promise.resolve() : quit(client))),
    );
  }
}

async function quit(client: Redis): Promise<void> {
  if (client.status !== "ready") {
    client.disconnect();
    return;
  }
  await settleWithin(client.quit(), 2000);
  client.disconnect();
}
