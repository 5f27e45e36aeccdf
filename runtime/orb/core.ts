/**
 * A core: it needs operations, discovers plugins that lend them, connects within the
 * limits it configures, and uses them (execute, request, output sinks).
 */
import {
  ConfigError,
  ConnectionClosedError,
  InvalidPayloadError,
  NoConnectionError,
  RemoteOperationError,
  RequestTimeoutError,
  TimeoutError,
  NotRunningError,
} from "../errors.js";
import { checkId, randomId } from "../ids.js";
import { abortError, checkSignal, onAbort } from "./abort.js";
import { ReplyRegistry } from "./replies.js";
import type { Contract, DataArgs, InputOf, OperationName, OutputOf, Untyped } from "./contract.js";
import { CompiledSpec, matchesAny, type DataCheck, type WireSchemaSpec } from "../schema-spec.js";
import type { TimerHandle } from "../clock.js";
import {
  closeTopic,
  discoverTopic,
  keepaliveTopic,
  offerTopic,
  outputFilter,
  outputTopic,
  responseTopic,
  announceTopic,
  type AnnounceMessage,
  type ConfirmMessage,
  type ErrorMessage,
  type NeededOperation,
  type OfferMessage,
  type OrbitalisMessage,
  type OutputMessage,
  type UnavailableMessage,
} from "../../generated/protocol/index.js";
import { Connection, type DisconnectionDetail } from "./connection.js";
import { PLUGIN_ERROR_CODES } from "./plugin-codes.js";
import { checkTimeoutMs, Orbiter, type SkipDetail, type SkipReason } from "./orbiter.js";
import { rank } from "./policy.js";
import {
  compileRequirement,
  describeSpec,
  type Requirement,
  type RequirementOptions,
} from "./requirements.js";

export type { RequirementOptions } from "./requirements.js";

export type {
  CompliantOptions,
  CoreOptions,
  CoreState,
  ExecuteOptions,
  OutputContext,
  RequestOptions,
  Target,
} from "./core-options.js";
import type {
  CompliantOptions,
  CoreOptions,
  CoreState,
  ExecuteOptions,
  OutputContext,
  RequestOptions,
  Target,
} from "./core-options.js";

interface PendingConnect {
  readonly requestId: string;
  readonly plugin: string;
  readonly pluginEpoch: string;
  readonly operation: string;
  readonly offer: OfferMessage;
  readonly input: CompiledSpec;
  readonly output: CompiledSpec;
  readonly outputTopic: string;
  readonly timer: TimerHandle;
}

const TRANSITIONS: Readonly<Record<CoreState, readonly CoreState[]>> = {
  created: ["compliant", "not-compliant"],
  compliant: ["not-compliant", "stopping"],
  "not-compliant": ["compliant", "stopping"],
  stopping: ["stopped"],
  stopped: ["compliant", "not-compliant"],
};

/** Skip reasons remembered per operation, so `missing()` can say why a plugin is not connected. */
const SEEN_PER_OPERATION = 16;

/**
 * A core. Configure what it `requires`, `start()` it, await `compliant()`, then use its
 * plugins with `execute`, `request` and `onOutput`.
 *
 * With a contract type (`new Core<Home>(...)`, see {@link Contract}) operation names,
 * inputs, results and output sinks are checked at compile time; without one they take any
 * name and `unknown` data.
 */
export class Core<C extends Contract = Untyped> extends Orbiter<CoreState> {
  protected readonly role = "core" as const;
  protected readonly transitions = TRANSITIONS;
  protected readonly stoppingState = "stopping" as const;
  protected readonly stoppedState = "stopped" as const;
  private readonly requirements: ReadonlyMap<string, Requirement>;
  private readonly pendingConnects = new Map<string, PendingConnect>();
  /** Awaited results by correlation id, each attached to the connection it went over. */
  private readonly requests = new ReplyRegistry<unknown, Connection>(this.clock);
  private readonly sinks = new Map<string, Set<(data: unknown, ctx: OutputContext) => void>>();
  private readonly bufferedOffers: OfferMessage[] = [];
  private offerWindow: TimerHandle | undefined;
  private discoverTimer: TimerHandle | undefined;
  private discoverSoonTimer: TimerHandle | undefined;
  private roundRobin = 0;
  private readonly usesPreferences: boolean;
  /** Per operation, the latest reason each recently seen plugin was not connected. */
  private readonly skips = new Map<string, Map<string, SkipDetail>>();
  /** Answers that arrived after their request ended (dropped, see `lateAnswersDropped`). */
  private lateAnswers = 0;

