/**
 * `OrbOptions.random`: every jitter an orb applies to its timers (discover interval,
 * keepalive interval) comes from it, so with a fixed random source beside a ManualClock an
 * orb's timer schedule is reproducible.
 */
import { describe, expect, it } from "vitest";
import { ConfigError, Core, LocalHub, ManualClock, Plugin, silentLogger } from "../../../runtime/index.js";
import { seededRandom } from "../../helpers/random.js";

/** A ManualClock that records the delay of every timer set. */
class RecordingClock extends ManualClock {
  readonly delays: number[] = [];
  override setTimeout(fn: () => void, ms: number): ReturnType<ManualClock["setTimeout"]> {
    this.delays.push(ms);
    return super.setTimeout(fn, ms);
  }
}

/** A core and a plugin that connect and then idle for a while; the timer delays they set. */
async function schedule(random: () => number): Promise<number[]> {
  const hub = new LocalHub();
  const clock = new RecordingClock();
  const timing = { discoverIntervalMs: 1000, deadAfterMs: 3000 };
  const plugin = new Plugin({ id: "p", bus: hub.bus(), clock, random, logger: silentLogger, timing });
  plugin.operation("echo", { input: { any: true }, output: { any: true } }, (x) => x);
  const core = new Core({
    id: "c",
    bus: hub.bus(),
    clock,
    random,
    logger: silentLogger,
    timing,
    requires: { echo: { minimum: 1, maximum: 2 } },
  });
  await plugin.start();
  await core.start();
  await clock.advance(10_000);
  expect(core.connections()).toHaveLength(1);
  await core.stop();
  await plugin.stop();
  return clock.delays;
}

describe("OrbOptions.random", () => {
  it("makes the timer schedule reproducible: two runs with the same source set the same timers", async () => {
    const first = await schedule(seededRandom(7));
    const second = await schedule(seededRandom(7));
    expect(first.length).toBeGreaterThan(10);
    expect(second).toEqual(first);
  });

  it("is the source of the jitter: the lowest and the highest random give other schedules", async () => {
    const low = await schedule(() => 0);
    const high = await schedule(() => 0.999);
    expect(high).not.toEqual(low);
    // The discover interval is jittered within 0.8-1.2 of discoverIntervalMs.
    expect(low).toContain(800);
    expect(high).toContain(1200);
  });

  it("must be a function", () => {
    expect(
      () =>
        new Core({
          id: "c",
          bus: new LocalHub().bus(),
          random: 0.5 as unknown as () => number,
          requires: { echo: {} },
        }),
    ).toThrow(ConfigError);
  });
});
