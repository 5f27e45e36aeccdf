/**
 * Restart probing, a part of {@link Links}: a connected remote's id speaks under another
 * epoch with evidence of a restart (an `online` presence, a handshake message). Did the
 * instance we know restart, or is that a second live instance of its id? Meanwhile the
 * new epoch's messages are held; the instance we know is asked for a sign of life; the
 * epochs of second live instances are remembered (and ignored while the known one lives).
 *
 * It keeps the state and asks the question; Links acts on the answer (ends the known
 * instance's connections, or reports the duplicate) and hands the held messages on.
 */
import { DuplicateIdError } from "../errors.js";
import type { OrbitalisMessage } from "../../generated/protocol/index.js";
import type { Peer } from "./liveness.js";

/** What restart probing needs from Links. */
export interface RestartProbeHost {
  readonly id: string;
  /** This orb's deadAfterMs (the probe's patience is a quarter of it, 50 ms to 1 s). */
  readonly deadAfterMs: number;
  running(): boolean;
  /**
   * Asks `remote`'s instance we are connected to for a sign of life (a keepalive-request:
   * its answer carries its epoch). Resolves with whether it answered within `timeoutMs`.
   */
  probe(remote: string, timeoutMs: number): Promise<boolean>;
}

/** What is known of one peer's other epochs. */
interface PeerProbe {
  /** Another epoch of its id is being checked: a restart, or a second live instance? */
  probing?: string;
  /** Messages of that epoch held back meanwhile (handled if it proves to be a restart). */
  held?: OrbitalisMessage[];
  /** Epochs of other live instances of its id (ignored while this one lives). */
  duplicates?: Set<string>;
}

/** Messages of another epoch held back per peer while its restart is checked. */
const HELD_PER_PEER = 16;

/** Kinds that may announce a new instance of an orb (the spec's evidence of a restart). */
const HANDSHAKE: ReadonlySet<string> = new Set(["announce", "discover", "offer", "request", "confirm"]);

/** Whether `message`, from another epoch of a known orb, is evidence that it restarted. */
function restartEvidence(message: OrbitalisMessage): boolean {
  if (message.kind === "presence") return message.status === "online";
  return HANDSHAKE.has(message.kind);
}

export class RestartProbes {
  /** Per peer instance (a peer that comes back under a new epoch starts with nothing). */
  private readonly peers = new WeakMap<Peer, PeerProbe>();

  constructor(private readonly host: RestartProbeHost) {}

  /**
   * `message` came from `peer`'s id under another epoch. Evidence of a restart (while
   * running) is held, and starts a probe unless one runs: the promise then says whether
   * the instance we know answered. Undefined when no probe starts (the message is only
   * ignored: a known duplicate, no evidence, one already running, or stopping).
   */
  otherEpoch(peer: Peer, message: OrbitalisMessage): Promise<boolean> | undefined {
    const state = this.peers.get(peer);
    if (state?.duplicates?.has(message.epoch)) return undefined;
    // Stopping: nothing to decide (a probe could not be asked); the message is dropped.
    if (!restartEvidence(message) || !this.host.running()) return undefined;
    const probe = state ?? {};
    this.peers.set(peer, probe);
    // Held back until we know: if the instance we know is gone, it is handled then.
    const held = (probe.held ??= []);
    if (held.length < HELD_PER_PEER) held.push(message);
    if (probe.probing !== undefined) return undefined;
    probe.probing = message.epoch;
    const timeoutMs = Math.min(1000, Math.max(50, Math.floor(this.host.deadAfterMs / 4)));
    return this.host.probe(peer.id, timeoutMs).then((alive) => {
      probe.probing = undefined;
      return alive;
    });
  }

  /**
   * The instance we know answered: `epoch` is a second live instance of its id, ignored
   * from now on, its held messages dropped. Returns the error to report.
   */
  alive(peer: Peer, epoch: string): DuplicateIdError {
    const probe = this.peers.get(peer) ?? {};
    this.peers.set(peer, probe);
    (probe.duplicates ??= new Set()).add(epoch);
    probe.held = undefined;
    return new DuplicateIdError(
      peer.id,
      peer.epoch,
      epoch,
      `${this.host.id}: two live orbs use the id ${peer.id} (epochs ${peer.epoch} and ${epoch}): ` +
        `keeping the connections of ${peer.epoch}, ignoring ${epoch}`,
    );
  }

  /** `peer` is gone: what newer instances of its id said meanwhile (its announce, its offer ...). */
  release(peer: Peer): OrbitalisMessage[] {
    const probe = this.peers.get(peer);
    const held = probe?.held ?? [];
    if (probe) probe.held = undefined;
    return held.filter((m) => m.epoch !== peer.epoch);
  }
}
