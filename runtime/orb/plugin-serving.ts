/**
 * A plugin serving its connections: running the handler of each input (validated first,
 * with a signal that aborts at the core's deadline or when the connection goes), sending
 * back its output or error, and pushing outputs to every connected core (`emit`).
 */
import {
  ConfigError,
  InvalidPayloadError,
  OperationError,
  OPERATION_ERROR_CODE,
  OrbitalisError,
  RequestTimeoutError,
} from "../errors.js";
import { checkJsonValue } from "../bus/json-value.js";
import type { CompiledSpec, DataCheck } from "../schema-spec.js";
import type { InputMessage } from "../../generated/protocol/index.js";
import type { Access } from "./policy.js";
import type { Connection, ConnectionInfo, ConnectionState, Work } from "./connection.js";
import { PLUGIN_ERROR_CODES } from "./plugin-codes.js";
import { checkMeta, metaOf, type MessageMeta } from "./meta.js";
import type { EmitOptions, OperationContext, OperationHandler } from "./plugin-options.js";
import type { RoleHost } from "./role-host.js";

/** When a hybrid offers an operation: always, or only while its own requirements are met. */
export type OfferWhen = "always" | "compliant";

/** An operation a plugin lends, as declared. */
export interface Operation {
  readonly name: string;
  readonly input: CompiledSpec;
  readonly output: CompiledSpec;
  readonly maxCores: number | undefined;
  readonly access: Access;
  readonly handler: OperationHandler;
  readonly offerWhen: OfferWhen;
}

/**
 * A handler's context. `signal` and `connection` are getters that make the signal and the
 * snapshot when first read: most handlers read neither, and an object literal with own
 * accessors cost a third of in-process throughput. So they are not own properties: a
 * spread (`{ ...ctx }`) copies `core`, `operation` and `meta` only (destructuring reads them all).
 */
class HandlerContext implements OperationContext {
  readonly core: string;
  readonly operation: string;
  readonly meta: MessageMeta;
  readonly #conn: Connection;
  readonly #work: Work;
  #info: ConnectionInfo | undefined;

  constructor(conn: Connection, operation: string, work: Work, meta: MessageMeta) {
    this.core = conn.remote;
    this.operation = operation;
    this.meta = meta;
    this.#conn = conn;
    this.#work = work;
  }

  get connection(): ConnectionInfo {
    return (this.#info ??= this.#conn.info());
  }

  get signal(): AbortSignal {
    return this.#work.signal;
  }
}

export class PluginServing {
  constructor(
    private readonly host: RoleHost,
    private readonly operations: ReadonlyMap<string, Operation>,
  ) {}

  /** Runs the handler for an input and answers (output, error, or nothing for a one-way input). */
  async onInput(message: InputMessage): Promise<void> {
    const host = this.host;
    const connection = host.table.find(message.from, message.operation, "plugin");
    const op = this.operations.get(message.operation);
    // The core has a connection we do not (half-open, or another orb's with our id). Its
    // epoch needs no check: `Links.witness` drops what another epoch of a connected core
    // sends, and a connection's remoteEpoch is always its peer's.
    if (!connection || !op) return host.strayTraffic(message, "plugin");
    connection.lastUsed = host.clock.now();
    if (connection.state !== "open")
      return this.fail(message, connection, op, PLUGIN_ERROR_CODES.closing, "the connection is closing");
    const check = connection.input.check(message.data);
    if (!check.ok)
      return this.fail(
        message,
        connection,
        op,
        PLUGIN_ERROR_CODES.invalidInput,
        `invalid input: ${check.errors.join("; ")}`,
      );
    connection.begin();
    const work = connection.startWork();
    // The core stops waiting after the input's timeoutMs: so may the handler.
    const timeoutMs = message.timeoutMs;
    if (timeoutMs !== undefined)
      work.abortAfter(
        host.clock,
        timeoutMs,
        () =>
          new RequestTimeoutError(
            `${connection.remote} stopped waiting for ${op.name} after ${timeoutMs} ms`,
          ),
      );
    try {
      let result: unknown;
      try {
        result = await op.handler(
          message.data,
          new HandlerContext(connection, op.name, work, metaOf(message)),
        );
      } catch (error) {
        // The connection closed under the handler (its signal fired): nobody takes an answer.
        if ((connection.state as ConnectionState) === "closed") return;
        const [code, data] = errorCode(error);
        return this.fail(
          message,
          connection,
          op,
          code,
          error instanceof Error ? error.message : String(error),
          data,
        );
      }
      // The connection may have closed (graceless) while the handler ran.
      if ((connection.state as ConnectionState) === "closed") return;
      // With output "none" the handler's return value is ignored.
      const outCheck = connection.output.none ? ({ ok: true } as const) : checkOutput(connection, result);
      if (!outCheck.ok)
        return this.fail(
          message,
          connection,
          op,
          PLUGIN_ERROR_CODES.invalidOutput,
          `handler output does not match the output schema: ${outCheck.errors.join("; ")}`,
        );
      // An operation with no output answers only when the core awaits it.
      if (connection.output.none && message.corr === undefined) return;
      const fields: { operation: string; corr?: string; data?: unknown } = { operation: op.name };
      if (message.corr !== undefined) fields.corr = message.corr;
      if (!connection.output.none && result !== undefined) fields.data = result;
      await host
        .send(connection.outputTopic, host.message("output", fields), connection.remote)
        .catch((error: unknown) => host.reportError(error, `could not send the output of ${op.name}`));
    } finally {
      connection.endWork(work);
      connection.end();
    }
  }

