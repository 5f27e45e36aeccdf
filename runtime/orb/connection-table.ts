/**
 * An orb's connections: at most one per remote, operation and role, indexed so that "the
 * connections of this operation" (in one role) and "of this remote" cost what they return,
 * not a scan of every connection (a core with 1,000 plugins asks these on every discover).
 */
import { Connection, type ConnectionRole } from "./connection.js";

export class ConnectionTable {
  private readonly byKey = new Map<string, Connection>();
  private readonly byOperation = new Map<string, Set<Connection>>();
  private readonly byRemote = new Map<string, Set<Connection>>();

  /** Number of connections. */
  get size(): number {
    return this.byKey.size;
  }

  /** The connection with `remote` for `operation` in which this orb has `role`, if any. */
  find(remote: string, operation: string, role: ConnectionRole): Connection | undefined {
    return this.byKey.get(Connection.key(remote, operation, role));
  }

  /** Whether `connection` is (still) in the table. */
  holds(connection: Connection): boolean {
    return this.byKey.get(connection.key) === connection;
  }

  /** Adds `connection`; the caller removed any other with the same remote, operation and role. */
  add(connection: Connection): void {
    this.byKey.set(connection.key, connection);
    index(this.byOperation, operationKey(connection.operation, connection.role)).add(connection);
    index(this.byRemote, connection.remote).add(connection);
  }

  /** Removes `connection`; false when it was not in the table. */
  delete(connection: Connection): boolean {
    if (!this.holds(connection)) return false;
    this.byKey.delete(connection.key);
    unindex(this.byOperation, operationKey(connection.operation, connection.role), connection);
    unindex(this.byRemote, connection.remote, connection);
    return true;
  }

  /** Every connection. */
  values(): IterableIterator<Connection> {
    return this.byKey.values();
  }

  /** The connections of `operation` in which this orb has `role` (a copy). */
  ofOperation(operation: string, role: ConnectionRole): Connection[] {
    return [...(this.byOperation.get(operationKey(operation, role)) ?? [])];
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
    this.byKey.clear();
    this.byOperation.clear();
    this.byRemote.clear();
  }
}

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
