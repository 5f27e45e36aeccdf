import { describe, expect, it } from "vitest";
import { Core, LocalHub, Plugin, type CoreOptions } from "../../../runtime/index.js";
import { configError } from "../../helpers/errors.js";

const hub = new LocalHub();
const core = (requires: CoreOptions["requires"], extra: Partial<CoreOptions> = {}): Core =>
  new Core({ id: "c", bus: hub.bus(), requires, ...extra });

describe("configuration errors name the field, at construction", () => {
  it.each([
    ["allow and block together", () => core({ op: { allow: ["a"], block: ["b"] } }), "requires.op"],
    ["minimum above maximum", () => core({ op: { minimum: 3, maximum: 2 } }), "requires.op.minimum"],
    [
      "a mandatory plugin on the block list",
      () => core({ op: { mandatory: ["x"], block: ["x"] } }),
      "requires.op.mandatory",
    ],
    [
      "a mandatory plugin not on the allow list",
      () => core({ op: { mandatory: ["x"], allow: ["y"] } }),
      "requires.op.mandatory",
    ],
    [
      "more mandatory plugins than maximum",
      () => core({ op: { mandatory: ["x", "y"], maximum: 1 } }),
      "requires.op.mandatory",
    ],
    ["a non topic-safe core id", () => core({}, { id: "a/b" }), "id"],
    ["a non topic-safe operation name", () => core({ "turn on": {} }), "requires.turn on"],
    [
      "a non topic-safe plugin in a list",
      () => core({ op: { prefer: ["ok", "no#"] } }),
      "requires.op.prefer[1]",
    ],
    ["a negative minimum", () => core({ op: { minimum: -1 } }), "requires.op.minimum"],
    ["a fractional maximum", () => core({ op: { maximum: 1.5 } }), "requires.op.maximum"],
    ["an empty inputs list", () => core({ op: { inputs: [] } }), "requires.op.inputs"],
    ["a schema spec accepting nothing", () => core({ op: { outputs: [{}] } }), "requires.op.outputs[0]"],
    [
      "an invalid JSON Schema",
      () => core({ op: { outputs: [{ schemas: [{ type: "nonsense" }] }] } }),
      "requires.op.outputs[0].schemas[0]",
    ],
    [
      "an unknown timing option",
      () => core({}, { timing: { discoverEveryMs: 5 } as never }),
      "timing.discoverEveryMs",
    ],
    ["a zero deadAfterMs", () => core({}, { timing: { deadAfterMs: 0 } }), "timing.deadAfterMs"],
    ["a root with a wildcard", () => core({}, { root: "a/+" }), "root"],
    ["a missing bus", () => new Core({ id: "c", requires: {} } as unknown as CoreOptions), "bus"],
    [
      "plugin allow and block",
      () => new Plugin({ id: "p", bus: hub.bus(), allow: ["a"], block: ["b"] }),
      "plugin",
    ],
    ["plugin maxCores 0", () => new Plugin({ id: "p", bus: hub.bus(), maxCores: 0 }), "maxCores"],
    [
      "an operation policy with allow and block",
      () =>
        new Plugin({ id: "p", bus: hub.bus() }).operation(
          "op",
          { policy: { allow: ["a"], block: ["b"] } },
          () => 1,
        ),
      'operation("op").policy',
    ],
    [
      "an operation declared twice",
      () => new Plugin({ id: "p", bus: hub.bus() }).operation("op", {}, () => 1).operation("op", {}, () => 1),
      'operation("op")',
    ],
  ])("%s", (_name, fn, field) => {
    const error = configError(fn);
    expect(error.field).toBe(field);
    expect(error.code).toBe("ERR_CONFIG");
    expect(error.message.startsWith(`${field}: `)).toBe(true);
  });

  it("accepts an empty allow list as no list (as in the public examples)", () => {
    expect(
      () => new Plugin({ id: "lamp-x", bus: hub.bus(), maxCores: 2, allow: [], prefer: [] }),
    ).not.toThrow();
  });

  it("request() checks its timeoutMs; compliant() on a stopped core rejects at once", async () => {
    const c = new Core({ id: "c", bus: hub.bus(), requires: {} });
    await c.start();
    await expect(c.request("x", undefined, { timeoutMs: -1 })).rejects.toMatchObject({
      code: "ERR_CONFIG",
      field: "timeoutMs",
    });
    await c.stop();
    await expect(c.compliant()).rejects.toMatchObject({ code: "ERR_NOT_RUNNING" });
  });
});
