/**
 * The core role: discovering plugins for what is still needed, choosing among their offers
 * (mandatory and preferred first, within maximum: {@link chooseOffers}), requesting and
 * confirming connections, and keeping compliance up to date. What the core does with its
 * connections is in {@link CoreCalls}; whether its requirements are met, in {@link Compliance}.
 */
import type { TimerHandle } from "../clock.js";
import { CompiledSpec, type WireSchemaSpec } from "../schema-spec.js";
import {
  announceTopic,
  closeTopic,
  discoverTopic,
  keepaliveTopic,
  offerTopic,
  outputFilter,
  outputTopic,
  responseTopic,
  type AnnounceMessage,
  type ConfirmMessage,
  type MessageKind,
  type NeededOperation,
  type OfferMessage,
  type PresenceMessage,
  type UnavailableMessage,
} from "../../generated/protocol/index.js";
import { Compliance, type CoreSkipReason } from "./compliance.js";
import { Connection, type DisconnectionDetail } from "./connection.js";
import { CoreCalls } from "./core-calls.js";
import { chooseOffers, type ChoiceView } from "./offer-choice.js";
import { count } from "./policy.js";
import type { Requirement } from "./requirements.js";
import type { Role, RoleHost, RoleInbound } from "./role-host.js";

interface PendingConnect {
  readonly plugin: string;
  readonly pluginEpoch: string;
  readonly operation: string;
  readonly offer: OfferMessage;
  readonly input: CompiledSpec;
  readonly output: CompiledSpec;
  readonly outputTopic: string;
  readonly timer: TimerHandle;
}

/** What the core role tells its orb. */
export interface CoreRoleEvents {
  /** Connections of the role changed: compliance may have too. */
  changed(): void;
}

export class CoreRole implements Role {
  readonly compliance: Compliance;
  readonly calls: CoreCalls;
  readonly handlers: RoleInbound["handlers"];
  /** Stopping: in-flight results still arrive; a confirm that arrives now is answered with a close. */
  readonly whileStopping: readonly MessageKind[] = ["output", "error", "confirm"];
  private readonly pendingConnects = new Map<string, PendingConnect>();
  private readonly bufferedOffers: OfferMessage[] = [];
  private offerWindow: TimerHandle | undefined;
  private discoverTimer: TimerHandle | undefined;
  private discoverSoonTimer: TimerHandle | undefined;
  /** What offer choice reads of this role. */
  private readonly choice: ChoiceView = {
    acceptable: (req, offer, input, output) => this.acceptable(req, offer, input, output),
    connected: (operation) => this.compliance.connectionsOf(operation),
    pending: (operation) => this.pendingFor(operation),
    skip: (plugin, operation, reason, message) => this.skip(plugin, operation, reason, message),
  };

  /** @throws ConfigError naming the field when a requirement is invalid. */
  constructor(
    private readonly host: RoleHost,
    options: { readonly requires: unknown; readonly maxPendingRequests?: number },
    private readonly events: CoreRoleEvents,
  ) {
    this.compliance = new Compliance(options.requires, host.table);
    const maxPending = count(options.maxPendingRequests, "maxPendingRequests", 1) ?? 10_000;
    this.calls = new CoreCalls(host, this.compliance, maxPending);
    this.handlers = {
      announce: (m) => this.onAnnounce(m),
      offer: (m) => this.onOffer(m),
      confirm: (m) => this.onConfirm(m),
      unavailable: (m) => this.onUnavailable(m),
      output: (m) => this.calls.onOutputMessage(m),
      error: (m) => this.calls.onOutputMessage(m),
    };
  }

  filters(): string[] {
    const root = this.host.root;
    return [
      offerTopic({ root, core: this.host.id }),
      responseTopic({ root, core: this.host.id }),
      outputFilter({ root, core: this.host.id }),
      announceTopic({ root }),
    ];
  }

  operations(): string[] {
    return [...this.compliance.requirements.keys()];
  }

  started(): void {
    this.discover();
  }

  stopping(): void {
    this.compliance.candidates.reset(); // what it heard belongs to this run
    const clock = this.host.clock;
    for (const t of [this.discoverTimer, this.discoverSoonTimer, this.offerWindow])
      if (t !== undefined) clock.clearTimeout(t);
    this.discoverTimer = this.discoverSoonTimer = this.offerWindow = undefined;
    // Free every slot plugins hold for us: reject buffered offers, close pending requests.
    for (const offer of this.bufferedOffers.splice(0)) {
      for (const op of offer.operations) {
        this.host.post(
          offer.replyTo,
          this.host.message("reject", { re: offer.id, operation: op.name, reason: "stopping" }),
          offer.from,
        );
      }
    }
    for (const p of this.pendingConnects.values()) {
      clock.clearTimeout(p.timer);
      this.host.closeStray(p.plugin, p.operation, "core", "stopping", p.offer.closeTo);
    }
    this.pendingConnects.clear();
  }

