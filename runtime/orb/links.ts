/**
 * An orb's links with its remotes: the connection table, the liveness of each remote it
 * has connections with (one per remote, whatever the direction of its connections), and
 * termination. It adds and removes connections, reads what each inbound message says about
 * its sender (life, or a new instance: see {@link RestartProbes}), and answers closes.
 */
import { ConnectionClosedError, type DuplicateIdError } from "../errors.js";
import {
  closeTopic,
  keepaliveTopic,
  type CloseMessage,
  type OrbitalisMessage,
  type PresenceMessage,
  type StatusMessage,
} from "../../generated/protocol/index.js";
import type {
  Connection,
  ConnectionInfo,
  ConnectionRole,
  DisconnectionDetail,
  DisconnectionReason,
} from "./connection.js";
import { ConnectionTable } from "./connection-table.js";
import type { PartContext } from "./context.js";
import { PeerLiveness, type Peer, type PeerTopics } from "./liveness.js";
import type { CloseOptions } from "./options.js";
import { RestartProbes } from "./restart-probe.js";
import type { RoleInbound } from "./role-host.js";
import { Termination } from "./termination.js";

export interface LinksHost extends Pick<
  PartContext,
  | "id"
  | "root"
  | "clock"
  | "random"
  | "logger"
  | "timing"
  | "running"
  | "message"
  | "send"
  | "post"
  | "reportError"
> {
  /** Whether closes say the sender's role (a hybrid). */
  readonly namesRole: boolean;
  busDisconnected(): boolean;
  connected(info: ConnectionInfo): void;
  /**
   * Asks `remote`'s instance we are connected to for a sign of life (a keepalive-request:
   * its answer carries its epoch). Resolves with whether it answered within `timeoutMs`.
   */
  probe(remote: string, timeoutMs: number): Promise<boolean>;
  /**
   * Messages `witness` held back (evidence of a restart that proved true: the instance we
   * knew is gone), to be handled again once the current call returned.
   */
  released(messages: OrbitalisMessage[]): void;
  /** A second live instance of a connected remote's id was found. */
  duplicate(error: DuplicateIdError): void;
  /** A connection was removed (after the table and liveness forgot it). */
  disconnected(connection: Connection, detail: DisconnectionDetail): void;
  /** A presence of another orb (for the roles: who is around). */
  presence(message: PresenceMessage): void;
}

export class Links implements RoleInbound {
  /** What it handles of what arrives: closes, their acks and presences, also while stopping. */
  readonly handlers: RoleInbound["handlers"] = {
    close: (m) => this.onClose(m),
    "close-ack": (m) => this.onCloseAck(m.re),
    presence: (m) => this.onPresence(m),
  };
  readonly whileStopping = ["close", "close-ack", "presence"] as const;
  /** Connections, indexed by remote, and by operation and role. */
  readonly table = new ConnectionTable();
  /** Liveness of the remotes this orb has connections with. */
  readonly peers: PeerLiveness;
  /** Closes of connections, graceful and not. */
  private readonly termination: Termination;
  /** Another epoch of a connected remote's id: a restart, or a second live instance? */
  private readonly probes: RestartProbes;

