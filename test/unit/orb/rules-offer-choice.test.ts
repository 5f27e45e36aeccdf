/**
 * The capacity rules on their own (issue 19, mutation testing; see docs/mutation.md): a
 * core's offer choice (mandatory plugins first, then preferred, then arrival order; within
 * maximum, counting connected and pending plugins; the last free slots kept for mandatory
 * plugins) and a plugin's capacity (its total maxCores over served cores, taking over a
 * reservation only from another core, never for a suspect). The per-operation maxCores
 * with two cores and one slot, through the orbs, is in slots.test.ts.
 */
import { describe, expect, it } from "vitest";
import { CompiledSpec, ManualClock } from "../../../runtime/index.js";
import { Connection } from "../../../runtime/orb/connection.js";
import { ConnectionTable } from "../../../runtime/orb/connection-table.js";
import { chooseOffers, type ChoiceView } from "../../../runtime/orb/offer-choice.js";
import { PluginCapacity } from "../../../runtime/orb/plugin-capacity.js";
import type { Operation } from "../../../runtime/orb/plugin-serving.js";
import { Access } from "../../../runtime/orb/policy.js";
import { compileRequirement, type RequirementOptions } from "../../../runtime/orb/requirements.js";
import { Reservations } from "../../../runtime/orb/reservations.js";
import type { OfferMessage } from "../../../generated/protocol/index.js";

const offer = (from: string, operation = "echo"): OfferMessage => ({
  v: 1,
  kind: "offer",
  id: `${from}-1`,
  from,
  epoch: "e",
  ts: 0,
  re: "d1",
  replyTo: "r",
  keepaliveTo: "k",
  closeTo: "c",
  deadAfterMs: 6000,
  holdMs: 5000,
  operations: [{ name: operation, input: { any: true }, output: { any: true } }],
});

function choose(
  options: RequirementOptions,
  from: string[],
  state: { connected?: string[]; pending?: string[]; refuse?: string[] } = {},
) {
  const skipped: string[] = [];
  const view: ChoiceView = {
    acceptable: (_req, o) => !(state.refuse ?? []).includes(o.from),
    connected: () => (state.connected ?? []).map((remote) => ({ remote })),
    pending: () => (state.pending ?? []).map((plugin) => ({ plugin })),
    skip: (plugin, _operation, reason, message) => skipped.push(`${plugin} ${reason}: ${message}`),
  };
  const picked = chooseOffers(
    compileRequirement("echo", options),
    from.map((f) => offer(f)),
    view,
  ).map((o) => o.from);
  return { picked, skipped };
}

describe("offer choice", () => {
  it("without a maximum takes every acceptable offer once, in arrival order", () => {
    expect(choose({}, ["a", "b", "a", "c"], { refuse: ["b"] }).picked).toEqual(["a", "c"]);
    expect(choose({}, []).picked).toEqual([]);
  });

  it("an offer of another operation is no candidate", () => {
    const view: ChoiceView = {
      acceptable: () => true,
      connected: () => [],
      pending: () => [],
      skip: () => undefined,
    };
    expect(chooseOffers(compileRequirement("echo", {}), [offer("a", "sum")], view)).toEqual([]);
  });

  it("mandatory first, then preferred by rank, then arrival", () => {
    const { picked } = choose({ mandatory: ["m"], prefer: ["p2", "p1"] }, ["x", "p1", "y", "m", "p2"]);
    expect(picked).toEqual(["m", "p2", "p1", "x", "y"]);
  });

  it("maximum counts connected and pending plugins; the rest are skipped as maximum-reached", () => {
    const { picked, skipped } = choose({ maximum: 3 }, ["a", "b", "c"], { connected: ["x"], pending: ["y"] });
    expect(picked).toEqual(["a"]);
    expect(skipped).toEqual([
      "b maximum-reached: requires.echo.maximum 3 reached (connected or connecting)",
      "c maximum-reached: requires.echo.maximum 3 reached (connected or connecting)",
    ]);
    expect(choose({ maximum: 2 }, ["a"], { connected: ["x", "y"] }).picked).toEqual([]);
  });

  it("keeps the last free slots for mandatory plugins not connected yet", () => {
    const { picked, skipped } = choose({ maximum: 2, mandatory: ["m"] }, ["a", "b"]);
    expect(picked).toEqual(["a"]);
    expect(skipped).toEqual([
      "b maximum-reached: the last free slots of requires.echo.maximum 2 are kept for mandatory m",
    ]);
    // Once m is connected (or pending) its slot is not kept any more.
    expect(choose({ maximum: 2, mandatory: ["m"] }, ["a", "b"], { connected: ["m"] }).picked).toEqual(["a"]);
    expect(choose({ maximum: 3, mandatory: ["m"] }, ["a", "b"], { pending: ["m"] }).picked).toEqual([
      "a",
      "b",
    ]);
    // The mandatory plugin itself takes a kept slot.
    expect(choose({ maximum: 1, mandatory: ["m"] }, ["a", "m"]).picked).toEqual(["m"]);
  });

  it("two mandatory plugins keep two slots; each that comes takes its own", () => {
    const { picked } = choose({ maximum: 3, mandatory: ["m1", "m2"] }, ["a", "m1", "b", "m2"]);
    expect(picked).toEqual(["m1", "m2", "a"]);
    expect(choose({ maximum: 3, mandatory: ["m1", "m2"] }, ["a", "b", "m1"]).picked).toEqual(["m1", "a"]);
  });
});

