/**
 * Behaviour scenarios, ported from py-orbitalis's own (smart home lamps, text processor,
 * periodic plugin), written against our API and run on every bus: the unit suite runs
 * them on LocalBus, the integration suite over Mosquitto.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  Core,
  InvalidPayloadError,
  OperationError,
  NoConnectionError,
  Plugin,
  RemoteOperationError,
  silentLogger,
  type Bus,
  type OrbOptions,
} from "../../runtime/index.js";
import { coreState, Orbs, until } from "../helpers/orbs.js";
import { uniqueRoot, withTimeout } from "../helpers/wait.js";

const StatusSchema = {
  type: "object",
  properties: { lamp: { type: "string" }, status: { enum: ["on", "off"] } },
  required: ["lamp", "status"],
  additionalProperties: false,
} as const;
const RgbSchema = {
  type: "object",
  properties: { r: { type: "integer" }, g: { type: "integer" }, b: { type: "integer" } },
  required: ["r", "g", "b"],
  additionalProperties: false,
} as const;
const ColorNameSchema = { type: "string", enum: ["red", "green", "blue", "white"] } as const;
const TextSchema = { type: "string", maxLength: 100000 } as const;
const CountSchema = { type: "integer", minimum: 0 } as const;

/** A lamp plugin that records what it was asked. */
class Lamp {
  readonly plugin: Plugin;
  status: "on" | "off" = "off";
  readonly calls: string[] = [];
  constructor(
    id: string,
    common: Omit<OrbOptions, "id" | "bus">,
    bus: Bus,
    colors: "rgb" | "name",
    maxCores = 2,
  ) {
    this.plugin = new Plugin({ ...common, id, bus, maxCores });
    this.plugin
      .operation("turn_on", { input: { empty: true }, output: "none" }, () => {
        this.status = "on";
        this.calls.push("turn_on");
      })
      .operation("turn_off", { input: { empty: true }, output: "none" }, () => {
        this.status = "off";
        this.calls.push("turn_off");
      })
      .operation("get_status", { input: { empty: true }, output: { schemas: [StatusSchema] } }, () => ({
        lamp: id,
        status: this.status,
      }))
      .operation(
        "set_color",
        { input: { schemas: [colors === "rgb" ? RgbSchema : ColorNameSchema] }, output: "none" },
        (color: unknown) => {
          this.calls.push(`set_color ${JSON.stringify(color)}`);
        },
      );
  }
}

