/**
 * The base of cores and plugins: bus membership, the protocol envelope, inbound
 * validation, connections, liveness (keepalive, presence, will), status, termination.
 */
import type { Bus, BusStatus, Subscription } from "../bus/bus.js";
import { systemClock, type Clock, type TimerHandle } from "../clock.js";
import {
  BusError,
  ConfigError,
  ConnectionClosedError,
  InvalidMessageError,
  NotRunningError,
  OrbitalisError,
  TimeoutError,
} from "../errors.js";
import { checkId, checkOrbId, MessageIds, randomId } from "../ids.js";
import { resolveLogger, type Logger } from "../logger.js";
import { abortError, checkSignal } from "./abort.js";
import { ReplyRegistry } from "./replies.js";
import { PeerLiveness, type Peer, type PeerTopics } from "./liveness.js";
import { Termination, type MessageFields } from "./termination.js";
import { ConnectionTable } from "./connection-table.js";
import {
  closeTopic,
  keepaliveTopic,
  presenceFilter,
  presenceTopic,
  statusReplyTopic,
  statusTopic,
  validateMessage,
  type CloseMessage,
  type MessageByKind,
  type MessageKind,
  type OrbitalisMessage,
  type PresenceMessage,
  type StatusMessage,
} from "../../generated/protocol/index.js";
import type { Connection } from "./connection.js";
import { type ConnectionInfo, type DisconnectionDetail, type DisconnectionReason } from "./connection.js";
import { TypedEmitter } from "./events.js";
import type { OrbEvents, SkipReason } from "./orb-events.js";
import {
  checkTiming,
  checkTimeoutMs,
  type CloseOptions,
  type OrbOptions,
  type TimingOptions,
  type WaitOptions,
} from "./options.js";

// The parts moved to their own modules; their names stay importable from here.
export type { PeerTopics } from "./liveness.js";
export type { MessageFields } from "./termination.js";
export type { OrbBusStatus, OrbEvents, SkipDetail, SkipReason } from "./orb-events.js";
export {
  checkTimeoutMs,
  DEFAULT_TIMING,
  type CloseOptions,
  type OrbOptions,
  type TimingOptions,
  type WaitOptions,
} from "./options.js";

/** Role of an orb in status messages. */
export type OrbRole = "core" | "plugin";

