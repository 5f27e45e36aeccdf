/**
 * The generated test doubles (generated/examples/<name>/fakes.ts over orbitalis/testing),
 * used as the test of a core would use them: a core started against fakes in one call,
 * answers and handlers, recorded calls, wrong answers refused when a fake is made,
 * handler errors reaching the core, pushes, several fakes where a minimum asks for them,
 * and a start that cannot become compliant saying why.
 */
import { describe, expect, it } from "vitest";
import {
  ComplianceTimeoutError,
  ConfigError,
  LocalHub,
  OperationError,
  RemoteOperationError,
  TimeoutError,
  type OutputContext,
} from "orbitalis";
import { planFakes } from "orbitalis/testing";
import type { ContractModel } from "../../generator/model/contract-types.js";
import { coreId, emitFakes, fakeId } from "../../generator/emit/emit-fakes.js";
import type { Reading } from "../../generated/examples/thermostat/index.js";
import {
  FakeThermostatPlugin,
  startClimateCoreWithFakes,
} from "../../generated/examples/thermostat/fakes.js";
import { startHomeCoreWithFakes } from "../../generated/examples/smart-home/fakes.js";
import { startSieveCoreWithFakes } from "../../generated/examples/primes/fakes.js";
import { startReaderCoreWithFakes } from "../../generated/examples/pipeline/fakes.js";

const READING = { celsius: 19, target: 21 };

describe("generated fakes: a core against fakes in one call", () => {
  it("starts compliant, answers with the given answer, records each call with its core, operation and order", async () => {
    await using sys = await startClimateCoreWithFakes({
      Thermostat: { answers: { read_temperature: READING } },
    });
    expect(sys.core.state).toBe("compliant");
    expect(sys.core.id).toBe("climate");

    expect(await sys.core.request("read_temperature")).toEqual(READING);
    expect(await sys.core.execute("set_target", { celsius: 22 })).toEqual(["fake-thermostat"]);
    // execute resolves once sent: wait for the fake to have handled it.
    const [target] = await sys.fakes.Thermostat.waitForCalls("set_target");

    expect(target).toMatchObject({
      plugin: "fake-thermostat",
      core: "climate",
      operation: "set_target",
      input: { celsius: 22 },
      meta: {},
    });
    const thermostat = sys.fakes.Thermostat;
    expect(thermostat.calls.map((c) => c.operation)).toEqual(["read_temperature", "set_target"]);
    // `calls` is a frozen snapshot: the log itself cannot be changed through it.
    const snapshot = thermostat.calls;
    expect(Object.isFrozen(snapshot)).toBe(true);
    await sys.core.request("read_temperature");
    expect(snapshot).toHaveLength(2);
    expect(thermostat.calls).toHaveLength(3);
    expect(thermostat.inputsOf("set_target")).toEqual([{ celsius: 22 }]);
    expect(thermostat.callsOf("read_temperature")).toHaveLength(2);
    const [first, second] = sys.calls;
    expect(first!.seq).toBeLessThan(second!.seq);
    expect(sys.instances.Thermostat).toEqual([thermostat]);

    thermostat.clearCalls();
    expect(thermostat.calls).toEqual([]);
  });

  it("runs a handler given for an operation (typed input, the calling core in ctx) before any answer", async () => {
    const seen: string[] = [];
    let target = 18;
    await using sys = await startClimateCoreWithFakes({
      Thermostat: {
        handlers: {
          set_target: ({ celsius }, ctx) => {
            seen.push(`${ctx.core} sets ${celsius}`);
            target = celsius;
          },
          read_temperature: () => ({ celsius: 18, target }),
        },
        answers: { read_temperature: READING },
      },
    });
    await sys.core.execute("set_target", { celsius: 23 });
    await sys.fakes.Thermostat.waitForCalls("set_target");
    expect(seen).toEqual(["climate sets 23"]);
    expect(await sys.core.request("read_temperature")).toEqual({ celsius: 18, target: 23 });
  });

  it("a push emitted by the fake reaches the core's output sink, typed", async () => {
    await using sys = await startClimateCoreWithFakes();
    const pushed = new Promise<[Reading, OutputContext]>((resolve) =>
      sys.core.onOutput("temperature_changed", (reading, ctx) => resolve([reading, ctx])),
    );
    expect(await sys.fakes.Thermostat.emit("temperature_changed", READING)).toEqual(["climate"]);
    const [reading, ctx] = await pushed;
    expect(reading).toEqual(READING);
    expect(ctx.plugin).toBe("fake-thermostat");
  });

  it("stops the core and every fake when the scope ends", async () => {
    let sys: Awaited<ReturnType<typeof startClimateCoreWithFakes>> | undefined;
    {
      await using running = await startClimateCoreWithFakes();
      sys = running;
      expect(sys.fakes.Thermostat.state).toBe("running");
    }
    expect(sys.core.state).toBe("stopped");
    expect(sys.fakes.Thermostat.state).toBe("stopped");
    expect(sys.hub.retainedCount).toBe(0);
  });
});

