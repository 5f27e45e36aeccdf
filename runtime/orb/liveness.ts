/**
 * Peer liveness: for every remote orb this orb has connections with, when it last heard
 * from it and last spoke to it, the keepalive it sends when quiet, the death it declares
 * after `deadAfterMs` of silence, and the grace a will (an ungraceful offline presence)
 * waits out before it counts. During a bus outage nobody can be heard: death and wills
 * wait until `deadAfterMs` after the bus is back.
 *
 * It decides when; the orb does what follows (send the keepalive, close the connections)
 * through its {@link LivenessHost}.
 */
import type { Clock, TimerHandle } from "../clock.js";
import type { Connection } from "./connection.js";

/** Topics a remote advertised for liveness and termination. */
export interface PeerTopics {
  readonly keepaliveTo: string;
  readonly closeTo: string;
  readonly deadAfterMs: number;
}

/** A remote orb this orb is connected to. */
export interface Peer {
  readonly id: string;
  readonly epoch: string;
  keepaliveTo: string;
  closeTo: string;
  /** The remote's deadAfterMs: we keep it informed every third of it. */
  remoteDeadAfterMs: number;
  lastSeen: number;
  lastSent: number;
  readonly connections: Set<Connection>;
  deathTimer?: TimerHandle;
  keepaliveTimer?: TimerHandle;
  /** An ungraceful offline presence (a will) waiting out its grace period. */
  offlineTimer?: TimerHandle;
}

/** What liveness needs from its orb. */
export interface LivenessHost {
  readonly clock: Clock;
  /** Random source of the keepalive jitter (`OrbOptions.random`). */
  readonly random: () => number;
  /** This orb's deadAfterMs: a remote silent that long is dead. */
  readonly deadAfterMs: number;
  /** Whether the bus is down now (its status is `disconnected`). */
  busDisconnected(): boolean;
  /** Sends a keepalive to `peer` (it was quiet for a keepalive interval). */
  sendKeepalive(peer: Peer): void;
  /** `peer` was silent for `silentMs` >= deadAfterMs. */
  dead(peer: Peer, silentMs: number): void;
  /** `peer` went offline: its graceful offline presence, or a will that outlived its grace. */
  offline(peer: Peer): void;
}

export class PeerLiveness {
  private readonly peers = new Map<string, Peer>();
  /** When the bus last came back after an outage (wills are not trusted for deadAfterMs). */
  private reconnectedAt = -Infinity;

  constructor(private readonly host: LivenessHost) {}

  /** The peer with this id, if connected. */
  get(id: string): Peer | undefined {
    return this.peers.get(id);
  }

  /** Adds a peer (a first connection with it) and starts its timers. */
  add(id: string, epoch: string, topics: PeerTopics): Peer {
    const now = this.host.clock.now();
    const peer: Peer = {
      id,
      epoch,
      keepaliveTo: topics.keepaliveTo,
      closeTo: topics.closeTo,
      remoteDeadAfterMs: topics.deadAfterMs,
      lastSeen: now,
      lastSent: now,
      connections: new Set(),
    };
    this.peers.set(id, peer);
    this.armDeath(peer);
    this.armKeepalive(peer);
    return peer;
  }

  /** New topics a peer advertised (a new connection with it). */
  retarget(peer: Peer, topics: PeerTopics): void {
    peer.keepaliveTo = topics.keepaliveTo;
    peer.closeTo = topics.closeTo;
    peer.remoteDeadAfterMs = topics.deadAfterMs;
  }

  /** It spoke: a sign of life (and a will of it waiting out its grace was not its death). */
  heard(peer: Peer, offlinePresence: boolean): void {
    peer.lastSeen = this.host.clock.now();
    if (!offlinePresence) this.cancelOffline(peer);
  }

  /** We spoke to `id` (at `at`, our clock, when the caller has it): that counts as a keepalive. */
  sent(id: string, at?: number): void {
    const peer = this.peers.get(id);
    if (peer) peer.lastSent = at ?? this.host.clock.now();
  }

