/**
 * A plugin's reservations: the slot each offer holds for a core, per operation, until the
 * core requests it, rejects it, or `holdMs` passes. Capacity (maxCores in total and per
 * operation) counts connections and reservations alike.
 *
 * Discovers cost nothing to send, so reservations must not let cores that never request
 * hold the slots (a flood of discovers from invented core ids): a core holds at most one
 * reservation per operation; a reservation older than `graceMs` (a real core requests
 * within a round trip) may be taken over by another core when no slot is free; a core that
 * let a reservation lapse is a suspect for a while (its reservations can be taken over at
 * once, and it never takes over anyone's). Every table is bounded.
 */
import type { Clock, TimerHandle } from "../clock.js";
import type { ConnectionTable } from "./connection-table.js";
import type { PeerTopics } from "./liveness.js";

/** One slot an offer holds. */
export interface Reservation {
  readonly offerId: string;
  readonly core: string;
  readonly coreEpoch: string;
  readonly operation: string;
  /** Where the core takes keepalives and closes (from its discover). */
  readonly topics: PeerTopics;
  /** When it was made. */
  readonly at: number;
  readonly timer: TimerHandle;
}

/** Reservations held at most at once by default (the oldest go first). */
export const MAX_RESERVATIONS = 4096;
/** Suspect core ids remembered at most (the oldest are forgotten first). */
const MAX_SUSPECTS = 1024;

export class Reservations {
  private readonly held = new Map<string, Reservation>(); // `${offerId}\0${operation}`, oldest first
  /** Cores that let a reservation lapse, with when their suspicion ends. */
  private readonly suspects = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly table: ConnectionTable,
    private readonly timing: { readonly holdMs: number },
    private readonly max = MAX_RESERVATIONS,
    /** Told when the oldest reservation gives way to the limit. */
    private readonly onLimit: (r: Reservation) => void = () => undefined,
  ) {}

  /** How old a reservation must be before another core may take it over (a round trip is far less). */
  get graceMs(): number {
    return Math.min(250, Math.max(1, Math.floor(this.timing.holdMs / 4)));
  }

  /** Holds a slot of `operation` for `core` (offer `offerId`) for `holdMs`. */
  hold(offerId: string, core: string, coreEpoch: string, operation: string, topics: PeerTopics): void {
    const k = key(offerId, operation);
    const timer = this.clock.setTimeout(() => {
      if (this.held.delete(k)) this.suspect(core);
    }, this.timing.holdMs);
    this.held.set(k, { offerId, core, coreEpoch, operation, topics, at: this.clock.now(), timer });
    if (this.held.size > this.max) {
      const oldest = this.held.values().next().value as Reservation;
      this.release(oldest.offerId, oldest.operation);
      this.onLimit(oldest);
    }
  }

  /** The reservation of offer `offerId` for `operation`, if it still holds. */
  get(offerId: string, operation: string): Reservation | undefined {
    return this.held.get(key(offerId, operation));
  }

  /** Frees a slot. */
  release(offerId: string, operation: string): void {
    const k = key(offerId, operation);
    const r = this.held.get(k);
    if (!r) return;
    this.held.delete(k);
    this.clock.clearTimeout(r.timer);
  }

  /** Frees every slot `which` picks (all by default). */
  releaseWhere(which: (r: Reservation) => boolean = () => true): void {
    for (const r of [...this.held.values()]) if (which(r)) this.release(r.offerId, r.operation);
  }

  /** `core` requested a slot: whatever it did before, it is a real core. */
  requested(core: string): void {
    this.suspects.delete(core);
  }

  /** Whether `core` let a reservation lapse recently. */
  isSuspect(core: string): boolean {
    const until = this.suspects.get(core);
    if (until === undefined) return false;
    if (this.clock.now() < until) return true;
    this.suspects.delete(core);
    return false;
  }

  private suspect(core: string): void {
    this.suspects.delete(core);
    this.suspects.set(core, this.clock.now() + 10 * this.timing.holdMs);
    if (this.suspects.size > MAX_SUSPECTS) this.suspects.delete(this.suspects.keys().next().value as string);
  }

  /**
   * Frees the oldest slot `which` picks that another core may take over (a suspect's, or
   * one older than `graceMs`), with every other reservation of its core. False when none.
   */
  takeOver(which: (r: Reservation) => boolean): boolean {
    const now = this.clock.now();
    for (const r of this.held.values()) {
      if (!which(r) || (now - r.at < this.graceMs && !this.isSuspect(r.core))) continue;
      this.releaseWhere((x) => x.core === r.core);
      return true;
    }
    return false;
  }

  /** Whether `core` holds any slot (of `operation`, or of any). */
  holds(core: string, operation?: string): boolean {
    for (const r of this.held.values())
      if (r.core === core && (operation === undefined || r.operation === operation)) return true;
    return false;
  }

  /** Cores served: connected (this orb in the plugin role) or holding a reservation. */
  servedCores(): Set<string> {
    const cores = new Set<string>();
    for (const remote of this.table.remotes()) if (this.table.hasRemote(remote, "plugin")) cores.add(remote);
    for (const r of this.held.values()) cores.add(r.core);
    return cores;
  }

  /** Slots of `operation` taken: connections and reservations. */
  usage(operation: string): number {
    let n = this.table.countOperation(operation, "plugin");
    for (const r of this.held.values()) if (r.operation === operation) n++;
    return n;
  }

  /** Number of reservations held. */
  get size(): number {
    return this.held.size;
  }
}

function key(offerId: string, operation: string): string {
  return `${offerId}\u0000${operation}`;
}
