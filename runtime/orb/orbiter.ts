/**
 * The base of every orb: its identity, state and lifecycle on the bus. Its parts -- the
 * envelope, inbound dispatch, links (connections, peer liveness, termination), status and
 * ping, the idle reaper -- are built and wired in {@link OrbParts} (wiring.ts); its roles
 * (core, plugin, or both) are attached by the subclasses.
 */
import type { Bus, BusStatus } from "../bus/bus.js";
import { systemClock, type Clock } from "../clock.js";
import { BusError, InternalError, NotRunningError, OrbitalisError, ThrownValueError } from "../errors.js";
import { randomId } from "../ids.js";
import { resolveLogger, type Logger } from "../logger.js";
import type { StatusMessage } from "../../generated/protocol/index.js";
import type { ConnectionFilter, ConnectionInfo, ConnectionRole, OrbRole } from "./connection.js";
import type { ConnectionTable } from "./connection-table.js";
import { TypedEmitter } from "./events.js";
import type { OrbEvents, SkipReason } from "./orb-events.js";
import {
  checkOrbOptions,
  type CloseOptions,
  type OrbOptions,
  type TimingOptions,
  type WaitOptions,
} from "./options.js";
import type { Role, RoleHost } from "./role-host.js";
import { OrbParts } from "./wiring.js";
import { asError } from "../as-error.js";

/**
 * Shared base of {@link Core}, {@link Plugin} and {@link Orb}. Not meant to be subclassed
 * outside Orbitalis.
 */
export abstract class Orbiter<S extends string> {
  /** The orb id. */
  readonly id: string;
  /** The orb's bus client. */
  readonly bus: Bus;
  /** Topic root. */
  readonly root: string;
  /** Effective timing. */
  readonly timing: TimingOptions;
  protected readonly clock: Clock;
  protected readonly logger: Logger;
  /** @internal */
  protected readonly events: TypedEmitter<OrbEvents<S>>;
  private currentState: S;
  /** The parts this orb is made of, wired. */
  private readonly parts: OrbParts;
  /** Connections, indexed by remote, and by operation and role. @internal */
  protected readonly table: ConnectionTable;
  /** Called with the error when a start() fails (so waits for its outcome end). @internal */
  protected readonly startWaiters = new Set<(error: Error) => void>();
  /** The roles this orb plays, by the role it has in their connections. */
  private readonly roles = new Map<ConnectionRole, Role>();
  /** What the roles get to work with. @internal */
  protected readonly host: RoleHost;
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  protected abstract readonly role: OrbRole;
  /** Legal state transitions (from -> allowed targets). */
  protected abstract readonly transitions: Readonly<Record<S, readonly S[]>>;
  protected abstract readonly stoppingState: S;
  protected abstract readonly stoppedState: S;
  /** The state to enter once started. */
  protected abstract startedState(): S;
  /** True between a completed start and the beginning of stop. */
  protected abstract get running(): boolean;

  protected constructor(options: OrbOptions, initial: S) {
    const checked = checkOrbOptions(options);
    ({ id: this.id, bus: this.bus, root: this.root, timing: this.timing } = checked);
    this.clock = options.clock ?? systemClock;
    this.logger = resolveLogger(options.logger);
    this.events = new TypedEmitter<OrbEvents<S>>(() => this.logger);
    this.currentState = initial;
    const base = { ...checked, clock: this.clock, logger: this.logger, auth: options.auth };
    this.parts = new OrbParts(base, {
      role: () => this.role,
      state: () => this.currentState,
      running: () => this.running,
      stopping: () => this.currentState === this.stoppingState,
      roles: this.roles,
      assertRunning: () => this.assertRunning(),
      reportError: (error, context) => this.reportError(error, context),
      reportSkip: (remote, operation, reason, message) => this.reportSkip(remote, operation, reason, message),
      emitError: (error) => this.emitError(error),
      notify: (error) => {
        if (this.events.listenerCount("error") > 0) this.emitError(error);
      },
      connected: (info) => this.events.emit("connection", ...([info] as OrbEvents<S>["connection"])),
      disconnected: (info, detail) =>
        this.events.emit("disconnection", ...([info, detail] as OrbEvents<S>["disconnection"])),
      busStatus: (status, error) => this.onBusStatus(status, error),
      close: (remote, operation, options) => this.close(remote, operation, options),
    });
    this.table = this.parts.links.table;
    this.host = this.parts.roleHost;
  }

