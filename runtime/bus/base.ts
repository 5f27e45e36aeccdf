/**
 * What every adapter shares: the status state machine and its listeners, the checks that
 * make bad input fail before anything changes, and the default JSON value encoding.
 * @packageDocumentation
 */

import { BusError, InvalidPayloadError } from "../errors.js";
import { checkJsonValue } from "./json-value.js";
import type {
  Bus,
  BusCapabilities,
  BusConnectOptions,
  BusStatus,
  BusStatusListener,
  MessageHandler,
  PublishOptions,
  Subscription,
  ValueHandler,
} from "./bus.js";
import { asError } from "../as-error.js";

/**
 * Allowed status transitions. `connecting` may also go back to itself when a first
 * connect fails (the bus stays usable for another `connect()`).
 */
const TRANSITIONS: Readonly<Record<BusStatus, readonly BusStatus[]>> = {
  connecting: ["connected", "closed"],
  connected: ["disconnected", "closed"],
  disconnected: ["reconnected", "closed"],
  reconnected: ["disconnected", "closed"],
  closed: [],
};

/** Reports an error that no caller can receive (a queued publish failing later, ...). */
export type BusErrorReporter = (error: Error) => void;

/** Options every adapter accepts. */
export interface BaseBusOptions {
  /**
   * Receives errors that happen after the call that caused them resolved (for example a
   * publish queued during an outage that the client later gives up on). Default:
   * `console.warn`.
   */
  readonly onError?: BusErrorReporter;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Encodes a JSON-compatible value to UTF-8 JSON bytes. The value is checked first by the
 * rule every bus applies ({@link checkJsonValue}), so a `Date` or a function is rejected
 * here exactly as LocalBus rejects it, instead of being turned into a string or dropped.
 * The bytes are a `Buffer`, for small values a view into Node's shared buffer pool: read
 * them through `byteOffset` and `byteLength`, never as the whole `.buffer`.
 * @throws InvalidPayloadError when the value is not JSON-compatible data.
 */
export function encodeJson(value: unknown): Uint8Array {
  checkJsonValue(value);
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new InvalidPayloadError("value is not JSON-serializable", [String(error)], { cause: error });
  }
  if (text === undefined)
    throw new InvalidPayloadError(`value of type ${typeof value} is not JSON-serializable`);
  // Buffer.from: a fifth of TextEncoder#encode's time for message-sized strings (measured).
  // A small one may be a view into Node's shared pool: read it through byteOffset/byteLength.
  return Buffer.from(text, "utf8");
}

/**
 * Decodes UTF-8 JSON bytes.
 * @throws InvalidPayloadError when the bytes are not UTF-8 JSON.
 */
export function decodeJson(payload: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(payload)) as unknown;
  } catch (error) {
    throw new InvalidPayloadError("payload is not UTF-8 JSON", [String(error)], { cause: error });
  }
}

/**
 * Throws {@link InvalidPayloadError} unless `payload` is a `Uint8Array` (a `Buffer` is one).
 */
export function checkPayload(payload: unknown): asserts payload is Uint8Array {
  if (!(payload instanceof Uint8Array)) {
    const got = payload === null ? "null" : Array.isArray(payload) ? "array" : typeof payload;
    throw new InvalidPayloadError(`payload must be a Uint8Array (or Buffer), got ${got}`);
  }
}