describe("generated fakes: answers and errors", () => {
  it("refuses an answer its operation's output schema does not accept, when the fake is made, naming both", () => {
    const hub = new LocalHub();
    const make = () =>
      new FakeThermostatPlugin({
        bus: hub.bus(),
        answers: { read_temperature: { celsius: "warm", target: 21 } as unknown as Reading },
      });
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(
      /^answers\.read_temperature: not a valid answer of read_temperature \(fake Thermostat\): does not match its output schema: \/celsius: must be number$/,
    );
    expect(
      () =>
        new FakeThermostatPlugin({
          bus: hub.bus(),
          answers: { read_temperature: { celsius: 19 } as Reading },
        }),
    ).toThrow(/answers\.read_temperature: .*must have required property 'target'/);
  });

  it("refuses answers of operations that answer nothing, of pushed operations, of unknown ones and non-JSON ones", () => {
    const hub = new LocalHub();
    const make =
      (answers: object, handlers: object = {}) =>
      () =>
        new FakeThermostatPlugin({ bus: hub.bus(), answers, handlers });
    expect(make({ set_target: { ok: true } })).toThrow(
      /^answers\.set_target: not a valid answer of set_target \(fake Thermostat\): does not match its output none \(it answers nothing\)/,
    );
    expect(make({ temperature_changed: READING })).toThrow(
      "answers.temperature_changed: temperature_changed is pushed with emit(), it takes no input (plugin type Thermostat answers set_target, read_temperature)",
    );
    expect(make({ set_humidity: 1 })).toThrow(
      /^answers\.set_humidity: set_humidity is not one of its operations/,
    );
    expect(make({}, { read_temperature: READING })).toThrow(
      /^handlers\.read_temperature: must be a function/,
    );
    expect(make({ read_temperature: { celsius: new Date(), target: 21 } })).toThrow(
      /^answers\.read_temperature: value is not JSON-compatible: \$\.celsius is a Date/,
    );
  });

  it("a wrong answer fails the whole start before anything runs", async () => {
    const hub = new LocalHub();
    await expect(
      startClimateCoreWithFakes(
        {
          Thermostat: { answers: { read_temperature: { celsius: 19, target: "21" } as unknown as Reading } },
        },
        { hub },
      ),
    ).rejects.toThrow(/^answers\.read_temperature: .*\/target: must be number/);
    expect(hub.retainedCount).toBe(0); // no orb ever started: no presence was published
  });

  it("a handler that throws fails the core's request with a RemoteOperationError (the call is recorded)", async () => {
    await using sys = await startClimateCoreWithFakes({
      Thermostat: {
        handlers: {
          read_temperature: () => {
            throw new OperationError("SENSOR_DOWN", "no reading", { sensor: 2 });
          },
          set_target: () => {
            throw new Error("boom");
          },
        },
      },
    });
    const failed = await sys.core.request("read_temperature").catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(RemoteOperationError);
    expect(failed).toMatchObject({ remoteCode: "SENSOR_DOWN", data: { sensor: 2 } });
    const crashed = await sys.core.request("set_target", { celsius: 20 }).catch((e: unknown) => e);
    expect(crashed).toMatchObject({ code: "ERR_REMOTE_OPERATION", remoteCode: "HANDLER_ERROR" });
    expect(sys.fakes.Thermostat.calls.map((c) => c.operation)).toEqual(["read_temperature", "set_target"]);
  });

  it("an operation with an output but neither handler nor answer fails the call, saying how to give one", async () => {
    await using sys = await startClimateCoreWithFakes();
    const failed = await sys.core.request("read_temperature").catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(RemoteOperationError);
    expect((failed as RemoteOperationError).remoteCode).toBe("FAKE_NO_ANSWER");
    expect((failed as Error).message).toContain(
      "fake-thermostat (fake Thermostat) has no handler and no answer for read_temperature: give it handlers.read_temperature or answers.read_temperature",
    );
    // An operation whose output is none needs no answer.
    await expect(sys.core.request("set_target", { celsius: 20 })).resolves.toBeUndefined();
  });

  it("a handler's output the schema refuses reaches the core as INVALID_OUTPUT, never as an answer", async () => {
    await using sys = await startClimateCoreWithFakes({
      Thermostat: { handlers: { read_temperature: () => ({ celsius: 19 }) as Reading } },
    });
    await expect(sys.core.request("read_temperature")).rejects.toMatchObject({
      remoteCode: "INVALID_OUTPUT",
    });
  });

  it("waiting for calls that do not come times out, saying which came", async () => {
    await using sys = await startClimateCoreWithFakes({
      Thermostat: { answers: { read_temperature: READING } },
    });
    await sys.core.request("read_temperature");
    await expect(sys.fakes.Thermostat.waitForCalls("set_target", { timeoutMs: 50 })).rejects.toThrow(
      new TimeoutError(
        "fake-thermostat: 0 of 1 set_target call(s) within 50 ms (calls so far: read_temperature x1)",
      ),
    );
    await sys.core.execute("set_target", { celsius: 20 });
    await sys.core.execute("set_target", { celsius: 21 });
    const calls = await sys.fakes.Thermostat.waitForCalls("set_target", { count: 2 });
    expect(calls.map((c) => c.input.celsius)).toEqual([20, 21]);
  });
});