  /** Answers `message` with an error (code, text, data) over `connection`. */
  private fail(
    message: InputMessage,
    connection: Connection,
    op: Operation,
    code: string,
    text: string,
    data?: unknown,
  ): void {
    const fields: { operation: string; code: string; message: string; corr?: string; data?: unknown } = {
      operation: op.name,
      code,
      message: text.slice(0, 4096),
    };
    if (message.corr !== undefined) fields.corr = message.corr;
    if (data !== undefined) fields.data = data;
    this.host.post(connection.outputTopic, this.host.message("error", fields), connection.remote);
  }

  /** See `Plugin.emit`. */
  async emit(operation: string, data: unknown, options: EmitOptions = {}): Promise<string[]> {
    const host = this.host;
    host.assertRunning();
    const op = this.operations.get(operation);
    if (!op)
      throw new ConfigError("operation", `${JSON.stringify(operation)} is not an operation of ${host.id}`);
    checkJsonValue(data);
    const meta = checkMeta(options.meta);
    const check = op.output.check(data);
    if (!check.ok)
      throw new InvalidPayloadError(`output of ${operation} does not match its output spec`, check.errors);
    const targets = host.table.ofOperation(operation, "plugin").filter((c) => c.state === "open");
    await Promise.all(
      targets.map((c) => {
        c.lastUsed = host.clock.now();
        const fields: { operation: string; data?: unknown; meta?: MessageMeta } = { operation };
        if (data !== undefined) fields.data = data;
        if (meta !== undefined) fields.meta = meta;
        return host.send(c.outputTopic, host.message("output", fields), c.remote);
      }),
    );
    return targets.map((c) => c.remote);
  }
}

/**
 * Checks a handler's result: JSON data (the rule of every bus, so the answer is the same on
 * LocalBus and over a broker), then the connection's output spec.
 */
function checkOutput(connection: Connection, result: unknown): DataCheck {
  try {
    checkJsonValue(result);
  } catch (error) {
    return { ok: false, errors: [(error as Error).message] };
  }
  return connection.output.check(result);
}

/**
 * The code (and data) an `error` message carries for what a handler threw: an
 * OperationError's own; an Orbitalis error's code; a Node-style `code` string that fits the
 * protocol; otherwise HANDLER_ERROR. Data that is not JSON is left out.
 */
function errorCode(error: unknown): [code: string, data: unknown] {
  if (error instanceof OperationError) {
    try {
      checkJsonValue(error.data);
      return [error.code, error.data];
    } catch {
      return [error.code, undefined];
    }
  }
  if (error instanceof OrbitalisError) return [error.code, undefined];
  const code = (error as { code?: unknown } | null)?.code;
  const reserved: readonly string[] = Object.values(PLUGIN_ERROR_CODES);
  if (typeof code === "string" && OPERATION_ERROR_CODE.test(code) && !reserved.includes(code))
    return [code, undefined];
  return [PLUGIN_ERROR_CODES.handler, undefined];
}
