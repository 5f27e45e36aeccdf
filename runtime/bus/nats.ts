/**
 * NATS adapter on @nats-io/transport-node (NATS core: at-most-once). See docs/buses.md.
 *
 * Topic translation: levels are joined with `.` instead of `/`; in filters `+` becomes `*`
 * and `#` becomes `>`. Because NATS gives `.`, `*`, `>` and whitespace a meaning and has no
 * empty tokens, a topic or filter level that contains one of them, or is empty, is
 * rejected with an {@link InvalidTopicError} saying why.
 * @packageDocumentation
 */

// Types only: the client is an optional peer dependency, loaded when the bus connects.
import type {
  NatsConnection,
  NodeConnectionOptions,
  Subscription as NatsSubscription,
} from "@nats-io/transport-node";
import { BusError, InvalidTopicError } from "../errors.js";
import { BaseBus, checkPayload, settleWithin, toBusError, type BaseBusOptions } from "./base.js";
import { loadClient } from "./load-client.js";
import type {
  BusCapabilities,
  BusConnectOptions,
  MessageHandler,
  PublishOptions,
  Subscription,
} from "./bus.js";
import { validateFilter, validateTopic } from "./topic.js";

/** Options of {@link NatsBus}. */
export interface NatsBusOptions extends BaseBusOptions {
  /** Server URL(s), e.g. `nats://127.0.0.1:4222`. Default `127.0.0.1:4222`. */
  readonly servers?: string | string[];
  /** Alias of `servers` for a single URL (`servers` wins when both are given). */
  readonly url?: string;
  /** Client name shown by the server's monitoring. */
  readonly name?: string;
  readonly user?: string;
  readonly pass?: string;
  readonly token?: string;
  /** Delay between reconnect attempts. Default 1000 ms. */
  readonly reconnectTimeWaitMs?: number;
  /** Reconnect attempts per server before giving up; -1 (default) never gives up. */
  readonly maxReconnectAttempts?: number;
  /** Time allowed for the first connection. Default 10,000 ms. */
  readonly connectTimeoutMs?: number;
  /**
   * Raw @nats-io/transport-node `NodeConnectionOptions`, applied last. Typed as a plain
   * object so that these typings do not depend on the client's.
   */
  readonly natsOptions?: Readonly<Record<string, unknown>>;
}

const NATS_CAPABILITIES: BusCapabilities = Object.freeze({ will: false, retain: false, values: false });

// Characters NATS reserves inside a token, plus whitespace it forbids. A `.` inside a level
// is carried escaped (spec rule BIND-6), so only these cannot be carried at all.
const NATS_RESERVED = /[*>\s]/;
// What needs escaping or checking in a topic: fast paths skip topics without any.
const NEEDS_CARE = /[.%*>\s]|\/\/|^\/|\/$/;

function explainLevel(original: string, level: string, what: string): void {
  if (level.length === 0) {
    throw new InvalidTopicError(
      original,
      `NATS cannot carry empty ${what} levels (leading, trailing or double '/')`,
    );
  }
  const bad = NATS_RESERVED.exec(level);
  if (bad !== null) {
    const char = /\s/.test(bad[0]) ? "whitespace" : `'${bad[0]}'`;
    throw new InvalidTopicError(
      original,
      `NATS cannot carry ${char} inside a ${what} level (${JSON.stringify(level)})`,
    );
  }
}

/**
 * A topic checked ({@link validateTopic}) and translated: orbs publish to the same few
 * topics again and again, so each is checked and translated once (a bounded cache).
 */
function subjectOf(topic: string): string {
  let subject = SUBJECTS.get(topic);
  if (subject === undefined) {
    validateTopic(topic);
    subject = topicToSubject(topic);
    if (SUBJECTS.size >= CACHED_NAMES) SUBJECTS.clear();
    SUBJECTS.set(topic, subject);
  }
  return subject;
}

/** A received subject as a topic, translated once per subject (a bounded cache). */
function topicOf(subject: string): string {
  let topic = TOPICS.get(subject);
  if (topic === undefined) {
    topic = subject.includes("%")
      ? subject.split(".").map(unescapeLevel).join("/")
      : subject.replaceAll(".", "/");
    if (TOPICS.size >= CACHED_NAMES) TOPICS.clear();
    TOPICS.set(subject, topic);
  }
  return topic;
}

/** Names each cache of {@link subjectOf} / {@link topicOf} holds at most (cleared when full). */
const CACHED_NAMES = 4096;
const SUBJECTS = new Map<string, string>();
const TOPICS = new Map<string, string>();

