/**
 * Hostile or broken peers on a ManualClock (issue findings 4 and 5): discovers that never
 * become requests do not keep a plugin's slots from a real core, and leave no state
 * behind once their reservations lapse.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Plugin, silentLogger, type LocalHub } from "../../../runtime/index.js";
import type { OrbitalisMessage } from "../../../generated/protocol/index.js";
import { EchoWorld, Orbs, until } from "../../helpers/orbs.js";
import { RawOrb } from "../../helpers/raw.js";
import { withTimeout } from "../../helpers/wait.js";

const orbs = new Orbs();
afterEach(() => orbs.stopAll());

/** A core that only ever discovers. */
function fakeCore(hub: LocalHub, id: string): RawOrb {
  return new RawOrb(hub.bus(), id);
}

function discover(raw: RawOrb): Promise<OrbitalisMessage> {
  return raw.discoverEcho();
}

/** The plugin's reservations (what a flood could make grow). */
function reservations(plugin: Plugin): { size: number } {
  return (plugin as unknown as { lends: { reservations: { size: number } } }).lends.reservations;
}

describe("a discover flood", () => {
  it("from two invented core ids does not keep a maxCores 2 plugin from a real core", async () => {
    const w = new EchoWorld(orbs);
    const plugin = w.plugin("lamp", { maxCores: 2 });
    await plugin.start();
    const ghosts = [fakeCore(w.hub, "ghost-1"), fakeCore(w.hub, "ghost-2")];
    for (const g of ghosts) await g.listen();
    // The ghosts discover every second and never request: as soon as a reservation lapses
    // they take the slot again.
    const flood = async (ms: number): Promise<void> => {
      for (let t = 0; t < ms; t += 1000) {
        for (const g of ghosts) await discover(g);
        await w.clock.advance(1000);
      }
    };
    await flood(6000);
    expect(reservations(plugin).size).toBe(2); // both slots held by ghosts
    const core = w.core("home", { timing: { discoverIntervalMs: 2000 } });
    await core.start(); // discovers at once
    const startedAt = w.clock.now();
    await flood(2000);
    await until(core, () => core.connections().length === 1, "the real core connected");
    expect(w.clock.now() - startedAt).toBeLessThanOrEqual(2000);
    expect(await core.request("echo", 1)).toBe(1);
  });

  it("from 10,000 invented core ids leaves nothing behind once the reservations lapse", async () => {
    const w = new EchoWorld(orbs);
    const plugin = w.plugin("lamp");
    await plugin.start();
    const raw = fakeCore(w.hub, "ghost");
    await raw.listen();
    for (let i = 0; i < 10_000; i++) {
      raw.epoch = `e${i}`;
      (raw as unknown as { id: string }).id = `ghost-${i}`;
      void discover(raw);
      if (i % 1000 === 999) await w.clock.advance(1);
    }
    await w.clock.advance(1);
    // At most maxReservations (default 4,096) are held at once, the oldest giving way.
    expect(reservations(plugin).size).toBe(4096);
    await w.clock.advance(5000);
    expect(reservations(plugin).size).toBe(0);
    // What the plugin knows of a core it does not serve lives in its reservation, and goes with it.
  });
});

describe("maxReservations", () => {
  it("bounds the reservations a plugin holds; the oldest gives way", async () => {
    const w = new EchoWorld(orbs);
    const plugin = w.plugin("lamp", { maxReservations: 10 });
    await plugin.start();
    const raw = fakeCore(w.hub, "ghost");
    await raw.listen();
    for (let i = 0; i < 50; i++) {
      (raw as unknown as { id: string }).id = `ghost-${i}`;
      await discover(raw);
    }
    await w.clock.advance(1);
    expect(reservations(plugin).size).toBe(10);
    expect(() => w.plugin("bad", { maxReservations: 0 })).toThrow(/maxReservations: must be an integer >= 1/);
  });
});

describe("pending requests", () => {
  it("are bounded per connection by maxPendingRequests: beyond it a request rejects with a LimitError", async () => {
    const w = new EchoWorld(orbs);
    const release: (() => void)[] = [];
    const plugin = orbs.add(
      new Plugin({ id: "slow", bus: w.hub.bus(), clock: w.clock, logger: silentLogger }),
    );
    plugin.operation("echo", { input: { any: true }, output: { any: true } }, (x) => {
      return new Promise((resolve) => release.push(() => resolve(x)));
    });
    const core = w.core("busy", { maxPendingRequests: 2 });
    await Promise.all([plugin.start(), core.start()]);
    await withTimeout(core.compliant(), 2000, "compliant");
    const first = core.request("echo", 1);
    const second = core.request("echo", 2);
    await expect(core.request("echo", 3)).rejects.toMatchObject({
      code: "ERR_LIMIT",
      limit: "maxPendingRequests",
    });
    while (release.length < 2) await new Promise((r) => setImmediate(r));
    release.shift()!();
    expect(await first).toBe(1);
    const third = core.request("echo", 3);
    release.shift()!();
    expect(await second).toBe(2);
    while (release.length < 1) await new Promise((r) => setImmediate(r));
    release.shift()!();
    expect(await third).toBe(3);
    expect(() => w.core("bad", { maxPendingRequests: 0 })).toThrow(
      /maxPendingRequests: must be an integer >= 1/,
    );
  });
});