/** Defines the scenario suite for one kind of bus. */
export function defineScenarios(name: string, newBus: () => Bus, timeoutMs = 5000): void {
  describe(`scenarios on ${name}`, () => {
    const orbs = new Orbs();
    afterEach(() => orbs.stopAll());
    const common = (): Omit<OrbOptions, "id" | "bus"> => ({
      root: uniqueRoot("s"),
      logger: silentLogger,
      timing: { discoverIntervalMs: 300, holdMs: 2000 },
    });

    function smartHome(
      opts: Omit<OrbOptions, "id" | "bus">,
      id = "home",
      extra: Record<string, object> = {},
    ): Core {
      return orbs.add(
        new Core({
          ...opts,
          id,
          bus: newBus(),
          requires: {
            turn_on: { minimum: 1, mandatory: ["lamp-x"], inputs: [{ empty: true }], outputs: ["none"] },
            turn_off: { minimum: 1, inputs: [{ empty: true }], outputs: ["none"] },
            get_status: { minimum: 0, outputs: [{ schemas: [StatusSchema] }] },
            set_color: {
              minimum: 0,
              inputs: [{ schemas: [RgbSchema] }, { schemas: [ColorNameSchema] }],
              outputs: ["none"],
            },
            ...extra,
          },
        }),
      );
    }

    it("smart home: the mandatory lamp makes the core compliant; optional operations connect too", async () => {
      const opts = common();
      const home = smartHome(opts);
      await home.start();
      expect(home.state).toBe("not-compliant");
      const y = new Lamp("lamp-y", opts, newBus(), "name");
      orbs.add(y.plugin);
      await y.plugin.start();
      // lamp-y alone connects but cannot make it compliant: lamp-x is mandatory.
      await until(
        home,
        () => home.connections({ remote: "lamp-y" }).length === 4,
        "lamp-y connected",
        timeoutMs,
      );
      expect(home.state).toBe("not-compliant");
      expect(home.missing()).toEqual(["turn_on: mandatory lamp-x not connected"]);
      const x = new Lamp("lamp-x", opts, newBus(), "rgb");
      orbs.add(x.plugin);
      await x.plugin.start();
      await home.compliant({ timeoutMs });
      await until(
        home,
        () => home.connections({ remote: "lamp-x" }).length === 4,
        "lamp-x connected",
        timeoutMs,
      );
      expect(
        home
          .connections({ operation: "get_status" })
          .map((c) => c.remote)
          .sort(),
      ).toEqual(["lamp-x", "lamp-y"]);
    });

    it("smart home: execute any, all, a specific plugin, distributed; inputs reach only plugins that accept them", async () => {
      const opts = common();
      const home = smartHome(opts);
      const x = new Lamp("lamp-x", opts, newBus(), "rgb");
      const y = new Lamp("lamp-y", opts, newBus(), "name");
      for (const l of [x, y]) orbs.add(l.plugin);
      await Promise.all([home.start(), x.plugin.start(), y.plugin.start()]);
      await until(home, () => home.connections().length === 8, "8 connections", timeoutMs);

      expect((await home.execute("turn_on", undefined, { to: "all" })).sort()).toEqual(["lamp-x", "lamp-y"]);
      await withTimeout(
        waitFor(() => x.status === "on" && y.status === "on"),
        timeoutMs,
        "both lamps on",
      );

      expect(await home.execute("turn_off", undefined, { to: "lamp-y" })).toEqual(["lamp-y"]);
      await withTimeout(
        waitFor(() => y.status === "off"),
        timeoutMs,
        "lamp-y off",
      );
      expect(x.status).toBe("on");

      const anyTarget = await home.execute("turn_off", undefined, { to: "any" });
      expect(anyTarget).toHaveLength(1);

      // An RGB color reaches only lamp-x, a color name only lamp-y.
      expect(await home.execute("set_color", { r: 1, g: 2, b: 3 }, { to: "all" })).toEqual(["lamp-x"]);
      expect(await home.execute("set_color", "red", { to: "all" })).toEqual(["lamp-y"]);
      await withTimeout(
        waitFor(
          () => x.calls.includes('set_color {"r":1,"g":2,"b":3}') && y.calls.includes('set_color "red"'),
        ),
        timeoutMs,
        "colors",
      );
      // Data no accepted input spec matches is refused before anything is sent.
      await expect(home.execute("set_color", { hue: 3 })).rejects.toBeInstanceOf(InvalidPayloadError);
      // Accepted by the core's spec, but the only plugin that takes it is not the target.
      await expect(home.execute("set_color", "red", { to: "lamp-x" })).rejects.toBeInstanceOf(
        NoConnectionError,
      );

      const spread = await home.executeDistributed("turn_on", [undefined, undefined, undefined, undefined]);
      expect(spread.filter((p) => p === "lamp-x")).toHaveLength(2);
      expect(spread.filter((p) => p === "lamp-y")).toHaveLength(2);

      const status = await home.request("get_status", undefined, { to: "lamp-x", timeoutMs });
      expect(status).toEqual({ lamp: "lamp-x", status: x.status });
    });

    it("smart home: two cores share a lamp with maxCores 2; a third core is not served", async () => {
      const opts = common();
      const x = new Lamp("lamp-x", opts, newBus(), "rgb", 2);
      orbs.add(x.plugin);
      await x.plugin.start();
      const cores = ["home-1", "home-2", "home-3"].map((id) => smartHome(opts, id));
      for (const c of cores.slice(0, 2)) {
        await c.start();
        await c.compliant({ timeoutMs });
      }
      await cores[2]!.start();
      await until(
        x.plugin,
        () => new Set(x.plugin.connections().map((c) => c.remote)).size === 2,
        "lamp-x serves 2 cores",
        timeoutMs,
      );
      expect(new Set(x.plugin.connections().map((c) => c.remote))).toEqual(new Set(["home-1", "home-2"]));
      expect(cores[2]!.state).toBe("not-compliant");
      // One core leaves: the third takes its place.
      await cores[0]!.stop();
      await cores[2]!.compliant({ timeoutMs });
      expect(new Set(x.plugin.connections().map((c) => c.remote))).toEqual(new Set(["home-2", "home-3"]));
    });

    it("text processor: requests return typed results; handler errors come back as RemoteOperationError", async () => {
      const opts = common();
      type Text = {
        lowercase: { input: string; output: string };
        word_count: { input: string; output: number };
      };
      const text = orbs.add(new Plugin<Text>({ ...opts, id: "text-processor", bus: newBus() }));
      text
        .operation(
          "lowercase",
          { input: { schemas: [TextSchema] }, output: { schemas: [TextSchema] } },
          (s) => s.toLowerCase(),
        )
        .operation(
          "word_count",
          { input: { schemas: [TextSchema] }, output: { schemas: [CountSchema] } },
          (s) => {
            if (s.length === 0) throw new Error("nothing to count");
            if (s.trim() === "") throw new OperationError("BLANK", "only blanks", { length: s.length });
            return s.trim().split(/\s+/).length;
          },
        );
      const core = orbs.add(
        new Core<Text>({
          ...opts,
          id: "editor",
          bus: newBus(),
          requires: {
            lowercase: { inputs: [{ schemas: [TextSchema] }], outputs: [{ schemas: [TextSchema] }] },
            word_count: { inputs: [{ schemas: [TextSchema] }], outputs: [{ schemas: [CountSchema] }] },
          },
        }),
      );
      await Promise.all([core.start(), text.start()]);
      await core.compliant({ timeoutMs });
      expect(await core.request("lowercase", "Hello ORBITALIS")).toBe("hello orbitalis");
      expect(await core.request("word_count", "one two  three")).toBe(3);
      const failure = core.request("word_count", "");
      await expect(failure).rejects.toBeInstanceOf(RemoteOperationError);
      await expect(failure).rejects.toMatchObject({
        remoteCode: "HANDLER_ERROR",
        message: /nothing to count/,
      });
      // The handler's own code and data reach the caller.
      await expect(core.request("word_count", "   ")).rejects.toMatchObject({
        code: "ERR_REMOTE_OPERATION",
        remoteCode: "BLANK",
        data: { length: 3 },
        message: /only blanks/,
      });
      const untyped = core as unknown as Core;
      await expect(untyped.request("word_count", 42)).rejects.toBeInstanceOf(InvalidPayloadError);
    });

    it("values: a handler result that is not JSON data fails the same way on every bus", async () => {
      const opts = common();
      const plugin = orbs.add(new Plugin({ ...opts, id: "dated", bus: newBus() }));
      plugin.operation("now", { input: { empty: true }, output: { any: true } }, () => ({ at: new Date(0) }));
      const core = orbs.add(new Core({ ...opts, id: "timekeeper", bus: newBus(), requires: { now: {} } }));
      await Promise.all([core.start(), plugin.start()]);
      await core.compliant({ timeoutMs });
      // Over a broker JSON.stringify would have sent a string; LocalBus would have refused
      // to carry it: both now answer INVALID_OUTPUT at once.
      await expect(core.request("now", undefined, { timeoutMs })).rejects.toMatchObject({
        remoteCode: "INVALID_OUTPUT",
        message: /\$\.at is a Date/,
      });
    });

    it("a plugin whose output schema the core does not accept is not connected", async () => {
      const opts = common();
      const core = orbs.add(
        new Core({
          ...opts,
          id: "strict",
          bus: newBus(),
          requires: { count: { outputs: [{ schemas: [CountSchema] }] } },
        }),
      );
      const wrong = orbs.add(new Plugin({ ...opts, id: "wrong", bus: newBus() }));
      wrong.operation("count", { input: { empty: true }, output: { schemas: [TextSchema] } }, () => "3");
      const right = orbs.add(new Plugin({ ...opts, id: "right", bus: newBus() }));
      right.operation("count", { input: { empty: true }, output: { schemas: [CountSchema] } }, () => 3);
      await Promise.all([core.start(), wrong.start(), right.start()]);
      await core.compliant({ timeoutMs });
      expect(core.connections().map((c) => c.remote)).toEqual(["right"]);
      expect(wrong.connections()).toEqual([]);
    });

    it("periodic plugin: pushed outputs reach the core's sink", async () => {
      const opts = common();
      const clock = orbs.add(new Plugin({ ...opts, id: "ticker", bus: newBus() }));
      clock.operation("tick", { input: "none", output: { schemas: [CountSchema] } }, () => undefined);
      const core = orbs.add(
        new Core({
          ...opts,
          id: "listener",
          bus: newBus(),
          requires: { tick: { inputs: ["none"], outputs: [{ schemas: [CountSchema] }] } },
        }),
      );
      const ticks: number[] = [];
      core.onOutput("tick", (n, ctx) => {
        expect(ctx.plugin).toBe("ticker");
        ticks.push(n as number);
      });
      await Promise.all([core.start(), clock.start()]);
      await coreState(core, "compliant", timeoutMs);
      for (let i = 1; i <= 5; i++) expect(await clock.emit("tick", i)).toEqual(["listener"]);
      await withTimeout(
        waitFor(() => ticks.length === 5),
        timeoutMs,
        "5 ticks",
      );
      expect(ticks).toEqual([1, 2, 3, 4, 5]);
      await expect(clock.emit("tick", "five")).rejects.toBeInstanceOf(InvalidPayloadError);
    });
  });
}

/** Polls a condition on the event loop (state changes by handlers, not protocol steps). */
function waitFor(check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const tick = (): void => (check() ? resolve() : void setTimeout(tick, 2));
    tick();
  });
}