describe("generated fakes: which fakes a core gets", () => {
  it("minimum 3 (primes): three workers, the core spreads work over them", async () => {
    await using sys = await startSieveCoreWithFakes({
      Worker: { handlers: { is_prime: (n) => ({ n, prime: n === 2 || n === 3 || n === 5 }) } },
    });
    expect(sys.instances.Worker.map((w) => w.id)).toEqual(["fake-worker", "fake-worker-2", "fake-worker-3"]);
    expect(sys.fakes.Worker).toBe(sys.instances.Worker[0]);
    const verdicts = await Promise.all([2, 3, 4].map((n) => sys.core.request("is_prime", n)));
    expect(verdicts.map((v) => v.prime)).toEqual([true, true, false]);
    expect(sys.instances.Worker.map((w) => w.calls.length)).toEqual([1, 1, 1]);
    expect(sys.calls.map((c) => c.input).sort()).toEqual([2, 3, 4]);
  });

  it("ids chosen per plugin type; a core that cannot become compliant names what is missing and the fakes, then everything stops", async () => {
    const hub = new LocalHub();
    const failed = await startClimateCoreWithFakes(
      { Thermostat: { ids: ["thermostat-1"] } },
      { hub, timeoutMs: 300, core: { requires: { set_target: { mandatory: ["thermostat-2"] } } } },
    ).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ComplianceTimeoutError);
    expect((failed as ComplianceTimeoutError).message).toMatch(
      /^climate not compliant within 300 ms: set_target: .*thermostat-2.* \[fakes started: thermostat-1 \(Thermostat\)\]$/,
    );
    expect((failed as ComplianceTimeoutError).missing.map((m) => m.operation)).toEqual(["set_target"]);
    expect(hub.retainedCount).toBe(0); // the fake and the core stopped (their presence cleared)
  });

  it("a mandatory plugin id becomes a fake's id", async () => {
    await using sys = await startClimateCoreWithFakes(
      {},
      { core: { id: "living-room", requires: { read_temperature: { mandatory: ["thermostat-1"] } } } },
    );
    expect(sys.core.id).toBe("living-room");
    expect(sys.fakes.Thermostat.id).toBe("thermostat-1");
  });

  it("several plugin types (smart home): one fake each, a color reaches only the lamp type that takes its format", async () => {
    await using sys = await startHomeCoreWithFakes({
      LampRgb: { answers: { get_status: { lamp: "rgb", status: "on" } } },
    });
    expect(Object.keys(sys.fakes)).toEqual(["LampRgb", "LampHsv"]);
    expect(await sys.core.execute("set_color", { r: 255, g: 0, b: 0 })).toEqual(["fake-lamp-rgb"]);
    expect(await sys.core.execute("set_color", { h: 120, s: 1, v: 1 })).toEqual(["fake-lamp-hsv"]);
    const [rgb] = await sys.fakes.LampRgb.waitForCalls("set_color");
    const [hsv] = await sys.fakes.LampHsv.waitForCalls("set_color");
    expect(rgb!.input).toEqual({ r: 255, g: 0, b: 0 });
    expect(hsv!.input).toEqual({ h: 120, s: 1, v: 1 });
    expect(await sys.core.request("get_status", undefined, { to: "fake-lamp-rgb" })).toEqual({
      lamp: "rgb",
      status: "on",
    });
  });

  it("what a hybrid type lends (pipeline): its fake lends it and requires nothing", async () => {
    const digest = { doc: "orbs", summary: "Orbs find each other.", words: 4 };
    await using sys = await startReaderCoreWithFakes({ Fetch: { answers: { fetch: digest } } });
    expect(sys.fakes.Fetch.id).toBe("fake-fetch");
    expect(await sys.core.request("fetch", { doc: "orbs" })).toEqual(digest);
    expect(sys.fakes.Fetch.inputsOf("fetch")).toEqual([{ doc: "orbs" }]);
  });

  it("refuses the setup of a plugin type the core is not faked with", async () => {
    await expect(startClimateCoreWithFakes({ Lamp: {} } as never)).rejects.toThrow(
      "Lamp: core type Climate is faked with plugin types Thermostat, not Lamp",
    );
  });
});

