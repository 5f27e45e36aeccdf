/**
 * Inbound dispatch: validates what arrives against the protocol and hands each message to
 * the one handler registered for its kind. The orb's own parts (status, ping, close,
 * presence) and its roles register their handlers; a kind has at most one. While the orb
 * stops, only the kinds registered as such still get through (results of in-flight work,
 * the close handshake).
 */
import {
  AuthenticationError,
  InternalError,
  InvalidMessageError,
  UnsupportedVersionError,
} from "../errors.js";
import {
  PROTOCOL_VERSION,
  validateMessage,
  type MessageKind,
  type OrbitalisMessage,
} from "../../generated/protocol/index.js";
import type { PartContext } from "./context.js";
import type { InboundHandler, RoleInbound } from "./role-host.js";

export interface InboundHost extends Pick<PartContext, "id" | "running" | "reportError"> {
  stopping(): boolean;
  /** What the message says about its sender's liveness; false when it must be ignored. */
  witness(message: OrbitalisMessage): boolean;
  /** A message from this orb's own id (another epoch: another instance using our id). */
  sameId(message: OrbitalisMessage): void;
  emitError(error: Error): void;
  /** Why a message must be dropped (message authentication), or undefined. */
  authenticate?(message: OrbitalisMessage): string | undefined;
}

/** A validated message, the errors that make it invalid, or the error validation threw. */
export type Validation =
  | { readonly ok: true; readonly value: OrbitalisMessage }
  | { readonly ok: false; readonly errors: readonly string[]; readonly error?: undefined }
  | { readonly ok: false; readonly errors?: undefined; readonly error: unknown };

/** Senders of another protocol major remembered (so each is reported once) at most. */
const VERSION_REPORTS = 1024;

export class Inbound {
  /** `from\0v` of the messages of another major already reported (VER-1: once each). */
  private readonly otherMajors = new Set<string>();
  private readonly handlers = new Map<MessageKind, { handle: InboundHandler; whileStopping: boolean }>();

  constructor(private readonly host: InboundHost) {}

  /** Registers `part`'s handlers (and, with `stoppable`, the kinds it takes while stopping). */
  register(part: RoleInbound, stoppable: boolean): void {
    for (const [kind, handle] of Object.entries(part.handlers) as [MessageKind, InboundHandler][]) {
      if (this.handlers.has(kind)) throw new InternalError(`two handlers for ${kind}`);
      this.handlers.set(kind, {
        handle,
        whileStopping: stoppable && (part.whileStopping as readonly string[]).includes(kind),
      });
    }
  }

  /**
   * A decoded value arrived on `topic`: validated (an invalid one is reported and dropped),
   * never our own, read for liveness, then dispatched. Never throws.
   */
  receive(topic: string, value: unknown): void {
    const host = this.host;
    const result = this.validate(value);
    if (!result.ok) {
      if (result.error) host.reportError(result.error, `could not validate a message on ${topic}`);
      else this.reportInvalid(topic, value, result.errors ?? []);
      return;
    }
    const refused = host.authenticate?.(result.value);
    if (refused !== undefined) {
      const { kind, from } = result.value;
      host.emitError(new AuthenticationError(`dropped a ${kind} from ${from} on ${topic}: ${refused}`));
      return;
    }
    this.receiveValid(result.value);
  }

  /** A validated message: never our own, read for liveness, then dispatched. Never throws. */
  receiveValid(message: OrbitalisMessage): void {
    const host = this.host;
    // Never our own (an orb does not connect to itself); another instance of our id is reported.
    if (message.from === host.id) return host.sameId(message);
    if (!host.running() && !host.stopping() && message.kind !== "presence") return;
    try {
      if (host.witness(message)) this.dispatch(message);
    } catch (error) {
      host.reportError(error, `failed handling ${message.kind} from ${message.from}`);
    }
  }

  /**
   * Reports a message that failed validation. One of another major version (spec VER-1)
   * says so, once per sender and version: an orb of another generation on the same bus is
   * not an error per message.
   */
  private reportInvalid(topic: string, value: unknown, errors: readonly string[]): void {
    const { v, from } = (value ?? {}) as { v?: unknown; from?: unknown };
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v === PROTOCOL_VERSION) {
      this.host.emitError(new InvalidMessageError(`dropped an invalid message on ${topic}`, errors));
      return;
    }
    const sender = typeof from === "string" ? JSON.stringify(from).slice(0, 140) : undefined;
    const key = `${sender ?? ""}\u0000${v}`;
    if (this.otherMajors.has(key)) return;
    if (this.otherMajors.size >= VERSION_REPORTS) this.otherMajors.clear();
    this.otherMajors.add(key);
    this.host.emitError(
      new UnsupportedVersionError(
        v,
        `dropped a message of protocol version ${v}${sender === undefined ? "" : ` from ${sender}`} on ${topic}: ` +
          `this orb speaks version ${PROTOCOL_VERSION} (further messages of version ${v} from this sender are dropped silently)`,
      ),
    );
  }

  /** Validates a decoded value against the protocol. Never throws. */
  validate(value: unknown): Validation {
    try {
      const result = validateMessage(value);
      return result.ok ? { ok: true, value: result.value } : { ok: false, errors: result.errors };
    } catch (error) {
      return { ok: false, error };
    }
  }

  /**
   * Hands `message` to its kind's handler; nothing happens for kinds nobody handles here.
   * While starting (subscribed, not running yet) only presences pass: what the bus hands a
   * new subscriber (retained presences) says who is around.
   */
  dispatch(message: OrbitalisMessage): void {
    const entry = this.handlers.get(message.kind);
    if (!entry) return;
    const host = this.host;
    if (!host.running() && (host.stopping() ? !entry.whileStopping : message.kind !== "presence")) return;
    entry.handle(message);
  }
}
