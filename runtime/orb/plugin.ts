/**
 * A plugin: it lends operations to cores, within the limits it configures.
 */
import type { TimerHandle } from "../clock.js";
import {
  ConfigError,
  InvalidPayloadError,
  NoConnectionError,
  OperationError,
  OPERATION_ERROR_CODE,
  OrbitalisError,
  RequestTimeoutError,
} from "../errors.js";
import { checkJsonValue } from "../bus/json-value.js";
import type { Contract, DataArgs, InputOf, OperationName, OutputOf, Untyped } from "./contract.js";
import { checkId } from "../ids.js";
import { CompiledSpec, matchesAny, type DataCheck } from "../schema-spec.js";
import {
  announceTopic,
  closeTopic,
  discoverTopic,
  inputFilter,
  inputTopic,
  keepaliveTopic,
  replyTopic,
  type DiscoverMessage,
  type InputMessage,
  type NeededOperation,
  type OfferedOperation,
  type OrbitalisMessage,
  type RejectMessage,
  type RequestMessage,
} from "../../generated/protocol/index.js";
import { Connection, type ConnectionState, type DisconnectionDetail } from "./connection.js";
import { PLUGIN_ERROR_CODES } from "./plugin-codes.js";
import { Orbiter, type PeerTopics, type SkipReason } from "./orbiter.js";
import { Access, count, idList, rank } from "./policy.js";

export { PLUGIN_ERROR_CODES } from "./plugin-codes.js";

export type {
  OperationContext,
  OperationHandler,
  OperationOptions,
  OperationPolicy,
  PluginOptions,
  PluginState,
} from "./plugin-options.js";
import type { OperationHandler, OperationOptions, PluginOptions, PluginState } from "./plugin-options.js";

interface Operation {
  readonly name: string;
  readonly input: CompiledSpec;
  readonly output: CompiledSpec;
  readonly maxCores: number | undefined;
  readonly access: Access;
  readonly handler: OperationHandler;
}

interface Reservation {
  readonly offerId: string;
  readonly core: string;
  readonly coreEpoch: string;
  readonly operation: string;
  readonly timer: TimerHandle;
}

interface CoreInfo extends PeerTopics {
  readonly epoch: string;
}

const TRANSITIONS: Readonly<Record<PluginState, readonly PluginState[]>> = {
  created: ["running"],
  running: ["stopping"],
  stopping: ["stopped"],
  stopped: ["running"],
};

/**
 * A plugin. Declare operations with `operation()`, then `start()` it: it answers discovers
 * from cores, connects within its limits, and runs handlers for their inputs.
 *
 * With a contract type (`new Plugin<Home>(...)`, see {@link Contract}) operation names,
 * handler inputs and outputs and `emit` are checked at compile time; without one they take
 * any name and `unknown` data.
 */
export class Plugin<C extends Contract = Untyped> extends Orbiter<PluginState> {
  protected readonly role = "plugin" as const;
  protected readonly transitions = TRANSITIONS;
  protected readonly stoppingState = "stopping" as const;
  protected readonly stoppedState = "stopped" as const;
  private readonly maxCores: number | undefined;
  private readonly access: Access;
  private readonly prefer: readonly string[];
  private readonly operations = new Map<string, Operation>();
  private readonly reservations = new Map<string, Reservation>(); // `${offerId}\0${op}`
  private readonly coreInfo = new Map<string, CoreInfo>();
  private readonly bufferedDiscovers: DiscoverMessage[] = [];
  private discoverWindow: TimerHandle | undefined;

  /** @throws ConfigError naming the field when the configuration is invalid. */
  constructor(options: PluginOptions) {
    super(options, "created");
    this.maxCores = count(options.maxCores, "maxCores", 1);
    this.access = Access.from(options, "plugin");
    this.prefer = idList(options.prefer, "prefer") ?? [];
  }

  protected get running(): boolean {
    return this.state === "running";
  }

