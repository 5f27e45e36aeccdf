/**
 * Helpers for orb tests: await states and events with a deadline (never sleep for
 * protocol steps), and clean up every orb a test started.
 */
import type { Orb } from "../../runtime/index.js";
import {
  Core,
  LocalHub,
  ManualClock,
  Plugin,
  silentLogger,
  type ConnectionInfo,
  type CoreOptions,
  type CoreState,
  type DisconnectionDetail,
  type PluginOptions,
} from "../../runtime/index.js";
import { advanceUntil } from "./clock.js";
import { withTimeout } from "./wait.js";

type AnyOrb = Core | Plugin | Orb;

/** Resolves when `core` is in `state` (now or later). */
export function coreState(core: Core | Orb, state: CoreState, ms = 5000): Promise<void> {
  if (core.state === state) return Promise.resolve();
  let off: (() => void) | undefined;
  return withTimeout(
    new Promise<void>((resolve) => {
      off = core.on("state", (s) => {
        if (s === state) resolve();
      });
    }),
    ms,
    `${core.id} to be ${state} (is ${core.state})`,
  ).finally(() => off?.());
}

/** Resolves when `check()` holds, re-checked on every connection change of `orb`. */
export function until(orbs: AnyOrb | AnyOrb[], check: () => boolean, what: string, ms = 5000): Promise<void> {
  const list = Array.isArray(orbs) ? orbs : [orbs];
  if (check()) return Promise.resolve();
  const offs: (() => void)[] = [];
  return withTimeout(
    new Promise<void>((resolve) => {
      const test = (): void => {
        if (check()) resolve();
      };
      for (const orb of list) {
        const o = orb as Core;
        offs.push(o.on("connection", test), o.on("disconnection", test), o.on("state", test));
      }
    }),
    ms,
    what,
  ).finally(() => offs.forEach((o) => o()));
}

/** Resolves with the next disconnection of `orb` that matches. */
export function nextDisconnection(
  orb: AnyOrb,
  match: (c: ConnectionInfo, d: DisconnectionDetail) => boolean = () => true,
  ms = 5000,
): Promise<{ connection: ConnectionInfo; detail: DisconnectionDetail }> {
  let off: (() => void) | undefined;
  return withTimeout(
    new Promise<{ connection: ConnectionInfo; detail: DisconnectionDetail }>((resolve) => {
      off = (orb as Core).on("disconnection", (connection: ConnectionInfo, detail: DisconnectionDetail) => {
        if (match(connection, detail)) resolve({ connection, detail });
      });
    }),
    ms,
    `a disconnection on ${orb.id}`,
  ).finally(() => off?.());
}

/** Tracks orbs to stop after a test. */
export class Orbs {
  private readonly all: AnyOrb[] = [];
  private readonly clocks = new Set<ManualClock>();
  add<T extends AnyOrb>(orb: T): T {
    this.all.push(orb);
    return orb;
  }
  /** Moves `clock` while stopping, so graceful closes towards silent remotes time out. */
  drive(clock: ManualClock): void {
    this.clocks.add(clock);
  }
  async stopAll(): Promise<void> {
    let done = false;
    const stopped = Promise.all(this.all.splice(0).map((o) => o.stop().catch(() => undefined))).then(() => {
      done = true;
    });
    const clocks = [...this.clocks];
    this.clocks.clear();
    // Up to 100 s of protocol time; past it, the stops may still end on real time alone.
    if (clocks.length > 0)
      await advanceUntil(clocks, () => done, {
        maxSteps: 100,
        stepMs: 1000,
        what: "every orb stopped",
      }).catch(() => undefined);
    await stopped;
  }
}

/**
 * A LocalHub world on a ManualClock whose orbs echo: `plugin(id)` offers `echo`,
 * `core(id)` requires it. Every orb is stopped after the test (driving the clock).
 */
export class EchoWorld {
  readonly hub = new LocalHub();
  readonly clock = new ManualClock();
  constructor(private readonly orbs: Orbs) {
    orbs.drive(this.clock);
  }
  plugin(id: string, opts: Partial<PluginOptions> = {}): Plugin {
    const p = this.orbs.add(
      new Plugin({ id, bus: this.hub.bus(), clock: this.clock, logger: silentLogger, ...opts }),
    );
    p.operation("echo", { input: { any: true }, output: { any: true } }, (x) => x);
    return p;
  }
  core(id: string, opts: Partial<CoreOptions> = {}): Core {
    return this.orbs.add(
      new Core({
        id,
        bus: this.hub.bus(),
        clock: this.clock,
        logger: silentLogger,
        requires: { echo: {} },
        ...opts,
      }),
    );
  }
}
