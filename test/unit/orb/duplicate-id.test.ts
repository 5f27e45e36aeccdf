/**
 * A second live orb with an id already in use, as its logs tell it: the duplicate is one
 * warning on each orb that sees it (no second report with a stack when nobody listens to
 * `error`), and the traffic for the other instance's connections that reaches the copy
 * (inputs, outputs: they are addressed to the id) is one more line, not one per message.
 * Nothing crashes and nothing is lost: the core's requests are answered by the instance it
 * kept. Traffic for a half-open connection (no twin) is reported once per remote instance
 * and operation. On LocalBus with a ManualClock.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  Core,
  DuplicateIdError,
  LocalHub,
  ManualClock,
  NoConnectionError,
  Plugin,
  type Logger,
} from "../../../runtime/index.js";
import { closeTopic, inputTopic } from "../../../generated/protocol/index.js";
import { Orbs } from "../../helpers/orbs.js";
import { RawOrb } from "../../helpers/raw.js";

const orbs = new Orbs();
afterEach(() => orbs.stopAll());
const ROOT = "orbitalis";

/** A logger that records every call, by level. */
function recorder(): Logger & { readonly calls: { level: string; message: string; detail: unknown }[] } {
  const calls: { level: string; message: string; detail: unknown }[] = [];
  const at =
    (level: string) =>
    (message: string, detail?: unknown): void => {
      calls.push({ level, message, detail });
    };
  return { calls, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

const above = (log: ReturnType<typeof recorder>): string[] =>
  log.calls.filter((c) => c.level !== "debug").map((c) => `${c.level}: ${c.message}`);

/** Moves `clock` 10 ms at a time until `check()` holds (at most 10 s of protocol time). */
async function advanceUntil(clock: ManualClock, check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (check()) return;
    await clock.advance(10);
  }
  throw new Error(`${what}: not within 10 s of protocol time`);
}

describe("two live plugins with one id", () => {
  async function twins(copyFirst = false) {
    const hub = new LocalHub();
    const clock = new ManualClock();
    orbs.drive(clock);
    const logs = { first: recorder(), copy: recorder(), core: recorder() };
    const calls = { first: 0, copy: 0 };
    const plugin = (which: "first" | "copy"): Plugin => {
      const p = orbs.add(new Plugin({ id: "lamp", bus: hub.bus(), clock, logger: logs[which] }));
      p.operation("echo", { input: { any: true }, output: { any: true } }, (x) => {
        calls[which]++;
        return x;
      });
      return p;
    };
    const first = plugin("first");
    const core = orbs.add(
      new Core({ id: "home", bus: hub.bus(), clock, logger: logs.core, requires: { echo: {} } }),
    );
    const copy = plugin("copy");
    if (copyFirst) {
      // Both run before the core: both hear its discover and its request.
      await Promise.all([first.start(), copy.start()]);
      await clock.advance(100);
      await core.start();
      await advanceUntil(clock, () => core.isCompliant, "compliant");
    } else {
      await Promise.all([first.start(), core.start()]);
      await advanceUntil(clock, () => core.isCompliant, "compliant");
      // A copy starts (a zombie, a copied configuration): it hears the core's inputs too.
      await copy.start();
    }
    await advanceUntil(
      clock,
      () => logs.core.calls.some((c) => c.level === "warn"),
      "the core to see the duplicate",
    );
    return { clock, core, first, copy, logs, calls };
  }

  it("N requests: answered by the instance kept; each log has one line per cause, no error and no stack", async () => {
    const { clock, core, logs, calls } = await twins();
    const N = 20;
    for (let i = 0; i < N; i++) expect(await core.request("echo", i)).toBe(i);
    await core.execute("echo", "one way");
    await clock.advance(3000); // keepalives, discovers
    expect(calls).toEqual({ first: N + 1, copy: 0 });
    expect(above(logs.core)).toEqual([
      expect.stringMatching(/^warn: home: two live orbs use the id lamp \(epochs \w+ and \w+\)/),
    ]);
    expect(above(logs.first)).toEqual([expect.stringMatching(/^warn: lamp: another live orb uses this id/)]);
    expect(above(logs.copy)).toEqual([
      expect.stringMatching(/^warn: lamp: another live orb uses this id/),
      expect.stringMatching(
        /^warn: lamp: dropped an input from home for echo: another live orb uses the id lamp \(epoch \w+\) and holds that connection; .*Give every orb its own id/,
      ),
    ]);
    // The drops after the first are still there for whoever looks, at debug level.
    expect(logs.copy.calls.filter((c) => /dropped input from home for echo/.test(c.message))).toHaveLength(N);
  });

  it("both running before the core: one of them connects, and every input runs once", async () => {
    const { clock, core, first, copy, logs, calls } = await twins(true);
    const N = 10;
    for (let i = 0; i < N; i++) expect(await core.request("echo", i)).toBe(i);
    await clock.advance(3000);
    expect(calls.first + calls.copy).toBe(N);
    expect([calls.first, calls.copy]).toContain(0);
    expect(first.connections().length + copy.connections().length).toBe(1);
    // Started together, each heard the other's first presence before its own: both learn of it all the same.
    for (const log of [logs.first, logs.copy])
      expect(above(log)[0]).toMatch(/^warn: lamp: another live orb uses this id/);
    for (const log of Object.values(logs))
      expect(above(log).filter((l) => l.startsWith("error"))).toEqual([]);
  });

  it("error listeners get the DuplicateIdError once, and no NoConnectionError per input", async () => {
    const { core, copy } = await twins();
    const errors: Error[] = [];
    copy.on("error", (e) => errors.push(e));
    for (let i = 0; i < 10; i++) await core.request("echo", i);
    expect(errors).toEqual([]); // the duplicate was reported before anyone listened
    const hub = new LocalHub();
    const clock = new ManualClock();
    orbs.drive(clock);
    const seen: Error[] = [];
    const a = orbs.add(new Plugin({ id: "twin", bus: hub.bus(), clock, logger: recorder() }));
    const b = orbs.add(new Plugin({ id: "twin", bus: hub.bus(), clock, logger: recorder() }));
    for (const p of [a, b]) p.operation("echo", { input: { any: true } }, () => undefined);
    a.on("error", (e) => seen.push(e));
    await a.start();
    await b.start();
    await advanceUntil(clock, () => seen.length > 0, "the duplicate");
    await clock.advance(1000);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(DuplicateIdError);
  });
});

describe("two live cores with one id", () => {
  it("outputs pushed to the one connected reach its sinks; the copy drops them with one line", async () => {
    const hub = new LocalHub();
    const clock = new ManualClock();
    orbs.drive(clock);
    const logs = { home: recorder(), copy: recorder() };
    const sensor = orbs.add(new Plugin({ id: "sensor", bus: hub.bus(), clock, logger: recorder() }));
    sensor.operation("level", { input: "none", output: { any: true } }, () => undefined);
    const core = (log: Logger): Core =>
      orbs.add(new Core({ id: "home", bus: hub.bus(), clock, logger: log, requires: { level: {} } }));
    const home = core(logs.home);
    const levels: unknown[] = [];
    home.onOutput("level", (n) => levels.push(n));
    await Promise.all([sensor.start(), home.start()]);
    await advanceUntil(clock, () => home.isCompliant, "compliant");
    const copy = core(logs.copy);
    copy.onOutput("level", () => expect.fail("the copy holds no connection"));
    await copy.start();
    await advanceUntil(
      clock,
      () => logs.copy.calls.some((c) => c.level === "warn"),
      "the copy to see the duplicate",
    );
    for (let i = 0; i < 10; i++) await sensor.emit("level", i);
    await advanceUntil(clock, () => levels.length === 10, "10 levels");
    await clock.advance(100);
    expect(levels).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(above(logs.copy)).toEqual([
      expect.stringMatching(/^warn: home: another live orb uses this id/),
      expect.stringMatching(
        /^warn: home: dropped an output from sensor for level: another live orb uses the id home/,
      ),
    ]);
    expect(above(logs.home).filter((l) => l.startsWith("error"))).toEqual([]);
  });
});

describe("inputs for a connection a plugin does not hold (half-open, no twin)", () => {
  it("each is answered with a close; the error is reported once per core instance and operation", async () => {
    const hub = new LocalHub();
    const clock = new ManualClock();
    orbs.drive(clock);
    const log = recorder();
    const plugin = orbs.add(new Plugin({ id: "lamp", bus: hub.bus(), clock, logger: log }));
    plugin.operation("echo", { input: { any: true }, output: { any: true } }, (x) => x);
    plugin.operation("dim", { input: { any: true } }, () => undefined);
    const errors: Error[] = [];
    plugin.on("error", (e) => errors.push(e));
    await plugin.start();
    const raw = await new RawOrb(hub.bus(), "ghost", "ghostEpoch1").listen(
      closeTopic({ root: ROOT, orb: "ghost" }),
    );
    const send = (operation: string): Promise<unknown> =>
      raw.send(inputTopic({ root: ROOT, plugin: "lamp", operation, core: "ghost" }), "input", {
        operation,
        corr: "c1",
        timeoutMs: 100,
      });
    for (let i = 0; i < 5; i++) await send("echo");
    await advanceUntil(clock, () => raw.received.length === 5, "5 closes");
    expect(raw.received.map((r) => r.message.kind)).toEqual(["close", "close", "close", "close", "close"]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(NoConnectionError);
    expect(errors[0]!.message).toMatch(/^input from ghost for echo: no such connection \(a close was sent;/);
    await send("dim"); // another operation: another cause
    raw.epoch = "ghostEpoch2"; // another instance of the core: another cause
    await send("echo");
    await send("echo");
    await advanceUntil(clock, () => raw.received.length === 8, "8 closes");
    expect(errors.map((e) => /^input from ghost for (\w+): no such connection/.exec(e.message)?.[1])).toEqual(
      ["echo", "dim", "echo"],
    );
    expect(above(log)).toEqual([]);
  });
});
