/**
 * The rules of configuration, at their edges (issue 19, mutation testing: each test kills
 * mutants that survived the other tests, see docs/mutation.md): every bound of the timing
 * options, a wait's timeoutMs and the topic root; a requirement's minimum, maximum and
 * mandatory plugins against each other; allow and block lists, empty lists included, and
 * what a core's discover says of them.
 */
import { describe, expect, it } from "vitest";
import { Core, LocalHub, ManualClock, silentLogger } from "../../../runtime/index.js";
import { checkOrbOptions, checkRoot, checkTimeoutMs, checkTiming } from "../../../runtime/orb/options.js";
import { Access, count, idList, rank } from "../../../runtime/orb/policy.js";
import {
  compileRequirement,
  describeSpec,
  type RequirementOptions,
} from "../../../runtime/orb/requirements.js";
import { discoverFilter, type DiscoverMessage } from "../../../generated/protocol/index.js";
import { RawOrb } from "../../helpers/raw.js";
import { withTimeout } from "../../helpers/wait.js";
import { configError } from "../../helpers/errors.js";

describe("timing options: milliseconds from 1 (closeUnusedAfterMs: 0) to 86,400,000", () => {
  it.each([
    ["a string", "1000"],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["0", 0],
    ["a day and a millisecond", 86_400_001],
  ])("rejects %s", (_name, value) => {
    const error = configError(() => checkTiming({ holdMs: value as number }));
    expect(error.field).toBe("timing.holdMs");
    expect(error.message).toContain("from 1 to 86400000");
  });

  it("takes both ends, rounds, and leaves what was not given at its default", () => {
    expect(checkTiming({ holdMs: 1, deadAfterMs: 86_400_000, requestTimeoutMs: 2.6 })).toMatchObject({
      holdMs: 1,
      deadAfterMs: 86_400_000,
      requestTimeoutMs: 3,
      discoverIntervalMs: 2000,
    });
    expect(checkTiming({ holdMs: undefined }).holdMs).toBe(5000);
  });

  it("closeUnusedAfterMs alone may be 0 (never close), but not below", () => {
    expect(checkTiming({ closeUnusedAfterMs: 0 }).closeUnusedAfterMs).toBe(0);
    expect(configError(() => checkTiming({ closeUnusedAfterMs: -1 })).message).toContain("from 0 to");
    expect(configError(() => checkTiming({ offerWindowMs: 0 })).message).toContain("from 1 to");
  });
});

describe("a wait's timeoutMs: from 1 to 2,147,483,647 (the longest timer)", () => {
  it.each([
    ["a string", "5"],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["0", 0],
    ["2,147,483,648", 2_147_483_648],
  ])("rejects %s", (_name, value) => {
    expect(configError(() => checkTimeoutMs(value)).field).toBe("timeoutMs");
  });

  it("takes both ends", () => {
    expect(checkTimeoutMs(1)).toBe(1);
    expect(checkTimeoutMs(2_147_483_647)).toBe(2_147_483_647);
  });
});

describe("the topic root: non-empty levels, no wildcard", () => {
  it.each([
    ["not a string", 5],
    ["empty", ""],
    ["with an empty level", "a//b"],
    ["with a leading slash", "/a"],
    ["with a trailing slash", "a/"],
    ["with #", "a/#"],
    ["with a NUL", "a\u0000b"],
  ])("rejects one %s", (_name, root) => {
    expect(configError(() => checkRoot(root)).field).toBe("root");
  });

  it("takes one or more levels", () => {
    expect(checkRoot("home")).toBe("home");
    expect(checkRoot("acme/home-1")).toBe("acme/home-1");
  });
});

describe("what every orb is given", () => {
  const bus = new LocalHub().bus();

  it("an options object", () => {
    expect(configError(() => checkOrbOptions(null as never)).field).toBe("options");
    expect(configError(() => checkOrbOptions("lamp" as never)).field).toBe("options");
  });

  it("a bus that publishes and subscribes", () => {
    const half = (without: "publishValue" | "subscribeValue") => {
      const b = { publishValue: () => undefined, subscribeValue: () => undefined };
      delete (b as Partial<typeof b>)[without];
      return b as never;
    };
    expect(configError(() => checkOrbOptions({ id: "a", bus: half("publishValue") })).field).toBe("bus");
    expect(configError(() => checkOrbOptions({ id: "a", bus: half("subscribeValue") })).field).toBe("bus");
    expect(checkOrbOptions({ id: "a", bus })).toMatchObject({ id: "a", root: "orbitalis" });
  });
});

