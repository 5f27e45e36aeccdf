/**
 * A plugin's slots on a ManualClock, through the public API: the operation's own
 * `policy.maxCores` (HS-3), and reservations that run out after `holdMs` (HS-4, HS-8,
 * HS-9) -- each without take-over (HS-5) standing in for the rule under test.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  closeTopic,
  discoverTopic,
  keepaliveTopic,
  offerTopic,
  responseTopic,
} from "../../../generated/protocol/index.js";
import { Plugin, silentLogger, type SkipDetail } from "../../../runtime/index.js";
import { advanceUntil } from "../../helpers/clock.js";
import { EchoWorld, Orbs } from "../../helpers/orbs.js";
import { RawOrb } from "../../helpers/raw.js";

const orbs = new Orbs();
afterEach(() => orbs.stopAll());

const ROOT = "orbitalis";
const HOLD_MS = 1000;

/** A plugin `lamp` lending `echo` (any in and out), with its limits. */
function lamp(w: EchoWorld, opts: { maxCores?: number; echoMaxCores?: number } = {}): Plugin {
  const plugin = orbs.add(
    new Plugin({
      id: "lamp",
      bus: w.hub.bus(),
      clock: w.clock,
      logger: silentLogger,
      timing: { holdMs: HOLD_MS },
      ...(opts.maxCores === undefined ? {} : { maxCores: opts.maxCores }),
    }),
  );
  const policy = opts.echoMaxCores === undefined ? {} : { policy: { maxCores: opts.echoMaxCores } };
  plugin.operation("echo", { input: { any: true }, output: { any: true }, ...policy }, (x) => x);
  return plugin;
}

describe("an operation's policy.maxCores", () => {
  it("1, with room under the plugin's maxCores: of two cores exactly one gets it; once that one stops, the other does", async () => {
    const w = new EchoWorld(orbs);
    const plugin = lamp(w, { maxCores: 4, echoMaxCores: 1 });
    const skipped: SkipDetail[] = [];
    plugin.on("skipped", (d) => skipped.push(d));
    const timing = { discoverIntervalMs: 200 };
    const [a, b] = [w.core("core-a", { timing }), w.core("core-b", { timing })];
    await plugin.start();
    await Promise.all([a.start(), b.start()]);
    const holders = (): string[] => plugin.connections({ operation: "echo" }).map((c) => c.remote);
    await advanceUntil(w.clock, () => holders().length > 0, {
      maxSteps: 100,
      stepMs: 10,
      what: "a first core",
    });
    // Many discovers of the other later (every ~200 ms, 10 holdMs), still one.
    for (let t = 0; t < 10 * HOLD_MS; t += 100) {
      await w.clock.advance(100);
      expect(holders()).toHaveLength(1);
    }
    const [first] = holders();
    const [winner, other] = first === a.id ? [a, b] : [b, a];
    expect(winner.isCompliant).toBe(true);
    expect(other.isCompliant).toBe(false);
    expect(other.connections()).toEqual([]);
    expect(skipped.some((d) => d.remote === other.id && d.reason === "no-free-slot")).toBe(true);
    expect(skipped.find((d) => d.remote === other.id)?.message).toMatch(/policy\.maxCores 1 reached/);
    // The holder stops (a graceful close): the slot is free, the other core gets it.
    const stopped = winner.stop();
    await advanceUntil(w.clock, () => !holders().includes(winner.id), {
      maxSteps: 100,
      stepMs: 10,
      what: "the slot freed",
    });
    await stopped;
    await advanceUntil(w.clock, () => other.isCompliant, {
      maxSteps: 100,
      stepMs: 10,
      what: "the other core",
    });
    expect(holders()).toEqual([other.id]);
    expect(await other.request("echo", "mine now")).toBe("mine now");
  });
});

/** A core speaking raw messages, with distinct topics in its discover and in its request. */
async function rawCore(w: EchoWorld, id: string): Promise<RawOrb> {
  const raw = new RawOrb(w.hub.bus(), id);
  return raw.listen(
    offerTopic({ root: ROOT, core: id }),
    responseTopic({ root: ROOT, core: id }),
    `${ROOT}/orb/${id}/+`,
    `elsewhere/${id}/+`,
  );
}

/** Discovers `echo`; the close and keepalive topics said here are the reservation's. */
function discover(raw: RawOrb): Promise<unknown> {
  return raw.send(discoverTopic({ root: ROOT }), "discover", {
    offerTo: offerTopic({ root: ROOT, core: raw.id }),
    keepaliveTo: keepaliveTopic({ root: ROOT, orb: raw.id }),
    closeTo: closeTopic({ root: ROOT, orb: raw.id }),
    deadAfterMs: 60_000,
    operations: [{ name: "echo", inputs: [{ any: true }], outputs: [{ any: true }] }],
  });
}

