/**
 * Push-only operations: a plugin declares its input "none" (no input at all: it pushes
 * outputs with emit, as a generated `action: send` operation does). A core's request,
 * execute and executeDistributed of one fail at once with NoConnectionError, nothing sent,
 * instead of coming back as PUSH_ONLY after a round trip; onOutput still takes its outputs.
 * The typed API refuses them at compile time (test/types/typed-api.types.ts).
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  Core,
  LocalHub,
  ManualClock,
  NoConnectionError,
  OperationError,
  Plugin,
  silentLogger,
  type RequirementOptions,
} from "../../../runtime/index.js";
import { inputFilter } from "../../../generated/protocol/index.js";
import { Orbs } from "../../helpers/orbs.js";

const orbs = new Orbs();
afterEach(() => orbs.stopAll());

const Level = { type: "integer" } as const;

/** Moves `clock` 10 ms at a time until `check()` holds (at most 10 s of protocol time). */
async function advanceUntil(clock: ManualClock, check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (check()) return;
    await clock.advance(10);
  }
  throw new Error(`${what}: not within 10 s of protocol time`);
}

/** A plugin whose `level` is push-only, as generated code declares it, and counts every input it hears. */
async function world(requires: Record<string, RequirementOptions> = { level: {} }) {
  const hub = new LocalHub();
  const clock = new ManualClock();
  orbs.drive(clock);
  const inputs: string[] = [];
  const spy = hub.bus();
  await spy.connect();
  await spy.subscribeValue(inputFilter({ root: "orbitalis" }), (topic) => inputs.push(topic));
  const sensor = orbs.add(new Plugin({ id: "sensor", bus: hub.bus(), clock, logger: silentLogger }));
  sensor.operation("level", { input: "none", output: { schemas: [Level] } }, () => {
    throw new OperationError("PUSH_ONLY", "level is pushed by the plugin with emit(): it takes no input");
  });
  const core = orbs.add(new Core({ id: "home", bus: hub.bus(), clock, logger: silentLogger, requires }));
  await Promise.all([sensor.start(), core.start()]);
  return { hub, clock, sensor, core, inputs };
}

describe("a push-only operation (plugin input none)", () => {
  it("request, execute and executeDistributed fail at once, naming it, and send nothing", async () => {
    const { clock, core, inputs } = await world();
    await advanceUntil(clock, () => core.isCompliant, "compliant");
    const request = core.request("level");
    await expect(request).rejects.toBeInstanceOf(NoConnectionError);
    await expect(request).rejects.toThrow(
      'level is push-only: its plugin declares input "none" (no input; its outputs reach onOutput sinks',
    );
    await expect(core.request("level", undefined, { to: "sensor" })).rejects.toThrow(
      /level is push-only to sensor/,
    );
    await expect(core.execute("level")).rejects.toThrow(/level is push-only/);
    await expect(core.executeDistributed("level", [undefined])).rejects.toThrow(/level is push-only/);
    // Let anything sent be delivered before looking: a send followed by the rejection would show here.
    await clock.advance(50);
    expect(inputs).toEqual([]);
  });

  it("its outputs still reach onOutput sinks", async () => {
    const { clock, core, sensor } = await world();
    await advanceUntil(clock, () => core.isCompliant, "compliant");
    const seen: unknown[] = [];
    core.onOutput("level", (n) => seen.push(n));
    expect(await sensor.emit("level", 7)).toEqual(["home"]);
    await advanceUntil(clock, () => seen.length === 1, "the pushed level");
    expect(seen).toEqual([7]);
  });

  it("a plugin that takes the operation's input is used; push-only ones beside it are skipped", async () => {
    const { hub, clock, core, inputs } = await world({ level: { minimum: 2 } });
    const dial = orbs.add(new Plugin({ id: "dial", bus: hub.bus(), clock, logger: silentLogger }));
    dial.operation("level", { input: { empty: true }, output: { schemas: [Level] } }, () => 3);
    await dial.start();
    await advanceUntil(clock, () => core.isCompliant, "compliant");
    expect(await core.request("level")).toBe(3);
    expect(await core.request("level")).toBe(3); // round robin never picks the push-only one
    expect(await core.execute("level")).toEqual(["dial"]);
    expect(inputs.every((t) => t.includes("/dial/"))).toBe(true);
    await expect(core.request("level", undefined, { to: "sensor" })).rejects.toThrow(
      /level is push-only to sensor/,
    );
  });

  it("a requirement whose inputs are only none is push-only by the core's own word, connected or not", async () => {
    const { clock, core, inputs } = await world({ level: { minimum: 0, inputs: ["none"] } });
    const error = await core.request("level").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoConnectionError);
    expect((error as Error).message).toBe(
      'level is push-only: requires.level.inputs is ["none"] (no input); its outputs reach onOutput sinks',
    );
    await expect(core.execute("level")).rejects.toThrow(/requires\.level\.inputs is \["none"\]/);
    await clock.advance(50);
    expect(inputs).toEqual([]);
  });
});