  constructor(private readonly host: LinksHost) {
    this.peers = new PeerLiveness({
      clock: host.clock,
      random: host.random,
      deadAfterMs: host.timing.deadAfterMs,
      busDisconnected: () => host.busDisconnected(),
      sendKeepalive: (peer) => host.post(peer.keepaliveTo, host.message("keepalive", {}), peer.id),
      dead: (peer, silent) => {
        host.logger.info(`${host.id}: ${peer.id} silent for ${silent} ms: dead`);
        // Best effort: if it is only cut off, it learns that we dropped the connections.
        host.post(peer.closeTo, host.message("close", { graceful: false, reason: "dead" }), peer.id);
        this.peerGone(peer, "dead");
      },
      offline: (peer) => this.peerGone(peer, "offline"),
    });
    this.probes = new RestartProbes({
      id: host.id,
      deadAfterMs: host.timing.deadAfterMs,
      running: () => host.running(),
      probe: (remote, timeoutMs) => host.probe(remote, timeoutMs),
    });
    this.termination = new Termination({
      id: host.id,
      clock: host.clock,
      logger: host.logger,
      gracefulCloseTimeoutMs: host.timing.gracefulCloseTimeoutMs,
      // Read when a close is sent: the orb's role is known only once it is constructed.
      get namesRole() {
        return host.namesRole;
      },
      connectionsWith: (remote, operation, role) =>
        this.table
          .ofRemote(remote)
          .filter(
            (c) => (operation === undefined || c.operation === operation) && (!role || c.role === role),
          ),
      closeTopicOf: (remote) =>
        this.peers.get(remote)?.closeTo ?? closeTopic({ root: host.root, orb: remote }),
      ownCloseTopic: () => closeTopic({ root: host.root, orb: host.id }),
      message: (kind, fields) => host.message(kind, fields),
      send: (topic, message, to) => host.send(topic, message, to),
      post: (topic, message, to) => host.post(topic, message, to),
      remove: (connection, detail) => this.remove(connection, detail),
      reportError: (error, context) => host.reportError(error, context),
    });
  }

  /** Adds a connection and starts keeping its remote informed. */
  add(connection: Connection, remoteEpoch: string, topics: PeerTopics): void {
    const existing = this.table.find(connection.remote, connection.operation, connection.role);
    if (existing) this.remove(existing, { reason: "restarted", graceful: false });
    let peer = this.peers.get(connection.remote);
    if (peer && peer.epoch !== remoteEpoch) {
      this.peerGone(peer, "restarted");
      peer = undefined;
    }
    if (!peer) peer = this.peers.add(connection.remote, remoteEpoch, topics);
    else this.peers.retarget(peer, topics);
    peer.connections.add(connection);
    this.table.add(connection);
    this.host.connected(connection.info());
  }

  /** Removes a connection locally (no message sent) and tells the orb why. */
  remove(connection: Connection, detail: DisconnectionDetail): void {
    if (!this.table.delete(connection)) return;
    connection.state = "closed";
    // Handlers still running for it learn through their ctx.signal that nobody will take the result.
    connection.abortWork(closedError(connection, detail));
    const peer = this.peers.get(connection.remote);
    if (peer) {
      peer.connections.delete(connection);
      if (peer.connections.size === 0) this.peers.drop(peer);
    }
    this.termination.removed(connection);
    this.host.disconnected(connection, detail);
  }

  /** Closes every connection with a peer locally, e.g. when it died. */
  private peerGone(peer: Peer, reason: DisconnectionReason): void {
    for (const c of [...peer.connections]) this.remove(c, { reason, graceful: false });
    this.peers.drop(peer);
    // What a newer instance said while we still knew this one (its announce, its offer ...).
    const newer = this.probes.release(peer);
    if (newer.length > 0) this.host.released(newer);
  }

  /**
   * What a message says about its sender's liveness: life from a connected peer (its
   * epoch), or maybe a new instance of it (another epoch). False when the message must be
   * ignored. Only evidence the spec names -- an `online` presence or a handshake message
   * with another epoch -- can end the connections of the instance we know, and only once
   * that instance fails to answer a probe: an instance that answers is alive, and the
   * other is a second live instance of the same id (reported, then ignored). Any other
   * message with another epoch (a keepalive, a close, an output) is ignored: it cannot cut
   * a connection.
   */
  witness(message: OrbitalisMessage): boolean {
    const host = this.host;
    const peer = this.peers.get(message.from);
    if (!peer) {
      // A heartbeat for a connection we do not have (we closed it, or dropped it as dead,
      // and the remote missed that): tell it, so it frees its side at once.
      if (message.kind === "keepalive" && message.re === undefined && host.running())
        host.post(
          closeTopic({ root: host.root, orb: message.from }),
          host.message("close", { graceful: false, reason: "no connection" }),
          message.from,
        );
      return true;
    }
    if (message.epoch === peer.epoch) {
      this.peers.heard(peer, message.kind === "presence" && message.status === "offline");
      return true;
    }
    const epoch = message.epoch;
    void this.probes.otherEpoch(peer, message)?.then((alive) => {
      if (this.peers.get(peer.id) !== peer) return; // gone meanwhile
      if (!alive) {
        host.logger.info(`${host.id}: ${peer.id} restarted (epoch ${peer.epoch} -> ${epoch})`);
        this.peerGone(peer, "restarted");
        return;
      }
      host.duplicate(this.probes.alive(peer, epoch));
    });
    return false;
  }