/**
 * A topic level as a NATS token: `%` as `%25` and `.` as `%2E` (spec rule BIND-6), so an
 * orb id or operation name with a dot stays one level.
 */
function escapeLevel(level: string): string {
  return level.replaceAll("%", "%25").replaceAll(".", "%2E");
}

/** The inverse of {@link escapeLevel}. */
function unescapeLevel(token: string): string {
  return token.replaceAll("%2E", ".").replaceAll("%25", "%");
}

/**
 * Translates a valid topic into a NATS subject (`a/b` -> `a.b`; a `.` inside a level is
 * written `%2E`, a `%` `%25`).
 * @throws InvalidTopicError for levels NATS cannot carry.
 */
export function topicToSubject(topic: string): string {
  // Fast path: nothing to escape, nothing reserved and no empty level.
  if (!NEEDS_CARE.test(topic)) return topic.replaceAll("/", ".");
  const levels = topic.split("/");
  for (const level of levels) explainLevel(topic, level, "topic");
  return levels.map(escapeLevel).join(".");
}

/**
 * Translates a valid filter into the NATS subjects to subscribe to: `a/+/c` -> `a.*.c`,
 * `#` -> `>`, and `a/#` -> `a.>` plus `a` (MQTT's `a/#` also matches `a` itself, NATS's
 * `a.>` does not).
 * @throws InvalidTopicError for levels NATS cannot carry.
 */
export function filterToSubjects(filter: string): string[] {
  const levels = filter.split("/");
  const out: string[] = [];
  for (const level of levels) {
    if (level === "+") out.push("*");
    else if (level === "#") out.push(">");
    else {
      explainLevel(filter, level, "filter");
      out.push(escapeLevel(level));
    }
  }
  if (out.length > 1 && out[out.length - 1] === ">") return [out.join("."), out.slice(0, -1).join(".")];
  return [out.join(".")];
}

/**
 * A NATS client. Capabilities: no will, no retained messages (NATS core has neither).
 * Each `subscribe()` is its own NATS subscription (two for `prefix/#`).
 */
export class NatsBus extends BaseBus {
  /** Always `"nats"`. */
  readonly kind = "nats";
  /** `{ will: false, retain: false, values: false }`. */
  readonly capabilities: BusCapabilities = NATS_CAPABILITIES;
  readonly #options: NatsBusOptions;
  #nc: NatsConnection | undefined;
  readonly #subs = new Set<NatsSubscription[]>();

  constructor(options: NatsBusOptions = {}) {
    super(options);
    this.#options = options;
  }

  /**
   * The underlying `NatsConnection`, once connected (for diagnostics; cast it to the
   * client's type to use it).
   */
  get connection(): unknown {
    return this.#nc;
  }

  /**
   * Connects. Resolves once the server accepted the connection; rejects with a `BusError`
   * (library error as `cause`) if the first connection fails. A will is ignored (see
   * `capabilities.will`).
   */
  protected override open(_options?: BusConnectOptions): Promise<void> {
    return this.#open();
  }

  protected override resetAfterClose(): void {
    this.#nc = undefined;
  }