  /** @throws ConfigError naming the field when the configuration is invalid or contradictory. */
  constructor(options: CoreOptions<C>) {
    super(options, "created");
    const requires = options.requires;
    if (requires === null || typeof requires !== "object" || Array.isArray(requires)) {
      throw new ConfigError("requires", "an object of required operations is required (may be empty)");
    }
    const map = new Map<string, Requirement>();
    for (const [name, req] of Object.entries(requires as Record<string, RequirementOptions>)) {
      map.set(name, compileRequirement(name, req));
    }
    this.requirements = map;
    this.usesPreferences = [...map.values()].some((r) => r.prefer.length > 0);
  }

  protected get running(): boolean {
    return this.state === "compliant" || this.state === "not-compliant";
  }

  /** Answers dropped because they arrived after their request ended (timed out, aborted, closed). */
  get lateAnswersDropped(): number {
    return this.lateAnswers;
  }

  /** Whether every requirement is met. */
  get isCompliant(): boolean {
    for (const req of this.requirements.values()) if (!this.satisfied(req)) return false;
    return true;
  }

  // ---- lifecycle -----------------------------------------------------------------------

  protected inboundFilters(): string[] {
    return [
      offerTopic({ root: this.root, core: this.id }),
      responseTopic({ root: this.root, core: this.id }),
      outputFilter({ root: this.root, core: this.id }),
      announceTopic({ root: this.root }),
    ];
  }

  protected startedState(): CoreState {
    return this.isCompliant ? "compliant" : "not-compliant";
  }

  protected onStarted(): void {
    this.discover();
  }

  protected onStopping(): void {
    for (const t of [this.discoverTimer, this.discoverSoonTimer, this.offerWindow])
      if (t !== undefined) this.clock.clearTimeout(t);
    this.discoverTimer = this.discoverSoonTimer = this.offerWindow = undefined;
    // Free every slot plugins hold for us: reject buffered offers, close pending requests.
    for (const offer of this.bufferedOffers.splice(0)) {
      for (const op of offer.operations) {
        this.post(
          offer.replyTo,
          this.message("reject", { re: offer.id, operation: op.name, reason: "stopping" }),
          offer.from,
        );
      }
    }
    for (const p of this.pendingConnects.values()) {
      this.clock.clearTimeout(p.timer);
      this.closeStray(p.plugin, p.operation, "stopping", p.offer.closeTo);
    }
    this.pendingConnects.clear();
  }

  protected statusOperations(): string[] {
    return [...this.requirements.keys()];
  }

  /**
   * Resolves once the core is compliant (at once if it is).
   * @throws TimeoutError after `timeoutMs` (default: wait forever), naming what is missing;
   * AbortError when `signal` aborts; NotRunningError if it stops first.
   */
  async compliant(options: CompliantOptions = {}): Promise<void> {
    const timeoutMs = options.timeoutMs === undefined ? undefined : checkTimeoutMs(options.timeoutMs);
    const signal = checkSignal(options.signal);
    if (this.state === "compliant") return;
    if (signal?.aborted) throw abortError(signal, `${this.id}: compliant()`);
    if (this.state === "stopping" || this.state === "stopped") {
      throw new NotRunningError(`${this.id} is ${this.state}: start() it first`);
    }
    return new Promise((resolve, reject) => {
      let timer: TimerHandle | undefined;
      const off = this.on("state", (state) => {
        if (state === "compliant") {
          done();
          resolve();
        } else if (state === "stopped") {
          done();
          reject(new NotRunningError(`${this.id} stopped before becoming compliant`));
        }
      });
      const unwatch = onAbort(signal, () => {
        done();
        reject(abortError(signal!, `${this.id}: compliant()`));
      });
      // A start() that fails leaves the core where it was: say so rather than wait forever.
      const failed = (error: Error): void => {
        done();
        reject(new NotRunningError(`${this.id} did not start: ${error.message}`, { cause: error }));
      };
      this.startWaiters.add(failed);
      const done = (): void => {
        off();
        unwatch();
        this.startWaiters.delete(failed);
        if (timer !== undefined) this.clock.clearTimeout(timer);
      };
      if (timeoutMs !== undefined) {
        timer = this.clock.setTimeout(() => {
          timer = undefined;
          done();
          reject(
            new TimeoutError(`${this.id} not compliant within ${timeoutMs} ms: ${this.missing().join("; ")}`),
          );
        }, timeoutMs);
      }
    });
  }