  /** Tells the roles who is around; an offline presence of a connected peer (this very instance of it) starts its end. */
  onPresence(message: PresenceMessage): void {
    this.host.presence(message);
    const peer = this.peers.get(message.from);
    if (!peer || message.status !== "offline" || message.epoch !== peer.epoch) return;
    this.peers.offlinePresence(peer, message.graceful === true);
    // A will may be a replay or a flap: ask the peer at once; an answer within the grace cancels it.
    if (message.graceful !== true && this.host.running())
      this.host.post(
        peer.keepaliveTo,
        this.host.message("keepalive-request", {
          replyTo: keepaliveTopic({ root: this.host.root, orb: this.host.id }),
        }),
        peer.id,
      );
  }

  /** See `Orbiter.close`; `reason` is what the local disconnection events give. */
  close(
    remote: string,
    operation: string | undefined,
    options: CloseOptions,
    reason: "closed" | "unused",
  ): Promise<void> {
    return this.termination.close(remote, operation, options, reason);
  }

  /** Closes a connection that carried nothing for `closeUnusedAfterMs`, gracefully (the idle reaper's close). */
  closeUnused(c: Connection): void {
    void this.close(c.remote, c.operation, { graceful: true, reason: "unused", role: c.role }, "unused");
  }

  /** Tells `remote` to drop a connection (ours in `role`) that we do not have. */
  stray(remote: string, operation: string, role: ConnectionRole, reason: string, closeTo?: string): void {
    this.termination.stray(remote, operation, role, reason, closeTo);
  }

  /** A remote closes connections: ours it names (same epoch, its operations, the other side of its role). */
  onClose(message: CloseMessage): void {
    const ours: ConnectionRole | undefined =
      message.role === undefined ? undefined : message.role === "core" ? "plugin" : "core";
    const targets = this.table
      .ofRemote(message.from)
      .filter(
        (c) =>
          c.remoteEpoch === message.epoch &&
          (message.operations === undefined || message.operations.includes(c.operation)) &&
          (ours === undefined || c.role === ours),
      );
    this.termination.onClose(message, targets);
  }

  onCloseAck(re: string): void {
    this.termination.onCloseAck(re);
  }

  /** The connections that pass `filter`, as read-only views. */
  infos(filter: { remote?: string; operation?: string; role?: ConnectionRole }): ConnectionInfo[] {
    const out: ConnectionInfo[] = [];
    for (const c of this.table.values()) {
      if (filter.remote !== undefined && c.remote !== filter.remote) continue;
      if (filter.operation !== undefined && c.operation !== filter.operation) continue;
      if (filter.role !== undefined && c.role !== filter.role) continue;
      out.push(c.info());
    }
    return out;
  }

  /** The connections, as a status reports them (with this orb's role in each when `withRole`). */
  statusConnections(withRole: boolean): StatusMessage["connections"] {
    return [...this.table.values()].map((c) => ({
      remote: c.remote,
      remoteEpoch: c.remoteEpoch,
      operation: c.operation,
      since: c.since,
      state: c.state === "closing" ? "closing" : "open",
      lastSeen: this.peers.get(c.remote)?.lastSeen ?? c.since,
      ...(withRole ? { role: c.role } : {}),
    }));
  }
}

/** The error waiting callers of a connection that went away get. */
export function closedError(connection: Connection, detail: DisconnectionDetail): ConnectionClosedError {
  return new ConnectionClosedError(
    `connection to ${connection.remote} for ${connection.operation} closed (${detail.reason})`,
  );
}
