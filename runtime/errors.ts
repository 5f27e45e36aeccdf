/**
 * Errors thrown or reported by Orbitalis. Every error is an {@link OrbitalisError} with a
 * stable `code` string (safe to switch on, never reworded) and, where another error caused
 * it, that error as `cause`. Each class has its own code (a {@link BusError} one of
 * {@link BusErrorCode}; an {@link OperationError} the one its handler chose), named in its
 * documentation; `test/unit/errors-codes.test.ts` keeps the list, and fails on a plain
 * `new Error(` anywhere else in `runtime/`.
 * @packageDocumentation
 */
import type { UnmetRequirement } from "./orb/unmet.js";

/** Stable error codes. A code never changes meaning once released. */
export type ErrorCode =
  | "ERR_CONFIG"
  | "ERR_BUS"
  | "ERR_BUS_CLOSED"
  | "ERR_BUS_NOT_CONNECTED"
  | "ERR_BUS_CLIENT_MISSING"
  | "ERR_INVALID_TOPIC"
  | "ERR_INVALID_PAYLOAD"
  | "ERR_INVALID_MESSAGE"
  | "ERR_UNSUPPORTED_VERSION"
  | "ERR_NO_CONNECTION"
  | "ERR_REQUEST_TIMEOUT"
  | "ERR_REMOTE_OPERATION"
  | "ERR_CONNECTION_CLOSED"
  | "ERR_NOT_RUNNING"
  | "ERR_TIMEOUT"
  | "ERR_COMPLIANCE_TIMEOUT"
  | "ERR_ABORTED"
  | "ERR_CONTRACT"
  | "ERR_DUPLICATE_ID"
  | "ERR_LIMIT"
  | "ERR_AUTH"
  | "ERR_SCHEMA"
  | "ERR_INTERNAL"
  | "ERR_THROWN_VALUE";

/**
 * Base class of every Orbitalis error. `Code` is {@link ErrorCode} for the errors Orbitalis
 * raises; an {@link OperationError} carries the code its handler chose.
 */