  /**
   * Human-readable list of unmet requirements, each with the reasons recently seen plugins
   * were not connected (`get_status: 0/1 connections; lamp-x skipped: its output matches
   * none of requires.get_status.outputs`).
   */
  missing(): string[] {
    const out: string[] = [];
    for (const req of this.requirements.values()) {
      const conns = this.connectionsOf(req.name);
      const seen = [...(this.skips.get(req.name)?.values() ?? [])].map(
        (d) => `${d.remote} skipped: ${d.message}`,
      );
      const why = seen.length > 0 ? `; ${seen.join("; ")}` : "";
      if (conns.length < req.minimum)
        out.push(`${req.name}: ${conns.length}/${req.minimum} connections${why}`);
      const absent = req.mandatory.filter((p) => !conns.some((c) => c.remote === p));
      if (absent.length > 0) out.push(`${req.name}: mandatory ${absent.join(", ")} not connected${why}`);
    }
    return out;
  }

  /** Reports a plugin not connected and remembers why, for `missing()` (bounded per operation). */
  private skip(plugin: string, operation: string, reason: SkipReason, message: string): void {
    let seen = this.skips.get(operation);
    if (!seen) this.skips.set(operation, (seen = new Map<string, SkipDetail>()));
    seen.delete(plugin);
    seen.set(plugin, { remote: plugin, operation, reason, message });
    if (seen.size > SEEN_PER_OPERATION) seen.delete(seen.keys().next().value as string);
    this.reportSkip(plugin, operation, reason, message);
  }

  private satisfied(req: Requirement): boolean {
    const conns = this.connectionsOf(req.name);
    if (conns.length < req.minimum) return false;
    return req.mandatory.every((p) => conns.some((c) => c.remote === p));
  }

  private connectionsOf(operation: string): Connection[] {
    return this.table.ofOperation(operation);
  }

  private evaluate(): void {
    if (!this.running) return;
    this.setState(this.isCompliant ? "compliant" : "not-compliant");
  }

  // ---- discovery -----------------------------------------------------------------------

  /** What is still needed, per operation, for a discover (empty when nothing can be taken). */
  private needs(): NeededOperation[] {
    const out: NeededOperation[] = [];
    for (const req of this.requirements.values()) {
      const taken = this.connectionsOf(req.name).length + this.pendingFor(req.name).length;
      if (req.maximum !== undefined && taken >= req.maximum) continue;
      const connected = new Set(this.connectionsOf(req.name).map((c) => c.remote));
      const missingMandatory = req.mandatory.filter((p) => !connected.has(p));
      const need: NeededOperation = {
        name: req.name,
        inputs: req.inputs.map((s) => s.wire),
        outputs: req.outputs.map((s) => s.wire),
        ...req.access.wire(),
      };
      if (req.maximum !== undefined) need.slots = req.maximum - taken;
      if (missingMandatory.length > 0) need.mandatory = missingMandatory;
      // Lets a plugin with a half-open connection (lost confirm or close) notice it. Beyond
      // what one list may carry, leave it out: plugins then assume nothing.
      if (connected.size <= 1024) need.connected = [...connected];
      out.push(need);
    }
    return out;
  }

  private pendingFor(operation: string): PendingConnect[] {
    return [...this.pendingConnects.values()].filter((p) => p.operation === operation);
  }

