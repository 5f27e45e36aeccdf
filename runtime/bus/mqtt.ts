/**
 * MQTT adapter on mqtt.js (MQTT 3.1.1 and 5): connecting with the will, subscriptions
 * (shared per filter; told apart by subscription identifiers under MQTT 5), reconnecting.
 * Its options, and how they become mqtt.js's, are in mqtt-options.ts; its flow control
 * (publishes in order, at most `maxInflight` unacknowledged) in mqtt-outbox.ts. See
 * docs/buses.md for its guarantees.
 * @packageDocumentation
 */

// Types only: the library is loaded when the bus connects (load-client.ts). Our public types
// never name it (our options are a structural subset of IClientOptions), nor reach its typings.
import type { IClientOptions, IConnackPacket, IPublishPacket, MqttClient } from "mqtt";
import { BusError } from "../errors.js";
import { BaseBus, checkPayload, toBusError } from "./base.js";
import { loadClient } from "./load-client.js";
import type {
  BusCapabilities,
  BusConnectOptions,
  BusWill,
  MessageHandler,
  PublishOptions,
  Subscription,
} from "./bus.js";
import { SubscriptionRegistry, type BrokerEntry } from "./subscriptions.js";
import { validateFilter, validateTopic } from "./topic.js";
import { mqttClientOptions, noDelay, toBuffer, type MqttBusOptions, type MqttQos } from "./mqtt-options.js";
import { MqttOutbox, type OutboxItem } from "./mqtt-outbox.js";
import { asError } from "../as-error.js";

export type { MqttBusOptions, MqttQos } from "./mqtt-options.js";

const MQTT_CAPABILITIES: BusCapabilities = Object.freeze({ will: true, retain: true, values: false });

/** Largest MQTT 5 subscription identifier. */
const MAX_SUBSCRIPTION_ID = 268_435_455;

/**
 * An MQTT client (mqtt.js). One instance per orb, so each orb has its own will.
 *
 * - Publishes, subscriptions and the will use `qos` (default 1).
 * - Reconnects by itself every `reconnectPeriodMs`; after a reconnect it subscribes again
 *   to every filter the broker no longer has (all of them unless a persistent session was
 *   resumed) and only then reports `reconnected`.
 * - Several `subscribe()` calls on one filter share one broker subscription; each
 *   unsubscribes independently. With MQTT 5 each broker subscription carries a
 *   subscription identifier, so overlapping filters get exactly their own copies; with
 *   3.1.1 the adapter dispatches each received message to every local filter that matches.
 */