describe("configuration errors say what is wrong", () => {
  const bus = new LocalHub().bus();
  it.each([
    [
      () => checkTiming({ holdMs: 0 }),
      "timing.holdMs: must be a number of milliseconds from 1 to 86400000, found 0",
    ],
    [
      () => checkTiming({ holdMS: 5 } as never),
      "timing.holdMS: unknown timing option (known: discoverIntervalMs, holdMs, deadAfterMs, gracefulCloseTimeoutMs, requestTimeoutMs, closeUnusedAfterMs, offerWindowMs)",
    ],
    [() => checkTimeoutMs(0), "timeoutMs: must be a number of milliseconds from 1 to 2147483647, found 0"],
    [() => checkRoot("a/+"), 'root: "a/+" is not a usable topic root (non-empty levels, no + or #)'],
    [() => checkOrbOptions(null as never), "options: an options object is required"],
    [
      () => checkOrbOptions({ id: "a", bus: {} as never }),
      "bus: a Bus is required (e.g. new LocalHub().bus(), new MqttBus({ url }))",
    ],
    [
      () => checkOrbOptions({ id: "a", bus, random: 0.5 as never }),
      "random: must be a function returning a number in [0, 1), as Math.random",
    ],
    [
      () => Access.from({ allow: ["a"], block: ["b"] }, "plugin"),
      "plugin: allow and block lists exclude each other: give one of them",
    ],
    [() => Access.from({ allow: ["a", "a"] }, "plugin"), 'plugin.allow[1]: "a" is listed twice'],
    [() => Access.from({ block: ["b", "b"] }, "plugin"), 'plugin.block[1]: "b" is listed twice'],
    [
      () => compileRequirement("op", { minimum: 3, maximum: 2 }),
      "requires.op.minimum: minimum 3 is above maximum 2",
    ],
    [
      () => compileRequirement("op", { mandatory: ["a", "b"], maximum: 1 }),
      "requires.op.mandatory: 2 mandatory plugins do not fit in maximum 1",
    ],
    [
      () => compileRequirement("op", { outputs: [] }),
      "requires.op.outputs: must be a non-empty array of schema specs",
    ],
  ])("%#: %s", (fn, message) => {
    expect(configError(fn).message).toBe(message);
  });

  it("a missing entry in a requirement's specs is none", () => {
    const req = compileRequirement("op", { inputs: [undefined as never] });
    expect(req.inputs.map((s) => s.wire)).toEqual(["none"]);
  });
});

describe("a requirement's counts and lists", () => {
  const compile = (req: RequirementOptions) => compileRequirement("op", req);

  it("must be an object", () => {
    expect(configError(() => compile(null as never)).field).toBe("requires.op");
    expect(configError(() => compile(5 as never)).message).toContain("must be an object");
  });

  it("minimum defaults to 1, may be 0 (optional) and may equal maximum; maximum is at least 1", () => {
    expect(compile({}).minimum).toBe(1);
    expect(compile({ minimum: 0 }).minimum).toBe(0);
    expect(compile({ minimum: 2, maximum: 2 })).toMatchObject({ minimum: 2, maximum: 2 });
    expect(configError(() => compile({ maximum: 0 })).field).toBe("requires.op.maximum");
    expect(compile({ maximum: 1 }).maximum).toBe(1);
  });

  it("as many mandatory plugins as maximum fit; one more does not", () => {
    expect(compile({ mandatory: ["a", "b"], maximum: 2, minimum: 2 }).mandatory).toEqual(["a", "b"]);
    expect(configError(() => compile({ mandatory: ["a", "b"], maximum: 1 })).field).toBe(
      "requires.op.mandatory",
    );
  });

  it("a mandatory plugin on the block list is named as blocked, not as missing from an allow list", () => {
    const error = configError(() => compile({ mandatory: ["x"], block: ["x"] }));
    expect(error.message).toContain("is on the block list");
    expect(configError(() => compile({ mandatory: ["x"], allow: ["y"] })).message).toContain(
      "is not on the allow list",
    );
    expect(compile({ mandatory: ["x"], block: ["y"] }).mandatory).toEqual(["x"]);
  });
});

