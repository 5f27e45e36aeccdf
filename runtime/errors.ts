/**
 * Errors thrown or reported by Orbitalis. Every error is an {@link OrbitalisError} with a
 * stable `code` string (safe to switch on, never reworded) and, where another error caused
 * it, that error as `cause`.
 * @packageDocumentation
 */

/** Stable error codes. A code never changes meaning once released. */
export type ErrorCode =
  | "ERR_CONFIG"
  | "ERR_BUS"
  | "ERR_BUS_CLOSED"
  | "ERR_BUS_NOT_CONNECTED"
  | "ERR_INVALID_TOPIC"
  | "ERR_INVALID_PAYLOAD"
  | "ERR_INVALID_MESSAGE"
  | "ERR_NO_CONNECTION"
  | "ERR_REQUEST_TIMEOUT"
  | "ERR_REMOTE_OPERATION"
  | "ERR_CONNECTION_CLOSED"
  | "ERR_NOT_RUNNING"
  | "ERR_TIMEOUT"
  | "ERR_CONTRACT";

/** Base class of every Orbitalis error. */
export class OrbitalisError extends Error {
  /** Stable machine-readable code. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }
}

/** Invalid or contradictory configuration, thrown at construction; `field` names the offending option. */
export class ConfigError extends OrbitalisError {
  /** Path of the offending option, e.g. `requires.turn_on.minimum`. */
  readonly field: string;
  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super("ERR_CONFIG", `${field}: ${message}`, options);
    this.field = field;
  }
}

/** Codes a {@link BusError} may carry. */
export type BusErrorCode = "ERR_BUS" | "ERR_BUS_CLOSED" | "ERR_BUS_NOT_CONNECTED" | "ERR_INVALID_TOPIC";

/**
 * A bus adapter failed: not connected, closed, the broker refused, or the client library
 * threw (then the library's error is the `cause`).
 */
export class BusError extends OrbitalisError {
  constructor(code: BusErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A topic or topic filter that the protocol or the adapter cannot use. */
export class InvalidTopicError extends BusError {
  /** The rejected topic or filter. */
  readonly topic: string;
  constructor(topic: string, message: string) {
    super("ERR_INVALID_TOPIC", `invalid topic ${JSON.stringify(topic)}: ${message}`);
    this.topic = topic;
  }
}

/** Data that matches none of the accepted schemas (or is not bytes where bytes are required). */
export class InvalidPayloadError extends OrbitalisError {
  /** Validation errors, one line each, when a schema rejected the data. */
  readonly details: readonly string[];
  constructor(message: string, details: readonly string[] = [], options?: { cause?: unknown }) {
    super("ERR_INVALID_PAYLOAD", details.length > 0 ? `${message}: ${details.join("; ")}` : message, options);
    this.details = details;
  }
}

/** A protocol message that does not conform to the spec. */
export class InvalidMessageError extends OrbitalisError {
  /** Validation errors, one line each (JSON pointer and reason). */
  readonly details: readonly string[];
  constructor(message: string, details: readonly string[] = []) {
    super("ERR_INVALID_MESSAGE", details.length > 0 ? `${message}: ${details.join("; ")}` : message);
    this.details = details;
  }
}

/** No connection can take the operation (none exists, or none accepts the data). */
export class NoConnectionError extends OrbitalisError {
  constructor(message: string) {
    super("ERR_NO_CONNECTION", message);
  }
}

/** A request got no answer within its timeout. */
export class RequestTimeoutError extends OrbitalisError {
  constructor(message: string) {
    super("ERR_REQUEST_TIMEOUT", message);
  }
}

/** The remote handler threw; `remoteCode` is the code it sent. */
export class RemoteOperationError extends OrbitalisError {
  readonly remoteCode: string;
  constructor(remoteCode: string, message: string) {
    super("ERR_REMOTE_OPERATION", message);
    this.remoteCode = remoteCode;
  }
}

/** The connection closed while a request on it was pending. */
export class ConnectionClosedError extends OrbitalisError {
  constructor(message: string) {
    super("ERR_CONNECTION_CLOSED", message);
  }
}

/** An operation that needs a started orb was called on one that is not running. */
export class NotRunningError extends OrbitalisError {
  constructor(message: string) {
    super("ERR_NOT_RUNNING", message);
  }
}

/** Waiting for a state or event took longer than allowed. */
export class TimeoutError extends OrbitalisError {
  constructor(message: string) {
    super("ERR_TIMEOUT", message);
  }
}

/** A user's AsyncAPI contract (or the protocol spec) is invalid; `location` names where. */
export class ContractError extends OrbitalisError {
  /** File, JSON pointer or line of the problem. */
  readonly location: string;
  constructor(location: string, message: string) {
    super("ERR_CONTRACT", `${location}: ${message}`);
    this.location = location;
  }
}
