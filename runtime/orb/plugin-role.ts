/**
 * The plugin role: declaring operations, announcing them, answering discovers with offers
 * within its limits (maxCores in total and per operation, counted by {@link PluginCapacity};
 * allow and block lists, preferred cores first), holding a reservation per offer until the
 * core requests or rejects it or `holdMs` passes, and confirming connections. Running the
 * handlers is {@link PluginServing}'s.
 */
import type { TimerHandle } from "../clock.js";
import { ConfigError } from "../errors.js";
import { checkId } from "../ids.js";
import { CompiledSpec, matchesAny } from "../schema-spec.js";
import {
  announceTopic,
  closeTopic,
  discoverTopic,
  inputFilter,
  inputTopic,
  keepaliveTopic,
  replyTopic,
  type DiscoverMessage,
  type MessageKind,
  type NeededOperation,
  type OfferedOperation,
  type RejectMessage,
  type RequestMessage,
} from "../../generated/protocol/index.js";
import { Connection, type DisconnectionDetail } from "./connection.js";
import type { PeerTopics } from "./liveness.js";
import type { SkipReason } from "./orb-events.js";
import type { OperationHandler, OperationOptions, PluginOptions } from "./plugin-options.js";
import { PluginCapacity } from "./plugin-capacity.js";
import { PluginServing, type OfferWhen, type Operation } from "./plugin-serving.js";
import { Access, count, idList, rank } from "./policy.js";
import { Reservations } from "./reservations.js";
import type { Role, RoleHost, RoleInbound } from "./role-host.js";

/** How a plugin role is set up: its orb's limits, and whether the orb is ready to serve. */
export interface PluginRoleOptions {
  readonly limits: PluginOptions;
  /** Default of an operation's `offerWhen` (a plugin: always). */
  readonly offerWhen: OfferWhen;
  /** Whether the orb's own requirements are met (for operations offered only then). */
  ready(): boolean;
  /** Whether operations may still be declared (the orb was not started, or stopped). */
  declarable(): boolean;
}

export class PluginRole implements Role {
  readonly handlers: RoleInbound["handlers"];
  /** Stopping: inputs still get an answer (CLOSING), so graceful closes finish at once. */
  readonly whileStopping: readonly MessageKind[] = ["input"];
  readonly serving: PluginServing;
  private readonly access: Access;
  private readonly prefer: readonly string[];
  private readonly declared = new Map<string, Operation>();
  private readonly reservations: Reservations;
  /** Whether a core can have one more slot of an operation (maxCores). */
  private readonly capacity: PluginCapacity;
  private readonly bufferedDiscovers: DiscoverMessage[] = [];
  private discoverWindow: TimerHandle | undefined;

  /** @throws ConfigError naming the field when a limit is invalid. */
  constructor(
    private readonly host: RoleHost,
    private readonly options: PluginRoleOptions,
  ) {
    const limits = options.limits;
    const maxCores = count(limits.maxCores, "maxCores", 1);
    this.access = Access.from(limits, "plugin");
    this.prefer = idList(limits.prefer, "prefer") ?? [];
    this.serving = new PluginServing(host, this.declared);
    this.reservations = new Reservations(
      host.clock,
      host.table,
      host.timing,
      count(limits.maxReservations, "maxReservations", 1),
      (r) =>
        host.logger.debug(
          `${host.id}: maxReservations reached: the reservation of ${r.operation} for ${r.core} gave way`,
        ),
    );
    this.capacity = new PluginCapacity(this.reservations, host.table, maxCores);
    this.handlers = {
      discover: (m) => this.onDiscover(m),
      request: (m) => this.onRequest(m),
      reject: (m) => this.onReject(m),
      input: (m) => void this.serving.onInput(m),
    };
  }

  /** See `Plugin.operation`. */
  declare(
    name: string,
    options: OperationOptions & { offerWhen?: OfferWhen },
    handler: OperationHandler,
  ): void {
    const field = `operation(${JSON.stringify(name)})`;
    checkId(field, name);
    if (!this.options.declarable()) throw new ConfigError(field, "declare operations before start()");
    if (this.declared.has(name)) throw new ConfigError(field, "declared twice");
    if (typeof handler !== "function") throw new ConfigError(`${field}.handler`, "must be a function");
    const offerWhen = options?.offerWhen ?? this.options.offerWhen;
    if (offerWhen !== "always" && offerWhen !== "compliant")
      throw new ConfigError(
        `${field}.offerWhen`,
        `must be "always" or "compliant", not ${JSON.stringify(offerWhen)}`,
      );
    const policy = options?.policy ?? {};
    this.declared.set(name, {
      name,
      input: CompiledSpec.fromUser(options?.input, `${field}.input`, { empty: true }),
      output: CompiledSpec.fromUser(options?.output, `${field}.output`, "none"),
      maxCores: count(policy.maxCores, `${field}.policy.maxCores`, 1),
      access: Access.from(policy, `${field}.policy`),
      handler,
      offerWhen,
    });
  }

