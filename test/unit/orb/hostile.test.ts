/**
 * Hostile or broken peers on a ManualClock (issue findings 4 and 5): discovers that never
 * become requests do not keep a plugin's slots from a real core, and leave no state
 * behind once their reservations lapse.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Plugin, silentLogger, type LocalHub } from "../../../runtime/index.js";
import { offerFilter, offerTopic, type OrbitalisMessage } from "../../../generated/protocol/index.js";
import { EchoWorld, Orbs, until } from "../../helpers/orbs.js";
import { RawOrb } from "../../helpers/raw.js";
import { turnUntil } from "../../helpers/clock.js";
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

/**
 * Whether the plugin holds a reservation for core `id`, read from the outside: a plugin
 * never offers an operation twice to a core holding a reservation of it (HS-4), so a
 * discover of `id` is answered with an offer only when it holds none. (The answer makes
 * one, so ask about the oldest first.) `raw` must listen on every core's offer topic.
 */
async function holdsFor(w: EchoWorld, raw: RawOrb, id: string, epoch = raw.epoch): Promise<boolean> {
  raw.id = id;
  raw.epoch = epoch;
  const probe = await discover(raw);
  await w.clock.advance(1);
  return !raw.all("offer").some((offer) => offer.re === probe.id);
}

describe("a discover flood", () => {
  it("from two invented core ids does not keep a maxCores 2 plugin from a real core", async () => {
    const w = new EchoWorld(orbs);
    const plugin = w.plugin("lamp", { maxCores: 2 });
    await plugin.start();
    const ghosts = [fakeCore(w.hub, "ghost-1"), fakeCore(w.hub, "ghost-2")];
    for (const g of ghosts) await g.listen(offerTopic({ root: "orbitalis", core: g.id }));
    // The ghosts discover every second and never request: as soon as a reservation lapses
    // they take the slot again.
    const flood = async (ms: number): Promise<void> => {
      for (let t = 0; t < ms; t += 1000) {
        for (const g of ghosts) await discover(g);
        await w.clock.advance(1000);
      }
    };
    await flood(6000);
    // Both slots are held by ghosts: each has an offer younger than holdMs.
    for (const g of ghosts)
      expect(w.clock.now() - g.all("offer").at(-1)!.ts).toBeLessThan(plugin.timing.holdMs);
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
    await raw.listen(offerFilter({ root: "orbitalis" }));
    for (let i = 0; i < 10_000; i++) {
      raw.epoch = `e${i}`;
      raw.id = `ghost-${i}`;
      void discover(raw);
      if (i % 1000 === 999) await w.clock.advance(1);
    }
    await w.clock.advance(1);
    expect(raw.all("offer")).toHaveLength(10_000);
    // At most maxReservations (default 4,096) are held at once, the oldest giving way:
    // the newest 4,096 (ghost-5904 on) still hold theirs, ghost-5903 not.
    expect(await holdsFor(w, raw, "ghost-9999", "e9999")).toBe(true);
    expect(await holdsFor(w, raw, "ghost-5904", "e5904")).toBe(true);
    expect(await holdsFor(w, raw, "ghost-5903", "e5903")).toBe(false);
    await w.clock.advance(5000);
    // Lapsed: none is held any more (the newest included).
    for (const i of [9999, 9000, 5905]) expect(await holdsFor(w, raw, `ghost-${i}`, `e${i}`)).toBe(false);
    // What the plugin knows of a core it does not serve lives in its reservation, and goes with it.
  });
});

describe("maxReservations", () => {
  it("bounds the reservations a plugin holds; the oldest gives way", async () => {
    const w = new EchoWorld(orbs);
    const plugin = w.plugin("lamp", { maxReservations: 10 });
    await plugin.start();
    const raw = fakeCore(w.hub, "ghost");
    await raw.listen(offerFilter({ root: "orbitalis" }));
    for (let i = 0; i < 50; i++) {
      raw.id = `ghost-${i}`;
      await discover(raw);
    }
    await w.clock.advance(1);
    expect(raw.all("offer")).toHaveLength(50);
    // The newest 10 (ghost-40 on) hold theirs, ghost-39's gave way.
    expect(await holdsFor(w, raw, "ghost-49")).toBe(true);
    expect(await holdsFor(w, raw, "ghost-40")).toBe(true);
    expect(await holdsFor(w, raw, "ghost-39")).toBe(false);
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
    await turnUntil(() => release.length >= 2, { maxTurns: 50, what: "both requests at the handler" });
    release.shift()!();
    expect(await first).toBe(1);
    const third = core.request("echo", 3);
    release.shift()!();
    expect(await second).toBe(2);
    await turnUntil(() => release.length >= 1, { maxTurns: 50, what: "the third request at the handler" });
    release.shift()!();
    expect(await third).toBe(3);
    expect(() => w.core("bad", { maxPendingRequests: 0 })).toThrow(
      /maxPendingRequests: must be an integer >= 1/,
    );
  });
});