  /** Sends a discover now (if anything can be taken) and schedules the next one. */
  private discover(): void {
    if (this.discoverTimer !== undefined) this.clock.clearTimeout(this.discoverTimer);
    this.discoverTimer = undefined;
    if (!this.running) return;
    const operations = this.needs();
    if (operations.length > 0) {
      const message = this.message("discover", {
        offerTo: offerTopic({ root: this.root, core: this.id }),
        keepaliveTo: keepaliveTopic({ root: this.root, orb: this.id }),
        closeTo: closeTopic({ root: this.root, orb: this.id }),
        deadAfterMs: this.timing.deadAfterMs,
        operations: operations,
      });
      this.post(discoverTopic({ root: this.root }), message);
    }
    const jitter = 0.8 + 0.4 * Math.random();
    this.discoverTimer = this.clock.setTimeout(
      () => this.discover(),
      Math.max(1, Math.round(this.timing.discoverIntervalMs * jitter)),
    );
  }

  /** Discovers soon, coalescing bursts (announces, unavailable answers, lost connections). */
  private discoverSoon(): void {
    if (!this.running || this.discoverSoonTimer !== undefined) return;
    const delay = Math.min(50, Math.max(1, Math.floor(this.timing.discoverIntervalMs / 20)));
    this.discoverSoonTimer = this.clock.setTimeout(() => {
      this.discoverSoonTimer = undefined;
      this.discover();
    }, delay);
  }

  // ---- inbound -------------------------------------------------------------------------

  protected handle(message: OrbitalisMessage): void {
    if (!this.running) {
      // Stopping: in-flight results still arrive (graceful close), and a confirm that
      // arrives now has no pending request: answer it with a close.
      if (message.kind === "output" || message.kind === "error") this.onOutputMessage(message);
      else if (message.kind === "confirm") this.onConfirm(message);
      return;
    }
    switch (message.kind) {
      case "announce":
        return this.onAnnounce(message);
      case "offer":
        return this.onOffer(message);
      case "confirm":
        return this.onConfirm(message);
      case "unavailable":
        return this.onUnavailable(message);
      case "output":
      case "error":
        return this.onOutputMessage(message);
      default:
        return;
    }
  }

  private onAnnounce(message: AnnounceMessage): void {
    const needed = new Set(this.needs().map((n) => n.name));
    let useful = false;
    for (const op of message.operations) {
      const req = this.requirements.get(op.name);
      if (!req) continue;
      // Say now why a plugin that just started will not be connected (its offer never comes).
      const refusal = this.refusal(req, message.from, op.input, op.output);
      if (refusal) this.skip(message.from, op.name, refusal.reason, refusal.message);
      else if (needed.has(op.name)) useful = true;
    }
    if (useful) this.discoverSoon();
  }

  private onOffer(offer: OfferMessage): void {
    this.bufferedOffers.push(offer);
    if (!this.usesPreferences) return this.processOffers();
    // Preferences: collect offers for a short window, then pick the preferred ones.
    if (this.offerWindow === undefined) {
      this.offerWindow = this.clock.setTimeout(() => {
        this.offerWindow = undefined;
        this.processOffers();
      }, this.timing.offerWindowMs);
    }
  }