/**
 * Shared base of {@link Core} and {@link Plugin}. Not meant to be subclassed outside
 * Orbitalis.
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
  protected readonly events: TypedEmitter<OrbEvents<S>>;
  private currentState: S;
  private currentEpoch = "";
  private ids = new MessageIds("init");
  private subscriptions: Subscription[] = [];
  private stopBusWatch: (() => void) | undefined;
  /** Connections, indexed by remote and by operation. */
  protected readonly table = new ConnectionTable();
  /** Liveness of the remotes this orb has connections with. */
  private readonly peers: PeerLiveness;
  /** Called with the error when a start() fails (so waits for its outcome end). */
  protected readonly startWaiters = new Set<(error: Error) => void>();
  /** Answers awaited by status() and ping(), by message id. */
  private readonly replies: ReplyRegistry<OrbitalisMessage>;
  /** Closes of connections, graceful and not. */
  private readonly termination: Termination;
  private unusedTimer: TimerHandle | undefined;
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  protected abstract readonly role: OrbRole;
  /** Legal state transitions (from -> allowed targets). */
  protected abstract readonly transitions: Readonly<Record<S, readonly S[]>>;

  protected constructor(options: OrbOptions, initial: S) {
    if (options === null || typeof options !== "object")
      throw new ConfigError("options", "an options object is required");
    this.id = checkOrbId("id", options.id);
    const bus = options.bus;
    if (!bus || typeof bus.publishValue !== "function" || typeof bus.subscribeValue !== "function") {
      throw new ConfigError("bus", "a Bus is required (e.g. new LocalHub().bus(), new MqttBus({ url }))");
    }
    this.bus = bus;
    const root = options.root ?? "orbitalis";
    if (
      typeof root !== "string" ||
      root === "" ||
      /[+#\0]/.test(root) ||
      root.split("/").some((l) => l === "")
    ) {
      throw new ConfigError(
        "root",
        `${JSON.stringify(root)} is not a usable topic root (non-empty levels, no + or #)`,
      );
    }
    this.root = root;
    this.timing = checkTiming(options.timing);
    this.clock = options.clock ?? systemClock;
    this.logger = resolveLogger(options.logger);
    this.events = new TypedEmitter<OrbEvents<S>>(() => this.logger);
    this.replies = new ReplyRegistry(this.clock);
    this.peers = new PeerLiveness({
      clock: this.clock,
      deadAfterMs: this.timing.deadAfterMs,
      busDisconnected: () => this.bus.status === "disconnected",
      sendKeepalive: (peer) => this.post(peer.keepaliveTo, this.message("keepalive", {}), peer.id),
      dead: (peer, silent) => {
        this.logger.info(`${this.id}: ${peer.id} silent for ${silent} ms: dead`);
        // Best effort: if it is only cut off, it learns that we dropped the connections.
        this.post(peer.closeTo, this.message("close", { graceful: false, reason: "dead" }), peer.id);
        this.peerGone(peer, "dead");
      },
      offline: (peer) => this.peerGone(peer, "offline"),
    });
    this.termination = new Termination({
      id: this.id,
      clock: this.clock,
      logger: this.logger,
      gracefulCloseTimeoutMs: this.timing.gracefulCloseTimeoutMs,
      connectionsWith: (remote, operation) =>
        this.table.ofRemote(remote).filter((c) => operation === undefined || c.operation === operation),
      closeTopicOf: (remote) =>
        this.peers.get(remote)?.closeTo ?? closeTopic({ root: this.root, orb: remote }),
      ownCloseTopic: () => closeTopic({ root: this.root, orb: this.id }),
      message: (kind, fields) => this.message(kind, fields),
      send: (topic, message, to) => this.send(topic, message, to),
      post: (topic, message, to) => this.post(topic, message, to),
      remove: (connection, detail) => this.removeConnection(connection, detail),
      reportError: (error, context) => this.reportError(error, context),
    });
    this.currentState = initial;
  }

  // ---- state ---------------------------------------------------------------------------

  /** Current state. */
  get state(): S {
    return this.currentState;
  }

  /** Epoch of the current (or latest) start; empty before the first start. */
  get epoch(): string {
    return this.currentEpoch;
  }

  protected setState(next: S): void {
    const previous = this.currentState;
    if (previous === next) return;
    if (!this.transitions[previous].includes(next)) {
      throw new Error(`internal: illegal state transition ${previous} -> ${next}`);
    }
    this.currentState = next;
    this.events.emit("state", ...([next, previous] as unknown as OrbEvents<S>["state"]));
  }

  /** True between a completed start and the beginning of stop. */
  protected abstract get running(): boolean;

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

  /** Topic filters this orb listens on (besides the shared orb and presence ones). */
  protected abstract inboundFilters(): string[];
  /** Called once subscribed and online; the orb starts its protocol work. */
  protected abstract onStarted(): void;
  /** Called when stop() begins, before connections close. */
  protected abstract onStopping(): void;
  /** The state to enter once started. */
  protected abstract startedState(): S;
  protected abstract readonly stoppingState: S;
  protected abstract readonly stoppedState: S;
  /** Operations reported in status (offered or required). */
  protected abstract statusOperations(): string[];
  /** Handles a validated handshake or operation message. */
  protected abstract handle(message: OrbitalisMessage, topic: string): void;
  /** A connection was removed; subclasses re-evaluate (compliance, reservations ...). */
  protected abstract onConnectionRemoved(connection: Connection, detail: DisconnectionDetail): void;

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
    this.currentEpoch = randomId(12);
    this.ids = new MessageIds(this.currentEpoch);
    const will = this.presence("offline", false);
    try {
      await this.bus.connect({
        will: {
          topic: presenceTopic({ root: this.root, orb: this.id }),
          payload: new TextEncoder().encode(JSON.stringify(will)),
          retain: true,
        },
      });
      this.stopBusWatch = this.bus.onStatus((status, error) => this.onBusStatus(status, error));
      const filters = [
        `${this.root}/orb/${this.id}/+`,
        presenceFilter({ root: this.root }),
        ...this.inboundFilters(),
      ];
      const onInvalid = (topic: string, error: Error): void => {
        this.events.emit(
          "error",
          ...([
            new InvalidMessageError(`dropped a message on ${topic} that is not JSON`, [error.message]),
          ] as OrbEvents<S>["error"]),
        );
      };
      this.subscriptions = await Promise.all(
        filters.map((f) => this.bus.subscribeValue(f, (t, v) => this.receive(t, v), onInvalid)),
      );
      await this.bus.publishValue(presenceTopic({ root: this.root, orb: this.id }), this.presence("online"), {
        retain: this.bus.capabilities.retain,
      });
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
    this.scheduleUnusedCheck();
    this.onStarted();
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
    this.onStopping();
    const remotes = this.table.remotes();
    await Promise.all(
      remotes.map((r) =>
        this.close(r, undefined, { graceful: true, reason: "stopping" }).catch(() => undefined),
      ),
    );
    try {
      await this.bus.publishValue(
        presenceTopic({ root: this.root, orb: this.id }),
        this.presence("offline", true),
        { retain: this.bus.capabilities.retain },
      );
    } catch (error) {
      this.reportError(error, "could not publish offline presence");
    }
    this.replies.rejectWhere(
      () => true,
      () => new NotRunningError(`${this.id} stopped`),
    );
    if (this.unusedTimer !== undefined) this.clock.clearTimeout(this.unusedTimer);
    await this.leaveBus();
    this.setState(this.stoppedState);
  }

  private async leaveBus(): Promise<void> {
    this.stopBusWatch?.();
    this.stopBusWatch = undefined;
    this.peers.reset();
    const subs = this.subscriptions;
    this.subscriptions = [];
    await Promise.all(subs.map((s) => s.unsubscribe().catch(() => undefined)));
    await this.bus.close().catch((error: unknown) => this.reportError(error, "could not close the bus"));
  }

  private onBusStatus(status: BusStatus, error?: Error): void {
    if (status === "disconnected") {
      // Peers cannot be heard during an outage: death waits until deadAfterMs after it ends.
      this.peers.busLost();
    } else if (status === "reconnected") {
      this.peers.busBack();
      // The broker may have published our will during the drop: say we are here.
      if (this.running) {
        this.bus
          .publishValue(presenceTopic({ root: this.root, orb: this.id }), this.presence("online"), {
            retain: this.bus.capabilities.retain,
          })
          .catch((error: unknown) => this.reportError(error, "could not publish online presence"));
      }
    }
    this.events.emit("bus", ...((error === undefined ? [status] : [status, error]) as OrbEvents<S>["bus"]));
  }

  // ---- sending -------------------------------------------------------------------------

  /** Builds a message of `kind` with a fresh envelope. */
  protected message<K extends MessageKind>(kind: K, fields: MessageFields<K>): MessageByKind[K] {
    return {
      v: 1,
      kind,
      id: this.ids.next(),
      from: this.id,
      epoch: this.currentEpoch,
      ts: this.clock.now(),
      ...fields,
    } as MessageByKind[K];
  }

  /** Publishes a message; resolves when the bus took it. Counts as life towards `to`. */
  protected async send(topic: string, message: OrbitalisMessage, to?: string): Promise<void> {
    if (to !== undefined) this.peers.sent(to);
    await this.bus.publishValue(topic, message);
  }

  /** Publishes without awaiting; a failure becomes an `error` event. */
  protected post(topic: string, message: OrbitalisMessage, to?: string): void {
    this.send(topic, message, to).catch((error: unknown) => {
      // Once stopped, a late message that finds the bus closed is expected, not an error.
      if (!this.running && (error as { code?: string }).code === "ERR_BUS_CLOSED") {
        this.logger.debug(`${this.id}: ${message.kind} to ${topic} not sent: the bus is closed`);
        return;
      }
      this.reportError(error, `could not publish ${message.kind} to ${topic}`);
    });
  }

  /** Reports an error on the `error` event (or the logger when nobody listens). */
  protected reportError(error: unknown, context: string): void {
    const err = error instanceof Error ? error : new Error(String(error));
    const wrapped =
      err instanceof OrbitalisError
        ? err
        : new BusError("ERR_BUS", `${this.id}: ${context}: ${err.message}`, { cause: err });
    this.events.emit("error", ...([wrapped] as OrbEvents<S>["error"]));
  }

  /** Says why this orb did not connect with `remote` for `operation`: a `skipped` event and a debug line. */
  protected reportSkip(remote: string, operation: string, reason: SkipReason, message: string): void {
    this.logger.debug(`${this.id}: not connecting ${operation} with ${remote}: ${message}`);
    this.events.emit("skipped", ...([{ remote, operation, reason, message }] as OrbEvents<S>["skipped"]));
  }

  private presence(status: "online" | "offline", graceful?: boolean): PresenceMessage {
    const fields =
      graceful === undefined ? { role: this.role, status } : { role: this.role, status, graceful };
    return this.message("presence", fields);
  }

  // ---- receiving -----------------------------------------------------------------------

  private receive(topic: string, value: unknown): void {
    let result: ReturnType<typeof validateMessage>;
    try {
      result = validateMessage(value);
    } catch (error) {
      this.reportError(error, `could not validate a message on ${topic}`);
      return;
    }
    if (!result.ok) {
      this.events.emit(
        "error",
        ...([
          new InvalidMessageError(`dropped an invalid message on ${topic}`, result.errors),
        ] as OrbEvents<S>["error"]),
      );
      return;
    }
    const message = result.value;
    if (message.from === this.id) return;
    if (!this.running && this.currentState !== this.stoppingState) return;
    try {
      const peer = this.peers.get(message.from);
      if (peer) {
        if (message.epoch !== peer.epoch) {
          // A presence (will) of an older instance must not touch the new one.
          if (message.kind === "presence" && message.status === "offline") return;
          this.peerGone(peer, "restarted");
        } else {
          this.peers.heard(peer, message.kind === "presence" && message.status === "offline");
        }
      }
      switch (message.kind) {
        case "keepalive":
          if (message.re !== undefined) this.settleReply(message.re, message);
          else if (!peer && this.running) {
            // A heartbeat for a connection we do not have (we closed it, or dropped it as
            // dead, and the remote missed that): tell it, so it frees its side at once.
            this.post(
              closeTopic({ root: this.root, orb: message.from }),
              this.message("close", { graceful: false, reason: "no connection" }),
              message.from,
            );
          }
          return;
        case "keepalive-request":
          this.post(message.replyTo, this.message("keepalive", { re: message.id }), message.from);
          return;
        case "status-request":
          this.post(message.replyTo, this.statusMessage(message.id), message.from);
          return;
        case "status":
          this.settleReply(message.re, message);
          return;
        case "close":
          this.onClose(message);
          return;
        case "close-ack":
          this.termination.onCloseAck(message.re);
          return;
        case "presence":
          this.onPresence(message);
          return;
        default:
          this.handle(message, topic);
      }
    } catch (error) {
      this.reportError(error, `failed handling ${message.kind} from ${message.from}`);
    }
  }

  private settleReply(id: string | undefined, message: OrbitalisMessage): void {
    if (id !== undefined) this.replies.resolve(id, message);
  }

  /** Sends `message` and resolves with the reply whose `re` is its id. */
  private awaitReply(
    topic: string,
    message: OrbitalisMessage,
    to: string,
    options: WaitOptions,
  ): Promise<OrbitalisMessage> {
    const timeoutMs = checkTimeoutMs(options.timeoutMs ?? this.timing.requestTimeoutMs);
    const signal = checkSignal(options.signal);
    if (signal?.aborted) return Promise.reject(abortError(signal, `${message.kind} to ${to}`));
    this.assertRunning();
    const reply = this.replies.wait(message.id, {
      meta: undefined,
      timeoutMs,
      signal,
      what: `${message.kind} to ${to}`,
      onTimeout: () => new TimeoutError(`${to} did not answer ${message.kind} within ${timeoutMs} ms`),
    });
    this.send(topic, message, to).catch((error: unknown) =>
      this.replies.reject(message.id, error instanceof Error ? error : new Error(String(error))),
    );
    return reply;
  }

  protected assertRunning(): void {
    if (!this.running) throw new NotRunningError(`${this.id} is ${this.state}: start() it first`);
  }

  // ---- status and ping -----------------------------------------------------------------

  private statusMessage(re: string): StatusMessage {
    return this.message("status", {
      re,
      role: this.role,
      state: this.currentState as StatusMessage["state"],
      connections: [...this.table.values()].map((c) => ({
        remote: c.remote,
        remoteEpoch: c.remoteEpoch,
        operation: c.operation,
        since: c.since,
        state: c.state === "closing" ? "closing" : "open",
        lastSeen: this.peers.get(c.remote)?.lastSeen ?? c.since,
      })),
      operations: this.statusOperations(),
    });
  }

  /**
   * Asks any orb (by id) for its status: role, state, connections and operations.
   * @throws TimeoutError when no answer comes within `timeoutMs` (default requestTimeoutMs);
   * AbortError when `signal` aborts first; NotRunningError when this orb is not running.
   */
  async status(remote: string, options: WaitOptions = {}): Promise<StatusMessage> {
    checkId("remote", remote);
    const request = this.message("status-request", {
      replyTo: statusReplyTopic({ root: this.root, orb: this.id }),
    });
    const answer = await this.awaitReply(
      statusTopic({ root: this.root, orb: remote }),
      request,
      remote,
      options,
    );
    return answer as StatusMessage;
  }

  /**
   * Sends a keepalive-request to `remote` and resolves with the round-trip time in ms.
   * @throws TimeoutError when no keepalive comes back within `timeoutMs`; AbortError when
   * `signal` aborts first.
   */
  async ping(remote: string, options: WaitOptions = {}): Promise<number> {
    checkId("remote", remote);
    const started = performance.now();
    const request = this.message("keepalive-request", {
      replyTo: keepaliveTopic({ root: this.root, orb: this.id }),
    });
    const topic = this.peers.get(remote)?.keepaliveTo ?? keepaliveTopic({ root: this.root, orb: remote });
    await this.awaitReply(topic, request, remote, options);
    return performance.now() - started;
  }

  // ---- connections ---------------------------------------------------------------------

  /**
   * Connections of this orb, optionally only those with `remote` and/or for `operation`.
   */
  connections(filter: { remote?: string; operation?: string } = {}): ConnectionInfo[] {
    const out: ConnectionInfo[] = [];
    for (const c of this.table.values()) {
      if (filter.remote !== undefined && c.remote !== filter.remote) continue;
      if (filter.operation !== undefined && c.operation !== filter.operation) continue;
      out.push(c.info());
    }
    return out;
  }

  protected connection(remote: string, operation: string): Connection | undefined {
    return this.table.find(remote, operation);
  }

  /** Adds a connection and starts keeping its remote informed. */
  protected addConnection(connection: Connection, remoteEpoch: string, topics: PeerTopics): void {
    const existing = this.table.find(connection.remote, connection.operation);
    if (existing) this.removeConnection(existing, { reason: "restarted", graceful: false });
    let peer = this.peers.get(connection.remote);
    if (peer && peer.epoch !== remoteEpoch) {
      this.peerGone(peer, "restarted");
      peer = undefined;
    }
    if (!peer) peer = this.peers.add(connection.remote, remoteEpoch, topics);
    else this.peers.retarget(peer, topics);
    peer.connections.add(connection);
    this.table.add(connection);
    this.events.emit("connection", ...([connection.info()] as OrbEvents<S>["connection"]));
  }

  /** Removes a connection locally (no message sent) and tells listeners why. */
  protected removeConnection(connection: Connection, detail: DisconnectionDetail): void {
    if (!this.table.delete(connection)) return;
    connection.state = "closed";
    // Handlers still running for it learn through their ctx.signal that nobody will take the result.
    connection.abortWork(this.closedError(connection, detail));
    const peer = this.peers.get(connection.remote);
    if (peer) {
      peer.connections.delete(connection);
      if (peer.connections.size === 0) this.peers.drop(peer);
    }
    this.termination.removed(connection);
    this.events.emit("disconnection", ...([connection.info(), detail] as OrbEvents<S>["disconnection"]));
    this.onConnectionRemoved(connection, detail);
  }

  /** Closes every connection with a peer locally, e.g. when it died. */
  private peerGone(peer: Peer, reason: DisconnectionReason): void {
    for (const c of [...peer.connections]) this.removeConnection(c, { reason, graceful: false });
    this.peers.drop(peer);
  }

  /** Known topics of a connected remote, if any. */
  protected peerTopics(remote: string): { closeTo: string; keepaliveTo: string; epoch: string } | undefined {
    const peer = this.peers.get(remote);
    return peer && { closeTo: peer.closeTo, keepaliveTo: peer.keepaliveTo, epoch: peer.epoch };
  }

  // ---- liveness ------------------------------------------------------------------------

  private onPresence(message: PresenceMessage): void {
    const peer = this.peers.get(message.from);
    if (!peer || message.status !== "offline" || message.epoch !== peer.epoch) return;
    this.peers.offlinePresence(peer, message.graceful === true);
  }

  // ---- termination ---------------------------------------------------------------------

  /**
   * Closes the connections with `remote` (for `operation`, or all of them).
   * Graceful (default): the connections take no new work, the remote finishes its
   * in-flight work and acknowledges; no ack within `gracefulCloseTimeoutMs` closes
   * gracelessly. Resolves once closed locally.
   */
  close(remote: string, operation?: string, options: CloseOptions = {}): Promise<void> {
    return this.closeWith(remote, operation, options, "closed");
  }

  /** `close()`, with the reason the local disconnection events give. */
  private closeWith(
    remote: string,
    operation: string | undefined,
    options: CloseOptions,
    reason: "closed" | "unused",
  ): Promise<void> {
    return this.termination.close(remote, operation, options, reason);
  }

  /**
   * Tells `remote` to drop its side of a connection we do not have (a stray confirm, an
   * input or output for an unknown connection, an expired request): a graceless close.
   */
  protected closeStray(remote: string, operation: string, reason: string, closeTo?: string): void {
    this.termination.stray(remote, operation, reason, closeTo);
  }

  private onClose(message: CloseMessage): void {
    const targets = this.table
      .ofRemote(message.from)
      .filter(
        (c) =>
          c.remoteEpoch === message.epoch &&
          (message.operations === undefined || message.operations.includes(c.operation)),
      );
    this.termination.onClose(message, targets);
  }

  /** Fails waiting callers of a connection that went away. */
  protected closedError(connection: Connection, detail: DisconnectionDetail): ConnectionClosedError {
    return new ConnectionClosedError(
      `connection to ${connection.remote} for ${connection.operation} closed (${detail.reason})`,
    );
  }

  // ---- idle connections ----------------------------------------------------------------

  /** Whether an idle connection may be closed by `closeUnusedAfterMs` (cores keep what compliance needs). */
  protected mayCloseUnused(_connection: Connection): boolean {
    return true;
  }

  private scheduleUnusedCheck(): void {
    const idle = this.timing.closeUnusedAfterMs;
    if (idle <= 0) return;
    const period = Math.max(1, Math.floor(idle / 4));
    this.unusedTimer = this.clock.setTimeout(() => {
      this.unusedTimer = undefined;
      if (!this.running) return;
      const now = this.clock.now();
      for (const c of [...this.table.values()]) {
        if (c.state === "open" && c.inFlight === 0 && now - c.lastUsed >= idle && this.mayCloseUnused(c)) {
          this.logger.info(`${this.id}: closing unused connection ${c.remote}/${c.operation}`);
          void this.closeWith(c.remote, c.operation, { graceful: true, reason: "unused" }, "unused");
        }
      }
      this.scheduleUnusedCheck();
    }, period);
  }
}
