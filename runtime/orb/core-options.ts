/**
 * The public option and context types of a core.
 */
import type { ConnectionInfo } from "./connection.js";
import type { MessageMeta } from "./meta.js";
import type { Contract, OperationName, Untyped } from "./contract.js";
import type { OrbOptions } from "./options.js";
import type { RequirementOptions } from "./requirements.js";

/** Core states. */
export type CoreState = "created" | "compliant" | "not-compliant" | "stopping" | "stopped";

/** Options of {@link Core}. */
export interface CoreOptions<C extends Contract = Untyped> extends OrbOptions {
  /** Required operations by name (with a contract type: only its operations). */
  readonly requires: { readonly [K in OperationName<C>]?: RequirementOptions };
  /**
   * Requests awaiting their answer at most per connection (default 10,000). Beyond it,
   * `request()` picks another connection that has room, or rejects with a `LimitError`.
   */
  readonly maxPendingRequests?: number;
}

/** Where `execute` and `request` send: a plugin id, one connection (`any`) or every one (`all`). */
export type Target = "any" | "all" | (string & {});

/** Context given to output sinks. */
export interface OutputContext {
  readonly plugin: string;
  readonly operation: string;
  readonly connection: ConnectionInfo;
  /** The output's metadata (`meta`, set by the plugin's `emit`); empty when it has none. */
  readonly meta: MessageMeta;
}

/** Options of `execute`. */
export interface ExecuteOptions {
  /** Default `all`. */
  readonly to?: Target;
  /**
   * Metadata sent with each input (`meta`: trace context, deadlines ...), read by the
   * handler as `ctx.meta`. At most 16 keys (`[A-Za-z0-9][A-Za-z0-9._-]{0,63}`), string
   * values of at most 1,024 characters.
   */
  readonly meta?: MessageMeta;
}

/** Options of `request`. */
export interface RequestOptions {
  /** Default `any`. `all` is not allowed: a request awaits one result. */
  readonly to?: Target;
  /**
   * Default `timing.requestTimeoutMs`. The plugin is told (the input's `timeoutMs`), so its
   * handler's `ctx.signal` aborts when the core stops waiting.
   */
  readonly timeoutMs?: number;
  /** Stop waiting: the request rejects with an `AbortError` and a late answer is dropped. */
  readonly signal?: AbortSignal;
  /** Metadata sent with the input, read by the handler as `ctx.meta` (see `ExecuteOptions.meta`). */
  readonly meta?: MessageMeta;
  /**
   * For idempotent operations only: how many more times to send the request when no
   * answer came (`RequestTimeoutError`) or its connection closed before one
   * (`ConnectionClosedError`), each attempt with its own `timeoutMs` and, with `to: "any"`,
   * to any plugin then open. Covers inputs and answers lost on a path with no delivery
   * guarantee (MQTT's `lossyQos`, see docs/buses.md); the handler may then run more than
   * once. Each attempt is a new request, sent at once: an answer to an earlier attempt
   * that comes after its `timeoutMs` is dropped, so give `timeoutMs` room for the handler
   * (retries cover lost messages, not slow plugins). Other errors are never retried; when
   * a retry cannot be sent (no connection left), the loss that caused it is what rejects.
   * Default 0, at most 10.
   */
  readonly retries?: number;
}

/** Options of `compliant()`. */
export interface CompliantOptions {
  /** Give up after this many ms (default: wait as long as it takes). */
  readonly timeoutMs?: number;
  /** Stop waiting: rejects with an `AbortError`. */
  readonly signal?: AbortSignal;
}