describe("allow and block lists", () => {
  it("an empty list is no list: it may stand beside the other one", () => {
    const allowOnly = Access.from({ allow: ["a"], block: [] }, "f");
    expect(allowOnly.permits("a")).toBe(true);
    expect(allowOnly.permits("b")).toBe(false);
    expect(allowOnly.wire()).toEqual({ allow: ["a"] });
    const blockOnly = Access.from({ allow: [], block: ["b"] }, "f");
    expect(blockOnly.permits("a")).toBe(true);
    expect(blockOnly.permits("b")).toBe(false);
    expect(blockOnly.blocks("b")).toBe(true);
    expect(blockOnly.wire()).toEqual({ block: ["b"] });
    const neither = Access.from({ allow: [], block: [] }, "f");
    expect(neither.permits("anyone")).toBe(true);
    expect(neither.blocks("anyone")).toBe(false);
    expect(neither.wire()).toEqual({});
  });

  it("a list is an array of distinct ids", () => {
    expect(configError(() => idList("a", "f.allow")).message).toContain("must be an array of ids");
    const twice = configError(() => idList(["a", "b", "a"], "f.allow"));
    expect(twice.field).toBe("f.allow[2]");
    expect(twice.message).toContain("listed twice");
    expect(idList(["a", "b"], "f")).toEqual(["a", "b"]);
    expect(idList(undefined, "f")).toBeUndefined();
  });

  it("a count is an integer at least its minimum", () => {
    expect(count(3, "f", 3)).toBe(3);
    expect(configError(() => count(2, "f", 3)).message).toContain(">= 3");
    expect(configError(() => count("3", "f", 1)).field).toBe("f");
    expect(configError(() => count(1.5, "f", 1)).field).toBe("f");
    expect(count(undefined, "f", 1)).toBeUndefined();
  });

  it("rank: the index in the preference list, after it when absent", () => {
    expect(rank(["a", "b"], "b")).toBe(1);
    expect(rank(["a", "b"], "c")).toBe(2);
  });

  it("a core's discover carries its allow or block list, so plugins outside it stay silent", async () => {
    const hub = new LocalHub();
    const raw = await new RawOrb(hub.bus(), "listener").listen(discoverFilter({ root: "orbitalis" }));
    const clock = new ManualClock();
    const cores = [
      new Core({
        id: "c-allow",
        bus: hub.bus(),
        clock,
        logger: silentLogger,
        requires: { a: { allow: ["p1"] } },
      }),
      new Core({
        id: "c-block",
        bus: hub.bus(),
        clock,
        logger: silentLogger,
        requires: { b: { block: ["p2"] } },
      }),
      new Core({ id: "c-none", bus: hub.bus(), clock, logger: silentLogger, requires: { c: { allow: [] } } }),
    ];
    try {
      await Promise.all(cores.map((c) => c.start()));
      const need = async (from: string) => {
        const m: DiscoverMessage = await withTimeout(
          raw.next("discover", (d) => d.from === from),
          2000,
          from,
        );
        return m.operations[0]!;
      };
      const allow = await need("c-allow");
      expect(allow.allow).toEqual(["p1"]);
      expect(allow.block).toBeUndefined();
      const block = await need("c-block");
      expect(block.block).toEqual(["p2"]);
      expect(block.allow).toBeUndefined();
      const none = await need("c-none");
      expect(none.allow).toBeUndefined();
      expect(none.block).toBeUndefined();
    } finally {
      await Promise.all(cores.map((c) => c.stop()));
    }
  });
});

describe("describeSpec: a schema spec in a message", () => {
  const fingerprint = (c: string) => c.repeat(64);
  it.each([
    ["none", "none"],
    [{ any: true }, "{any}"],
    [{ empty: true }, "{empty}"],
    [{ any: true, empty: true }, "{any, empty}"],
    [{ schemas: [{ fingerprint: fingerprint("a"), schema: {} }] }, "{1 schema (aaaaaaaa)}"],
    [
      {
        empty: true,
        schemas: [
          { fingerprint: fingerprint("a"), schema: {} },
          { fingerprint: fingerprint("b"), schema: {} },
        ],
      },
      "{empty, 2 schemas (aaaaaaaa, bbbbbbbb)}",
    ],
    [{ schemas: [] }, "{}"],
  ])("%j reads %s", (spec, text) => {
    expect(describeSpec(spec as never)).toBe(text);
  });
});
