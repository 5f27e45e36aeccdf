/**
 * A plugin's reservations on their own (issue 19, mutation testing; docs/mutation.md): the
 * grace before a reservation may be taken over, how long a core that let one lapse stays a
 * suspect and how many suspects are remembered, and that releasing and taking over touch
 * only what they pick. (Expiry at holdMs - 1 / holdMs + 1 through the orbs is in
 * slots.test.ts.)
 */
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../runtime/index.js";
import { ConnectionTable } from "../../../runtime/orb/connection-table.js";
import { Reservations } from "../../../runtime/orb/reservations.js";

const topics = { keepaliveTo: "k", closeTo: "c", deadAfterMs: 6000 };

function setup(holdMs = 1000, max?: number) {
  const clock = new ManualClock();
  const limited: string[] = [];
  const r = new Reservations(clock, new ConnectionTable(), { holdMs }, max, (x) => limited.push(x.core));
  return { clock, r, limited };
}

describe("graceMs: a quarter of holdMs, from 1 to 250 ms", () => {
  it.each([
    [4000, 250],
    [1000, 250],
    [400, 100],
    [101, 25],
    [4, 1],
    [2, 1],
    [1, 1],
  ])("holdMs %i gives %i", (holdMs, grace) => {
    expect(setup(holdMs).r.graceMs).toBe(grace);
  });

  it("a reservation younger than graceMs is not taken over; at graceMs it is", async () => {
    const { clock, r } = setup(400);
    r.hold("o1", "core-a", "e", "echo", topics);
    await clock.advance(99);
    expect(r.takeOver(() => true)).toBe(false);
    await clock.advance(1);
    expect(r.takeOver(() => true)).toBe(true);
  });
});

describe("suspects: cores that let a reservation lapse", () => {
  it("stay suspects for 10 holdMs after the lapse, not one millisecond more", async () => {
    const { clock, r } = setup(1000);
    expect(r.isSuspect("core-a")).toBe(false); // never heard of
    r.hold("o1", "core-a", "e", "echo", topics);
    await clock.advance(1000); // lapsed: suspect until 1000 + 10,000
    expect(r.isSuspect("core-a")).toBe(true);
    await clock.advance(9999);
    expect(r.isSuspect("core-a")).toBe(true);
    await clock.advance(1);
    expect(r.isSuspect("core-a")).toBe(false);
    expect(r.isSuspect("core-a")).toBe(false); // and forgotten
  });

  it("a suspect's reservation is taken over at once, a fresh core's is not", async () => {
    const { clock, r } = setup(1000);
    r.hold("o1", "ghost", "e", "echo", topics);
    await clock.advance(1000);
    r.hold("o2", "ghost", "e", "echo", topics);
    r.hold("o3", "real", "e", "echo", topics);
    expect(r.takeOver((x) => x.core === "real")).toBe(false);
    expect(r.takeOver(() => true)).toBe(true);
    expect(r.holds("ghost")).toBe(false);
    expect(r.holds("real")).toBe(true);
  });

  it("1,024 are remembered; the 1,025th makes the oldest be forgotten", async () => {
    const { clock, r } = setup(1000);
    for (let i = 0; i < 1024; i++) r.hold(`o${i}`, `ghost-${i}`, "e", "echo", topics);
    await clock.advance(1000);
    expect(r.isSuspect("ghost-0")).toBe(true);
    expect(r.isSuspect("ghost-1023")).toBe(true);
    r.hold("o-last", "ghost-1024", "e", "echo", topics);
    await clock.advance(1000);
    expect(r.isSuspect("ghost-1024")).toBe(true);
    expect(r.isSuspect("ghost-1")).toBe(true);
    expect(r.isSuspect("ghost-0")).toBe(false);
  });
});

describe("releasing and taking over touch only what they pick", () => {
  it("release of a slot not held does nothing; releaseWhere frees only what its test picks, or all", () => {
    const { r } = setup();
    expect(() => r.release("nothing", "echo")).not.toThrow();
    r.hold("o1", "a", "e", "echo", topics);
    r.hold("o2", "b", "e", "echo", topics);
    r.hold("o3", "c", "e", "sum", topics);
    r.releaseWhere((x) => x.core === "b");
    expect([r.holds("a"), r.holds("b"), r.holds("c")]).toEqual([true, false, true]);
    expect(r.holds("c")).toBe(true); // any operation
    expect(r.holds("c", "sum")).toBe(true);
    expect(r.holds("c", "echo")).toBe(false);
    r.releaseWhere();
    expect(r.size).toBe(0);
  });

  it("taking over frees every reservation of the core it picks, and no other core's", async () => {
    const { clock, r } = setup(1000);
    r.hold("o1", "old", "e", "echo", topics);
    r.hold("o2", "old", "e", "sum", topics);
    r.hold("o3", "other", "e", "echo", topics);
    await clock.advance(250);
    expect(r.takeOver((x) => x.core === "old")).toBe(true);
    expect(r.holds("old")).toBe(false);
    expect(r.holds("other", "echo")).toBe(true);
    expect(r.size).toBe(1);
  });

  it("beyond max the oldest gives way, and the limit hook is told which", () => {
    const { r, limited } = setup(1000, 2);
    r.hold("o1", "a", "e", "echo", topics);
    r.hold("o2", "b", "e", "echo", topics);
    expect(limited).toEqual([]);
    r.hold("o3", "c", "e", "echo", topics);
    expect(limited).toEqual(["a"]);
    expect(r.get("o1", "echo")).toBeUndefined();
    expect(r.size).toBe(2);
  });
});
