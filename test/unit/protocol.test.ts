import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import {
  CHANNELS,
  DEFAULT_ROOT,
  inputFilter,
  inputTopic,
  offerTopic,
  parseInputTopic,
  parseOfferTopic,
  parsePresenceTopic,
  presenceFilter,
  validateMessage,
  validateMessageOfKind,
} from "../../generated/protocol/index.js";

const keepalive = { v: 1, kind: "keepalive", id: "m1", from: "core-1", epoch: "e1", ts: 1 };

describe("generated channel addresses", () => {
  it("build topics from parameters and parse them back", () => {
    const topic = inputTopic({ root: "home", plugin: "lamp-x", operation: "turn_on", core: "core.1" });
    expect(topic).toBe("home/plugin/lamp-x/op/turn_on/in/core.1");
    expect(parseInputTopic(topic, "home")).toEqual({
      plugin: "lamp-x",
      operation: "turn_on",
      core: "core.1",
    });
    expect(offerTopic({ root: DEFAULT_ROOT, core: "c" })).toBe("orbitalis/core/c/offer");
  });

  it("support a root with several levels", () => {
    const topic = offerTopic({ root: "site/a/orbitalis", core: "c1" });
    expect(parseOfferTopic(topic, "site/a/orbitalis")).toEqual({ core: "c1" });
    expect(parseOfferTopic(topic, "site/a")).toBeUndefined();
  });

  it("reject topics of other channels, other roots and empty levels", () => {
    expect(parseOfferTopic("orbitalis/core/c/response")).toBeUndefined();
    expect(parseOfferTopic("orbitalis/core//offer")).toBeUndefined();
    expect(parseOfferTopic("orbitalisx/core/c/offer")).toBeUndefined();
    expect(parseOfferTopic("orbitalis/core/c/offer/extra")).toBeUndefined();
    expect(parsePresenceTopic("other/presence/x")).toBeUndefined();
  });

  it("make filters with + for parameters left out", () => {
    expect(presenceFilter({ root: "r" })).toBe("r/presence/+");
    expect(inputFilter({ root: "r", plugin: "p" })).toBe("r/plugin/p/op/+/in/+");
    expect(CHANNELS.output.kinds).toEqual(["output", "error"]);
  });
});

describe("generated validators", () => {
  it("accept a valid message and type it", () => {
    const result = validateMessage(keepalive);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.kind).toBe("keepalive");
  });

  it("say which field is wrong and why", () => {
    const { epoch: _, ...noEpoch } = keepalive;
    const result = validateMessageOfKind("keepalive", { ...noEpoch, from: "a/b" });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors).toContain("/: must have required property 'epoch'");
      expect(result.errors.some((e) => e.startsWith("/from: must match pattern"))).toBe(true);
    }
  });

  it("accept a field a later minor revision adds, and reject a malformed meta (VER-2, META-1)", () => {
    expect(validateMessageOfKind("keepalive", { ...keepalive, extra: 1 }).ok).toBe(true);
    const bad = validateMessageOfKind("keepalive", { ...keepalive, meta: { "a b": "x" } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors.join("\n")).toMatch(/\/meta: property name must be valid/);
  });

  it("reject an unknown kind listing the known ones, and non-objects", () => {
    const unknown = validateMessage({ ...keepalive, kind: "hello" });
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(unknown.errors[0]).toMatch(/^\/kind: must be one of discover, announce/);
    const array = validateMessage([keepalive]);
    expect(array.ok).toBe(false);
  });
});

describe("generated validators outside the test runner", () => {
  it("load and run under Node's own ESM loader (CommonJS ajv helpers included)", async () => {
    const { execFile } = await import("node:child_process");
    const { promisify } = await import("node:util");
    const script = `
      import { validateMessage } from "./generated/protocol/index.ts";
      const base = { v: 1, kind: "reject", id: "m1", from: "c", epoch: "e", ts: 1, re: "o1", operation: "op" };
      const ok = validateMessage({ ...base, reason: "fine" }).ok;
      const tooLong = validateMessage({ ...base, reason: "x".repeat(1025) }).ok;
      console.log(JSON.stringify({ ok, tooLong }));`;
    const { stdout } = await promisify(execFile)(process.execPath, [
      "--import",
      "tsx",
      "--input-type=module",
      "-e",
      script,
    ]);
    expect(JSON.parse(stdout)).toEqual({ ok: true, tooLong: false });
  }, 30_000);
});

describe("the spec's validation cost is bounded", () => {
  const spec = parseYaml(
    readFileSync(new URL("../../spec/orbitalis.asyncapi.yaml", import.meta.url), "utf8"),
  ) as {
    components: { schemas: Record<string, unknown> };
  };
  /** Every array schema in the spec, with its path. */
  function arrays(
    node: unknown,
    path: string,
    out: { path: string; schema: Record<string, unknown> }[],
  ): void {
    if (Array.isArray(node)) node.forEach((n, i) => arrays(n, `${path}/${i}`, out));
    else if (node !== null && typeof node === "object") {
      const o = node as Record<string, unknown>;
      if (o.type === "array") out.push({ path, schema: o });
      for (const [k, v] of Object.entries(o)) arrays(v, `${path}/${k}`, out);
    }
  }
  const found: { path: string; schema: Record<string, unknown> }[] = [];
  arrays(spec.components.schemas, "#/components/schemas", found);

  it("every list has a maximum length and none asks for unique items (a check quadratic in its length)", () => {
    expect(found.length).toBeGreaterThan(5);
    expect(found.filter((a) => a.schema.maxItems === undefined).map((a) => a.path)).toEqual([]);
    expect(found.filter((a) => a.schema.uniqueItems !== undefined).map((a) => a.path)).toEqual([]);
  });

  it("a discover listing 1024 connected plugins, some twice, is valid", () => {
    const ids = Array.from({ length: 1024 }, (_, i) => `plugin-${i % 1000}`);
    const discover = {
      v: 1,
      kind: "discover",
      id: "d1",
      from: "core",
      epoch: "e",
      ts: 1,
      offerTo: "orbitalis/core/core/offer",
      keepaliveTo: "orbitalis/orb/core/keepalive",
      closeTo: "orbitalis/orb/core/close",
      deadAfterMs: 6000,
      operations: [{ name: "echo", inputs: [{ any: true }], outputs: [{ any: true }], connected: ids }],
    };
    expect(validateMessage(discover)).toMatchObject({ ok: true });
  });
});
