/**
 * A handler that answers after its connection was closed gracelessly (the core closed it
 * without waiting, or crashed): what the plugin does today (plugin-serving.ts) is to drop
 * the answer quietly -- nothing is published, no error event, nothing logged above debug --
 * and to keep serving. On LocalBus with a ManualClock, observed on the bus.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { OrbitalisMessage } from "../../../generated/protocol/index.js";
import {
  ConnectionClosedError,
  Core,
  LocalHub,
  ManualClock,
  Plugin,
  silentLogger,
  type LocalBus,
  type Logger,
} from "../../../runtime/index.js";
import { advanceUntil } from "../../helpers/clock.js";
import { Orbs } from "../../helpers/orbs.js";
import { RawOrb } from "../../helpers/raw.js";
import { withTimeout } from "../../helpers/wait.js";

const orbs = new Orbs();
afterEach(() => orbs.stopAll());

/** A logger keeping what is logged at warn and error. */
function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const keep =
    (level: string) =>
    (message: string): void =>
      void lines.push(`${level}: ${message}`);
  return {
    logger: { debug: () => undefined, info: () => undefined, warn: keep("warn"), error: keep("error") },
    lines,
  };
}

/**
 * A plugin `lamp` whose `slow` handler ignores its signal and answers only when released;
 * a core `home` connected to it; a tap on every message of the hub.
 */
async function world() {
  const hub = new LocalHub();
  const clock = new ManualClock();
  orbs.drive(clock);
  const { logger, lines } = recordingLogger(); // the plugin's
  const gates: (() => void)[] = [];
  const plugin = orbs.add(new Plugin({ id: "lamp", bus: hub.bus(), clock, logger }));
  plugin.operation("slow", { input: { any: true }, output: { any: true } }, async (x) => {
    await new Promise<void>((resolve) => gates.push(resolve));
    return x;
  });
  const errors: Error[] = [];
  plugin.on("error", (e) => errors.push(e));
  const core = orbs.add(
    new Core({ id: "home", bus: hub.bus(), clock, logger: silentLogger, requires: { slow: {} } }),
  );
  await Promise.all([plugin.start(), core.start()]);
  await withTimeout(core.compliant(), 2000, "compliant");
  const tap = await new RawOrb(hub.bus(), "tap").listen("orbitalis/#");
  /** The answers (outputs and errors) the plugin published since the tap listened. */
  const answers = (): OrbitalisMessage[] =>
    tap.received
      .map((r) => r.message)
      .filter((m) => m.from === "lamp" && (m.kind === "output" || m.kind === "error"));
  const pending = core.request("slow", "late", { timeoutMs: 60_000 }).catch((e: unknown) => e);
  await advanceUntil(clock, () => gates.length === 1, { what: "the handler running" });
  return { clock, plugin, core, gates, errors, lines, answers, pending };
}

describe("a handler answering after a graceless close", () => {
  it("the core closed without waiting: the answer is dropped, nothing published, no error, and the plugin serves on", async () => {
    const { clock, plugin, core, gates, errors, lines, answers, pending } = await world();
    await core.close("lamp", "slow", { graceful: false });
    expect(await pending).toBeInstanceOf(ConnectionClosedError);
    await advanceUntil(clock, () => plugin.connections().length === 0, { what: "the plugin to drop it" });
    gates[0]!(); // the late answer
    await clock.advance(100);
    expect(answers()).toEqual([]);
    expect(errors).toEqual([]);
    expect(lines).toEqual([]);
    // Connected again (the core's next discover), the plugin answers as before.
    await advanceUntil(clock, () => core.isCompliant, {
      maxSteps: 100,
      stepMs: 100,
      what: "connected again",
    });
    const again = core.request("slow", "again");
    await advanceUntil(clock, () => gates.length === 2, { what: "the handler running again" });
    gates[1]!();
    expect(await again).toBe("again");
  });

  it("the core crashed (its will, no goodbye): the answer is dropped, nothing published, no error", async () => {
    const { clock, plugin, core, gates, errors, lines, answers } = await world();
    (core.bus as LocalBus).simulateCrash();
    void core.stop(); // the process is gone: nothing of it runs any more
    await advanceUntil(clock, () => plugin.connections().length === 0, {
      maxSteps: 100,
      stepMs: 10,
      what: "the plugin to drop the connection",
    });
    gates[0]!();
    await clock.advance(100);
    expect(answers()).toEqual([]);
    expect(errors).toEqual([]);
    expect(lines).toEqual([]);
  });
});
