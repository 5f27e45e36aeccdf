/**
 * The events every orb emits, and the details they carry.
 */
import type { BusStatus } from "../bus/bus.js";
import type { ConnectionInfo, DisconnectionDetail } from "./connection.js";

/** Status of the underlying bus, as seen by an orb. */
export type OrbBusStatus = BusStatus;

/** Why an orb did not connect with a remote it saw (see the `skipped` event). */
export type SkipReason =
  | "not-allowed" // an allow or block list (of either side) excludes the other
  | "input-mismatch" // the plugin's input spec matches none the core sends
  | "output-mismatch" // the plugin's output spec matches none the core accepts
  | "unusable-schema" // a schema of the offer cannot be compiled here
  | "no-free-slot" // the plugin serves as many cores as its maxCores allow
  | "maximum-reached" // the core has as many connections as its maximum allows
  | "not-compliant"; // a hybrid offers the operation only while its own requirements are met

/** Detail of a `skipped` event: an operation this orb and a remote did not connect for, and why. */
export interface SkipDetail {
  /** The other orb. */
  readonly remote: string;
  readonly operation: string;
  readonly reason: SkipReason;
  /** The same, in words (names the option or spec involved). */
  readonly message: string;
}

/** Events every orb emits (a misspelled event name does not compile). */
export interface OrbEvents<S extends string> {
  /** The orb's state changed. */
  state: [state: S, previous: S];
  /** A connection was made. */
  connection: [connection: ConnectionInfo];
  /** A connection closed. */
  disconnection: [connection: ConnectionInfo, detail: DisconnectionDetail];
  /** Something went wrong that no call can report (an invalid inbound message, a failed publish ...). */
  error: [error: Error];
  /** The bus connection changed (disconnected, reconnected ...), with the error that caused it when there is one. */
  bus: [status: OrbBusStatus, error?: Error];
  /**
   * This orb saw a remote it could have connected with for an operation and did not
   * (schemas, allow or block lists, maxCores, maximum). Also logged at `debug` level.
   */
  skipped: [detail: SkipDetail];
}