  /**
   * Declares an operation (before `start()`). The handler gets input already validated
   * against `input`; its return value is sent back as output, a throw as an error.
   * @throws ConfigError for a bad name, spec or policy, a duplicate, or after start.
   */
  operation<K extends OperationName<C>>(
    name: K,
    options: OperationOptions,
    handler: NoInfer<OperationHandler<InputOf<C, K>, OutputOf<C, K>>>,
  ): this {
    const field = `operation(${JSON.stringify(name)})`;
    checkId(field, name);
    if (this.state !== "created" && this.state !== "stopped")
      throw new ConfigError(field, "declare operations before start()");
    if (this.operations.has(name)) throw new ConfigError(field, "declared twice");
    if (typeof handler !== "function") throw new ConfigError(`${field}.handler`, "must be a function");
    const policy = options?.policy ?? {};
    this.operations.set(name, {
      name,
      input: CompiledSpec.fromUser(options?.input, `${field}.input`, { empty: true }),
      output: CompiledSpec.fromUser(options?.output, `${field}.output`, "none"),
      maxCores: count(policy.maxCores, `${field}.policy.maxCores`, 1),
      access: Access.from(policy, `${field}.policy`),
      handler: handler as OperationHandler,
    });
    return this;
  }

  // ---- lifecycle -----------------------------------------------------------------------

  protected inboundFilters(): string[] {
    return [
      discoverTopic({ root: this.root }),
      replyTopic({ root: this.root, plugin: this.id }),
      inputFilter({ root: this.root, plugin: this.id }),
    ];
  }

  protected startedState(): PluginState {
    return "running";
  }

  protected onStarted(): void {
    if (this.operations.size === 0) {
      this.logger.warn(`${this.id}: started with no operations`);
      return;
    }
    this.post(
      announceTopic({ root: this.root }),
      this.message("announce", { operations: this.offered([...this.operations.values()]) }),
    );
  }

  protected onStopping(): void {
    if (this.discoverWindow !== undefined) this.clock.clearTimeout(this.discoverWindow);
    this.discoverWindow = undefined;
    this.bufferedDiscovers.length = 0;
    for (const r of this.reservations.values()) this.clock.clearTimeout(r.timer);
    this.reservations.clear();
  }

  protected statusOperations(): string[] {
    return [...this.operations.keys()];
  }

  private offered(ops: Operation[]): [OfferedOperation, ...OfferedOperation[]] {
    return ops.map((o) => ({ name: o.name, input: o.input.wire, output: o.output.wire })) as [
      OfferedOperation,
      ...OfferedOperation[],
    ];
  }

  // ---- capacity ------------------------------------------------------------------------

  /** Cores connected or holding a reservation. */
  private servedCores(): Set<string> {
    const cores = new Set<string>();
    for (const remote of this.table.remotes()) cores.add(remote);
    for (const r of this.reservations.values()) cores.add(r.core);
    return cores;
  }

  private usage(operation: string): number {
    let n = this.table.countOperation(operation);
    for (const r of this.reservations.values()) if (r.operation === operation) n++;
    return n;
  }

  /** Whether `core` may take a new slot of `op` now. */
  private hasRoom(op: Operation, core: string): boolean {
    return this.full(op, core) === undefined;
  }

  /** Which limit keeps `core` from a new slot of `op` now, in words, or undefined. */
  private full(op: Operation, core: string): string | undefined {
    if (op.maxCores !== undefined && this.usage(op.name) >= op.maxCores)
      return `operation(${JSON.stringify(op.name)}).policy.maxCores ${op.maxCores} reached (connected or reserved)`;
    if (this.maxCores !== undefined) {
      const served = this.servedCores();
      if (!served.has(core) && served.size >= this.maxCores)
        return `maxCores ${this.maxCores} reached (connected or reserved)`;
    }
    return undefined;
  }

  // ---- inbound -------------------------------------------------------------------------

  protected handle(message: OrbitalisMessage): void {
    if (!this.running) {
      // Stopping: inputs still get an answer (CLOSING), so graceful closes finish at once.
      if (message.kind === "input") void this.onInput(message);
      return;
    }
    switch (message.kind) {
      case "discover":
        return this.onDiscover(message);
      case "request":
        return this.onRequest(message);
      case "reject":
        return this.onReject(message);
      case "input":
        return void this.onInput(message);
      default:
        return;
    }
  }