/** Wraps anything thrown by a client library into a {@link BusError} (kept as `cause`). */
export function toBusError(error: unknown, message: string): BusError {
  if (error instanceof BusError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new BusError("ERR_BUS", `${message}: ${detail}`, { cause: error });
}

/**
 * Base class of the adapters: one `status` field driven through a transition table, status
 * listeners, closed/not-connected checks and the default `publishValue`/`subscribeValue`
 * (JSON encoded once per publish, decoded once per delivery).
 */
export abstract class BaseBus implements Bus {
  abstract readonly kind: string;
  abstract readonly capabilities: BusCapabilities;

  #status: BusStatus = "connecting";
  #connecting: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  readonly #listeners = new Set<BusStatusListener>();
  /** Where errors nobody awaits go. */
  protected readonly reportError: BusErrorReporter;

  constructor(options: BaseBusOptions = {}) {
    this.reportError =
      options.onError ??
      ((error) => {
        console.warn(`[orbitalis ${this.kind} bus]`, error);
      });
  }

  /** Current connection status. */
  get status(): BusStatus {
    return this.#status;
  }

  /**
   * Moves to `next` if the transition table allows it and notifies listeners. Returns
   * whether the status changed. Listeners that throw are reported, never propagated.
   */
  protected setStatus(next: BusStatus, error?: Error): boolean {
    const current = this.#status;
    if (current === next || !TRANSITIONS[current].includes(next)) return false;
    this.#status = next;
    for (const listener of [...this.#listeners]) {
      try {
        listener(next, error);
      } catch (listenerError) {
        this.reportError(toBusError(listenerError, "status listener threw"));
      }
    }
    return true;
  }

  /** True once `connect()` succeeded and until `close()`. */
  protected get isOpen(): boolean {
    const s = this.#status;
    return s !== "connecting" && s !== "closed";
  }

  /**
   * The error an operation must reject with when the bus cannot take it now, or
   * `undefined` when it can.
   */
  protected unusable(operation: string): BusError | undefined {
    const s = this.#status;
    if (s === "closed")
      return new BusError("ERR_BUS_CLOSED", `cannot ${operation}: the ${this.kind} bus is closed`);
    if (s === "connecting") {
      return new BusError(
        "ERR_BUS_NOT_CONNECTED",
        `cannot ${operation}: the ${this.kind} bus is not connected yet`,
      );
    }
    return undefined;
  }

  /** The `ERR_BUS_CLOSED` error for `operation`. */
  protected closedError(operation: string): BusError {
    return new BusError("ERR_BUS_CLOSED", `cannot ${operation}: the ${this.kind} bus is closed`);
  }

  /**
   * After `close()`: back to `connecting`, so that `connect()` opens a new session (an orb
   * that stops and starts again, with a new will). Adapters call it from `connect()`.
   */
  protected reopen(): void {
    if (this.#status !== "closed") return;
    this.#status = "connecting";
    for (const listener of [...this.#listeners]) {
      try {
        listener("connecting");
      } catch (listenerError) {
        this.reportError(toBusError(listenerError, "status listener threw"));
      }
    }
  }

  /** True once `close()` was called (read fresh: no narrowing across awaits). */
  protected isClosed(): boolean {
    return this.#status === "closed";
  }

  /** Watches status changes; returns a function that stops watching. */
  onStatus(listener: BusStatusListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /**
   * Connects once (concurrent calls share the attempt); a no-op when connected. After
   * `close()` it waits for the shutdown, lets the adapter forget its old client and opens a
   * new session (an orb that stops and starts again).
   */
  connect(options?: BusConnectOptions): Promise<void> {
    if (this.isClosed()) {
      return (async () => {
        await this.#closing;
        this.#closing = undefined;
        this.resetAfterClose();
        this.reopen();
        return this.connect(options);
      })();
    }
    if (this.status !== "connecting") return Promise.resolve();
    return (this.#connecting ??= this.open(options).finally(() => {
      this.#connecting = undefined;
    }));
  }

  /** Closes once (concurrent and later calls share the shutdown). */
  close(): Promise<void> {
    return (this.#closing ??= this.shutdown());
  }

  /** `await using bus = ...`: closes the bus when the scope ends (same as {@link close}). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Opens the connection; called by `connect()` while the status is `connecting`. */
  protected abstract open(options?: BusConnectOptions): Promise<void>;
  /** Closes the connection; called once per `close()`, after which the status is `closed`. */
  protected abstract shutdown(): Promise<void>;
  /** Forgets the closed client before a new session; adapters override as needed. */
  protected resetAfterClose(): void {}
  abstract publish(topic: string, payload: Uint8Array, options?: PublishOptions): Promise<void>;
  abstract subscribe(filter: string, onMessage: MessageHandler): Promise<Subscription>;

  /**
   * Encodes `value` to UTF-8 JSON once, then publishes the bytes. Not `async` (every
   * message of an orb goes through here): the adapter's promise is returned as is, and
   * what this throws becomes a rejection all the same.
   */
  publishValue(topic: string, value: unknown, options?: PublishOptions): Promise<void> {
    try {
      const refused = this.unusable("publish");
      if (refused) throw refused;
      return this.publish(topic, encodeJson(value), options);
    } catch (error) {
      return Promise.reject(asError(error));
    }
  }

  /** Subscribes and decodes each delivery from UTF-8 JSON; failures go to `onInvalid`. */
  async subscribeValue(
    filter: string,
    onValue: ValueHandler,
    onInvalid?: (topic: string, error: Error) => void,
  ): Promise<Subscription> {
    return this.subscribe(filter, (topic, payload) => {
      // An empty payload clears a retained message (MQTT): it carries no value.
      if (payload.byteLength === 0) return;
      let value: unknown;
      try {
        value = decodeJson(payload);
      } catch (error) {
        onInvalid?.(topic, error as Error);
        return;
      }
      onValue(topic, value);
    });
  }
}

/** Waits for `promise` (its rejection ignored) for at most `ms` milliseconds. */
export async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}