  filters(): string[] {
    const root = this.host.root;
    return [
      discoverTopic({ root }),
      replyTopic({ root, plugin: this.host.id }),
      inputFilter({ root, plugin: this.host.id }),
    ];
  }

  operations(): string[] {
    return [...this.declared.keys()];
  }

  /** Whether `op` is offered now (a hybrid's `offerWhen: "compliant"` ones only while it is). */
  private offerable(op: Operation): boolean {
    return op.offerWhen === "always" || this.options.ready();
  }

  started(): void {
    if (this.declared.size === 0) {
      this.host.logger.warn(`${this.host.id}: started with no operations`);
      return;
    }
    this.announce((op) => this.offerable(op));
  }

  /** Announces the operations `which` picks (cores that need them discover at once). */
  private announce(which: (op: Operation) => boolean): void {
    const ops = [...this.declared.values()].filter(which);
    if (ops.length === 0) return;
    this.host.post(
      announceTopic({ root: this.host.root }),
      this.host.message("announce", { operations: offered(ops) }),
    );
  }

  /**
   * The orb's own requirements became met or unmet. Operations offered only while they are
   * met are announced, or withdrawn: their reservations freed and the connections that
   * serve them closed gracefully (work in flight finishes).
   */
  readinessChanged(ready: boolean): void {
    if (!this.host.running()) return;
    const gated = (op: Operation): boolean => op.offerWhen === "compliant";
    if (ready) return this.announce(gated);
    this.reservations.releaseWhere((r) => this.declared.get(r.operation)?.offerWhen === "compliant");
    for (const op of this.declared.values()) {
      if (!gated(op)) continue;
      for (const c of this.host.table.ofOperation(op.name, "plugin"))
        void this.host
          .close(c.remote, op.name, { graceful: true, reason: "not compliant", role: "plugin" })
          .catch((error: unknown) =>
            this.host.reportError(error, `could not close ${op.name} with ${c.remote}`),
          );
    }
  }

  stopping(): void {
    if (this.discoverWindow !== undefined) this.host.clock.clearTimeout(this.discoverWindow);
    this.discoverWindow = undefined;
    this.bufferedDiscovers.length = 0;
    this.reservations.releaseWhere();
  }

  mayCloseUnused(): boolean {
    return true;
  }

  removed(_connection: Connection, _detail: DisconnectionDetail): void {
    // Slots free up by themselves: capacity is computed from the table.
  }

  // ---- the handshake -------------------------------------------------------------------

  private onDiscover(discover: DiscoverMessage): void {
    if (!this.access.permits(discover.from)) {
      for (const need of discover.operations)
        if (this.declared.has(need.name))
          this.host.reportSkip(
            discover.from,
            need.name,
            "not-allowed",
            "this plugin's allow/block list excludes it",
          );
      return;
    }
    this.reconcile(discover);
    if (this.prefer.length === 0) return this.offerTo(discover);
    // Preferences: collect discovers for a short window, then serve preferred cores first.
    this.bufferedDiscovers.push(discover);
    if (this.discoverWindow === undefined) {
      this.discoverWindow = this.host.clock.setTimeout(() => {
        this.discoverWindow = undefined;
        const batch = this.bufferedDiscovers.splice(0).map((d, i) => ({ d, i }));
        batch.sort((a, b) => rank(this.prefer, a.d.from) - rank(this.prefer, b.d.from) || a.i - b.i);
        for (const { d } of batch) if (this.host.running()) this.offerTo(d);
      }, this.host.timing.offerWindowMs);
    }
  }

  /**
   * Compares the core's view (the `connected` list of each needed operation) with ours:
   * a connection the core does not list is half-open on our side (its confirm or a close
   * got lost) and is dropped; one it lists that we lack is closed towards it.
   */
  private reconcile(discover: DiscoverMessage): void {
    const now = this.host.clock.now();
    for (const need of discover.operations) {
      if (need.connected === undefined) continue;
      const listed = need.connected.includes(this.host.id);
      const mine = this.host.table.find(discover.from, need.name, "plugin");
      if (
        mine?.state === "open" &&
        mine.remoteEpoch === discover.epoch &&
        !listed &&
        now - mine.since > this.host.timing.holdMs
      ) {
        this.host.removeConnection(mine, { reason: "closed-by-remote", graceful: false });
      } else if (!mine && listed) {
        this.host.closeStray(discover.from, need.name, "plugin", "no connection", discover.closeTo);
      }
    }
  }