  removed(connection: Connection, detail: DisconnectionDetail): void {
    this.calls.removed(connection, detail);
    if (this.host.running()) {
      this.compliance.candidates.disconnected(connection.operation, connection.remote, detail.reason);
      this.events.changed();
      this.discoverSoon();
    }
  }

  mayCloseUnused(connection: Connection): boolean {
    return this.compliance.mayCloseUnused(connection);
  }

  /** Reports a plugin not connected and remembers why, for `missing()`. */
  private skip(plugin: string, operation: string, reason: CoreSkipReason, message: string): void {
    this.compliance.skipped({ remote: plugin, operation, reason, message });
    this.host.reportSkip(plugin, operation, reason, message);
  }

  /** Plugins come and go: those that run are candidates for what is still missing. */
  presence(message: PresenceMessage): void {
    this.compliance.candidates.presence(message);
  }

  // ---- discovery -----------------------------------------------------------------------

  /** What is still needed, per operation, for a discover (empty when nothing can be taken). */
  private needs(): NeededOperation[] {
    const out: NeededOperation[] = [];
    for (const req of this.compliance.requirements.values()) {
      const conns = this.compliance.connectionsOf(req.name);
      const taken = conns.length + this.pendingFor(req.name).length;
      if (req.maximum !== undefined && taken >= req.maximum) continue;
      const connected = new Set(conns.map((c) => c.remote));
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
    const host = this.host;
    if (this.discoverTimer !== undefined) host.clock.clearTimeout(this.discoverTimer);
    this.discoverTimer = undefined;
    if (!host.running()) return;
    const operations = this.needs();
    if (operations.length > 0) {
      const message = host.message("discover", {
        offerTo: offerTopic({ root: host.root, core: host.id }),
        keepaliveTo: keepaliveTopic({ root: host.root, orb: host.id }),
        closeTo: closeTopic({ root: host.root, orb: host.id }),
        deadAfterMs: host.timing.deadAfterMs,
        operations: operations,
      });
      host.post(discoverTopic({ root: host.root }), message);
      this.compliance.candidates.discovered();
    }
    const jitter = 0.8 + 0.4 * host.random();
    this.discoverTimer = host.clock.setTimeout(
      () => this.discover(),
      Math.max(1, Math.round(host.timing.discoverIntervalMs * jitter)),
    );
  }

  /** Discovers soon, coalescing bursts (announces, unavailable answers, lost connections). */
  discoverSoon(): void {
    if (!this.host.running() || this.discoverSoonTimer !== undefined) return;
    const delay = Math.min(50, Math.max(1, Math.floor(this.host.timing.discoverIntervalMs / 20)));
    this.discoverSoonTimer = this.host.clock.setTimeout(() => {
      this.discoverSoonTimer = undefined;
      this.discover();
    }, delay);
  }

  // ---- the handshake -------------------------------------------------------------------

  private onAnnounce(message: AnnounceMessage): void {
    const needed = new Set(this.needs().map((n) => n.name));
    const names = message.operations.map((op) => op.name);
    this.compliance.candidates.runs(message.from, message.epoch, names);
    let useful = false;
    for (const op of message.operations) {
      const req = this.compliance.requirements.get(op.name);
      if (!req) continue;
      // Say now why a plugin that just started will not be connected (its offer never comes).
      const refusal = this.compliance.refusal(req, message.from, op.input, op.output);
      if (refusal) this.skip(message.from, op.name, refusal.reason, refusal.message);
      else {
        // Its offer should follow the next discover; if it does not, missing() says so.
        if (!this.host.table.find(message.from, op.name, "core"))
          this.compliance.candidates.announced(op.name, message.from);
        if (needed.has(op.name)) useful = true;
      }
    }
    if (useful) this.discoverSoon();
  }

  private onOffer(offer: OfferMessage): void {
    this.compliance.candidates.runs(offer.from, offer.epoch);
    this.bufferedOffers.push(offer);
    if (!this.compliance.usesPreferences) return this.processOffers();
    // Preferences: collect offers for a short window, then pick the preferred ones.
    if (this.offerWindow === undefined) {
      this.offerWindow = this.host.clock.setTimeout(() => {
        this.offerWindow = undefined;
        this.processOffers();
      }, this.host.timing.offerWindowMs);
    }
  }

  /** Requests what is still needed from the buffered offers (preferred first) and rejects the rest. */
  private processOffers(): void {
    const offers = this.bufferedOffers.splice(0);
    const chosen = new Set<string>(); // `${offer.id}\0${op}`
    for (const req of this.compliance.requirements.values()) {
      for (const offer of chooseOffers(req, offers, this.choice)) chosen.add(`${offer.id}\u0000${req.name}`);
    }
    for (const offer of offers) {
      for (const op of offer.operations) {
        if (chosen.has(`${offer.id}\u0000${op.name}`)) this.requestConnection(offer, op.name);
        else
          this.host.post(
            offer.replyTo,
            this.host.message("reject", { re: offer.id, operation: op.name }),
            offer.from,
          );
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
    const existing = this.host.table.find(offer.from, req.name, "core");
    if (existing && existing.remoteEpoch === offer.epoch) return false;
    if (this.pendingFor(req.name).some((p) => p.plugin === offer.from)) return false;
    const refusal = this.compliance.refusal(req, offer.from, input, output);
    if (refusal) this.skip(offer.from, req.name, refusal.reason, refusal.message);
    return refusal === undefined;
  }

  private requestConnection(offer: OfferMessage, operation: string): void {
    const host = this.host;
    const op = offer.operations.find((o) => o.name === operation)!;
    const out = outputTopic({ root: host.root, core: host.id, operation, plugin: offer.from });
    const request = host.message("request", {
      re: offer.id,
      operation,
      responseTo: responseTopic({ root: host.root, core: host.id }),
      outputTopic: out,
      // As in the discover: a plugin that confirms without a reservation has no other
      // way to learn them (spec HS-9).
      keepaliveTo: keepaliveTopic({ root: host.root, orb: host.id }),
      closeTo: closeTopic({ root: host.root, orb: host.id }),
      deadAfterMs: host.timing.deadAfterMs,
    });
    const timer = host.clock.setTimeout(() => {
      // The reservation expired on the plugin's side too. Its confirm may still be on the
      // way: close that operation towards it so no slot is stranded, then try again.
      if (!this.pendingConnects.delete(request.id)) return;
      this.compliance.candidates.noConfirm(operation, offer.from, offer.holdMs);
      host.closeStray(offer.from, operation, "core", "request expired", offer.closeTo);
      this.discoverSoon();
    }, offer.holdMs);
    this.pendingConnects.set(request.id, {
      plugin: offer.from,
      pluginEpoch: offer.epoch,
      operation,
      offer,
      input: CompiledSpec.fromWire(op.input),
      output: CompiledSpec.fromWire(op.output),
      outputTopic: out,
      timer,
    });
    this.compliance.candidates.connecting(operation, offer.from);
    host.post(offer.replyTo, request, offer.from);
  }

  private onConfirm(confirm: ConfirmMessage): void {
    const host = this.host;
    const pending = this.pendingConnects.get(confirm.re);
    if (
      !pending ||
      pending.plugin !== confirm.from ||
      pending.pluginEpoch !== confirm.epoch ||
      pending.operation !== confirm.operation
    ) {
      const existing = host.table.find(confirm.from, confirm.operation, "core");
      // A duplicate (QoS 1 delivers at least once) of the confirm that made a connection.
      if (existing && existing.remoteEpoch === confirm.epoch && existing.inputTopic === confirm.inputTopic)
        return;
      // Nobody waits for this confirm (expired, or not ours): close it so no slot is stranded.
      host.closeStray(confirm.from, confirm.operation, "core", "no pending request");
      return;
    }
    this.pendingConnects.delete(confirm.re);
    host.clock.clearTimeout(pending.timer);
    const connection = new Connection(
      confirm.from,
      confirm.epoch,
      confirm.operation,
      pending.input,
      pending.output,
      confirm.inputTopic,
      pending.outputTopic,
      host.clock.now(),
      "core",
    );
    this.compliance.connected(confirm.from, confirm.operation);
    host.addConnection(connection, confirm.epoch, {
      keepaliveTo: pending.offer.keepaliveTo,
      closeTo: pending.offer.closeTo,
      deadAfterMs: pending.offer.deadAfterMs,
    });
    this.events.changed();
  }

  private onUnavailable(message: UnavailableMessage): void {
    const pending = this.pendingConnects.get(message.re);
    if (!pending || pending.plugin !== message.from) return;
    this.pendingConnects.delete(message.re);
    this.host.clock.clearTimeout(pending.timer);
    this.compliance.candidates.unavailable(pending.operation, pending.plugin, message.reason);
    this.discoverSoon();
  }
}
