/**
 * Operation traffic (inputs, outputs, errors) for a connection this orb does not hold:
 * answered with a graceless close of the operation (spec LIVE-7) and reported once per
 * cause, never once per message. The causes:
 * - another live orb uses this orb's id: it holds the connection, and traffic addressed to
 *   the id reaches both. One warning line (the `DuplicateIdError` is the `error` event);
 * - otherwise a half-open connection (the remote missed a close, or this orb dropped the
 *   connection as dead): a `NoConnectionError` on the `error` event once per remote
 *   instance and operation; the close tells the remote to stop.
 * Later ones go to the log at debug level.
 */
import { NoConnectionError } from "../errors.js";
import type { PartContext } from "./context.js";
import type { ConnectionRole } from "./connection.js";

/** Causes remembered (so each is reported once) at most; then forgotten all at once. */
const REMEMBERED = 1024;

/** What an input, output or error says about where it comes from. */
export interface StrayMessage {
  readonly kind: "input" | "output" | "error";
  readonly from: string;
  readonly epoch: string;
  readonly operation: string;
}

export interface StraysHost extends Pick<PartContext, "id" | "logger" | "reportError"> {
  /** Another live instance of this orb's id seen since the latest start (its epoch), if any. */
  twin(): string | undefined;
  /** Tells `remote` to drop a connection (ours in `role`) that we do not have. */
  closeStray(remote: string, operation: string, role: ConnectionRole, reason: string): void;
}

export class Strays {
  private readonly reported = new Set<string>();

  constructor(private readonly host: StraysHost) {}

  /** A new start: nothing reported yet. */
  reset(): void {
    this.reported.clear();
  }

  /** `message` arrived for a connection this orb (in `role`) does not hold. Never throws. */
  received(message: StrayMessage, role: ConnectionRole): void {
    const host = this.host;
    host.closeStray(message.from, message.operation, role, "no connection");
    const what = `${message.kind} from ${message.from} for ${message.operation}`;
    const twin = host.twin();
    if (
      this.first(
        twin === undefined
          ? `${message.from}\u0000${message.epoch}\u0000${message.operation}`
          : `twin\u0000${twin}`,
      )
    ) {
      if (twin === undefined)
        host.reportError(
          new NoConnectionError(
            `${what}: no such connection (a close was sent; more from this instance for this operation are logged at debug level)`,
          ),
          "dropped",
        );
      else
        host.logger.warn(
          `${host.id}: dropped an ${what}: another live orb uses the id ${host.id} (epoch ${twin}) and holds ` +
            `that connection; traffic for either reaches both. Give every orb its own id (more such drops are logged at debug level)`,
        );
      return;
    }
    host.logger.debug(`${host.id}: dropped ${what}: no such connection`);
  }

  /** Whether `cause` is new (remembers it). */
  private first(cause: string): boolean {
    if (this.reported.has(cause)) return false;
    if (this.reported.size >= REMEMBERED) this.reported.clear();
    this.reported.add(cause);
    return true;
  }
}
