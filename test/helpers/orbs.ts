/**
 * Helpers for orb tests: await states and events with a deadline (never sleep for
 * protocol steps), and clean up every orb a test started.
 */
import type { ConnectionInfo, Core, CoreState, DisconnectionDetail, Plugin } from "../../runtime/index.js";
import { withTimeout } from "./wait.js";

type AnyOrb = Core | Plugin;

/** Resolves when `core` is in `state` (now or later). */
export function coreState(core: Core, state: CoreState, ms = 5000): Promise<void> {
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
  add<T extends AnyOrb>(orb: T): T {
    this.all.push(orb);
    return orb;
  }
  async stopAll(): Promise<void> {
    await Promise.all(this.all.splice(0).map((o) => o.stop().catch(() => undefined)));
  }
}