  /** Adds a role (in the subclass constructor): its filters and inbound handlers join the orb's. @internal */
  protected attach(role: Role, as: ConnectionRole): void {
    this.roles.set(as, role);
    this.parts.inbound.register(role, true);
  }

  // ---- state ---------------------------------------------------------------------------

  /** Current state. */
  get state(): S {
    return this.currentState;
  }

  /** Epoch of the current (or latest) start; empty before the first start. */
  get epoch(): string {
    return this.parts.envelope.epoch;
  }

  /** @internal */
  protected setState(next: S): void {
    const previous = this.currentState;
    if (previous === next) return;
    if (!this.transitions[previous].includes(next)) {
      throw new InternalError(`illegal state transition ${previous} -> ${next}`);
    }
    this.currentState = next;
    this.events.emit("state", ...([next, previous] as unknown as OrbEvents<S>["state"]));
  }

  /** Listens to an event. Returns a function that removes the listener. */
  on<K extends keyof OrbEvents<S>>(event: K, listener: (...args: OrbEvents<S>[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  /** Listens to an event once. */
  once<K extends keyof OrbEvents<S>>(event: K, listener: (...args: OrbEvents<S>[K]) => void): () => void {
    return this.events.once(event, listener);
  }

  /** Removes a listener. */
  off<K extends keyof OrbEvents<S>>(event: K, listener: (...args: OrbEvents<S>[K]) => void): void {
    this.events.off(event, listener);
  }

  // ---- lifecycle -----------------------------------------------------------------------

  /**
   * Connects the bus (registering the offline will), subscribes, publishes presence
   * `online`, and starts the protocol. Resolves once the orb is running. Calling it while
   * running does nothing; after `stop()` it starts again with a new epoch.
   * @throws BusError when the bus cannot connect or subscribe (the orb is left stopped).
   */
  start(): Promise<void> {
    if (this.starting) return this.starting;
    if (this.stopping)
      return Promise.reject(new NotRunningError(`${this.id} is stopping; await stop() before start()`));
    if (this.running) return Promise.resolve();
    this.starting = this.doStart().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async doStart(): Promise<void> {
    const { envelope, identity, strays, membership, reaper } = this.parts;
    envelope.restart(randomId(12));
    identity.reset();
    strays.reset();
    try {
      await membership.join([...this.roles.values()].flatMap((r) => r.filters()));
    } catch (error) {
      await this.leaveBus();
      const failure =
        error instanceof OrbitalisError
          ? error
          : new BusError("ERR_BUS", `${this.id} could not start: ${(error as Error).message}`, {
              cause: error,
            });
      // Waits for a state this start would have reached (compliant()) learn it failed.
      for (const waiter of [...this.startWaiters]) waiter(failure);
      throw failure;
    }
    this.setState(this.startedState());
    identity.started();
    reaper.start();
    for (const role of this.roles.values()) role.started();
  }

  /**
   * Closes every connection gracefully (bounded by `gracefulCloseTimeoutMs`), publishes
   * presence `offline, graceful`, and leaves the bus. Resolves when all of that is done.
   * Idempotent.
   */
  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    if (!this.running && !this.starting) return Promise.resolve();
    this.stopping = this.doStop().finally(() => {
      this.stopping = undefined;
    });
    return this.stopping;
  }

  /** `await using orb = ...`: stops the orb when the scope ends (same as {@link stop}). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  private async doStop(): Promise<void> {
    if (this.starting) await this.starting.catch(() => undefined);
    if (!this.running) return;
    this.setState(this.stoppingState);
    for (const role of this.roles.values()) role.stopping();
    await Promise.all(
      this.table
        .remotes()
        .map((r) => this.close(r, undefined, { graceful: true, reason: "stopping" }).catch(() => undefined)),
    );
    try {
      await this.parts.membership.offline();
    } catch (error) {
      this.reportError(error, "could not publish offline presence");
    }
    this.parts.queries.cancelAll(new NotRunningError(`${this.id} stopped`));
    this.parts.reaper.stop();
    await this.leaveBus();
    this.setState(this.stoppedState);
  }

  private async leaveBus(): Promise<void> {
    this.parts.links.peers.reset();
    await this.parts.membership.leave();
  }

  private onBusStatus(status: BusStatus, error?: Error): void {
    // Peers cannot be heard during an outage: death waits until deadAfterMs after it ends.
    const peers = this.parts.links.peers;
    if (status === "disconnected") peers.busLost();
    else if (status === "reconnected") peers.busBack();
    this.events.emit("bus", ...((error === undefined ? [status] : [status, error]) as OrbEvents<S>["bus"]));
  }

  // ---- sending -------------------------------------------------------------------------

  private emitError(error: Error): void {
    this.events.emit("error", ...([error] as OrbEvents<S>["error"]));
  }

  /** Reports an error on the `error` event (or the logger when nobody listens). @internal */
  protected reportError(error: unknown, context: string): void {
    const err = asError(error);
    this.emitError(
      err instanceof OrbitalisError && !(err instanceof ThrownValueError)
        ? err
        : new BusError("ERR_BUS", `${this.id}: ${context}: ${err.message}`, { cause: err }),
    );
  }

  /**
   * Says why this orb did not connect with `remote` for `operation`: a `skipped` event and a debug line.
   * @internal
   */
  protected reportSkip(remote: string, operation: string, reason: SkipReason, message: string): void {
    this.logger.debug(`${this.id}: not connecting ${operation} with ${remote}: ${message}`);
    this.events.emit("skipped", ...([{ remote, operation, reason, message }] as OrbEvents<S>["skipped"]));
  }

  // ---- receiving -----------------------------------------------------------------------

  /** @internal */
  protected assertRunning(): void {
    if (!this.running) throw new NotRunningError(`${this.id} is ${this.state}: start() it first`);
  }

  // ---- status and ping -----------------------------------------------------------------

  /**
   * Asks any orb (by id) for its status: role, state, connections and operations.
   * @throws TimeoutError when no answer comes within `timeoutMs` (default requestTimeoutMs);
   * AbortError when `signal` aborts first; NotRunningError when this orb is not running.
   */
  status(remote: string, options: WaitOptions = {}): Promise<StatusMessage> {
    return this.parts.queries.status(remote, options);
  }

  /**
   * Sends a keepalive-request to `remote` and resolves with the round-trip time in ms.
   * @throws TimeoutError when no keepalive comes back within `timeoutMs`; AbortError when
   * `signal` aborts first.
   */
  ping(remote: string, options: WaitOptions = {}): Promise<number> {
    return this.parts.queries.ping(remote, options);
  }

  // ---- connections ---------------------------------------------------------------------

  /**
   * Connections of this orb, optionally only those with `remote`, for `operation`, and/or
   * in which this orb has `role` (a hybrid has both).
   */
  connections(filter: ConnectionFilter = {}): ConnectionInfo[] {
    return this.parts.links.infos(filter);
  }

  // ---- termination ---------------------------------------------------------------------

  /**
   * Closes the connections with `remote` (for `operation`, or all of them; on a hybrid,
   * `options.role` limits it to one direction). Graceful (default): the connections take no
   * new work, the remote finishes its in-flight work and acknowledges; no ack within
   * `gracefulCloseTimeoutMs` closes gracelessly. Resolves once closed locally.
   */
  close(remote: string, operation?: string, options: CloseOptions = {}): Promise<void> {
    return this.parts.links.close(remote, operation, options, "closed");
  }
}
