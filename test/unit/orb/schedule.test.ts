/**
 * A randomized schedule on a ManualClock with a seeded random source (printed on
 * failure, replay with ORBITALIS_SEED=<seed>): cores and plugins with limits start, stop,
 * crash and restart; after every step no plugin serves more than its maxCores and no core
 * holds more than its maximum; no reservation outlives holdMs; no request outlives its
 * timeout; once quiet, both sides of every connection agree.
 */
import { afterEach, describe, expect, it } from "vitest";
import { seededRandom } from "../../helpers/random.js";
import { Core, Plugin, silentLogger, type LocalBus } from "../../../runtime/index.js";
import { EchoWorld, Orbs } from "../../helpers/orbs.js";

const orbs = new Orbs();
afterEach(() => orbs.stopAll());

const HOLD_MS = 2000;
const MAX_CORES = 2;
const MAXIMUM = 2;

describe("a randomized schedule of starts, stops, crashes and restarts", () => {
  const seeds = process.env.ORBITALIS_SEED
    ? [Number(process.env.ORBITALIS_SEED)]
    : [Date.now() % 1_000_000, 1, 2];
  it.each(seeds)(
    "keeps every limit at every step, and both sides agree once quiet (seed %i)",
    async (seed) => {
      const rnd = seededRandom(seed);
      const w = new EchoWorld(orbs);
      const timing = { discoverIntervalMs: 500, holdMs: HOLD_MS, deadAfterMs: 3000 };
      type Slot = { id: string; orb: Core | Plugin | undefined };
      const newOrb = (slot: Slot): Core | Plugin =>
        slot.id.startsWith("c")
          ? orbs.add(
              new Core({
                id: slot.id,
                bus: w.hub.bus(),
                clock: w.clock,
                logger: silentLogger,
                timing,
                requires: { echo: { minimum: 1, maximum: MAXIMUM } },
              }),
            )
          : slot.id === "p4"
            ? slowPlugin(slot.id)
            : w.plugin(slot.id, { maxCores: MAX_CORES, timing });
      /** A plugin that never answers (nor heeds its signal): requests to it end by the core's own timeout. */
      const slowPlugin = (id: string): Plugin =>
        orbs
          .add(
            new Plugin({
              id,
              bus: w.hub.bus(),
              clock: w.clock,
              logger: silentLogger,
              maxCores: MAX_CORES,
              timing,
            }),
          )
          .operation(
            "echo",
            { input: { any: true }, output: { any: true } },
            () => new Promise<never>(() => undefined),
          );
      const slots: Slot[] = ["c1", "c2", "c3", "p1", "p2", "p3", "p4"].map((id) => ({ id, orb: undefined }));
      const log: string[] = [];
      const fail = (what: string): never => {
        throw new Error(`seed ${seed}: ${what}\nsteps:\n${log.slice(-15).join("\n")}`);
      };
      /** Requests the cores send along the way: each must settle by its deadline. */
      const requests: { core: string; at: number; settled: boolean }[] = [];
      const REQUEST_TIMEOUT = 1000;
      const check = (): void => {
        for (const r of requests)
          if (!r.settled && w.clock.now() - r.at > REQUEST_TIMEOUT)
            fail(`a request of ${r.core} from ${r.at} outlived its ${REQUEST_TIMEOUT} ms timeout`);
        for (const { orb } of slots) {
          if (!orb || (orb.state !== "running" && orb.state !== "compliant" && orb.state !== "not-compliant"))
            continue;
          const n = new Set(orb.connections().map((c) => c.remote)).size;
          if (orb instanceof Plugin && n > MAX_CORES)
            fail(`${orb.id} serves ${n} cores (maxCores ${MAX_CORES})`);
          if (orb instanceof Core && n > MAXIMUM)
            fail(`${orb.id} holds ${n} connections (maximum ${MAXIMUM})`);
          if (orb instanceof Plugin) {
            const held = (
              orb as unknown as { lends: { reservations: { held: Map<string, { at: number }> } } }
            ).lends.reservations.held;
            for (const r of held.values())
              if (w.clock.now() - r.at > HOLD_MS) fail(`${orb.id} holds a reservation past holdMs`);
          }
        }
      };
      for (let step = 0; step < 80; step++) {
        const slot = slots[Math.floor(rnd() * slots.length)]!;
        const running = slot.orb !== undefined;
        const roll = rnd();
        if (!running) {
          log.push(`${w.clock.now()}: start ${slot.id}`);
          slot.orb = newOrb(slot);
          await slot.orb.start();
        } else if (roll < 0.3) {
          log.push(`${w.clock.now()}: stop ${slot.id}`);
          const stopping = slot.orb!.stop();
          slot.orb = undefined;
          await w.clock.advance(6000); // a graceful close may wait gracefulCloseTimeoutMs for the slow plugin
          await stopping;
        } else if (roll < 0.5) {
          log.push(`${w.clock.now()}: crash ${slot.id}`);
          (slot.orb!.bus as LocalBus).simulateCrash();
          void slot.orb!.stop(); // the process is gone: nothing of it runs any more
          slot.orb = undefined;
        } else {
          const ms = Math.floor(rnd() * 1500);
          log.push(`${w.clock.now()}: wait ${ms} ms`);
        }
        for (const { orb } of slots)
          if (orb instanceof Core && orb.state === "compliant") {
            const r = { core: orb.id, at: w.clock.now(), settled: false };
            requests.push(r);
            orb.request("echo", step, { timeoutMs: REQUEST_TIMEOUT }).then(
              () => (r.settled = true),
              () => (r.settled = true),
            );
          }
        await w.clock.advance(Math.floor(rnd() * 1500));
        check();
      }
      // Quiet: deaths noticed, handshakes done.
      for (let i = 0; i < 20; i++) await w.clock.advance(500);
      check();
      const live = slots.filter((s) => s.orb).map((s) => s.orb!);
      for (const a of live)
        for (const c of a.connections()) {
          const b = live.find((o) => o.id === c.remote);
          if (!b || b.epoch !== c.remoteEpoch) fail(`${a.id} holds a connection to ${c.remote} that is gone`);
          const mirror = b!.connections({ remote: a.id, operation: c.operation });
          if (mirror.length !== 1 || mirror[0]!.remoteEpoch !== a.epoch)
            fail(`${a.id} -> ${c.remote} is not mirrored on ${c.remote}`);
        }
      expect(live.length).toBeGreaterThan(0);
    },
    60_000,
  );
});