  /** Requests what is still needed from the buffered offers (preferred first) and rejects the rest. */
  private processOffers(): void {
    const offers = this.bufferedOffers.splice(0);
    const chosen = new Set<string>(); // `${offer.id}\0${op}`
    for (const req of this.requirements.values()) {
      const candidates: { offer: OfferMessage; order: number }[] = [];
      offers.forEach((offer, order) => {
        const op = offer.operations.find((o) => o.name === req.name);
        if (!op || !this.acceptable(req, offer, op.input, op.output)) return;
        candidates.push({ offer, order });
      });
      if (candidates.length === 0) continue;
      const mandatory = (id: string): number => (req.mandatory.includes(id) ? 0 : 1);
      candidates.sort(
        (a, b) =>
          mandatory(a.offer.from) - mandatory(b.offer.from) ||
          rank(req.prefer, a.offer.from) - rank(req.prefer, b.offer.from) ||
          a.order - b.order,
      );
      const connected = new Set(this.connectionsOf(req.name).map((c) => c.remote));
      const pending = this.pendingFor(req.name);
      for (const p of pending) connected.add(p.plugin);
      let free =
        req.maximum === undefined
          ? Infinity
          : req.maximum - this.connectionsOf(req.name).length - pending.length;
      let mandatoryHeld = req.mandatory.filter((p) => !connected.has(p)).length;
      const picked = new Set<string>();
      for (const { offer } of candidates) {
        if (picked.has(offer.from)) continue;
        const isMandatory = req.mandatory.includes(offer.from);
        // Keep room for mandatory plugins that are not connected yet.
        if (free <= 0 || (!isMandatory && free - mandatoryHeld <= 0)) {
          this.skip(
            offer.from,
            req.name,
            "maximum-reached",
            free <= 0
              ? `requires.${req.name}.maximum ${req.maximum} reached (connected or connecting)`
              : `the last free slots of requires.${req.name}.maximum ${req.maximum} are kept for mandatory ${req.mandatory.join(", ")}`,
          );
          continue;
        }
        if (isMandatory) mandatoryHeld--;
        free--;
        picked.add(offer.from);
        chosen.add(`${offer.id}\u0000${req.name}`);
      }
    }
    for (const offer of offers) {
      for (const op of offer.operations) {
        if (chosen.has(`${offer.id}\u0000${op.name}`)) this.requestConnection(offer, op.name);
        else {
          this.post(offer.replyTo, this.message("reject", { re: offer.id, operation: op.name }), offer.from);
        }
      }
    }
  }

  /** Whether an offered operation may be taken at all (before counting slots). */
  private acceptable(
    req: Requirement,
    offer: OfferMessage,
    input: WireSchemaSpec,
    output: WireSchemaSpec,
  ): boolean {
    const existing = this.connection(offer.from, req.name);
    if (existing && existing.remoteEpoch === offer.epoch) return false;
    if (this.pendingFor(req.name).some((p) => p.plugin === offer.from)) return false;
    const refusal = this.refusal(req, offer.from, input, output);
    if (refusal) this.skip(offer.from, req.name, refusal.reason, refusal.message);
    return refusal === undefined;
  }

  /**
   * Why `plugin`, offering `input`/`output` for `req`, can never be connected (its lists or
   * schemas), or undefined when it can.
   */
  private refusal(
    req: Requirement,
    plugin: string,
    inputWire: WireSchemaSpec,
    outputWire: WireSchemaSpec,
  ): { reason: SkipReason; message: string } | undefined {
    const field = `requires.${req.name}`;
    if (!req.access.permits(plugin)) {
      return {
        reason: "not-allowed",
        message: `${field}.${req.access.blocks(plugin) ? "block" : "allow"} excludes it`,
      };
    }
    const input = CompiledSpec.fromWire(inputWire);
    const output = CompiledSpec.fromWire(outputWire);
    if (!matchesAny(input, req.inputs))
      return {
        reason: "input-mismatch",
        message: `its input ${describeSpec(inputWire)} matches none of ${field}.inputs`,
      };
    if (!matchesAny(output, req.outputs))
      return {
        reason: "output-mismatch",
        message: `its output ${describeSpec(outputWire)} matches none of ${field}.outputs`,
      };
    // The plugin's schemas must compile here: its outputs are validated against them.
    if (!input.usable() || !output.usable())
      return { reason: "unusable-schema", message: "a schema it offers cannot be compiled here" };
    return undefined;
  }

