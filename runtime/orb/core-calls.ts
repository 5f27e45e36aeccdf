/**
 * A core using its plugins: inputs sent over its connections (`execute`,
 * `executeDistributed`, `request`), the results awaited by correlation id, and the outputs
 * nobody awaits, handed to the sinks registered with `onOutput`.
 */
import {
  ConfigError,
  ConnectionClosedError,
  InvalidPayloadError,
  LimitError,
  NoConnectionError,
  NotRunningError,
  RemoteOperationError,
  RequestTimeoutError,
} from "../errors.js";
import { checkId, randomId } from "../ids.js";
import type { DataCheck } from "../schema-spec.js";
import type { ErrorMessage, OutputMessage } from "../../generated/protocol/index.js";
import { abortError, checkSignal } from "./abort.js";
import type { Compliance } from "./compliance.js";
import type { Connection, DisconnectionDetail } from "./connection.js";
import type { ExecuteOptions, OutputContext, RequestOptions, Target } from "./core-options.js";
import { checkMeta, metaOf, type MessageMeta } from "./meta.js";
import { checkTimeoutMs } from "./options.js";
import { PLUGIN_ERROR_CODES } from "./plugin-codes.js";
import { ReplyRegistry } from "./replies.js";
import type { RoleHost } from "./role-host.js";
import { asError } from "../as-error.js";

type Sink = (data: unknown, ctx: OutputContext) => void;

export class CoreCalls {
  /** Awaited results by correlation id, each attached to the connection it went over. */
  private readonly requests: ReplyRegistry<unknown, Connection>;
  private readonly sinks = new Map<string, Set<Sink>>();
  private roundRobin = 0;
  private late = 0;

  /** Answers that arrived after their request ended (dropped, see `lateAnswersDropped`). */
  get lateAnswers(): number {
    return this.late;
  }

  constructor(
    private readonly host: RoleHost,
    private readonly compliance: Compliance,
    /** Requests awaiting an answer at most per connection. */
    private readonly maxPending: number,
  ) {
    this.requests = new ReplyRegistry(host.clock);
  }

  /** See `Core.onOutput`. */
  onOutput(operation: string, sink: Sink): () => void {
    checkId("operation", operation);
    let set = this.sinks.get(operation);
    if (!set) this.sinks.set(operation, (set = new Set()));
    set.add(sink);
    return () => set.delete(sink);
  }

  /** See `Core.execute`. */
  async execute(operation: string, data: unknown, options: ExecuteOptions): Promise<string[]> {
    const to = options.to ?? "all";
    const meta = checkMeta(options.meta);
    const targets = this.targets(operation, data, to);
    if (to === "any" || targets.length === 1) {
      // The common case, without the arrays and the extra promise of Promise.all.
      const c = to === "any" ? this.pick(targets) : targets[0]!;
      await this.sendInput(c, data, undefined, undefined, meta);
      return [c.remote];
    }
    await Promise.all(targets.map((c) => this.sendInput(c, data, undefined, undefined, meta)));
    return targets.map((c) => c.remote);
  }

  /** See `Core.executeDistributed`. */
  async executeDistributed(operation: string, items: readonly unknown[]): Promise<string[]> {
    if (!Array.isArray(items)) throw new InvalidPayloadError("executeDistributed takes an array of inputs");
    const plan = items.map((item) => this.pick(this.targets(operation, item, "any")));
    await Promise.all(plan.map((c, i) => this.sendInput(c, items[i])));
    return plan.map((c) => c.remote);
  }

