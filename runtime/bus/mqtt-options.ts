/**
 * The options of MqttBus and how they become mqtt.js client options, plus the small
 * socket and buffer helpers the adapter needs.
 * @packageDocumentation
 */
import type { BaseBusOptions } from "./base.js";
import type { BusWill } from "./bus.js";

/** Quality of service of MQTT publishes, subscriptions and the will. */
export type MqttQos = 0 | 1 | 2;

/** Options of {@link MqttBus}. */
export interface MqttBusOptions extends BaseBusOptions {
  /** Broker URL: `mqtt://`, `mqtts://`, `ws://`, `wss://`. Default `mqtt://127.0.0.1:1883`. */
  readonly url?: string;
  /**
   * Client identifier. Needed (and must be stable across restarts) for a persistent session
   * (`clean: false`); default: a random one.
   */
  readonly clientId?: string;
  /** QoS of publishes, subscriptions and the will. Default 1 (at least once). */
  readonly qos?: MqttQos;
  /**
   * QoS of publishes marked `reliable: false` (an orb's operation traffic, keepalives and
   * status). Default 0: one packet each way and no acknowledgement, which on a broker
   * without TCP_NODELAY (Mosquitto's default) also avoids a delayed-ACK stall of about
   * 40 ms per answer. Such a message is lost if the connection drops with it in flight; a
   * request then ends in its timeout. Set it to `qos` to send everything alike.
   */
  readonly lossyQos?: MqttQos;
  /** 4 (MQTT 3.1.1) or 5. Default 5. */
  readonly protocolVersion?: 4 | 5;
  /**
   * Clean session (3.1.1) / clean start (5). Default true. With `false` and a fixed
   * `clientId`, the broker keeps the subscriptions and queues QoS >= 1 messages while the
   * client is away.
   */
  readonly clean?: boolean;
  /**
   * MQTT 5 session expiry interval in seconds. Default: 3600 when `clean` is false (a
   * persistent session must outlive the connection), otherwise not sent (0).
   */
  readonly sessionExpirySeconds?: number;
  readonly username?: string;
  readonly password?: string;
  /** TLS: trusted CA certificates (for `mqtts://` and `wss://`), PEM. */
  readonly ca?: string | Uint8Array | readonly (string | Uint8Array)[];
  /** TLS: client certificate, PEM. */
  readonly cert?: string | Uint8Array | readonly (string | Uint8Array)[];
  /** TLS: client key, PEM. */
  readonly key?: string | Uint8Array | readonly (string | Uint8Array)[];
  /** TLS: verify the broker's certificate. Default true. */
  readonly rejectUnauthorized?: boolean;
  /** Delay between reconnect attempts. Default 1000 ms. */
  readonly reconnectPeriodMs?: number;
  /** Time allowed for a connection (and the first `connect()`). Default 10,000 ms. */
  readonly connectTimeoutMs?: number;
  /** MQTT keepalive. Default 60 s. */
  readonly keepaliveSeconds?: number;
  /**
   * Most publishes awaiting the broker's acknowledgement (QoS 1/2) or their write to the
   * socket (QoS 0) at once; further ones wait in order in the adapter. Default: the broker's Receive Maximum (MQTT 5), else 20
   * (Mosquitto's default `max_inflight_messages`). This flow control is what keeps a fast
   * publisher from overflowing the broker's per-client queue (Mosquitto drops QoS 1
   * messages beyond `max_queued_messages`, 1000 by default).
   */
  readonly maxInflight?: number;
  /**
   * Raw mqtt.js `IClientOptions`, applied last (they override everything above). Typed as
   * a plain object so that these typings do not depend on mqtt.js's.
   */
  readonly mqttOptions?: Readonly<Record<string, unknown>>;
}

/** A view on the same memory, never a copy. */
export function toBuffer(payload: Uint8Array): Buffer {
  return Buffer.isBuffer(payload)
    ? payload
    : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
}

/**
 * The mqtt.js client options MqttBus sets: a structural subset of mqtt.js's
 * `IClientOptions`, written here so that these typings never load mqtt.js's (which need
 * the DOM library: a project with `"lib": ["ES2023"]` and `skipLibCheck: false` would not
 * compile). `mqttOptions` entries are passed through as they are.
 */