  private onDiscover(discover: DiscoverMessage): void {
    if (!this.access.permits(discover.from)) {
      for (const need of discover.operations)
        if (this.operations.has(need.name))
          this.reportSkip(
            discover.from,
            need.name,
            "not-allowed",
            "this plugin's allow/block list excludes it",
          );
      return;
    }
    this.coreInfo.set(discover.from, {
      epoch: discover.epoch,
      keepaliveTo: discover.keepaliveTo,
      closeTo: discover.closeTo,
      deadAfterMs: discover.deadAfterMs,
    });
    this.reconcile(discover);
    if (this.prefer.length === 0) return this.offerTo(discover);
    // Preferences: collect discovers for a short window, then serve preferred cores first.
    this.bufferedDiscovers.push(discover);
    if (this.discoverWindow === undefined) {
      this.discoverWindow = this.clock.setTimeout(() => {
        this.discoverWindow = undefined;
        const batch = this.bufferedDiscovers.splice(0).map((d, i) => ({ d, i }));
        batch.sort((a, b) => rank(this.prefer, a.d.from) - rank(this.prefer, b.d.from) || a.i - b.i);
        for (const { d } of batch) if (this.running) this.offerTo(d);
      }, this.timing.offerWindowMs);
    }
  }

  /**
   * Compares the core's view (the `connected` list of each needed operation) with ours:
   * a connection the core does not list is half-open on our side (its confirm or a close
   * got lost) and is dropped; one it lists that we lack is closed towards it.
   */
  private reconcile(discover: DiscoverMessage): void {
    const now = this.clock.now();
    for (const need of discover.operations) {
      if (need.connected === undefined) continue;
      const listed = need.connected.includes(this.id);
      const mine = this.connection(discover.from, need.name);
      if (
        mine?.state === "open" &&
        mine.remoteEpoch === discover.epoch &&
        !listed &&
        now - mine.since > this.timing.holdMs
      ) {
        this.removeConnection(mine, { reason: "closed-by-remote", graceful: false });
      } else if (!mine && listed) {
        this.closeStray(discover.from, need.name, "no connection", discover.closeTo);
      }
    }
  }

  /** Whether `op` can serve what the core asks for in `need`; says why not when it is a real refusal. */
  private canServe(op: Operation, need: NeededOperation, core: string): boolean {
    const existing = this.connection(core, op.name);
    if (existing) return false;
    for (const r of this.reservations.values()) if (r.core === core && r.operation === op.name) return false;
    const field = `operation(${JSON.stringify(op.name)})`;
    if (!op.access.permits(core))
      return this.refuse(core, op.name, "not-allowed", `${field}.policy allow/block excludes it`);
    if (need.allow && !need.allow.includes(this.id))
      return this.refuse(core, op.name, "not-allowed", "its allow list does not name this plugin");
    if (need.block?.includes(this.id))
      return this.refuse(core, op.name, "not-allowed", "its block list names this plugin");
    if (
      !matchesAny(
        op.input,
        need.inputs.map((w) => CompiledSpec.fromWire(w)),
      )
    )
      return this.refuse(
        core,
        op.name,
        "input-mismatch",
        `${field}.input matches none of the inputs it sends`,
      );
    if (
      !matchesAny(
        op.output,
        need.outputs.map((w) => CompiledSpec.fromWire(w)),
      )
    )
      return this.refuse(
        core,
        op.name,
        "output-mismatch",
        `${field}.output matches none of the outputs it accepts`,
      );
    return true;
  }

  private refuse(core: string, operation: string, reason: SkipReason, message: string): false {
    this.reportSkip(core, operation, reason, message);
    return false;
  }

