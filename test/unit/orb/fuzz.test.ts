/**
 * Properties (fast-check): random and mutated messages on every inbound channel of a
 * running core and plugin never throw out of an orb, every invalid one is reported, what
 * the orbs keep stays bounded, and a real handshake and request still work afterwards.
 * A failure prints fast-check's seed and path, so the case replays.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { InvalidMessageError, type LocalBus } from "../../../runtime/index.js";
import {
  announceTopic,
  closeTopic,
  discoverTopic,
  keepaliveTopic,
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
    const reservations = (plugin as unknown as { lends: { reservations: { size: number } } }).lends
      .reservations;
    expect(reservations.size).toBe(0);
    expect(plugin.connections().length).toBeLessThanOrEqual(1);
    // And the real pair works: connected again if the fuzz closed something, then a request.
    await until(core, () => core.state === "compliant", "compliant again", 5000).catch(async () => {
      await w.clock.advance(5000);
      await withTimeout(core.compliant(), 5000, "compliant after the fuzz");
    });
    expect(await core.request("echo", "still here")).toBe("still here");
  }, 60_000);
});
