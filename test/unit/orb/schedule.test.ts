/**
 * A randomized schedule on a ManualClock with a seeded random source (printed on
 * failure, replay with ORBITALIS_SEED=<seed>): cores and plugins with limits start, stop,
 * crash and restart, and ghost cores discover and never request; after every step no
 * plugin serves more than its maxCores and no core holds more than its maximum; no
 * reservation outlives holdMs (read from the outside: a plugin never refuses a core for
 * want of a slot while fewer cores than its maxCores are connected or were offered a slot
 * within holdMs; a ghost that let its reservation lapse is, asked again, offered a slot or
 * refused one, never ignored as still holding it); no request outlives its timeout; once
 * quiet, both sides of every connection agree.
 */
import { afterEach, describe, expect, it } from "vitest";
import { seededRandom } from "../../helpers/random.js";
import { Core, Plugin, silentLogger, type LocalBus, type SkipDetail } from "../../../runtime/index.js";
import { discoverTopic, offerFilter } from "../../../generated/protocol/index.js";
import { EchoWorld, Orbs } from "../../helpers/orbs.js";
import { RawOrb } from "../../helpers/raw.js";

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
      // The offers plugins make, and the discovers they answer.
      const root = "orbitalis";
      const tap = await new RawOrb(w.hub.bus(), "tap").listen(discoverTopic({ root }), offerFilter({ root }));
      /**
       * The cores `plugin` serves or offered a slot within holdMs: at least every core it
       * may hold a slot for (more when a reservation ended early: requested, rejected,
       * taken over), as long as none outlives holdMs.
       */
      const servedOrOffered = (plugin: Plugin): Set<string> => {
        const cores = new Set(plugin.connections().map((c) => c.remote));
        const discovers = new Map(tap.all("discover").map((d) => [d.id, d.from]));
        for (const offer of tap.all("offer"))
          if (
            offer.from === plugin.id &&
            offer.epoch === plugin.epoch &&
            w.clock.now() - offer.ts <= HOLD_MS
          ) {
            const core = discovers.get(offer.re);
            if (core !== undefined) cores.add(core);
          }
        return cores;
      };
      const refusals: string[] = [];
      /** A plugin refusing a core for want of a slot while it has one free: some reservation outlived holdMs. */
      const watchRefusals = (plugin: Plugin): Plugin => {
        plugin.on("skipped", (d: SkipDetail) => {
          if (d.reason !== "no-free-slot") return;
          const held = servedOrOffered(plugin);
          held.delete(d.remote);
          if (held.size < MAX_CORES)
            refusals.push(
              `${w.clock.now()}: ${plugin.id} refused ${d.remote} a slot (${d.message}) serving or offered to only ${[...held].join(", ") || "none"}: a reservation outlived holdMs`,
            );
        });
        return plugin;
      };
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
          : watchRefusals(
              slot.id === "p4" ? slowPlugin(slot.id) : w.plugin(slot.id, { maxCores: MAX_CORES, timing }),
            );
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
        }
        if (refusals.length > 0) fail(refusals[0]!);
      };
      const plugins = (): Plugin[] =>
        slots.flatMap(({ orb }) => (orb instanceof Plugin && orb.state === "running" ? [orb] : []));
      let ghosts = 0;
      /**
       * A ghost core discovers and never requests; holdMs later it discovers again: every
       * plugin that offered it a slot and still runs (the same instance) answers again with
       * an offer or a refusal (skipped, no-free-slot). Silence means it still holds the
       * ghost's reservation.
       */
      const ghostStep = async (): Promise<void> => {
        const ghost = await new RawOrb(w.hub.bus(), `ghost-${++ghosts}`).listen(offerFilter({ root }));
        const first = await ghost.discoverEcho(root);
        await w.clock.advance(1);
        const offered = ghost
          .all("offer")
          .filter((o) => o.re === first.id)
          .map((o) => ({ id: o.from, epoch: o.epoch }));
        await w.clock.advance(HOLD_MS);
        const refused = new Set<string>();
        const offs = plugins().map((p) => p.on("skipped", (d) => d.remote === ghost.id && refused.add(p.id)));
        const again = await ghost.discoverEcho(root);
        await w.clock.advance(1);
        offs.forEach((off) => off());
        const answered = new Set(ghost.all("offer").flatMap((o) => (o.re === again.id ? [o.from] : [])));
        for (const { id, epoch } of offered)
          if (
            plugins().some((p) => p.id === id && p.epoch === epoch) &&
            !answered.has(id) &&
            !refused.has(id)
          )
            fail(
              `${id} ignored ${ghost.id}'s discover holdMs after its offer: it still holds the reservation`,
            );
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
        } else if (roll < 0.65) {
          log.push(`${w.clock.now()}: a ghost discovers, lets its reservations lapse, discovers again`);
          await ghostStep();
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
