/**
 * A plugin's reservations: the slot each offer holds for a core, per operation, until the
 * core requests it, rejects it, or `holdMs` passes. Capacity (maxCores in total and per
 * operation) counts connections and reservations alike.
 */
import type { Clock, TimerHandle } from "../clock.js";
import type { ConnectionTable } from "./connection-table.js";

/** One slot an offer holds. */
export interface Reservation {
  readonly offerId: string;
  readonly core: string;
  readonly coreEpoch: string;
  readonly operation: string;
  readonly timer: TimerHandle;
}

export class Reservations {
  private readonly held = new Map<string, Reservation>(); // `${offerId}\0${operation}`

  constructor(
    private readonly clock: Clock,
    private readonly table: ConnectionTable,
  ) {}

  /** Holds a slot of `operation` for `core` (offer `offerId`) for `holdMs`. */
  hold(offerId: string, core: string, coreEpoch: string, operation: string, holdMs: number): void {
    const k = key(offerId, operation);
    const timer = this.clock.setTimeout(() => this.held.delete(k), holdMs);
    this.held.set(k, { offerId, core, coreEpoch, operation, timer });
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
}

function key(offerId: string, operation: string): string {
  return `${offerId}\u0000${operation}`;
}