  async #open(): Promise<void> {
    const o = this.#options;
    const servers = o.servers ?? o.url ?? "127.0.0.1:4222";
    const nats = await loadClient(
      "@nats-io/transport-node",
      "NatsBus",
      () => import("@nats-io/transport-node"),
    );
    if (this.isClosed()) throw this.closedError("connect");
    let nc: NatsConnection;
    try {
      nc = await nats.connect({
        servers,
        maxReconnectAttempts: o.maxReconnectAttempts ?? -1,
        reconnectTimeWait: o.reconnectTimeWaitMs ?? 1000,
        timeout: o.connectTimeoutMs ?? 10_000,
        ...(o.name !== undefined && { name: o.name }),
        ...(o.user !== undefined && { user: o.user }),
        ...(o.pass !== undefined && { pass: o.pass }),
        ...(o.token !== undefined && { token: o.token }),
        ...(o.natsOptions as NodeConnectionOptions | undefined),
      });
    } catch (error) {
      throw toBusError(error, `nats connect to ${String(servers)} failed`);
    }
    if (this.isClosed()) {
      await nc.close();
      throw this.closedError("connect");
    }
    this.#nc = nc;
    void this.#watch(nc);
    this.setStatus("connected");
  }

  async #watch(nc: NatsConnection): Promise<void> {
    let lastError: Error | undefined;
    try {
      for await (const s of nc.status()) {
        switch (s.type) {
          case "error":
            lastError = s.error;
            break;
          case "disconnect":
            this.setStatus("disconnected", lastError);
            lastError = undefined;
            break;
          case "reconnect":
            // The client sent our SUBs during its handshake; a round trip proves the
            // server has them before we say "reconnected".
            try {
              await nc.flush();
              this.setStatus("reconnected");
            } catch {
              // Dropped again (or closed): the next status says what happened.
            }
            break;
          default:
            break;
        }
      }
    } catch (error) {
      if (!this.isClosed()) this.reportError(toBusError(error, "nats status stream failed"));
    }
    // The status stream ends when the connection closed for good.
    if (!this.isClosed() && nc.isClosed()) {
      const reason = await nc.closed();
      this.reportError(
        new BusError("ERR_BUS", "nats connection closed and will not reconnect", { cause: reason }),
      );
    }
  }

  /**
   * Hands the message to the client, which writes it (buffering it during an outage and
   * sending it after reconnecting). Resolves at once (NATS core has no acknowledgement).
   * Rejects with `InvalidTopicError` (also for levels NATS cannot carry),
   * `InvalidPayloadError`, `ERR_BUS_NOT_CONNECTED`, `ERR_BUS_CLOSED`, or a `BusError` from
   * the client (for example a payload above the server's `max_payload`).
   */
  // eslint-disable-next-line @typescript-eslint/require-await -- async: errors become rejections
  async publish(topic: string, payload: Uint8Array, _options?: PublishOptions): Promise<void> {
    const refused = this.unusable("publish");
    if (refused) throw refused;
    const subject = subjectOf(topic); // checks the topic
    checkPayload(payload);
    try {
      (this.#nc as NatsConnection).publish(subject, payload);
    } catch (error) {
      throw toBusError(error, `nats publish to ${subject} failed`);
    }
  }

  /**
   * Subscribes; resolves once the server confirmed (a flush round trip; during an outage,
   * after reconnecting).
   */
  async subscribe(filter: string, onMessage: MessageHandler): Promise<Subscription> {
    const refused = this.unusable("subscribe");
    if (refused) throw refused;
    validateFilter(filter);
    const subjects = filterToSubjects(filter);
    const nc = this.#nc as NatsConnection;
    // MQTT: a filter starting with a wildcard never matches a topic starting with '$'.
    const guardDollar = filter.startsWith("+") || filter.startsWith("#");
    let active = true;
    const callback = (error: Error | null, msg: { subject: string; data: Uint8Array }): void => {
      if (error !== null) {
        if (!this.isClosed()) this.reportError(toBusError(error, `nats subscription ${filter} failed`));
        return;
      }
      if (!active || (guardDollar && msg.subject.charCodeAt(0) === 36)) return;
      try {
        onMessage(topicOf(msg.subject), msg.data);
      } catch (handlerError) {
        this.reportError(toBusError(handlerError, `nats subscriber of ${filter} threw`));
      }
    };
    let natsSubs: NatsSubscription[];
    try {
      natsSubs = subjects.map((subject) => nc.subscribe(subject, { callback }));
    } catch (error) {
      throw toBusError(error, `nats subscribe to ${filter} failed`);
    }
    this.#subs.add(natsSubs);
    try {
      await nc.flush();
    } catch (error) {
      active = false;
      this.#subs.delete(natsSubs);
      if (this.isClosed()) throw this.closedError("subscribe");
      throw toBusError(error, `nats subscribe to ${filter} failed`);
    }
    let done: Promise<void> | undefined;
    return {
      filter,
      unsubscribe: () =>
        (done ??= (async () => {
          active = false;
          if (!this.#subs.delete(natsSubs)) return;
          for (const s of natsSubs) s.unsubscribe();
          if (this.status === "connected" || this.status === "reconnected") {
            await nc.flush().catch(() => undefined);
          }
        })()),
    };
  }

  /**
   * Flushes what is pending (when connected, up to 2 s) and closes. Idempotent; later
   * calls reject with `ERR_BUS_CLOSED`.
   */
  protected override shutdown(): Promise<void> {
    return this.#shutdown();
  }

  async #shutdown(): Promise<void> {
    const nc = this.#nc;
    const wasUp = this.status === "connected" || this.status === "reconnected";
    this.setStatus("closed");
    this.#subs.clear();
    if (nc === undefined) return;
    if (wasUp) await settleWithin(nc.flush(), 2000);
    await nc.close().catch(() => undefined);
  }
}
