/**
 * Hybrid orbs (an `Orb` both lends and requires operations), run on every bus: the unit
 * suite runs them on LocalBus, the integration suite over Mosquitto.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  Core,
  NoConnectionError,
  Orb,
  Plugin,
  silentLogger,
  type Bus,
  type DisconnectionDetail,
  type OrbOptions,
  type StatusMessage,
} from "../../runtime/index.js";
import { coreState, Orbs, until } from "../helpers/orbs.js";
import { uniqueRoot, withTimeout } from "../helpers/wait.js";

const TEXT = { type: "string", maxLength: 10000 } as const;
const text = { schemas: [TEXT] };

/** Defines the hybrid suite for one kind of bus. */
export function defineHybridScenarios(name: string, newBus: () => Bus, timeoutMs = 5000): void {
  describe(`hybrid orbs on ${name}`, () => {
    const orbs = new Orbs();
    afterEach(() => orbs.stopAll());
    const common = (): Omit<OrbOptions, "id" | "bus"> => ({
      root: uniqueRoot("h"),
      logger: silentLogger,
      timing: { discoverIntervalMs: 300, holdMs: 2000 },
    });

    /** The bottom of a chain: a plain plugin that summarizes. */
    const summarizer = (opts: Omit<OrbOptions, "id" | "bus">): Plugin =>
      orbs
        .add(new Plugin({ ...opts, id: "summarize", bus: newBus() }))
        .operation("summarize", { input: text, output: text }, (s) =>
          (s as string).split(" ").slice(0, 3).join(" "),
        );

    /** The middle: lends `clean`, requires `summarize`. */
    const cleaner = (opts: Omit<OrbOptions, "id" | "bus">, offerWhen?: "always" | "compliant"): Orb => {
      const orb: Orb = orbs.add(
        new Orb({
          ...opts,
          id: "clean",
          bus: newBus(),
          requires: { summarize: { inputs: [text], outputs: [text] } },
          ...(offerWhen ? { offerWhen } : {}),
        }),
      );
      return orb.operation("clean", { input: text, output: text }, async (s) =>
        orb.request("summarize", (s as string).replace(/\s+/g, " ").trim()),
      );
    };

    /**
     * The top: a plain core that requires `clean`. With `quiet`, it discovers only once a
     * minute: it then connects in time only if the hybrid's announce tells it to look.
     */
    const head = (opts: Omit<OrbOptions, "id" | "bus">, quiet = false): Core =>
      orbs.add(
        new Core({
          ...opts,
          ...(quiet ? { timing: { ...opts.timing, discoverIntervalMs: 60_000 } } : {}),
          id: "fetch",
          bus: newBus(),
          requires: { clean: { inputs: [text], outputs: [text] } },
        }),
      );

    it("a chain core -> hybrid -> plugin: compliance propagates down the chain and back", async () => {
      const opts = common();
      const top = head(opts, true);
      const middle = cleaner(opts, "compliant");
      const refused = new Promise((resolve) =>
        middle.on("skipped", (d) => d.remote === "fetch" && d.reason === "not-compliant" && resolve(d)),
      );
      await middle.start();
      await top.start();
      // Without its plugin the hybrid is not compliant, so it offers nothing (offerWhen compliant).
      await withTimeout(refused, timeoutMs, "the hybrid to refuse the core's discover");
      expect(middle.state).toBe("not-compliant");
      expect(top.connections()).toEqual([]);
      let bottom = summarizer(opts);
      await bottom.start();
      await middle.compliant({ timeoutMs });
      await top.compliant({ timeoutMs });
      expect(await top.request("clean", "  the   quick brown fox jumps ")).toBe("the quick brown");
      // The plugin goes: the hybrid is no longer compliant and closes what it serves, gracefully.
      const served = new Promise<DisconnectionDetail>((resolve) =>
        top.once("disconnection", (_c, detail) => resolve(detail)),
      );
      await bottom.stop();
      await coreState(middle, "not-compliant", timeoutMs);
      await coreState(top, "not-compliant", timeoutMs);
      expect(await served).toMatchObject({ reason: "closed-by-remote", graceful: true });
      await expect(top.request("clean", "x")).rejects.toBeInstanceOf(NoConnectionError);
      // It comes back: the hybrid becomes compliant, announces, and the core reconnects.
      bottom = summarizer(opts);
      await bottom.start();
      await middle.compliant({ timeoutMs });
      await top.compliant({ timeoutMs });
      expect(await top.request("clean", "a b c d")).toBe("a b c");
    });

    it('with offerWhen "always" (the default) a hybrid serves whether or not it is compliant', async () => {
      const opts = common();
      const top = head(opts);
      const middle = cleaner(opts);
      await Promise.all([top.start(), middle.start()]);
      await top.compliant({ timeoutMs });
      expect(middle.state).toBe("not-compliant");
      // Its handler needs summarize, which is missing: the caller learns it from the error.
      await expect(top.request("clean", "x")).rejects.toMatchObject({ code: "ERR_REMOTE_OPERATION" });
    });

    it("two hybrids that require each other's operations connect and both become compliant", async () => {
      const opts = common();
      const ping = orbs.add(new Orb({ ...opts, id: "ping", bus: newBus(), requires: { pong: {} } }));
      const pong = orbs.add(new Orb({ ...opts, id: "pong", bus: newBus(), requires: { ping: {} } }));
      ping.operation("ping", { input: { any: true }, output: { any: true } }, (x) => ({ ping: x }));
      pong.operation("pong", { input: { any: true }, output: { any: true } }, (x) => ({ pong: x }));
      await Promise.all([ping.start(), pong.start()]);
      await Promise.all([ping.compliant({ timeoutMs }), pong.compliant({ timeoutMs })]);
      expect(await ping.request("pong", 1)).toEqual({ pong: 1 });
      expect(await pong.request("ping", 2)).toEqual({ ping: 2 });
      // One remote, two connections (one per direction), one liveness.
      expect(ping.connections().map((c) => [c.remote, c.operation, c.role])).toEqual(
        expect.arrayContaining([
          ["pong", "pong", "core"],
          ["pong", "ping", "plugin"],
        ]),
      );
    });

    it("a hybrid never connects to itself, even when it requires what it lends", async () => {
      const opts = common();
      const self = orbs.add(new Orb({ ...opts, id: "self", bus: newBus(), requires: { echo: {} } }));
      self.operation("echo", { input: { any: true }, output: { any: true } }, (x) => x);
      const watcher = orbs.add(new Core({ ...opts, id: "watcher", bus: newBus(), requires: { echo: {} } }));
      await Promise.all([self.start(), watcher.start()]);
      // Another core can use it: its operation is offered (and the discover loop ran).
      await watcher.compliant({ timeoutMs });
      expect(self.state).toBe("not-compliant");
      expect(self.connections({ role: "core" })).toEqual([]);
      // A plain plugin with the operation is what makes it compliant.
      const other = orbs.add(new Plugin({ ...opts, id: "other", bus: newBus() }));
      other.operation("echo", { input: { any: true }, output: { any: true } }, (x) => x);
      await other.start();
      await self.compliant({ timeoutMs });
      expect(self.connections({ role: "core" }).map((c) => c.remote)).toEqual(["other"]);
    });

    it("a hybrid's status says both roles; a close limited to one role closes one direction only", async () => {
      const opts = common();
      const make = (id: string): Orb => {
        const orb = orbs.add(new Orb({ ...opts, id, bus: newBus(), requires: { echo: {} } }));
        return orb.operation("echo", { input: { any: true }, output: { any: true } }, (x) => x);
      };
      const a = make("a");
      const b = make("b");
      await Promise.all([a.start(), b.start()]);
      await Promise.all([a.compliant({ timeoutMs }), b.compliant({ timeoutMs })]);
      await until(
        [a, b],
        () => a.connections().length === 2 && b.connections().length === 2,
        "both directions",
      );
      const status: StatusMessage = await a.status("b", { timeoutMs });
      expect(status).toMatchObject({
        role: "hybrid",
        state: "compliant",
        offers: ["echo"],
        requires: ["echo"],
      });
      expect(status.connections.map((c) => c.role).sort()).toEqual(["core", "plugin"]);
      // a stops using b's echo; b keeps using a's.
      const gone = new Promise<string>((resolve) => b.once("disconnection", (c) => resolve(c.role)));
      await a.close("b", "echo", { role: "core", graceful: true });
      expect(await gone).toBe("plugin");
      expect(b.connections({ role: "core" }).map((c) => c.remote)).toEqual(["a"]);
      expect(a.connections({ role: "plugin" }).map((c) => c.remote)).toEqual(["b"]);
      // a is no longer compliant for a moment and reconnects by itself.
      await a.compliant({ timeoutMs });
    });
  });
}
