/**
 * A connection between a core and a plugin for one operation, as each side keeps it.
 */
import type { Clock, TimerHandle } from "../clock.js";
import type { CompiledSpec, WireSchemaSpec } from "../schema-spec.js";

/**
 * An orb's role in one connection: `core` when it uses the remote's operation, `plugin`
 * when it serves it. A plain core's connections are all `core`, a plain plugin's all
 * `plugin`; a hybrid {@link Orb} has both.
 */
export type ConnectionRole = "core" | "plugin";

/** Role of an orb in presence and status: a core, a plugin, or a hybrid (both). */
export type OrbRole = "core" | "plugin" | "hybrid";

/** Connection states: open, then closing during a graceful close, then closed. */
export type ConnectionState = "open" | "closing" | "closed";

/** Why a connection closed. */
export type DisconnectionReason =
  | "closed" // this orb closed it (close(), stop())
  | "closed-by-remote" // the remote closed it
  | "dead" // the remote was silent for longer than deadAfterMs
  | "offline" // the remote's presence said it went away (its will, or a stop)
  | "restarted" // the remote came back with a new epoch
  | "timeout" // a graceful close got no ack in time and fell back to graceless
  | "unused"; // closeUnusedAfterMs elapsed without traffic

/** Which connections `connections()` lists: every one, or only those matching each field given. */
export interface ConnectionFilter {
  /** The remote orb's id. */
  readonly remote?: string;
  /** The operation. */
  readonly operation?: string;
  /** The role this orb has in the connection (a hybrid has both). */
  readonly role?: ConnectionRole;
}

/** A read-only view of a connection, as returned by `connections()` and events. */
export interface ConnectionInfo {
  /** Id of the orb at the other end. */
  readonly remote: string;
  /** Epoch of that orb when the connection was made. */
  readonly remoteEpoch: string;
  /** The operation. */
  readonly operation: string;
  /** This orb's role in the connection: `core` (it uses the operation) or `plugin` (it serves it). */
  readonly role: ConnectionRole;
  /** Input schema spec of the connection (the plugin's). */
  readonly input: WireSchemaSpec;
  /** Output schema spec of the connection (the plugin's). */
  readonly output: WireSchemaSpec;
  /** Topic inputs go to (the plugin listens there). */
  readonly inputTopic: string;
  /** Topic outputs go to (the core listens there). */
  readonly outputTopic: string;
  /** When it was made (ms since the Unix epoch). */
  readonly since: number;
  /** When it last carried an input or output. */
  readonly lastUsed: number;
  readonly state: ConnectionState;
}

/** Details of a `disconnection` event. */
export interface DisconnectionDetail {
  readonly reason: DisconnectionReason;
  /** Whether the close was graceful (work finished before it closed). */
  readonly graceful: boolean;
  /** The remote's `close` data, when the remote closed it and sent some. */
  readonly data?: unknown;
}

/**
 * One unit of work (a running handler) and its abort signal. The `AbortController`, and
 * the timer of a deadline, are made only when the handler reads `signal`: most never do,
 * and making them for every input was a large part of an input's cost.
 */
export class Work {
  private controller: AbortController | undefined;
  private aborted = false;
  private reason: unknown;
  private due: { at: number; clock: Clock; reason: () => Error; timer?: TimerHandle } | undefined;

  /** Aborts (now or, if already aborted, as soon as it is made) with the reason given to {@link abort}. */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
      else if (this.due !== undefined) {
        const due = this.due;
        const left = due.at - due.clock.now();
        if (left <= 0) this.abort(due.reason());
        else due.timer = due.clock.setTimeout(() => this.abort(due.reason()), left);
      }
    }
    return this.controller.signal;
  }

  /** Aborts with `reason()` `ms` from now (on `clock`), if the signal is read by then or later. */
  abortAfter(clock: Clock, ms: number, reason: () => Error): void {
    this.due = { at: clock.now() + ms, clock, reason };
  }

  /** Aborts the signal (the first reason wins). */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
    this.end();
  }

  /** The work is over: its deadline's timer, if any, is cleared. */
  end(): void {
    const due = this.due;
    if (due?.timer !== undefined) due.clock.clearTimeout(due.timer);
    this.due = undefined;
  }
}

/** Internal, mutable connection record. */
export class Connection {
  state: ConnectionState = "open";
  lastUsed: number;
  /** Work in progress on this side (plugin: running handlers; core: awaited requests). */
  inFlight = 0;
  private drainWaiters: (() => void)[] = [];
  /** The work running on this connection (plugin handlers). */
  private readonly work = new Set<Work>();

  constructor(
    readonly remote: string,
    readonly remoteEpoch: string,
    readonly operation: string,
    readonly input: CompiledSpec,
    readonly output: CompiledSpec,
    readonly inputTopic: string,
    readonly outputTopic: string,
    readonly since: number,
    readonly role: ConnectionRole,
  ) {
    this.lastUsed = since;
  }

  /** Marks one unit of work started. */
  begin(): void {
    this.inFlight++;
  }

  /** Marks one unit of work finished; wakes drain waiters at zero. */
  end(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (this.inFlight === 0) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of waiters) w();
    }
  }

  /**
   * Starts one unit of work whose signal aborts when {@link abortWork} is called (the
   * connection went away). Call {@link endWork} when the work ends.
   */
  startWork(): Work {
    const work = new Work();
    this.work.add(work);
    return work;
  }

  /** The unit of work ended: it no longer aborts with the connection (nor at its deadline). */
  endWork(work: Work): void {
    work.end();
    this.work.delete(work);
  }

  /** Aborts the signal of every unit of work in progress with `reason`. */
  abortWork(reason: Error): void {
    for (const work of this.work) work.abort(reason);
    this.work.clear();
  }

  /** Resolves when no work is in flight. */
  drained(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** A frozen snapshot. */
  info(): ConnectionInfo {
    return Object.freeze({
      remote: this.remote,
      remoteEpoch: this.remoteEpoch,
      operation: this.operation,
      role: this.role,
      input: this.input.wire,
      output: this.output.wire,
      inputTopic: this.inputTopic,
      outputTopic: this.outputTopic,
      since: this.since,
      lastUsed: this.lastUsed,
      state: this.state,
    });
  }
}