  /** Whether `op` can serve what the core asks for in `need`; says why not when it is a real refusal. */
  private canServe(op: Operation, need: NeededOperation, core: string): boolean {
    if (this.host.table.find(core, op.name, "plugin")) return false;
    if (this.reservations.holds(core, op.name)) return false;
    const field = `operation(${JSON.stringify(op.name)})`;
    if (!this.offerable(op))
      return this.refuse(
        core,
        op.name,
        "not-compliant",
        `${field} is offered only while this orb is compliant`,
      );
    if (!op.access.permits(core))
      return this.refuse(core, op.name, "not-allowed", `${field}.policy allow/block excludes it`);
    if (need.allow && !need.allow.includes(this.host.id))
      return this.refuse(core, op.name, "not-allowed", "its allow list does not name this plugin");
    if (need.block?.includes(this.host.id))
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
    this.host.reportSkip(core, operation, reason, message);
    return false;
  }

  private offerTo(discover: DiscoverMessage): void {
    const host = this.host;
    const core = discover.from;
    const chosen: Operation[] = [];
    for (const need of discover.operations) {
      const op = this.declared.get(need.name);
      if (!op || !this.canServe(op, need, core)) continue;
      const full = this.capacity.full(op, core);
      if (full !== undefined) {
        host.reportSkip(core, op.name, "no-free-slot", full);
        continue;
      }
      chosen.push(op);
    }
    if (chosen.length === 0) return;
    const offer = host.message("offer", {
      re: discover.id,
      replyTo: replyTopic({ root: host.root, plugin: host.id }),
      keepaliveTo: keepaliveTopic({ root: host.root, orb: host.id }),
      closeTo: closeTopic({ root: host.root, orb: host.id }),
      deadAfterMs: host.timing.deadAfterMs,
      holdMs: host.timing.holdMs,
      operations: offered(chosen),
    });
    for (const op of chosen) {
      this.reservations.hold(offer.id, core, discover.epoch, op.name, {
        keepaliveTo: discover.keepaliveTo,
        closeTo: discover.closeTo,
        deadAfterMs: discover.deadAfterMs,
      });
    }
    host.post(discover.offerTo, offer, core);
  }

  private onReject(message: RejectMessage): void {
    const r = this.reservations.get(message.re, message.operation);
    if (r && r.core === message.from) this.reservations.release(message.re, message.operation);
  }

  private onRequest(request: RequestMessage): void {
    const host = this.host;
    const core = request.from;
    const op = this.declared.get(request.operation);
    const reservation = this.reservations.get(request.re, request.operation);
    const held =
      reservation !== undefined && reservation.core === core && reservation.coreEpoch === request.epoch;
    if (held) this.reservations.release(request.re, request.operation);
    // It answers an offer of another live instance of our id (requests reach both of us):
    // that one confirms. A confirm of ours too would be refused by the core, or worse,
    // leave us a second, half-open connection that runs every input again. No answer either:
    // an `unavailable` could end the core's wait for the other one's confirm.
    if (!held && host.twin() !== undefined && !request.re.startsWith(`${host.epoch()}.`)) {
      host.logger.debug(
        `${host.id}: ignored a request of ${core} for an offer of another instance of this id`,
      );
      return;
    }
    this.reservations.requested(core);
    const unavailable = (reason: string): void =>
      host.post(
        request.responseTo,
        host.message("unavailable", { re: request.id, operation: request.operation, reason }),
        core,
      );
    if (!op) return unavailable("no such operation");
    if (!this.offerable(op)) return unavailable("not compliant");
    if (!this.access.permits(core) || !op.access.permits(core)) return unavailable("not allowed");
    const existing = host.table.find(core, op.name, "plugin");
    if (existing && existing.remoteEpoch === request.epoch) return unavailable("already connected");
    if (!held && this.capacity.full(op, core) !== undefined) return unavailable("no free slot");
    const topics: PeerTopics = held
      ? reservation.topics
      : {
          // Without a reservation the request says where the core listens (HS-9); a 1.0
          // core does not: its default addresses, and our own patience for its.
          keepaliveTo: request.keepaliveTo ?? keepaliveTopic({ root: host.root, orb: core }),
          closeTo: request.closeTo ?? closeTopic({ root: host.root, orb: core }),
          deadAfterMs: request.deadAfterMs ?? host.timing.deadAfterMs,
        };
    const input = inputTopic({ root: host.root, plugin: host.id, operation: op.name, core });
    const connection = new Connection(
      core,
      request.epoch,
      op.name,
      op.input,
      op.output,
      input,
      request.outputTopic,
      host.clock.now(),
      "plugin",
    );
    host.addConnection(connection, request.epoch, topics);
    host.post(
      request.responseTo,
      host.message("confirm", { re: request.id, operation: op.name, inputTopic: input }),
      core,
    );
  }
}

function offered(ops: Operation[]): [OfferedOperation, ...OfferedOperation[]] {
  return ops.map((o) => ({ name: o.name, input: o.input.wire, output: o.output.wire })) as [
    OfferedOperation,
    ...OfferedOperation[],
  ];
}
