/**
 * Properties (fast-check): random and mutated messages on every inbound channel of a
 * running core and plugin never throw out of an orb, every invalid one is reported, what
 * the orbs keep stays bounded, and a real handshake and request still work afterwards.
 * A failure prints fast-check's seed and path, so the case replays.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { ID_PATTERN, InvalidMessageError, type LocalBus } from "../../../runtime/index.js";
import {
  announceTopic,
  closeTopic,
  discoverTopic,
  keepaliveTopic,
  offerFilter,
  offerTopic,
  outputTopic,
  presenceTopic,
  replyTopic,
  responseTopic,
  statusTopic,
  inputTopic,
} from "../../../generated/protocol/index.js";
import { loadVectors } from "../../helpers/conformance.js";
import { EchoWorld, Orbs, until } from "../../helpers/orbs.js";
import { RawOrb } from "../../helpers/raw.js";
import { withTimeout } from "../../helpers/wait.js";

const orbs = new Orbs();
afterEach(() => orbs.stopAll());
const ROOT = "orbitalis";

/** Every topic the core `home` and the plugin `lamp` listen on. */
const TOPICS = [
  offerTopic({ root: ROOT, core: "home" }),
  responseTopic({ root: ROOT, core: "home" }),
  outputTopic({ root: ROOT, core: "home", operation: "echo", plugin: "lamp" }),
  announceTopic({ root: ROOT }),
  discoverTopic({ root: ROOT }),
  replyTopic({ root: ROOT, plugin: "lamp" }),
  inputTopic({ root: ROOT, plugin: "lamp", operation: "echo", core: "home" }),
  closeTopic({ root: ROOT, orb: "home" }),
  closeTopic({ root: ROOT, orb: "lamp" }),
  keepaliveTopic({ root: ROOT, orb: "home" }),
  keepaliveTopic({ root: ROOT, orb: "lamp" }),
  statusTopic({ root: ROOT, orb: "lamp" }),
  presenceTopic({ root: ROOT, orb: "lamp" }),
  presenceTopic({ root: ROOT, orb: "home" }),
];

/** Valid protocol messages to start mutations from (the spec's own examples). */
const SEEDS = loadVectors()
  .filter((v) => v.valid)
  .map((v) => v.message as Record<string, unknown>);

/** A message: a valid one with some fields replaced by arbitrary JSON (often the real ids), or any JSON. */
const messageArb = fc.oneof(
  fc
    .record({
      seed: fc.constantFrom(...SEEDS),
      changes: fc.array(
        fc.tuple(
          fc.constantFrom(
            "from",
            "epoch",
            "id",
            "re",
            "kind",
            "operation",
            "corr",
            "data",
            "status",
            "graceful",
            "ts",
          ),
          fc.oneof(
            fc.constantFrom("home", "lamp", "echo", "ghost", undefined),
            fc.jsonValue({ maxDepth: 3 }),
          ),
        ),
        { maxLength: 4 },
      ),
    })
    .map(({ seed, changes }) => {
      const m: Record<string, unknown> = { ...seed };
      for (const [k, v] of changes) {
        if (v === undefined) delete m[k];
        else m[k] = v;
      }
      return m;
    }),
  fc.jsonValue({ maxDepth: 4 }),
  // A well-formed discover of echo from some core id: the plugin reserves a slot for it.
  fc
    .record({
      from: fc.oneof(fc.constantFrom("ghost", "home", "lamp"), fc.stringMatching(/^[a-z][a-z0-9]{0,11}$/)),
      epoch: fc.constantFrom("fuzzEpoch1", "fuzzEpoch2"),
      n: fc.nat(),
    })
    .map(({ from, epoch, n }) => ({
      v: 1,
      kind: "discover",
      id: `${epoch}.${n}`,
      from,
      epoch,
      ts: 0,
      offerTo: offerTopic({ root: ROOT, core: from }),
      keepaliveTo: keepaliveTopic({ root: ROOT, orb: from }),
      closeTo: closeTopic({ root: ROOT, orb: from }),
      deadAfterMs: 6000,
      operations: [{ name: "echo", inputs: [{ any: true }], outputs: [{ any: true }] }],
    })),
);

describe("random and mutated inbound messages", () => {
  it("never throw out of an orb, are reported when invalid, leave bounded state, and the orbs still work", async () => {
    const w = new EchoWorld(orbs);
    const core = w.core("home", { timing: { discoverIntervalMs: 500 } });
    const plugin = w.plugin("lamp");
    const invalid: Error[] = [];
    for (const orb of [core, plugin])
      orb.on("error", (e) => {
        if (e instanceof InvalidMessageError) invalid.push(e);
      });
    await Promise.all([core.start(), plugin.start()]);
    await withTimeout(core.compliant(), 2000, "compliant");
    const fuzzer: LocalBus = w.hub.bus();
    await fuzzer.connect();
    // The discovers and the plugin's offers, to know which cores it reserved slots for.
    const tap = await new RawOrb(w.hub.bus(), "tap").listen(
      discoverTopic({ root: ROOT }),
      offerFilter({ root: ROOT }),
    );
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom(...TOPICS), messageArb), { maxLength: 20 }),
        async (batch) => {
          for (const [topic, message] of batch) {
            await fuzzer.publishValue(topic, message);
            sent++;
          }
          await w.clock.advance(50);
        },
      ),
      { numRuns: 150 },
    );
    expect(sent).toBeGreaterThan(500);
    // Invalid ones were reported (mutations make many of them invalid).
    expect(invalid.length).toBeGreaterThan(50);
    // Bounded: no more connections than the one real pair; reservations lapse.
    await w.clock.advance(10_000);
    expect(plugin.connections().length).toBeLessThanOrEqual(1);
    // Every core the plugin offered a slot to holds none any more: asked again, each gets
    // an offer (a plugin never offers an operation to a core holding a reservation of it).
    // Not the real core `home` (it holds the connection) nor `lamp` (the plugin's own id).
    const offeredRe = new Set(tap.all("offer").flatMap((o) => (o.from === "lamp" ? [o.re] : [])));
    const holders = new Set(
      tap
        .all("discover")
        .filter((d) => offeredRe.has(d.id) && typeof d.from === "string" && ID_PATTERN.test(d.from))
        .map((d) => d.from),
    );
    holders.delete("home");
    holders.delete("lamp");
    for (const c of plugin.connections()) holders.delete(c.remote); // connected: not offered again
    expect(holders.size).toBeGreaterThan(0);
    const probe = await new RawOrb(w.hub.bus(), "probe").listen(offerFilter({ root: ROOT }));
    const asked = new Map<string, string>();
    for (const id of holders) {
      probe.id = id;
      probe.epoch = "probeEpoch";
      asked.set((await probe.discoverEcho(ROOT)).id, id);
    }
    await w.clock.advance(1);
    const answered = new Set(probe.all("offer").map((o) => asked.get(o.re)));
    expect([...holders].filter((id) => !answered.has(id))).toEqual([]);
    // And the real pair works: connected again if the fuzz closed something, then a request.
    await until(core, () => core.state === "compliant", "compliant again", 5000).catch(async () => {
      await w.clock.advance(5000);
      await withTimeout(core.compliant(), 5000, "compliant after the fuzz");
    });
    expect(await core.request("echo", "still here")).toBe("still here");
  }, 60_000);
});