  /** Forgets a peer (no connection left) and clears its timers. */
  drop(peer: Peer): void {
    if (this.peers.get(peer.id) !== peer) return;
    this.peers.delete(peer.id);
    if (peer.deathTimer !== undefined) this.host.clock.clearTimeout(peer.deathTimer);
    if (peer.keepaliveTimer !== undefined) this.host.clock.clearTimeout(peer.keepaliveTimer);
    this.cancelOffline(peer);
  }

  /** An offline presence of this very instance of the peer (same epoch). */
  offlinePresence(peer: Peer, graceful: boolean): void {
    if (graceful) return this.host.offline(peer);
    // A will. A broker that shuts down publishes every client's will before dropping us too,
    // and a broker we reconnect to hands us retained wills of peers that are back as well:
    // during an outage and for deadAfterMs after it, heartbeats decide, not wills.
    const now = this.host.clock.now();
    if (this.host.busDisconnected() || now - this.reconnectedAt < this.host.deadAfterMs) return;
    // Otherwise wait a moment: if our own bus drops meanwhile (the broker is going away) or
    // the peer speaks, it was not the peer that died.
    if (peer.offlineTimer !== undefined) return;
    peer.offlineTimer = this.host.clock.setTimeout(() => {
      peer.offlineTimer = undefined;
      if (this.peers.get(peer.id) === peer && !this.host.busDisconnected()) this.host.offline(peer);
    }, this.willGraceMs());
  }

  /** The bus dropped: peers cannot be heard; pending wills are not trusted. */
  busLost(): void {
    for (const peer of this.peers.values()) this.cancelOffline(peer);
  }

  /** The bus is back: every peer gets deadAfterMs from now to speak. */
  busBack(): void {
    const now = this.host.clock.now();
    this.reconnectedAt = now;
    for (const peer of this.peers.values()) {
      peer.lastSeen = now;
      this.armDeath(peer);
    }
  }

  /** The orb left the bus: the next session starts with no outage history. */
  reset(): void {
    this.reconnectedAt = -Infinity;
  }

  private armDeath(peer: Peer): void {
    const clock = this.host.clock;
    if (peer.deathTimer !== undefined) clock.clearTimeout(peer.deathTimer);
    const due = peer.lastSeen + this.host.deadAfterMs - clock.now();
    peer.deathTimer = clock.setTimeout(
      () => {
        peer.deathTimer = undefined;
        if (this.peers.get(peer.id) !== peer) return;
        // While the bus is down death is suspended: the bus's return re-arms the timer.
        if (this.host.busDisconnected()) return;
        const silent = clock.now() - peer.lastSeen;
        // Heard from it meanwhile: check again when its silence could reach deadAfterMs.
        if (silent < this.host.deadAfterMs) return this.armDeath(peer);
        this.host.dead(peer, silent);
      },
      Math.max(1, due),
    );
  }

  /** Keepalive period towards a peer: a third of its deadAfterMs, jittered down by up to 20%. */
  private keepaliveInterval(peer: Peer): number {
    return Math.max(1, Math.floor((peer.remoteDeadAfterMs / 3) * (0.8 + 0.2 * this.host.random())));
  }

  private armKeepalive(peer: Peer): void {
    const clock = this.host.clock;
    if (peer.keepaliveTimer !== undefined) clock.clearTimeout(peer.keepaliveTimer);
    const interval = this.keepaliveInterval(peer);
    const due = Math.max(1, peer.lastSent + interval - clock.now());
    peer.keepaliveTimer = clock.setTimeout(() => {
      peer.keepaliveTimer = undefined;
      if (this.peers.get(peer.id) !== peer) return;
      // Any message we sent counts as a keepalive: send one only when we were quiet.
      if (clock.now() - peer.lastSent >= interval * 0.9) {
        this.host.sendKeepalive(peer);
        peer.lastSent = clock.now();
      }
      this.armKeepalive(peer);
    }, due);
  }

  /** How long a will waits before it counts: short, so a killed process is noticed fast. */
  private willGraceMs(): number {
    return Math.max(1, Math.min(250, Math.floor(this.host.deadAfterMs / 4)));
  }

  private cancelOffline(peer: Peer): void {
    if (peer.offlineTimer === undefined) return;
    this.host.clock.clearTimeout(peer.offlineTimer);
    peer.offlineTimer = undefined;
  }
}