  private offerTo(discover: DiscoverMessage): void {
    const core = discover.from;
    const offered: Operation[] = [];
    for (const need of discover.operations) {
      const op = this.operations.get(need.name);
      if (!op || !this.canServe(op, need, core)) continue;
      const full = this.full(op, core);
      if (full !== undefined) {
        this.reportSkip(core, op.name, "no-free-slot", full);
        continue;
      }
      offered.push(op);
    }
    if (offered.length === 0) return;
    const offer = this.message("offer", {
      re: discover.id,
      replyTo: replyTopic({ root: this.root, plugin: this.id }),
      keepaliveTo: keepaliveTopic({ root: this.root, orb: this.id }),
      closeTo: closeTopic({ root: this.root, orb: this.id }),
      deadAfterMs: this.timing.deadAfterMs,
      holdMs: this.timing.holdMs,
      operations: this.offered(offered),
    });
    for (const op of offered) {
      const key = `${offer.id}\u0000${op.name}`;
      const timer = this.clock.setTimeout(() => this.reservations.delete(key), this.timing.holdMs);
      this.reservations.set(key, {
        offerId: offer.id,
        core,
        coreEpoch: discover.epoch,
        operation: op.name,
        timer,
      });
    }
    this.post(discover.offerTo, offer, core);
  }

  private release(offerId: string, operation: string): Reservation | undefined {
    const key = `${offerId}\u0000${operation}`;
    const r = this.reservations.get(key);
    if (!r) return undefined;
    this.reservations.delete(key);
    this.clock.clearTimeout(r.timer);
    return r;
  }

  private onReject(message: RejectMessage): void {
    const r = this.reservations.get(`${message.re}\u0000${message.operation}`);
    if (r && r.core === message.from) this.release(message.re, message.operation);
  }

  private onRequest(request: RequestMessage): void {
    const core = request.from;
    const op = this.operations.get(request.operation);
    const reservation = this.reservations.get(`${request.re}\u0000${request.operation}`);
    const held =
      reservation !== undefined && reservation.core === core && reservation.coreEpoch === request.epoch;
    if (held) this.release(request.re, request.operation);
    const unavailable = (reason: string): void =>
      this.post(
        request.responseTo,
        this.message("unavailable", { re: request.id, operation: request.operation, reason }),
        core,
      );
    if (!op) return unavailable("no such operation");
    if (!this.access.permits(core) || !op.access.permits(core)) return unavailable("not allowed");
    const existing = this.connection(core, op.name);
    if (existing && existing.remoteEpoch === request.epoch) return unavailable("already connected");
    if (!held && !this.hasRoom(op, core)) return unavailable("no free slot");
    const info = this.coreInfo.get(core);
    const topics: PeerTopics =
      info && info.epoch === request.epoch
        ? info
        : {
            keepaliveTo: keepaliveTopic({ root: this.root, orb: core }),
            closeTo: closeTopic({ root: this.root, orb: core }),
            deadAfterMs: this.timing.deadAfterMs,
          };
    const input = inputTopic({ root: this.root, plugin: this.id, operation: op.name, core });
    const connection = new Connection(
      core,
      request.epoch,
      op.name,
      op.input,
      op.output,
      input,
      request.outputTopic,
      this.clock.now(),
    );
    this.addConnection(connection, request.epoch, topics);
    this.post(
      request.responseTo,
      this.message("confirm", { re: request.id, operation: op.name, inputTopic: input }),
      core,
    );
  }

