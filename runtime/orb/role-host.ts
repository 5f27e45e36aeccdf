/**
 * What a role (the core role, the plugin role) needs from the orb it is part of: the
 * orb's identity and timing, its envelope, its bus, its connection table and the ways to
 * add and remove connections. The orb builds one host and hands it to each of its roles;
 * roles never see each other, only this.
 */
import type { ConnectionClosedError } from "../errors.js";
import type { MessageByKind, MessageKind, PresenceMessage } from "../../generated/protocol/index.js";
import type { Connection, ConnectionRole, DisconnectionDetail } from "./connection.js";
import type { ConnectionTable } from "./connection-table.js";
import type { PartContext } from "./context.js";
import type { PeerTopics } from "./liveness.js";
import type { SkipReason } from "./orb-events.js";
import type { CloseOptions } from "./options.js";
import type { StrayMessage } from "./strays.js";

/** Handles one validated inbound message of kind `K`. */
export type InboundHandler<K extends MessageKind = MessageKind> = (message: MessageByKind[K]) => void;

/** Inbound handlers of a role, by message kind, and the kinds it still takes while stopping. */
export interface RoleInbound {
  readonly handlers: { readonly [K in MessageKind]?: InboundHandler<K> };
  /** Kinds handled while the orb is stopping (in-flight work still settles). */
  readonly whileStopping: readonly MessageKind[];
}

/** A role an orb plays (core or plugin): the orb calls these at its lifecycle steps. */
export interface Role extends RoleInbound {
  /** Topic filters the role listens on. */
  filters(): string[];
  /** The orb is subscribed and online: start the role's protocol work. */
  started(): void;
  /** The orb begins to stop: cancel timers, free what remotes hold for us. */
  stopping(): void;
  /** A connection of this role was removed. */
  removed(connection: Connection, detail: DisconnectionDetail): void;
  /** Whether an idle connection of this role may be closed (`closeUnusedAfterMs`). */
  mayCloseUnused(connection: Connection): boolean;
  /** Operations of this role, for status. */
  operations(): string[];
  /** Another orb said it is online or offline (what roles learn of the orbs around). */
  presence?(message: PresenceMessage): void;
}

/** What a role sees of its orb: the shared {@link PartContext}, and its connections. */
export interface RoleHost extends PartContext {
  /** The orb's connections (read; change them through add/remove). */
  readonly table: ConnectionTable;
  /** Epoch of the current start. */
  epoch(): string;
  /** Another live instance of this orb's id seen since the latest start (its epoch), if any. */
  twin(): string | undefined;
  addConnection(connection: Connection, remoteEpoch: string, topics: PeerTopics): void;
  removeConnection(connection: Connection, detail: DisconnectionDetail): void;
  /** Closes connections with `remote` (see `Orbiter.close`). */
  close(remote: string, operation: string | undefined, options: CloseOptions): Promise<void>;
  /** Tells `remote` to drop a connection (ours in `role`) that we do not have. */
  closeStray(remote: string, operation: string, role: ConnectionRole, reason: string, closeTo?: string): void;
  /**
   * Operation traffic for a connection this orb (in `role`) does not hold: closed towards
   * its sender and reported once per cause (see {@link Strays}).
   */
  strayTraffic(message: StrayMessage, role: ConnectionRole): void;
  /** The error waiting callers of a removed connection get. */
  closedError(connection: Connection, detail: DisconnectionDetail): ConnectionClosedError;
  reportSkip(remote: string, operation: string, reason: SkipReason, message: string): void;
}
