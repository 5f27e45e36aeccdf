/**
 * The public option, context and handler types of a plugin.
 */
import type { SchemaSpec } from "../schema-spec.js";
import type { ConnectionInfo } from "./connection.js";
import type { OrbOptions } from "./options.js";
import type { MessageMeta } from "./meta.js";
import type { AccessLists } from "./policy.js";

/** Plugin states. */
export type PluginState = "created" | "running" | "stopping" | "stopped";

/** Per-operation limits of a plugin. */
export interface OperationPolicy extends AccessLists {
  /** Cores served at most for this operation (absent: unbounded). */
  readonly maxCores?: number;
}

/** How an operation is declared. */
export interface OperationOptions {
  /** Input the handler accepts (default `{ empty: true }`). */
  readonly input?: SchemaSpec;
  /** Output the handler returns (default `"none"`). */
  readonly output?: SchemaSpec;
  /** Limits for this operation. */
  readonly policy?: OperationPolicy;
}

/**
 * What a handler gets besides its input. `signal` and `connection` are getters, made when
 * first read: read them from `ctx` (or destructure it); a spread `{ ...ctx }` copies only
 * `core`, `operation` and `meta`.
 */
export interface OperationContext {
  /** Id of the core that sent the input. */
  readonly core: string;
  readonly operation: string;
  /** The connection the input came over (a snapshot, taken when first read). */
  readonly connection: ConnectionInfo;
  /**
   * Aborts when nobody will take the result any more: the core's request timed out (its
   * deadline travels with the input), or the connection closed (a graceless close, the
   * core's death, a graceful close or `stop()` that ran out of time). Pass it on to
   * `fetch`, timers and other cancellable work. Its `reason` says which.
   */
  readonly signal: AbortSignal;
  /**
   * The input's metadata (`meta`: trace context, deadlines ... set by the core's `request`
   * or `execute`); an empty object when it has none. Keys a handler does not know are
   * meant to be ignored.
   */
  readonly meta: MessageMeta;
}

/** Options of `emit`. */
export interface EmitOptions {
  /**
   * Metadata sent with the output, read by the cores' output sinks as `ctx.meta`. At most
   * 16 keys (`[A-Za-z0-9][A-Za-z0-9._-]{0,63}`), string values of at most 1,024 characters.
   */
  readonly meta?: MessageMeta;
}

/**
 * An operation handler: gets validated input, returns the output (or throws). Throw an
 * `OperationError` to fail with your own code and data.
 */
export type OperationHandler<I = unknown, O = unknown> = (data: I, ctx: OperationContext) => O | Promise<O>;

/** Options of {@link Plugin}. */
export interface PluginOptions extends OrbOptions, AccessLists {
  /** Cores served at most, in total (absent: unbounded). */
  readonly maxCores?: number;
  /** Preferred cores, most preferred first: they win when more cores ask than slots remain. */
  readonly prefer?: readonly string[];
  /**
   * Reservations (slots offered, not yet requested) held at most at once, default 4,096;
   * beyond it the oldest gives way (logged at debug).
   */
  readonly maxReservations?: number;
}