export class OrbitalisError<Code extends string = ErrorCode> extends Error {
  /** Stable machine-readable code. */
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * Invalid or contradictory configuration, thrown at construction (or at the call, for a
 * call's options); `field` names the offending option. Code `ERR_CONFIG`.
 */
export class ConfigError extends OrbitalisError {
  /** Path of the offending option, e.g. `requires.turn_on.minimum`. */
  readonly field: string;
  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super("ERR_CONFIG", `${field}: ${message}`, options);
    this.field = field;
  }
}

/** Codes a {@link BusError} may carry. */
export type BusErrorCode =
  "ERR_BUS" | "ERR_BUS_CLOSED" | "ERR_BUS_NOT_CONNECTED" | "ERR_BUS_CLIENT_MISSING" | "ERR_INVALID_TOPIC";

/**
 * A bus adapter failed: `ERR_BUS_NOT_CONNECTED` (used before `connect()` resolved),
 * `ERR_BUS_CLOSED` (used after `close()`), `ERR_BUS_CLIENT_MISSING` (the broker's client
 * library is not installed), or `ERR_BUS` (the broker refused, or the client library threw:
 * then the library's error is the `cause`).
 */
export class BusError extends OrbitalisError {
  constructor(code: BusErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A topic or topic filter that the protocol or the adapter cannot use. Code `ERR_INVALID_TOPIC` (a {@link BusError}). */
export class InvalidTopicError extends BusError {
  /** The rejected topic or filter. */
  readonly topic: string;
  constructor(topic: string, message: string) {
    super("ERR_INVALID_TOPIC", `invalid topic ${JSON.stringify(topic)}: ${message}`);
    this.topic = topic;
  }
}

/**
 * Data that matches none of the accepted schemas, is not a JSON value, or is not bytes
 * where bytes are required. Code `ERR_INVALID_PAYLOAD`.
 */
export class InvalidPayloadError extends OrbitalisError {
  /** Validation errors, one line each, when a schema rejected the data. */
  readonly details: readonly string[];
  constructor(message: string, details: readonly string[] = [], options?: { cause?: unknown }) {
    super("ERR_INVALID_PAYLOAD", details.length > 0 ? `${message}: ${details.join("; ")}` : message, options);
    this.details = details;
  }
}

/** A protocol message that does not conform to the spec. Code `ERR_INVALID_MESSAGE`. */
export class InvalidMessageError extends OrbitalisError {
  /** Validation errors, one line each (JSON pointer and reason). */
  readonly details: readonly string[];
  constructor(message: string, details: readonly string[] = []) {
    super("ERR_INVALID_MESSAGE", details.length > 0 ? `${message}: ${details.join("; ")}` : message);
    this.details = details;
  }
}

/**
 * A protocol message of another major version (its `v`), dropped unread (spec rule VER-1):
 * an orb of another protocol generation shares the bus. Code `ERR_UNSUPPORTED_VERSION`.
 */
export class UnsupportedVersionError extends OrbitalisError {
  /** The message's `v`. */
  readonly version: number;
  constructor(version: number, message: string) {
    super("ERR_UNSUPPORTED_VERSION", message);
    this.version = version;
  }
}

/**
 * No connection can take the operation (none exists, none accepts the data, the operation
 * is push-only or not required). Code `ERR_NO_CONNECTION`.
 */
export class NoConnectionError extends OrbitalisError {
  constructor(message: string) {
    super("ERR_NO_CONNECTION", message);
  }
}

/**
 * Waiting for something took longer than allowed: a state or event, or the answer to
 * `status()` or `ping()` (code `ERR_TIMEOUT`); as its subclasses say, a request's answer
 * ({@link RequestTimeoutError}, `ERR_REQUEST_TIMEOUT`) or compliance
 * ({@link ComplianceTimeoutError}, `ERR_COMPLIANCE_TIMEOUT`). `catch (e) { if (e instanceof
 * TimeoutError) ... }` takes every timeout. A deadline counts from the call, whatever the
 * bus does with the message meanwhile, and the error's `stack` is the caller's: it is
 * created when the call is made.
 */
export class TimeoutError extends OrbitalisError {
  /** @param code a subclass's own stable code (default `ERR_TIMEOUT`). */
  constructor(message: string, code: ErrorCode = "ERR_TIMEOUT") {
    super(code, message);
  }
}

/**
 * A request got no answer within its `timeoutMs`, counted from the call (code
 * `ERR_REQUEST_TIMEOUT`; a {@link TimeoutError}).
 */
export class RequestTimeoutError extends TimeoutError {
  constructor(message: string) {
    super(message, "ERR_REQUEST_TIMEOUT");
  }
}

/**
 * The remote operation failed: its handler threw, or the plugin refused the input. Code
 * `ERR_REMOTE_OPERATION`; `remoteCode` is the code the plugin sent: the handler's own (see
 * {@link OperationError}), or `INVALID_INPUT`, `INVALID_OUTPUT`, `HANDLER_ERROR` (or
 * `CLOSING`, as the `cause` of a {@link ConnectionClosedError}).
 */
export class RemoteOperationError extends OrbitalisError {
  /** The code the plugin sent. */
  readonly remoteCode: string;
  /** The data the handler attached to its {@link OperationError}, if any. */
  readonly data: unknown;
  constructor(remoteCode: string, message: string, data?: unknown) {
    super("ERR_REMOTE_OPERATION", message);
    this.remoteCode = remoteCode;
    this.data = data;
  }
}

/**
 * Thrown by an operation handler to fail with its own code (and optional JSON data): the
 * caller's `request()` rejects with a {@link RemoteOperationError} whose `remoteCode` and
 * `data` are these.
 *
 * ```ts
 * throw new OperationError("NOT_FOUND", `no lamp ${id}`, { id });
 * ```
 * `code`: 1-64 of `A-Z a-z 0-9 _ . : -`, starting with a letter or digit.
 */
export class OperationError extends OrbitalisError<string> {
  /** JSON data for the caller (sent as the error message's `data`). */
  readonly data: unknown;
  constructor(code: string, message: string, data?: unknown, options?: { cause?: unknown }) {
    if (RESERVED_CODES.includes(code)) {
      throw new ConfigError(
        "code",
        `${JSON.stringify(code)} is a code plugins send themselves (${RESERVED_CODES.join(", ")}): choose your own`,
      );
    }
    if (typeof code !== "string" || !OPERATION_ERROR_CODE.test(code)) {
      throw new ConfigError(
        "code",
        `${JSON.stringify(code)} is not a valid operation error code: use 1-64 characters from A-Z a-z 0-9 _ . : - starting with a letter or digit`,
      );
    }
    super(code, message, options);
    this.data = data;
  }
}

/** Codes plugins send themselves (see PLUGIN_ERROR_CODES): a handler may not use them. */
const RESERVED_CODES: readonly string[] = ["INVALID_INPUT", "INVALID_OUTPUT", "HANDLER_ERROR", "CLOSING"];

/** Codes an {@link OperationError} may carry (the protocol's error code pattern). */
export const OPERATION_ERROR_CODE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

/**
 * The wait was cancelled through its `AbortSignal`; `cause` is the signal's reason. Code
 * `ERR_ABORTED`; its `name` is `"AbortError"`, as for the platform's own aborted operations.
 */
export class AbortError extends OrbitalisError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("ERR_ABORTED", message, options);
  }
}

/**
 * The connection closed while a request on it was pending, or was closing when the input
 * arrived (the plugin answered `CLOSING`: the input was not run, another plugin may take
 * it). Code `ERR_CONNECTION_CLOSED`.
 */
export class ConnectionClosedError extends OrbitalisError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("ERR_CONNECTION_CLOSED", message, options);
  }
}