describe("a reservation runs out after holdMs", () => {
  /**
   * A raw core discovers, then requests `afterMs` after the offer was sent, naming other
   * keepalive and close topics in its request than in its discover. The plugin confirms;
   * then it closes the connection: its close goes where the discover said when the
   * request found the reservation, where the request said when it found none (HS-9).
   */
  async function requestAfter(afterMs: number): Promise<{ answer: string; closeTopic: string }> {
    const w = new EchoWorld(orbs);
    const plugin = lamp(w, { maxCores: 1 });
    await plugin.start();
    const raw = await rawCore(w, "late-core");
    await discover(raw);
    const offer = await raw.next("offer");
    expect(offer.holdMs).toBe(HOLD_MS);
    // Nobody else is around: nothing takes the slot, and the request is the only thing that happens.
    await w.clock.advance(offer.ts + afterMs - w.clock.now());
    await raw.send(offer.replyTo, "request", {
      re: offer.id,
      operation: "echo",
      responseTo: responseTopic({ root: ROOT, core: raw.id }),
      outputTopic: `${ROOT}/core/${raw.id}/echo/out`,
      keepaliveTo: `elsewhere/${raw.id}/keepalive`,
      closeTo: `elsewhere/${raw.id}/close`,
      deadAfterMs: 60_000,
    });
    await w.clock.advance(0);
    const answer = raw.received.find((r) => r.message.kind === "confirm" || r.message.kind === "unavailable");
    await plugin.close(raw.id, "echo", { graceful: false });
    const close = raw.received.find((r) => r.message.kind === "close");
    return { answer: answer?.message.kind ?? "none", closeTopic: close?.topic ?? "none" };
  }

  it("a request holdMs - 1 after the offer is served on the reservation (the discover's topics)", async () => {
    expect(await requestAfter(HOLD_MS - 1)).toEqual({
      answer: "confirm",
      closeTopic: closeTopic({ root: ROOT, orb: "late-core" }),
    });
  });

  it("a request holdMs + 1 after the offer finds none: served as one without reservation (the request's topics, HS-9)", async () => {
    expect(await requestAfter(HOLD_MS + 1)).toEqual({
      answer: "confirm",
      closeTopic: "elsewhere/late-core/close",
    });
  });
});

describe("a core lets its reservation lapse (offered, never requested)", () => {
  it("the slot frees after holdMs, not before, and a core that may not take over then connects", async () => {
    const w = new EchoWorld(orbs);
    const plugin = lamp(w, { maxCores: 1 });
    const skipped: SkipDetail[] = [];
    plugin.on("skipped", (d) => skipped.push(d));
    await plugin.start();
    const t0 = w.clock.now();
    const log: string[] = [];
    const step = (what: string): void => void log.push(`${w.clock.now() - t0}: ${what}`);
    // Step 1: an earlier instance of core "home" was offered the slot and went away
    // before requesting: "home" is a suspect (HS-5), it may not take over a reservation.
    step("home's earlier instance discovers and goes away");
    const earlier = await rawCore(w, "home");
    await discover(earlier);
    await earlier.next("offer");
    await w.clock.advance(HOLD_MS);
    // Step 2: the ghost discovers: the slot is free, it gets the reservation, never requests.
    step("ghost discovers, never requests");
    const ghost = await rawCore(w, "ghost");
    await discover(ghost);
    const offer = await ghost.next("offer");
    // Step 3: "home" starts again and discovers every 100 ms.
    step("home starts");
    const home = w.core("home", { timing: { discoverIntervalMs: 100 } });
    await home.start();
    // Step 4: until holdMs after the ghost's offer, home is refused: the ghost's reservation holds the slot.
    await w.clock.advance(offer.ts + HOLD_MS - 1 - w.clock.now());
    step("holdMs - 1 after the ghost's offer");
    expect(home.connections(), log.join("\n")).toEqual([]);
    expect(skipped.filter((d) => d.remote === "home").length).toBeGreaterThan(3);
    expect(skipped.every((d) => d.reason === "no-free-slot")).toBe(true);
    // Step 5: it lapses; home's next discover gets the slot.
    await advanceUntil(w.clock, () => home.isCompliant, { maxSteps: 30, stepMs: 10, what: "home connected" });
    step("home connected");
    expect(w.clock.now() - offer.ts).toBeGreaterThanOrEqual(HOLD_MS);
    expect(plugin.connections().map((c) => c.remote)).toEqual(["home"]);
    expect(ghost.all("confirm")).toEqual([]);
  });
});