  private requestConnection(offer: OfferMessage, operation: string): void {
    const op = offer.operations.find((o) => o.name === operation)!;
    const out = outputTopic({ root: this.root, core: this.id, operation, plugin: offer.from });
    const request = this.message("request", {
      re: offer.id,
      operation,
      responseTo: responseTopic({ root: this.root, core: this.id }),
      outputTopic: out,
    });
    const timer = this.clock.setTimeout(() => {
      // The reservation expired on the plugin's side too. Its confirm may still be on the
      // way: close that operation towards it so no slot is stranded, then try again.
      if (!this.pendingConnects.delete(request.id)) return;
      this.closeStray(offer.from, operation, "request expired", offer.closeTo);
      this.discoverSoon();
    }, offer.holdMs);
    this.pendingConnects.set(request.id, {
      requestId: request.id,
      plugin: offer.from,
      pluginEpoch: offer.epoch,
      operation,
      offer,
      input: CompiledSpec.fromWire(op.input),
      output: CompiledSpec.fromWire(op.output),
      outputTopic: out,
      timer,
    });
    this.post(offer.replyTo, request, offer.from);
  }

  private onConfirm(confirm: ConfirmMessage): void {
    const pending = this.pendingConnects.get(confirm.re);
    if (
      !pending ||
      pending.plugin !== confirm.from ||
      pending.pluginEpoch !== confirm.epoch ||
      pending.operation !== confirm.operation
    ) {
      const existing = this.connection(confirm.from, confirm.operation);
      // A duplicate (QoS 1 delivers at least once) of the confirm that made a connection.
      if (existing && existing.remoteEpoch === confirm.epoch && existing.inputTopic === confirm.inputTopic)
        return;
      // Nobody waits for this confirm (expired, or not ours): close it so no slot is stranded.
      this.closeStray(confirm.from, confirm.operation, "no pending request");
      return;
    }
    this.pendingConnects.delete(confirm.re);
    this.clock.clearTimeout(pending.timer);
    const connection = new Connection(
      confirm.from,
      confirm.epoch,
      confirm.operation,
      pending.input,
      pending.output,
      confirm.inputTopic,
      pending.outputTopic,
      this.clock.now(),
    );
    this.skips.get(confirm.operation)?.delete(confirm.from);
    this.addConnection(connection, confirm.epoch, {
      keepaliveTo: pending.offer.keepaliveTo,
      closeTo: pending.offer.closeTo,
      deadAfterMs: pending.offer.deadAfterMs,
    });
    this.evaluate();
  }

  private onUnavailable(message: UnavailableMessage): void {
    const pending = this.pendingConnects.get(message.re);
    if (!pending || pending.plugin !== message.from) return;
    this.pendingConnects.delete(message.re);
    this.clock.clearTimeout(pending.timer);
    this.discoverSoon();
  }