/**
 * An operation that needs a started orb was called on one that is not running, or the orb
 * stopped (or failed to start) while the call waited. Code `ERR_NOT_RUNNING`.
 */
export class NotRunningError extends OrbitalisError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("ERR_NOT_RUNNING", message, options);
  }
}

/**
 * `compliant({ timeoutMs })` ran out: a {@link TimeoutError} (code
 * `ERR_COMPLIANCE_TIMEOUT`) that says, in its message and in `missing`, each unmet
 * requirement and why the plugins the core heard of were not connected.
 */
export class ComplianceTimeoutError extends TimeoutError {
  /** The unmet requirements at the time it ran out. */
  readonly missing: readonly UnmetRequirement[];
  /** @param message What is missing, in words; `missing` the same as data. */
  constructor(message: string, missing: readonly UnmetRequirement[]) {
    super(message, "ERR_COMPLIANCE_TIMEOUT");
    this.missing = missing;
  }
}

/**
 * Two live orbs use the same id (a zombie process, a copied configuration). Reported on the
 * `error` event of the orbs that see it (both instances, and their peers); the instance a
 * peer was connected to first keeps its connections, the other is ignored by that peer.
 * Code `ERR_DUPLICATE_ID`.
 */
export class DuplicateIdError extends OrbitalisError {
  /** The id used twice. */
  readonly orb: string;
  /** The epochs of the two instances: the one kept (or this orb's own) first. */
  readonly epochs: readonly [kept: string, other: string];
  constructor(orb: string, kept: string, other: string, message: string) {
    super("ERR_DUPLICATE_ID", message);
    this.orb = orb;
    this.epochs = [kept, other];
  }
}

/** A limit was reached (its option is `limit`, named in the message too); nothing was sent. Code `ERR_LIMIT`. */
export class LimitError extends OrbitalisError {
  /** The option whose limit was reached. */
  readonly limit: string;
  constructor(limit: string, message: string) {
    super("ERR_LIMIT", message);
    this.limit = limit;
  }
}

/**
 * A message was dropped by message authentication (the `auth` option): unsigned, signed
 * with an unknown key or wrongly, outside the replay window, or a replay. Code `ERR_AUTH`.
 */
export class AuthenticationError extends OrbitalisError {
  constructor(message: string) {
    super("ERR_AUTH", message);
  }
}

/** A user's AsyncAPI contract (or the protocol spec) is invalid; `location` names where. Code `ERR_CONTRACT`. */
export class ContractError extends OrbitalisError {
  /** File, JSON pointer or line of the problem. */
  readonly location: string;
  constructor(location: string, message: string) {
    super("ERR_CONTRACT", `${location}: ${message}`);
    this.location = location;
  }
}

/**
 * A JSON Schema that cannot be used (code `ERR_SCHEMA`): one another orb sent that is too
 * large or nested too deep to compile (`REMOTE_SCHEMA_LIMITS`), or whose fingerprint is not
 * that of its schema (the peer's spec is then unusable, and the peer is skipped as
 * `unusable-schema`); a `format` Orbitalis does not check in a schema of one's own (the
 * `cause` of the {@link ConfigError} that names the option); a value with no canonical
 * JSON form to fingerprint.
 */
export class SchemaError extends OrbitalisError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("ERR_SCHEMA", message, options);
  }
}

/**
 * An invariant of Orbitalis itself does not hold (an illegal state transition, a message
 * kind with two handlers): a bug in Orbitalis, not in the code using it. Code
 * `ERR_INTERNAL`; please report it with its message and stack.
 */
export class InternalError extends OrbitalisError {
  constructor(message: string) {
    super("ERR_INTERNAL", `internal: ${message}`);
  }
}

/**
 * Something that is not an `Error` was thrown (a string, a plain object) where Orbitalis
 * catches errors: by a bus client library, an output sink, an event listener. Code
 * `ERR_THROWN_VALUE`; its message is the value's text and `value` the value itself.
 */
export class ThrownValueError extends OrbitalisError {
  /** What was thrown. */
  readonly value: unknown;
  constructor(value: unknown) {
    super("ERR_THROWN_VALUE", textOf(value));
    this.value = value;
  }
}

/** `String(value)`, or its tag when that throws (an object without a prototype). */
function textOf(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
