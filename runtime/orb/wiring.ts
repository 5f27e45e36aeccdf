/**
 * The wiring of an orb's parts: one shared {@link PartContext}, each part built with the
 * narrow host it needs (one named function per part below), and what one part tells routed
 * to the part that acts on it. The orbiter keeps identity, state and lifecycle and reaches
 * the parts through {@link OrbParts}; the parts never see each other.
 *
 * Notifications that would call back into the part that sent them are handled after the
 * call returns (`released` held messages, a hybrid's compliance changes: see
 * docs/architecture.md, "Who calls whom").
 */
import type { Bus, BusStatus } from "../bus/bus.js";
import type { Clock } from "../clock.js";
import type { Logger } from "../logger.js";
import type { OrbitalisMessage } from "../../generated/protocol/index.js";
import { Authenticator, type AuthOptions } from "./auth.js";
import type { ConnectionInfo, ConnectionRole, DisconnectionDetail, OrbRole } from "./connection.js";
import type { PartContext } from "./context.js";
import { Envelope } from "./envelope.js";
import { IdleReaper } from "./idle-reaper.js";
import { Identity } from "./identity.js";
import { Inbound } from "./inbound.js";
import { closedError, Links } from "./links.js";
import { Membership } from "./membership.js";
import type { SkipReason } from "./orb-events.js";
import type { CloseOptions, TimingOptions } from "./options.js";
import { Outbox } from "./outbox.js";
import { Queries } from "./queries.js";
import type { Role, RoleHost } from "./role-host.js";
import { Strays } from "./strays.js";

/** What an orb is made with (its checked options). */
export interface OrbBase {
  readonly id: string;
  readonly root: string;
  readonly bus: Bus;
  readonly timing: TimingOptions;
  readonly clock: Clock;
  readonly random: () => number;
  readonly logger: Logger;
  readonly auth?: AuthOptions;
}

/** What the parts need of the orbiter itself: its state, its roles, and where their news goes. */
export interface OrbSide {
  /** The orb's role (read late: a subclass sets it after the orbiter's constructor). */
  role(): OrbRole;
  state(): string;
  running(): boolean;
  stopping(): boolean;
  /** The roles this orb plays, by the role it has in their connections. */
  readonly roles: ReadonlyMap<ConnectionRole, Role>;
  assertRunning(): void;
  reportError(error: unknown, context: string): void;
  reportSkip(remote: string, operation: string, reason: SkipReason, message: string): void;
  /** Emits `error` (listeners, or the logger). */
  emitError(error: Error): void;
  /** Emits `error` only when someone listens (the error was logged already). */
  notify(error: Error): void;
  connected(info: ConnectionInfo): void;
  disconnected(info: ConnectionInfo, detail: DisconnectionDetail): void;
  busStatus(status: BusStatus, error?: Error): void;
  /** See `Orbiter.close`. */
  close(remote: string, operation: string | undefined, options: CloseOptions): Promise<void>;
}

/** An orb's parts, wired. */
export class OrbParts {
  readonly envelope: Envelope;
  readonly context: PartContext;
  /** Connections, peer liveness, termination, restart probing. */
  readonly links: Links;
  /** Every message this orb publishes leaves through it. */
  readonly outbox: Outbox;
  readonly membership: Membership;
  readonly identity: Identity;
  /** Traffic for connections this orb does not hold, reported once per cause. */
  readonly strays: Strays;
  readonly reaper: IdleReaper;
  /** status() and ping(), and the answers to them. */
  readonly queries: Queries;
  readonly inbound: Inbound;
  /** What the roles get to work with. */
  readonly roleHost: RoleHost;

  constructor(base: OrbBase, orb: OrbSide) {
    const auth = base.auth === undefined ? undefined : new Authenticator(base.auth, base.clock);
    this.envelope = new Envelope(base.id, base.clock, auth && ((m) => auth.sign(m)));
    this.context = partContext(base, this, orb);
    this.links = linksOf(this, base.bus, orb);
    this.outbox = outboxOf(this, base.bus);
    this.membership = membershipOf(this, base.bus, orb);
    this.identity = identityOf(this, orb);
    this.strays = straysOf(this);
    this.reaper = reaperOf(this, orb);
    this.roleHost = roleHostOf(this, orb);
    this.queries = queriesOf(this, orb);
    this.inbound = inboundOf(this, auth, orb);
    this.inbound.register(this.queries, true);
    this.inbound.register(this.links, true);
  }
}