  private onOutputMessage(message: OutputMessage | ErrorMessage): void {
    const connection = this.connection(message.from, message.operation);
    if (!connection || connection.remoteEpoch !== message.epoch) {
      // A connection the plugin has and we do not (half-open): tell it to drop it.
      this.closeStray(message.from, message.operation, "no connection");
      this.reportError(
        new NoConnectionError(
          `${message.kind} from ${message.from} for ${message.operation}: no such connection`,
        ),
        "dropped",
      );
      return;
    }
    connection.lastUsed = this.clock.now();
    const corr = message.corr;
    const awaited = corr !== undefined && this.requests.meta(corr) === connection;
    if (!awaited && corr !== undefined) {
      // Only answers to requests carry a corr. Nobody waits for this one: its request
      // already ended (timed out, aborted, its connection closed) or it is a duplicate
      // (at-least-once delivery). Its caller was told; no sink may take it for a new output.
      this.lateAnswers++;
      const why = this.requests.abandonedRecently(corr) ? "a late" : "an unexpected";
      this.logger.debug(
        `${this.id}: dropped ${why} ${message.kind} from ${message.from} for ${message.operation}`,
      );
      return;
    }
    if (message.kind === "error") {
      const remote = new RemoteOperationError(
        message.code,
        `${message.from} failed ${message.operation}: ${message.message}`,
        message.data,
      );
      // CLOSING: the plugin is closing the connection and took no new work. That is a
      // closed connection to the caller (retry elsewhere), not a failed operation.
      const error =
        message.code === PLUGIN_ERROR_CODES.closing
          ? new ConnectionClosedError(
              `connection to ${message.from} for ${message.operation} is closing: the input was not run`,
              { cause: remote },
            )
          : remote;
      if (awaited) this.requests.reject(corr, error);
      else this.reportError(error, "remote error");
      return;
    }
    const check = this.checkOutput(connection, message.data);
    if (!check.ok) {
      const error = new InvalidPayloadError(
        `output of ${message.operation} from ${message.from} does not match its schema`,
        check.errors,
      );
      if (awaited) this.requests.reject(corr, error);
      else this.reportError(error, "invalid output");
      return;
    }
    if (awaited) {
      this.requests.resolve(corr, message.data);
      return;
    }
    const sinks = this.sinks.get(message.operation);
    if (!sinks || sinks.size === 0) {
      this.logger.debug(`${this.id}: output of ${message.operation} from ${message.from} with no sink`);
      return;
    }
    const ctx: OutputContext = {
      plugin: message.from,
      operation: message.operation,
      connection: connection.info(),
    };
    for (const sink of [...sinks]) {
      try {
        sink(message.data, ctx);
      } catch (error) {
        this.reportError(error, `an output sink of ${message.operation} threw`);
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
      const accepted = this.requirements.get(connection.operation)?.outputs ?? [];
      const checks = accepted.map((s) => s.check(data));
      if (checks.length === 0 || checks.some((c) => c.ok)) return own;
      return { ok: false, errors: checks.flatMap((c) => (c.ok ? [] : c.errors)) };
    } catch (error) {
      return { ok: false, errors: [`the output schema cannot be used: ${(error as Error).message}`] };
    }
  }

  /** Idle connections close only when compliance does not need them. */
  protected override mayCloseUnused(connection: Connection): boolean {
    const req = this.requirements.get(connection.operation);
    if (!req) return true;
    if (req.mandatory.includes(connection.remote)) return false;
    const open = this.connectionsOf(connection.operation).filter((c) => c.state === "open").length;
    return open > req.minimum;
  }

  protected onConnectionRemoved(connection: Connection, detail: DisconnectionDetail): void {
    this.requests.rejectWhere(
      (c) => c === connection,
      () => this.closedError(connection, detail),
    );
    if (this.running) {
      this.evaluate();
      this.discoverSoon();
    }
  }

  // ---- using plugins -------------------------------------------------------------------

  /**
   * Registers a sink for outputs of `operation` that nobody awaits (pushed by plugins,
   * or answers to `execute`). Returns a function that removes it.
   */
  onOutput<K extends OperationName<C>>(
    operation: K,
    sink: NoInfer<(data: OutputOf<C, K>, ctx: OutputContext) => void>,
  ): () => void {
    checkId("operation", operation);
    let set = this.sinks.get(operation);
    if (!set) this.sinks.set(operation, (set = new Set()));
    const fn = sink as (data: unknown, ctx: OutputContext) => void;
    set.add(fn);
    return () => set.delete(fn);
  }

  /** Open connections of `operation` whose input accepts `data`; throws when there are none. */
  private targets(operation: string, data: unknown, to: Target): Connection[] {
    this.assertRunning();
    const req = this.requirements.get(operation);
    if (!req) throw new NoConnectionError(`${this.id} does not require ${operation}`);
    const checks = req.inputs.map((s) => s.check(data));
    if (!checks.some((c) => c.ok)) {
      throw new InvalidPayloadError(
        `input for ${operation} matches no accepted input spec`,
        checks.flatMap((c) => (c.ok ? [] : c.errors)),
      );
    }
    const open = this.connectionsOf(operation).filter(
      (c) => c.state === "open" && (to === "any" || to === "all" || c.remote === to),
    );
    const accepting = open.filter((c) => c.input.check(data).ok);
    if (accepting.length === 0) {
      const whom = to === "any" || to === "all" ? "" : ` to ${to}`;
      throw new NoConnectionError(
        open.length === 0
          ? `no open connection${whom} for ${operation}`
          : `no open connection${whom} for ${operation} accepts this input (${open.length} open)`,
      );
    }
    return accepting;
  }

  private pick(conns: Connection[]): Connection {
    return conns[this.roundRobin++ % conns.length]!;
  }

  private sendInput(c: Connection, data: unknown, corr?: string, timeoutMs?: number): Promise<void> {
    const fields: { operation: string; corr?: string; timeoutMs?: number; data?: unknown } = {
      operation: c.operation,
    };
    if (corr !== undefined) fields.corr = corr;
    if (timeoutMs !== undefined) fields.timeoutMs = Math.ceil(timeoutMs);
    if (data !== undefined) fields.data = data;
    c.lastUsed = this.clock.now();
    return this.send(c.inputTopic, this.message("input", fields), c.remote);
  }

  /**
   * Sends `data` as input of `operation` to `to` (a plugin id, `any` or `all`; default
   * `all`), only over open connections whose input accepts it. Outputs go to `onOutput`
   * sinks. Resolves with the plugin ids it was sent to.
   * @throws NoConnectionError when no connection can take it; InvalidPayloadError when the
   * data matches no accepted schema (nothing is sent).
   */
  async execute<K extends OperationName<C>>(
    operation: K,
    ...args: NoInfer<DataArgs<InputOf<C, K>, [options?: ExecuteOptions]>>
  ): Promise<string[]> {
    const [data, options = {}] = args as [unknown, ExecuteOptions?];
    const to = options.to ?? "all";
    const targets = this.targets(operation, data, to);
    const chosen = to === "any" ? [this.pick(targets)] : targets;
    await Promise.all(chosen.map((c) => this.sendInput(c, data)));
    return chosen.map((c) => c.remote);
  }

  /**
   * Spreads `items` over the connections of `operation` that accept them, one item per
   * plugin in turn (round robin). Resolves with the plugin id each item went to.
   * @throws NoConnectionError / InvalidPayloadError as `execute`, before anything is sent.
   */
  async executeDistributed<K extends OperationName<C>>(
    operation: K,
    items: NoInfer<readonly InputOf<C, K>[]>,
  ): Promise<string[]> {
    if (!Array.isArray(items)) throw new InvalidPayloadError("executeDistributed takes an array of inputs");
    const plan = items.map((item) => this.pick(this.targets(operation, item, "any")));
    await Promise.all(plan.map((c, i) => this.sendInput(c, items[i])));
    return plan.map((c) => c.remote);
  }

  /**
   * Sends `data` to one plugin (`to`: an id or `any`, default `any`) and resolves with its
   * output (typed by the contract). An operation without input is called without data.
   * @throws RequestTimeoutError (no answer in time), RemoteOperationError (the handler
   * failed: `remoteCode` and `data` say how), ConnectionClosedError (the connection went
   * away), NoConnectionError, InvalidPayloadError (bad input, or an output that does not
   * match its schema), AbortError (`signal` aborted).
   */
  async request<K extends OperationName<C>>(
    operation: K,
    ...args: NoInfer<DataArgs<InputOf<C, K>, [options?: RequestOptions]>>
  ): Promise<OutputOf<C, K>> {
    const [data, options = {}] = args as [unknown, RequestOptions?];
    const timeoutMs = checkTimeoutMs(options.timeoutMs ?? this.timing.requestTimeoutMs);
    const signal = checkSignal(options.signal);
    if (signal?.aborted) throw abortError(signal, `request ${operation}`);
    const to = options.to ?? "any";
    if (to === "all")
      throw new NoConnectionError(
        'request awaits one result: use to: "any" or a plugin id (or execute for all)',
      );
    const connection = this.pick(this.targets(operation, data, to));
    const corr = randomId(16);
    connection.begin();
    const result = this.requests.wait(corr, {
      meta: connection,
      timeoutMs,
      signal,
      what: `request ${operation} to ${connection.remote}`,
      onTimeout: () =>
        new RequestTimeoutError(`${connection.remote} did not answer ${operation} within ${timeoutMs} ms`),
      onEnd: () => connection.end(),
    }) as Promise<OutputOf<C, K>>;
    // The result may settle (connection closed, timeout) while the input is still being
    // published: mark it handled now; the caller gets it below all the same.
    result.catch(() => undefined);
    try {
      await this.sendInput(connection, data, corr, timeoutMs);
    } catch (error) {
      this.requests.reject(corr, error instanceof Error ? error : new Error(String(error)));
    }
    return result;
  }
}