  /** See `Core.request`: one attempt, then up to `retries` more after a lost answer. */
  async request(operation: string, data: unknown, options: RequestOptions): Promise<unknown> {
    const retries = checkRetries(options.retries);
    let lostError: Error | undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.attempt(operation, data, options);
      } catch (error) {
        const lost = error instanceof RequestTimeoutError || error instanceof ConnectionClosedError;
        // A retry that cannot even be sent (no connection left, the core stopping) reports
        // the loss that made it retry; anything else (an abort, an answer) is itself.
        const unsent = error instanceof NoConnectionError || error instanceof NotRunningError;
        if (!lost) throw unsent && lostError !== undefined ? lostError : error;
        lostError = error;
        if (attempt >= retries || options.signal?.aborted === true) throw error;
        this.host.logger.debug(
          `${this.host.id}: request ${operation} failed (${error.message}); retry ${attempt + 1} of ${retries}`,
        );
      }
    }
  }

  private async attempt(operation: string, data: unknown, options: RequestOptions): Promise<unknown> {
    const timeoutMs = checkTimeoutMs(options.timeoutMs ?? this.host.timing.requestTimeoutMs);
    const signal = checkSignal(options.signal);
    const meta = checkMeta(options.meta);
    if (signal?.aborted) throw abortError(signal, `request ${operation}`);
    const to = options.to ?? "any";
    if (to === "all")
      throw new NoConnectionError(
        'request awaits one result: use to: "any" or a plugin id (or execute for all)',
      );
    const targets = this.targets(operation, data, to);
    const roomy = targets.filter((c) => c.inFlight < this.maxPending);
    if (roomy.length === 0)
      throw new LimitError(
        "maxPendingRequests",
        `${targets.length === 1 ? "the connection" : `all ${targets.length} connections`} for ${operation} already await ${this.maxPending} answers (maxPendingRequests)`,
      );
    const connection = this.pick(roomy);
    const corr = randomId(16);
    // Made here, not when the deadline passes, so that its stack is the caller's.
    const timeout = new RequestTimeoutError(
      `${connection.remote} did not answer ${operation} within ${timeoutMs} ms`,
    );
    connection.begin();
    // The deadline counts from here. The publish is not awaited: a bus that holds it (a
    // broker down, an offline queue) does not hold the deadline back. A publish that fails
    // ends the wait if it still runs; one that ends after the wait ended changes nothing.
    const result = this.requests.wait(corr, {
      meta: connection,
      timeoutMs,
      signal,
      what: `request ${operation} to ${connection.remote}`,
      onTimeout: () => timeout,
      onEnd: () => connection.end(),
    });
    let sent: Promise<void>;
    try {
      sent = this.sendInput(connection, data, corr, timeoutMs, meta);
    } catch (error) {
      sent = Promise.reject(asError(error));
    }
    sent.catch((error: unknown) => this.requests.reject(corr, asError(error)));
    return result;
  }

  /** A connection went away: its awaited requests fail with a ConnectionClosedError. */
  removed(connection: Connection, detail: DisconnectionDetail): void {
    this.requests.rejectWhere(
      (c) => c === connection,
      () => this.host.closedError(connection, detail),
    );
  }

  /** An output or error from a plugin: the awaited request's result, or the sinks'. */
  onOutputMessage(message: OutputMessage | ErrorMessage): void {
    const host = this.host;
    const connection = host.table.find(message.from, message.operation, "core");
    // A connection the plugin has and we do not (half-open, or another orb's with our id).
    // Its epoch needs no check: `Links.witness` drops what another epoch of a connected
    // plugin sends, and a connection's remoteEpoch is always its peer's.
    if (!connection) return host.strayTraffic(message, "core");
    connection.lastUsed = host.clock.now();
    const corr = message.corr;
    const awaited = corr !== undefined && this.requests.meta(corr) === connection;
    if (!awaited && corr !== undefined) {
      // Only answers to requests carry a corr. Nobody waits for this one: its request
      // already ended (timed out, aborted, its connection closed) or it is a duplicate
      // (at-least-once delivery). Its caller was told; no sink may take it for a new output.
      this.late++;
      const why = this.requests.abandonedRecently(corr) ? "a late" : "an unexpected";
      host.logger.debug(
        `${host.id}: dropped ${why} ${message.kind} from ${message.from} for ${message.operation}`,
      );
      return;
    }
    const error = message.kind === "error" ? remoteError(message) : this.outputError(connection, message);
    if (error) {
      if (awaited) this.requests.reject(corr, error);
      else host.reportError(error, message.kind === "error" ? "remote error" : "invalid output");
      return;
    }
    if (awaited) {
      this.requests.resolve(corr, message.data);
      return;
    }
    this.toSinks(message as OutputMessage, connection);
  }

  private outputError(connection: Connection, message: OutputMessage): InvalidPayloadError | undefined {
    const check = this.checkOutput(connection, message.data);
    if (check.ok) return undefined;
    return new InvalidPayloadError(
      `output of ${message.operation} from ${message.from} does not match its schema`,
      check.errors,
    );
  }

  private toSinks(message: OutputMessage, connection: Connection): void {
    const sinks = this.sinks.get(message.operation);
    if (!sinks || sinks.size === 0) {
      this.host.logger.debug(
        `${this.host.id}: output of ${message.operation} from ${message.from} with no sink`,
      );
      return;
    }
    const ctx: OutputContext = {
      plugin: message.from,
      operation: message.operation,
      connection: connection.info(),
      meta: metaOf(message),
    };
    for (const sink of [...sinks]) {
      try {
        sink(message.data, ctx);
      } catch (error) {
        this.host.reportError(error, `an output sink of ${message.operation} threw`);
      }
    }
  }

  /**
   * Checks an output against the connection's output spec (the plugin's) and the specs the
   * core accepts for the operation. Never throws: a schema that cannot be compiled fails.
   */
  private checkOutput(connection: Connection, data: unknown): DataCheck {
    try {
      const own = connection.output.check(data);
      if (!own.ok) return own;
      const accepted = this.compliance.requirements.get(connection.operation)?.outputs ?? [];
      if (accepted.length === 0) return own;
      // An accepted spec holding the connection's schemas passes without a second check.
      for (const s of accepted) if (s.covers(connection.output, data)) return own;
      const checks = accepted.map((s) => s.check(data));
      if (checks.some((c) => c.ok)) return own;
      return { ok: false, errors: checks.flatMap((c) => (c.ok ? [] : c.errors)) };
    } catch (error) {
      return { ok: false, errors: [`the output schema cannot be used: ${(error as Error).message}`] };
    }
  }

  /** Open connections of `operation` whose input accepts `data`; throws when there are none. */
  private targets(operation: string, data: unknown, to: Target): Connection[] {
    this.host.assertRunning();
    const req = this.compliance.requirements.get(operation);
    if (!req) throw new NoConnectionError(`${this.host.id} does not require ${operation}`);
    // Input "none" is no input at all: the operation is pushed by its plugins (emit), and an
    // input would only come back as an error after a round trip (PUSH_ONLY).
    if (req.inputs.every((s) => s.none))
      throw new NoConnectionError(
        `${operation} is push-only: requires.${operation}.inputs is ["none"] (no input); its outputs reach onOutput sinks`,
      );
    const passed = req.inputs.find((s) => s.check(data).ok);
    if (passed === undefined) {
      throw new InvalidPayloadError(
        `input for ${operation} matches no accepted input spec`,
        req.inputs.flatMap((s) => {
          const c = s.check(data);
          return c.ok ? [] : c.errors;
        }),
      );
    }
    // Loops rather than filter chains: this runs for every execute and request.
    const accepting: Connection[] = [];
    let open = 0;
    let pushOnly = 0;
    for (const c of this.host.table.eachOfOperation(operation, "core")) {
      if (c.state !== "open" || (to !== "any" && to !== "all" && c.remote !== to)) continue;
      open++;
      if (c.input.none) pushOnly++;
      else if (c.input.covers(passed, data) || c.input.check(data).ok) accepting.push(c);
    }
    if (accepting.length === 0) {
      const whom = to === "any" || to === "all" ? "" : ` to ${to}`;
      throw new NoConnectionError(
        open === 0
          ? `no open connection${whom} for ${operation}`
          : pushOnly === open
            ? `${operation} is push-only${whom}: ${open === 1 ? "its plugin declares" : `all ${open} plugins declare`} input "none" (no input; ` +
              `its outputs reach onOutput sinks; a plugin called without data declares input { empty: true })`
            : `no open connection${whom} for ${operation} accepts this input (${open} open${pushOnly > 0 ? `, ${pushOnly} push-only` : ""})`,
      );
    }
    return accepting;
  }

  private pick(conns: Connection[]): Connection {
    return conns[this.roundRobin++ % conns.length]!;
  }

  private sendInput(
    c: Connection,
    data: unknown,
    corr?: string,
    timeoutMs?: number,
    meta?: MessageMeta,
  ): Promise<void> {
    const fields: {
      operation: string;
      corr?: string;
      timeoutMs?: number;
      data?: unknown;
      meta?: MessageMeta;
    } = { operation: c.operation };
    if (corr !== undefined) fields.corr = corr;
    if (timeoutMs !== undefined) fields.timeoutMs = Math.ceil(timeoutMs);
    if (data !== undefined) fields.data = data;
    if (meta !== undefined) fields.meta = meta;
    const message = this.host.message("input", fields);
    c.lastUsed = message.ts;
    return this.host.send(c.inputTopic, message, c.remote);
  }
}

/** Checks `RequestOptions.retries`. @throws ConfigError. */
function checkRetries(value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 10)
    throw new ConfigError(
      "retries",
      `must be an integer from 0 to 10, found ${typeof value === "number" ? value : typeof value}`,
    );
  return value;
}

/**
 * The error a plugin's `error` message means to the caller. CLOSING: the plugin is closing
 * the connection and took no new work -- a closed connection (retry elsewhere), not a
 * failed operation.
 */
function remoteError(message: ErrorMessage): Error {
  const remote = new RemoteOperationError(
    message.code,
    `${message.from} failed ${message.operation}: ${message.message}`,
    message.data,
  );
  if (message.code !== PLUGIN_ERROR_CODES.closing) return remote;
  return new ConnectionClosedError(
    `connection to ${message.from} for ${message.operation} is closing: the input was not run`,
    { cause: remote },
  );
}