export class MqttBus extends BaseBus {
  /** Always `"mqtt"`. */
  readonly kind = "mqtt";
  /** `{ will: true, retain: true, values: false }`. */
  readonly capabilities: BusCapabilities = MQTT_CAPABILITIES;
  readonly #options: MqttBusOptions;
  readonly #qos: MqttQos;
  readonly #lossyQos: MqttQos;
  readonly #registry: SubscriptionRegistry;
  #client: MqttClient | undefined;
  /** MQTT 5 with subscription identifiers available on the broker. */
  #useIds = false;
  /** Bumped on every disconnection, so a stale reconnect flow does not report. */
  #epoch = 0;
  #lastError: Error | undefined;
  /** Publishes not yet acknowledged (flow control), in publish order. */
  readonly #outbox = new MqttOutbox({
    ready: () => this.#client !== undefined,
    send: (item, done) => {
      (this.#client as MqttClient).publish(
        item.topic,
        item.buffer,
        { qos: item.qos, retain: item.retain },
        done,
      );
    },
    failed: (item, error) => {
      const failure = this.isClosed()
        ? this.closedError("publish")
        : toBusError(error, `mqtt publish to ${item.topic} failed`);
      if (item.reject !== undefined) item.reject(failure);
      else if (!this.isClosed()) this.reportError(failure);
    },
  });

  constructor(options: MqttBusOptions = {}) {
    super(options);
    this.#options = options;
    this.#qos = options.qos ?? 1;
    this.#lossyQos = options.lossyQos ?? 0;
    this.#registry = new SubscriptionRegistry(
      {
        subscribe: (entry) => this.#brokerSubscribe(entry),
        unsubscribe: (entry) => this.#brokerUnsubscribe(entry),
      },
      (error) => this.reportError(toBusError(error, "mqtt subscriber threw")),
      1 + Math.floor(Math.random() * (MAX_SUBSCRIPTION_ID - 1)),
    );
  }

  /**
   * The underlying mqtt.js `MqttClient`, once `connect()` was called (for diagnostics;
   * cast it to mqtt.js's type to use it).
   */
  get client(): unknown {
    return this.#client;
  }

  /**
   * Connects and registers the will. Resolves on the broker's CONNACK; rejects with a
   * `BusError` (mqtt.js error as `cause`) if the first connection fails or times out, and
   * then the bus may be connected again.
   */
  protected override open(options?: BusConnectOptions): Promise<void> {
    return this.#open(options?.will);
  }

  protected override resetAfterClose(): void {
    this.#client = undefined;
    this.#outbox.reset();
  }

  async #open(will: BusWill | undefined): Promise<void> {
    if (will !== undefined) {
      validateTopic(will.topic);
      checkPayload(will.payload);
    }
    const o = this.#options;
    const version = o.protocolVersion ?? 5;
    const clientOptions = mqttClientOptions(o, will, this.#qos);
    const url = o.url ?? "mqtt://127.0.0.1:1883";
    const mqtt = await loadClient("mqtt", "MqttBus", () => import("mqtt"));
    if (this.isClosed()) throw this.closedError("connect");
    let client: MqttClient;
    try {
      client = mqtt.connect(url, clientOptions as IClientOptions);
    } catch (error) {
      throw toBusError(error, `mqtt connect to ${url} failed`);
    }
    this.#client = client;
    noDelay(client);
    let connack: IConnackPacket;
    try {
      connack = await new Promise<IConnackPacket>((resolve, reject) => {
        let lastError: Error | undefined;
        const timer = setTimeout(() => {
          done();
          reject(
            new BusError(
              "ERR_BUS",
              `mqtt connect to ${url} failed: no CONNACK within ${clientOptions.connectTimeout} ms`,
              { cause: lastError },
            ),
          );
        }, clientOptions.connectTimeout);
        const onConnect = (packet: IConnackPacket): void => {
          done();
          resolve(packet);
        };
        const onError = (error: Error): void => {
          // Socket errors (ECONNREFUSED ...) are followed by 'close'; keep them as the reason.
          lastError = error;
          if (
            (error as { code?: unknown }).code !== undefined &&
            typeof (error as { code?: unknown }).code === "number"
          ) {
            done();
            reject(error);
          }
        };
        const onClose = (): void => {
          done();
          reject(
            lastError ??
              new BusError("ERR_BUS", `mqtt connect to ${url} failed: connection closed before CONNACK`),
          );
        };
        const done = (): void => {
          clearTimeout(timer);
          client.off("connect", onConnect);
          client.off("error", onError);
          client.off("close", onClose);
        };
        client.on("connect", onConnect);
        client.on("error", onError);
        client.on("close", onClose);
      });
    } catch (error) {
      client.end(true);
      this.#client = undefined;
      if (this.isClosed()) throw this.closedError("connect");
      throw toBusError(error, `mqtt connect to ${url} failed`);
    }
    if (this.isClosed()) {
      client.end(true);
      throw this.closedError("connect");
    }
    const receiveMaximum = connack.properties?.receiveMaximum;
    this.#outbox.setMaxInflight(
      o.maxInflight ?? (version === 5 && receiveMaximum !== undefined ? receiveMaximum : 20),
    );
    this.#useIds = version === 5 && connack.properties?.subscriptionIdentifiersAvailable !== false;
    client.on("message", this.#onMessage);
    client.on("error", (error: Error) => {
      this.#lastError = error;
    });
    client.on("close", () => {
      this.#epoch++;
      if (this.status === "connected" || this.status === "reconnected") {
        this.setStatus("disconnected", this.#lastError);
      }
      this.#lastError = undefined;
    });
    client.on("connect", (packet: IConnackPacket) => {
      noDelay(client); // a reconnection has a new socket
      void this.#onReconnect(packet);
    });
    this.setStatus("connected");
  }

  async #onReconnect(connack: IConnackPacket): Promise<void> {
    if (this.status !== "disconnected") return;
    const epoch = this.#epoch;
    // Without a resumed session the broker forgot every subscription.
    if (!connack.sessionPresent) this.#registry.resetAll();
    try {
      await this.#registry.resubscribe();
    } catch (error) {
      if (this.isClosed()) return;
      this.reportError(toBusError(error, "mqtt resubscribe after reconnect failed"));
    }
    if (epoch === this.#epoch) this.setStatus("reconnected");
  }

  readonly #onMessage = (topic: string, payload: Buffer, packet: IPublishPacket): void => {
    const registry = this.#registry;
    if (this.#useIds) {
      const ids = packet.properties?.subscriptionIdentifier;
      if (typeof ids === "number") {
        const entry = registry.byId(ids);
        if (entry !== undefined) registry.deliver(entry, topic, payload, false);
        return;
      }
      if (ids !== undefined) {
        for (const id of ids) {
          const entry = registry.byId(id);
          if (entry !== undefined) registry.deliver(entry, topic, payload, false);
        }
        return;
      }
    }
    // MQTT 3.1.1 (one copy per client for overlapping filters): match locally.
    for (const entry of registry.entries()) {
      const first = entry.subs[0];
      if (first !== undefined && first.matches(topic)) registry.deliver(entry, topic, payload, false);
    }
  };

  async #brokerSubscribe(entry: BrokerEntry): Promise<void> {
    for (;;) {
      const client = this.#client;
      if (client === undefined || this.isClosed()) throw this.closedError("subscribe");
      try {
        const granted = await client.subscribeAsync(entry.key, {
          qos: this.#qos,
          ...(this.#useIds && { properties: { subscriptionIdentifier: entry.id } }),
        });
        const code = granted[0]?.qos ?? 128;
        if (code >= 128) {
          throw new BusError(
            "ERR_BUS",
            `the broker refused the subscription to ${entry.key} (reason code ${code})`,
          );
        }
        return;
      } catch (error) {
        if (error instanceof BusError) throw error;
        if (this.isClosed()) throw this.closedError("subscribe");
        // The link dropped while subscribing: try again once the client is back.
        if (!client.connected) {
          await this.#nextConnect(client);
          continue;
        }
        throw toBusError(error, `mqtt subscribe to ${entry.key} failed`);
      }
    }
  }

  async #brokerUnsubscribe(entry: BrokerEntry): Promise<void> {
    const client = this.#client;
    // Offline: a clean session is gone with the link; a persistent one keeps a stale
    // subscription whose messages match no local subscription and are dropped.
    if (client === undefined || !client.connected || this.isClosed()) return;
    try {
      await client.unsubscribeAsync(entry.key);
    } catch (error) {
      if (!client.connected || this.isClosed()) return;
      throw toBusError(error, `mqtt unsubscribe from ${entry.key} failed`);
    }
  }

  #nextConnect(client: MqttClient): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onConnect = (): void => {
        stop();
        resolve();
      };
      const stopStatus = this.onStatus((status) => {
        if (status === "closed") {
          stop();
          reject(this.closedError("subscribe"));
        }
      });
      const stop = (): void => {
        client.off("connect", onConnect);
        stopStatus();
      };
      client.on("connect", onConnect);
    });
  }

  /**
   * Publishes with the configured QoS. While connected, resolves when the broker
   * acknowledged (QoS 1/2; at most `maxInflight` are unacknowledged at once, later ones
   * wait in order) or the packet was written (QoS 0). During an outage, resolves at once:
   * the message is queued in memory, in order, and sent after reconnecting (a later
   * failure goes to `onError`; `close()` drops what is still queued). Rejects with
   * `InvalidTopicError`, `InvalidPayloadError`, `ERR_BUS_NOT_CONNECTED` or
   * `ERR_BUS_CLOSED`, having sent nothing.
   */
  publish(topic: string, payload: Uint8Array, options?: PublishOptions): Promise<void> {
    try {
      const refused = this.unusable("publish");
      if (refused) throw refused;
      validateTopic(topic);
      checkPayload(payload);
    } catch (error) {
      return Promise.reject(asError(error));
    }
    const retain = options?.retain === true;
    const qos = options?.reliable === false ? this.#lossyQos : this.#qos;
    const buffer = toBuffer(payload);
    const detached = !(this.#client as MqttClient).connected;
    return new Promise<void>((resolve, reject) => {
      const item: OutboxItem = detached
        ? { topic, buffer, retain, qos, resolve: undefined, reject: undefined }
        : { topic, buffer, retain, qos, resolve, reject };
      this.#outbox.push(item);
      if (detached) resolve();
    });
  }

  /**
   * Subscribes with the configured QoS; resolves on the broker's SUBACK (during an outage:
   * after reconnecting). Rejects with `InvalidTopicError` for a bad filter, `BusError` when
   * the broker refused.
   */
  async subscribe(filter: string, onMessage: MessageHandler): Promise<Subscription> {
    const refused = this.unusable("subscribe");
    if (refused) throw refused;
    validateFilter(filter);
    return this.#registry.add(filter, filter, onMessage);
  }

  /**
   * Disconnects cleanly (no will is published), waiting up to 2 s for in-flight
   * acknowledgements. Idempotent; later calls reject with `ERR_BUS_CLOSED` until `connect()` opens a new session.
   */
  protected override shutdown(): Promise<void> {
    return this.#shutdown();
  }

  async #shutdown(): Promise<void> {
    const client = this.#client;
    const wasUp = client?.connected === true;
    this.setStatus("closed");
    this.#registry.clear();
    if (client === undefined) return;
    // Let what was published before close() reach the broker (at most 2 s).
    if (wasUp) await this.#outbox.settled(2000);
    // Whatever is still queued is dropped: its publishers hear ERR_BUS_CLOSED.
    this.#outbox.dropWaiting(() => this.closedError("publish"));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        client.end(true, () => resolve());
      }, 2000);
      client.end(!client.connected, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