export interface MqttClientOptions {
  /** 4 (MQTT 3.1.1) or 5. */
  readonly protocolVersion: 4 | 5;
  /** Clean session / clean start. */
  readonly clean: boolean;
  /** Milliseconds between reconnect attempts. */
  readonly reconnectPeriod: number;
  /** Milliseconds allowed for a connection. */
  readonly connectTimeout: number;
  /** MQTT keepalive, seconds. */
  readonly keepalive: number;
  /** Always false: the adapter resubscribes itself. */
  readonly resubscribe: boolean;
  /** Client identifier. */
  readonly clientId?: string;
  /** User name. */
  readonly username?: string;
  /** Password. */
  readonly password?: string;
  /** TLS: trusted CA certificates, PEM. */
  readonly ca?: string | Uint8Array | readonly (string | Uint8Array)[];
  /** TLS: client certificate, PEM. */
  readonly cert?: string | Uint8Array | readonly (string | Uint8Array)[];
  /** TLS: client key, PEM. */
  readonly key?: string | Uint8Array | readonly (string | Uint8Array)[];
  /** TLS: verify the broker's certificate. */
  readonly rejectUnauthorized?: boolean;
  /** MQTT 5 CONNECT properties. */
  readonly properties?: { readonly sessionExpiryInterval: number };
  /** The will: published by the broker when the connection is lost. */
  readonly will?: {
    /** Topic of the will. */
    readonly topic: string;
    /** Its payload. */
    readonly payload: Buffer;
    /** Its QoS. */
    readonly qos: MqttQos;
    /** Whether the broker retains it. */
    readonly retain: boolean;
    /** MQTT 5 will properties. */
    readonly properties?: { readonly messageExpiryInterval: number };
  };
  /** Raw options from {@link MqttBusOptions.mqttOptions}. */
  readonly [option: string]: unknown;
}

/** mqtt.js client options for `options`, with the will (if any) at `qos`. */
export function mqttClientOptions(
  o: MqttBusOptions,
  will: BusWill | undefined,
  qos: MqttQos,
): MqttClientOptions {
  const version = o.protocolVersion ?? 5;
  const clean = o.clean ?? true;
  const sessionExpiry = o.sessionExpirySeconds ?? (clean ? undefined : 3600);
  return {
    protocolVersion: version,
    clean,
    reconnectPeriod: o.reconnectPeriodMs ?? 1000,
    connectTimeout: o.connectTimeoutMs ?? 10_000,
    keepalive: o.keepaliveSeconds ?? 60,
    // The adapter resubscribes itself, so it knows when subscriptions are back.
    resubscribe: false,
    ...(o.clientId !== undefined && { clientId: o.clientId }),
    ...(o.username !== undefined && { username: o.username }),
    ...(o.password !== undefined && { password: o.password }),
    ...(o.ca !== undefined && { ca: o.ca }),
    ...(o.cert !== undefined && { cert: o.cert }),
    ...(o.key !== undefined && { key: o.key }),
    ...(o.rejectUnauthorized !== undefined && { rejectUnauthorized: o.rejectUnauthorized }),
    ...(version === 5 &&
      sessionExpiry !== undefined && { properties: { sessionExpiryInterval: sessionExpiry } }),
    ...(will !== undefined && {
      will: {
        topic: will.topic,
        payload: toBuffer(will.payload),
        qos,
        retain: will.retain === true,
        ...(version === 5 &&
          will.expirySeconds !== undefined && { properties: { messageExpiryInterval: will.expirySeconds } }),
      },
    }),
    ...o.mqttOptions,
  };
}

/**
 * Turns Nagle's algorithm off on the client's TCP socket. mqtt.js leaves it on, and an
 * orb answering a message writes two small packets back to back (the PUBACK, then its own
 * PUBLISH): the second then waits for the broker's delayed ACK, about 40 ms per hop.
 */
export function noDelay(client: object): void {
  const stream = (client as { stream?: { setNoDelay?: (on: boolean) => void } }).stream;
  stream?.setNoDelay?.(true);
}
