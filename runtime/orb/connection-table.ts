/**
 * An orb's connections: at most one per remote, operation and role, indexed so that "the
 * connections of this operation" (in one role) and "of this remote" cost what they return,
 * not a scan of every connection (a core with 1,000 plugins asks these on every discover).
 */
import type { Connection, ConnectionRole } from "./connection.js";

export class ConnectionTable {
  /** Every connection, in the order they were added. */
  private readonly all = new Set<Connection>();
  private readonly byOperation = new Map<string, Set<Connection>>();
  private readonly byRemote = new Map<string, Set<Connection>>();

  /** Number of connections. */
  get size(): number {
    return this.all.size;
  }

  /**
   * Role -> remote -> operation -> connection: what {@link find} reads for every message,
   * without building a key string per lookup.
   */
  private readonly byRole = new Map<ConnectionRole, Map<string, Map<string, Connection>>>();

  /** The connection with `remote` for `operation` in which this orb has `role`, if any. */
  find(remote: string, operation: string, role: ConnectionRole): Connection | undefined {
    return this.byRole.get(role)?.get(remote)?.get(operation);
  }

  /** Whether `connection` is (still) in the table. */
  holds(connection: Connection): boolean {
    return this.all.has(connection);
  }

  /** Adds `connection`; the caller removed any other with the same remote, operation and role. */
  add(connection: Connection): void {
    this.all.add(connection);
    let remotes = this.byRole.get(connection.role);
    if (!remotes) this.byRole.set(connection.role, (remotes = new Map<string, Map<string, Connection>>()));
    let operations = remotes.get(connection.remote);
    if (!operations) remotes.set(connection.remote, (operations = new Map<string, Connection>()));
    operations.set(connection.operation, connection);
    index(this.byOperation, operationKey(connection.operation, connection.role)).add(connection);
    index(this.byRemote, connection.remote).add(connection);
  }

  /** Removes `connection`; false when it was not in the table. */
  delete(connection: Connection): boolean {
    if (!this.holds(connection)) return false;
    this.all.delete(connection);
    const remotes = this.byRole.get(connection.role);
    const operations = remotes?.get(connection.remote);
    operations?.delete(connection.operation);
    if (operations?.size === 0) remotes?.delete(connection.remote);
    unindex(this.byOperation, operationKey(connection.operation, connection.role), connection);
    unindex(this.byRemote, connection.remote, connection);
    return true;
  }

  /** Every connection. */
  values(): IterableIterator<Connection> {
    return this.all.values();
  }

  /** The connections of `operation` in which this orb has `role` (a copy). */
  ofOperation(operation: string, role: ConnectionRole): Connection[] {
    return [...(this.byOperation.get(operationKey(operation, role)) ?? [])];
  }

  /** The connections of `operation` in which this orb has `role`, not copied: do not change the table while iterating. */
  eachOfOperation(operation: string, role: ConnectionRole): Iterable<Connection> {
    return this.byOperation.get(operationKey(operation, role)) ?? NONE;
  }

  /** Number of connections of `operation` in which this orb has `role`. */
  countOperation(operation: string, role: ConnectionRole): number {
    return this.byOperation.get(operationKey(operation, role))?.size ?? 0;
  }

  /** The connections with `remote`, in either role (a copy). */
  ofRemote(remote: string): Connection[] {
    return [...(this.byRemote.get(remote) ?? [])];
  }

  /** Whether there is any connection with `remote` (in `role`, or in either). */
  hasRemote(remote: string, role?: ConnectionRole): boolean {
    const set = this.byRemote.get(remote);
    if (!set) return false;
    if (role === undefined) return true;
    for (const c of set) if (c.role === role) return true;
    return false;
  }

  /** The remotes there are connections with. */
  remotes(): string[] {
    return [...this.byRemote.keys()];
  }

  /** Forgets every connection (no events: for tests that simulate a lost state). */
  clear(): void {
    this.all.clear();
    this.byRole.clear();
    this.byOperation.clear();
    this.byRemote.clear();
  }
}

const NONE: readonly Connection[] = [];

function operationKey(operation: string, role: ConnectionRole): string {
  return `${role}\u0000${operation}`;
}

function index(map: Map<string, Set<Connection>>, key: string): Set<Connection> {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  return set;
}

function unindex(map: Map<string, Set<Connection>>, key: string, connection: Connection): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(connection);
  if (set.size === 0) map.delete(key);
}
