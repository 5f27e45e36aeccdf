/**
 * The test helpers that wait with a bound (test/helpers/clock.ts): they return as soon as
 * the condition holds and fail naming it when it does not.
 */
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../runtime/index.js";
import { advanceUntil, turnUntil } from "../helpers/clock.js";

describe("advanceUntil", () => {
  it("steps the clock until the condition holds, and says how many steps it took", async () => {
    const clock = new ManualClock();
    const start = clock.now();
    let fired = false;
    clock.setTimeout(() => (fired = true), 30);
    expect(await advanceUntil(clock, () => fired, { stepMs: 10 })).toBe(3);
    expect(clock.now() - start).toBe(30);
    // Already true: no step at all.
    expect(await advanceUntil(clock, () => true)).toBe(0);
    expect(clock.now() - start).toBe(30);
  });

  it("fails naming the condition when it does not hold within maxSteps", async () => {
    const clock = new ManualClock();
    await expect(
      advanceUntil(clock, () => false, { maxSteps: 3, stepMs: 5, what: "the moon" }),
    ).rejects.toThrow("advanceUntil: the moon did not hold within 3 steps of 5 ms");
    await expect(advanceUntil(clock, () => clock.now() < 0, { maxSteps: 1 })).rejects.toThrow(
      /clock\.now\(\) < 0/,
    );
  });

  it("moves every clock of a list", async () => {
    const clocks = [new ManualClock(0), new ManualClock(100)];
    await advanceUntil(clocks, () => clocks[0]!.now() >= 2, { stepMs: 1 });
    expect(clocks.map((c) => c.now())).toEqual([2, 102]);
  });
});

describe("turnUntil", () => {
  it("lets the event loop turn until the condition holds; fails naming it otherwise", async () => {
    let done = false;
    setImmediate(() => (done = true));
    expect(await turnUntil(() => done)).toBeGreaterThan(0);
    await expect(turnUntil(() => false, { maxTurns: 2, what: "nothing" })).rejects.toThrow(
      "turnUntil: nothing did not hold within 2 turns of the event loop",
    );
  });
});