describe("plugin capacity", () => {
  const any = CompiledSpec.fromWire({ any: true });
  const topics = { keepaliveTo: "k", closeTo: "c", deadAfterMs: 6000 };
  const operation = (name: string, maxCores?: number): Operation => ({
    name,
    input: any,
    output: any,
    maxCores,
    access: Access.from({}, "op"),
    handler: () => undefined,
    offerWhen: "always",
  });
  function setup(maxCores?: number) {
    const clock = new ManualClock();
    const table = new ConnectionTable();
    const reservations = new Reservations(clock, table, { holdMs: 1000 });
    return { clock, table, reservations, capacity: new PluginCapacity(reservations, table, maxCores) };
  }
  const served = (remote: string, op = "echo") =>
    new Connection(remote, "re", op, any, any, "in", "out", 0, "plugin");

  it("without limits there is always room", () => {
    const { capacity, reservations } = setup();
    for (let i = 0; i < 5; i++) reservations.hold(`o${i}`, `c${i}`, "e", "echo", topics);
    expect(capacity.full(operation("echo"), "new")).toBeUndefined();
  });

  it("maxCores in total: a core already served has room for another operation; a new one waits", () => {
    const { capacity, table } = setup(1);
    table.add(served("a"));
    expect(capacity.full(operation("sum"), "a")).toBeUndefined();
    expect(capacity.full(operation("echo"), "b")).toBe("maxCores 1 reached (connected or reserved)");
  });

  it("maxCores in total: below it a new core has room", () => {
    const { capacity, table } = setup(2);
    table.add(served("a"));
    expect(capacity.full(operation("echo"), "b")).toBeUndefined();
  });

  it("maxCores in total: a reservation of another core old enough is taken over, a connected core's never", async () => {
    const { capacity, reservations, clock } = setup(1);
    reservations.hold("o1", "ghost", "e", "echo", topics);
    expect(capacity.full(operation("echo"), "b")).toBe("maxCores 1 reached (connected or reserved)"); // too young
    await clock.advance(250);
    expect(capacity.full(operation("echo"), "b")).toBeUndefined();
    expect(reservations.holds("ghost")).toBe(false);
    // A core with a connection keeps its reservation of another operation.
    const other = setup(1);
    other.table.add(served("a"));
    other.reservations.hold("o2", "a", "e", "sum", topics);
    await other.clock.advance(250);
    expect(other.capacity.full(operation("echo"), "b")).toMatch(/^maxCores 1 reached/);
    expect(other.reservations.holds("a", "sum")).toBe(true);
  });

  it("a suspect never takes over a slot, neither per operation nor in total", async () => {
    const { capacity, reservations, clock } = setup(1);
    reservations.hold("o0", "suspect", "e", "echo", topics);
    await clock.advance(1000); // lapsed: a suspect now
    reservations.hold("o1", "ghost", "e", "echo", topics);
    await clock.advance(300);
    expect(capacity.full(operation("echo"), "suspect")).toMatch(/^maxCores 1 reached/);
    expect(capacity.full(operation("echo", 1), "suspect")).toMatch(/policy\.maxCores 1 reached/);
    expect(reservations.holds("ghost")).toBe(true);
  });

  it("per operation: the core's own reservation is not taken over for it; another's is", async () => {
    const { capacity, reservations, clock } = setup();
    reservations.hold("o1", "a", "e", "echo", topics);
    await clock.advance(250);
    expect(capacity.full(operation("echo", 1), "a")).toBe(
      'operation("echo").policy.maxCores 1 reached (connected or reserved)',
    );
    expect(capacity.full(operation("echo", 1), "b")).toBeUndefined();
    expect(reservations.holds("a")).toBe(false);
    // Another operation's reservation is not taken over for echo.
    reservations.hold("o2", "c", "e", "sum", topics);
    reservations.hold("o3", "d", "e", "echo", topics);
    await clock.advance(250);
    expect(capacity.full(operation("echo", 2), "b")).toBeUndefined(); // 1 of 2 used
    expect(capacity.full(operation("echo", 1), "b")).toBeUndefined();
    expect(reservations.holds("c", "sum")).toBe(true);
    expect(reservations.holds("d")).toBe(false);
  });
});