  private async onInput(message: InputMessage): Promise<void> {
    const connection = this.connection(message.from, message.operation);
    const op = this.operations.get(message.operation);
    if (!connection || !op || connection.remoteEpoch !== message.epoch) {
      // The core has a connection we do not (half-open): tell it to drop it.
      this.closeStray(message.from, message.operation, "no connection");
      this.reportError(
        new NoConnectionError(`input from ${message.from} for ${message.operation}: no such connection`),
        "dropped",
      );
      return;
    }
    connection.lastUsed = this.clock.now();
    const fail = (code: string, text: string, data?: unknown): void => {
      const fields: { operation: string; code: string; message: string; corr?: string; data?: unknown } = {
        operation: op.name,
        code,
        message: text.slice(0, 4096),
      };
      if (message.corr !== undefined) fields.corr = message.corr;
      if (data !== undefined) fields.data = data;
      this.post(connection.outputTopic, this.message("error", fields), connection.remote);
    };
    if (connection.state !== "open") return fail(PLUGIN_ERROR_CODES.closing, "the connection is closing");
    const check = connection.input.check(message.data);
    if (!check.ok) return fail(PLUGIN_ERROR_CODES.invalidInput, `invalid input: ${check.errors.join("; ")}`);
    connection.begin();
    const work = connection.workSignal();
    // The core stops waiting after the input's timeoutMs: so may the handler.
    const deadline =
      message.timeoutMs === undefined
        ? undefined
        : this.clock.setTimeout(
            () =>
              work.controller.abort(
                new RequestTimeoutError(
                  `${connection.remote} stopped waiting for ${op.name} after ${message.timeoutMs} ms`,
                ),
              ),
            message.timeoutMs,
          );
    try {
      let result: unknown;
      try {
        result = await op.handler(message.data, {
          core: connection.remote,
          operation: op.name,
          connection: connection.info(),
          signal: work.signal,
        });
      } catch (error) {
        // The connection closed under the handler (its signal fired): nobody takes an answer.
        if ((connection.state as ConnectionState) === "closed") return;
        const [code, data] = errorCode(error);
        return fail(code, error instanceof Error ? error.message : String(error), data);
      }
      // The connection may have closed (graceless) while the handler ran.
      if ((connection.state as ConnectionState) === "closed") return;
      // With output "none" the handler's return value is ignored.
      const outCheck = connection.output.none ? ({ ok: true } as const) : checkOutput(connection, result);
      if (!outCheck.ok)
        return fail(
          PLUGIN_ERROR_CODES.invalidOutput,
          `handler output does not match the output schema: ${outCheck.errors.join("; ")}`,
        );
      // An operation with no output answers only when the core awaits it.
      if (connection.output.none && message.corr === undefined) return;
      const fields: { operation: string; corr?: string; data?: unknown } = { operation: op.name };
      if (message.corr !== undefined) fields.corr = message.corr;
      if (!connection.output.none && result !== undefined) fields.data = result;
      await this.send(connection.outputTopic, this.message("output", fields), connection.remote).catch(
        (error: unknown) => this.reportError(error, `could not send the output of ${op.name}`),
      );
    } finally {
      if (deadline !== undefined) this.clock.clearTimeout(deadline);
      work.done();
      connection.end();
    }
  }

  protected onConnectionRemoved(connection: Connection, _detail: DisconnectionDetail): void {
    // Slots free up by themselves (capacity is computed from the table); forget a core we
    // no longer serve or hold anything for, so the table of cores does not grow forever.
    const core = connection.remote;
    if (this.table.hasRemote(core)) return;
    if ([...this.reservations.values()].some((r) => r.core === core)) return;
    this.coreInfo.delete(core);
  }

  // ---- pushing outputs -----------------------------------------------------------------

  /**
   * Pushes `data` as output of `operation` to every connected core (periodic operations).
   * Resolves with the core ids it was sent to.
   * @throws InvalidPayloadError when the data does not match the operation's output spec
   * (or is not JSON data); ConfigError for an unknown operation.
   */
  async emit<K extends OperationName<C>>(
    operation: K,
    ...args: NoInfer<DataArgs<OutputOf<C, K>>>
  ): Promise<string[]> {
    const [data] = args as [unknown];
    this.assertRunning();
    const op = this.operations.get(operation);
    if (!op)
      throw new ConfigError("operation", `${JSON.stringify(operation)} is not an operation of ${this.id}`);
    checkJsonValue(data);
    const check = op.output.check(data);
    if (!check.ok)
      throw new InvalidPayloadError(`output of ${operation} does not match its output spec`, check.errors);
    const targets = this.table.ofOperation(operation).filter((c) => c.state === "open");
    await Promise.all(
      targets.map((c) => {
        c.lastUsed = this.clock.now();
        const fields: { operation: string; data?: unknown } = { operation };
        if (data !== undefined) fields.data = data;
        return this.send(c.outputTopic, this.message("output", fields), c.remote);
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
