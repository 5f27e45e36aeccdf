/**
 * Termination, TCP-like: a graceless close drops connections at once; a graceful close
 * marks them closing, lets the remote finish its work in flight and waits for its
 * close-ack (falling back to graceless after `gracefulCloseTimeoutMs`). Also the answers
 * to closes from remotes, and the stray closes that tell a remote to drop a connection
 * this orb does not have.
 */
import type { TimerHandle } from "../clock.js";
import type { CloseMessage } from "../../generated/protocol/index.js";
import type { Connection, ConnectionRole, DisconnectionDetail } from "./connection.js";
import type { PartContext } from "./context.js";
import type { CloseOptions } from "./options.js";

/** What termination needs from its orb. */
export interface TerminationHost extends Pick<
  PartContext,
  "id" | "clock" | "logger" | "message" | "send" | "post" | "reportError"
> {
  readonly gracefulCloseTimeoutMs: number;
  /**
   * Whether closes say the sender's role (a hybrid, which may hold connections in both
   * directions with one remote; plain cores and plugins leave it out).
   */
  readonly namesRole: boolean;
  /** Open or closing connections with `remote` (for `operation`, or all; in `role`, or either). */
  connectionsWith(remote: string, operation?: string, role?: ConnectionRole): Connection[];
  /** Where `remote` takes closes (what it advertised, or its default topic). */
  closeTopicOf(remote: string): string;
  /** Where this orb takes close-acks. */
  ownCloseTopic(): string;
  /** Removes a connection locally and tells listeners why. */
  remove(connection: Connection, detail: DisconnectionDetail): void;
}

interface PendingClose {
  readonly connections: Set<Connection>;
  readonly resolve: () => void;
  readonly timer: TimerHandle;
  readonly reason: "closed" | "unused";
}

export class Termination {
  /** Graceful closes waiting for their ack, by close message id. */
  private readonly pending = new Map<string, PendingClose>();

  constructor(private readonly host: TerminationHost) {}

  /**
   * Closes the connections with `remote` (for `operation`, or all of them); `reason` is
   * what the local disconnection events give. Resolves once closed locally.
   */
  async close(
    remote: string,
    operation: string | undefined,
    options: CloseOptions,
    reason: "closed" | "unused",
  ): Promise<void> {
    const host = this.host;
    const graceful = options.graceful ?? true;
    const targets = host.connectionsWith(remote, operation, options.role);
    if (targets.length === 0) return;
    const closeTo = host.closeTopicOf(remote);
    const base: { operations?: string[]; role?: ConnectionRole; reason?: string; data?: unknown } = {};
    if (operation !== undefined) base.operations = [...new Set(targets.map((t) => t.operation))];
    if (options.role !== undefined && host.namesRole) base.role = options.role;
    if (options.reason !== undefined) base.reason = options.reason;
    if (options.data !== undefined) base.data = options.data;
    if (!graceful) {
      host.post(closeTo, host.message("close", { ...base, graceful: false }), remote);
      for (const c of targets) host.remove(c, { reason, graceful: false });
      return;
    }
    for (const c of targets) c.state = "closing";
    const message = host.message("close", { ...base, graceful: true, ackTo: host.ownCloseTopic() });
    await new Promise<void>((resolve) => {
      const timer = host.clock.setTimeout(() => {
        this.pending.delete(message.id);
        host.logger.warn(
          `${host.id}: no close-ack from ${remote} within ${host.gracefulCloseTimeoutMs} ms: closing gracelessly`,
        );
        host.post(
          closeTo,
          host.message("close", { ...base, graceful: false, reason: "close timeout" }),
          remote,
        );
        for (const c of targets) host.remove(c, { reason: "timeout", graceful: false });
        resolve();
      }, host.gracefulCloseTimeoutMs);
      this.pending.set(message.id, { connections: new Set(targets), resolve, timer, reason });
      host.send(closeTo, message, remote).catch((error: unknown) => {
        // No close went out, so no ack will come: close locally now.
        host.reportError(error, `could not send close to ${remote}`);
        host.clock.clearTimeout(timer);
        this.pending.delete(message.id);
        for (const c of targets) host.remove(c, { reason, graceful: false });
        resolve();
      });
    });
  }

  /**
   * Tells `remote` to drop its side of a connection we do not have (a stray confirm, an
   * input or output for an unknown connection, an expired request): a graceless close.
   */
  stray(remote: string, operation: string, role: ConnectionRole, reason: string, closeTo?: string): void {
    const topic = closeTo ?? this.host.closeTopicOf(remote);
    const fields: { graceful: false; operations: [string]; role?: ConnectionRole; reason: string } = {
      graceful: false,
      operations: [operation],
      reason,
    };
    if (this.host.namesRole) fields.role = role;
    this.host.post(topic, this.host.message("close", fields), remote);
  }

  /** The remote acknowledged a graceful close of ours. */
  onCloseAck(re: string): void {
    const pending = this.pending.get(re);
    if (!pending) return;
    for (const c of [...pending.connections]) this.host.remove(c, { reason: pending.reason, graceful: true });
  }

  /** A remote closes connections with us (`targets`: ours it names, same epoch). */
  onClose(message: CloseMessage, targets: readonly Connection[]): void {
    const host = this.host;
    const detail = (graceful: boolean): DisconnectionDetail =>
      message.data === undefined
        ? { reason: "closed-by-remote", graceful }
        : { reason: "closed-by-remote", graceful, data: message.data };
    if (!message.graceful) {
      for (const c of targets) host.remove(c, detail(false));
      return;
    }
    for (const c of targets) c.state = "closing";
    void Promise.all(targets.map((c) => c.drained()))
      // Let the callers of the work that just finished see their results before the close.
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(() => {
        // Ack first: removing the connections may let a concurrent stop() close the bus.
        if (message.ackTo !== undefined)
          host.post(message.ackTo, host.message("close-ack", { re: message.id }), message.from);
        for (const c of targets) host.remove(c, detail(true));
      });
  }

  /** A connection went away: a graceful close waiting for it may be complete. */
  removed(connection: Connection): void {
    for (const [id, pending] of this.pending) {
      pending.connections.delete(connection);
      if (pending.connections.size === 0) {
        this.host.clock.clearTimeout(pending.timer);
        this.pending.delete(id);
        pending.resolve();
      }
    }
  }
}