describe("planFakes", () => {
  const types = {
    A: { id: "fake-a", operations: ["x", "y"] },
    B: { id: "fake-b", operations: ["y", "z"] },
  };

  it("one fake per type; a minimum adds fakes of the first type lending the operation", () => {
    expect(planFakes({ x: {}, y: { minimum: 0 } }, types)).toEqual({ A: ["fake-a"], B: ["fake-b"] });
    expect(planFakes({ y: { minimum: 4 } }, types)).toEqual({
      A: ["fake-a", "fake-a-2", "fake-a-3"],
      B: ["fake-b"],
    });
    expect(planFakes({ z: { minimum: 2 } }, types)).toEqual({ A: ["fake-a"], B: ["fake-b", "fake-b-2"] });
  });

  it("mandatory ids go to the first type lending the operation (once); chosen ids are kept as given", () => {
    expect(planFakes({ z: { mandatory: ["b1", "b2"] }, y: { mandatory: ["b1"] } }, types)).toEqual({
      A: ["fake-a"],
      B: ["b1", "b2"],
    });
    expect(planFakes({ y: { minimum: 3 } }, types, { A: ["only"] })).toEqual({
      A: ["only"],
      B: ["fake-b", "fake-b-2"],
    });
  });

  it("refuses an empty id list and an id used twice", () => {
    expect(() => planFakes({}, types, { A: [] })).toThrow("A.ids: give at least one id (or leave ids out)");
    expect(() => planFakes({}, types, { A: ["same"], B: ["same"] })).toThrow(
      'B.ids: "same" is used by two fakes',
    );
  });
});

describe("emitFakes", () => {
  it("names fakes and cores as orb ids (never a reserved one)", () => {
    expect(fakeId("LampRgb")).toBe("fake-lamp-rgb");
    expect(fakeId("word_counter")).toBe("fake-word-counter");
    expect(coreId("Climate")).toBe("climate");
    expect(coreId("All")).toBe("all-core");
  });

  it("a contract without plugin, hybrid or core types gets a fakes.ts that imports nothing", async () => {
    const model = {
      file: "empty.asyncapi.yaml",
      title: "Empty",
      version: "1.0.0",
      description: undefined,
      operations: [],
      messages: [],
      plugins: [],
      cores: [],
      hybrids: [],
      warnings: [],
    } as ContractModel;
    const code = await emitFakes(model, "empty.asyncapi.yaml", "// header");
    expect(code).not.toMatch(/^import /m);
    expect(code).toMatch(/^export \{\};$/m);
  });
});