/** The context every part shares. */
function partContext(base: OrbBase, parts: OrbParts, orb: OrbSide): PartContext {
  return {
    id: base.id,
    root: base.root,
    clock: base.clock,
    random: base.random,
    logger: base.logger,
    timing: base.timing,
    running: () => orb.running(),
    assertRunning: () => orb.assertRunning(),
    message: (kind, fields) => parts.envelope.message(kind, fields),
    send: (topic, message, to) => parts.outbox.send(topic, message, to),
    post: (topic, message, to) => parts.outbox.post(topic, message, to),
    reportError: (error, context) => orb.reportError(error, context),
  };
}

function linksOf(parts: OrbParts, bus: Bus, orb: OrbSide): Links {
  return new Links({
    ...parts.context,
    get namesRole() {
      return orb.role() === "hybrid";
    },
    busDisconnected: () => bus.status === "disconnected",
    connected: (info) => orb.connected(info),
    disconnected: (c, detail) => {
      orb.disconnected(c.info(), detail);
      orb.roles.get(c.role)?.removed(c, detail);
    },
    // Not running (stopping): nothing to decide, assume it lives.
    probe: (remote, timeoutMs) => parts.queries.alive(remote, timeoutMs),
    duplicate: (error) => parts.identity.report(error),
    presence: (message) => orb.roles.forEach((role) => role.presence?.(message)),
    // Handled after whatever released them is done (it may be inside another handler).
    released: (messages) => queueMicrotask(() => messages.forEach((m) => parts.inbound.receiveValid(m))),
  });
}

function outboxOf(parts: OrbParts, bus: Bus): Outbox {
  return new Outbox({ ...parts.context, bus, peers: parts.links.peers });
}

function identityOf(parts: OrbParts, orb: OrbSide): Identity {
  return new Identity({
    ...parts.context,
    epoch: () => parts.envelope.epoch,
    notify: (error) => orb.notify(error),
    announce: () => parts.membership.announce(),
  });
}

function straysOf(parts: OrbParts): Strays {
  return new Strays({
    ...parts.context,
    twin: () => parts.identity.twin(),
    closeStray: (remote, operation, as, reason) => parts.links.stray(remote, operation, as, reason),
  });
}

function reaperOf(parts: OrbParts, orb: OrbSide): IdleReaper {
  return new IdleReaper({
    ...parts.context,
    idleMs: parts.context.timing.closeUnusedAfterMs,
    connections: () => parts.links.table.values(),
    mayClose: (c) => orb.roles.get(c.role)?.mayCloseUnused(c) ?? true,
    close: (c) => parts.links.closeUnused(c),
  });
}

function membershipOf(parts: OrbParts, bus: Bus, orb: OrbSide): Membership {
  return new Membership({
    ...parts.context,
    bus,
    role: () => orb.role(),
    receive: (topic, value) => parts.inbound.receive(topic, value),
    busStatus: (status, error) => orb.busStatus(status, error),
    emitError: (error) => orb.emitError(error),
  });
}

function roleHostOf(parts: OrbParts, orb: OrbSide): RoleHost {
  return {
    ...parts.context,
    table: parts.links.table,
    epoch: () => parts.envelope.epoch,
    twin: () => parts.identity.twin(),
    addConnection: (c, epoch, topics) => parts.links.add(c, epoch, topics),
    removeConnection: (c, detail) => parts.links.remove(c, detail),
    close: (remote, operation, options) => orb.close(remote, operation, options),
    closeStray: (remote, operation, as, reason, closeTo) =>
      parts.links.stray(remote, operation, as, reason, closeTo),
    closedError,
    strayTraffic: (message, as) => parts.strays.received(message, as),
    reportSkip: (remote, operation, reason, message) => orb.reportSkip(remote, operation, reason, message),
  };
}

function queriesOf(parts: OrbParts, orb: OrbSide): Queries {
  return new Queries({
    ...parts.context,
    requestTimeoutMs: parts.context.timing.requestTimeoutMs,
    keepaliveTopicOf: (remote) => parts.links.peers.get(remote)?.keepaliveTo,
    describe: () => ({
      role: orb.role(),
      state: orb.state(),
      offers: orb.roles.get("plugin")?.operations() ?? [],
      requires: orb.roles.get("core")?.operations() ?? [],
      connections: parts.links.statusConnections(orb.role() === "hybrid"),
    }),
  });
}

function inboundOf(parts: OrbParts, auth: Authenticator | undefined, orb: OrbSide): Inbound {
  return new Inbound({
    ...parts.context,
    witness: (message) => parts.links.witness(message),
    sameId: (message) => parts.identity.sameId(message),
    ...(auth && { authenticate: (message: OrbitalisMessage) => auth.check(message) }),
    emitError: (error) => orb.emitError(error),
    stopping: () => orb.stopping(),
  });
}
