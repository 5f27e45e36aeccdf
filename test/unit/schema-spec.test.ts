import { describe, expect, it, vi } from "vitest";
import {
  CompiledSpec,
  ConfigError as FormatConfigError,
  fingerprint,
  type JsonSchema,
  type WireSchemaSpec,
} from "../../runtime/index.js";
import { REMOTE_SCHEMA_LIMITS, remoteValidatorCount } from "../../runtime/schema-spec.js";

const spec = (s: Parameters<typeof CompiledSpec.fromUser>[0]): CompiledSpec =>
  CompiledSpec.fromUser(s, "test", "none");

describe("schema specs", () => {
  it("fingerprint schemas by their RFC 8785 canonical form: key order and number spelling do not matter", () => {
    const a = fingerprint({
      type: "object",
      properties: { b: { type: "number", maximum: 1e2 }, a: { type: "string" } },
    });
    const b = fingerprint({
      properties: { a: { type: "string" }, b: { maximum: 100, type: "number" } },
      type: "object",
    });
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprint({ type: "string" })).not.toBe(fingerprint({ type: "number" }));
  });

  it("match: none with none only; any with anything but none; empty with empty; shared schemas", () => {
    const str = { type: "string" };
    const num = { type: "number" };
    expect(spec("none").matches(spec("none"))).toBe(true);
    expect(spec("none").matches(spec({ any: true }))).toBe(false);
    expect(spec({ any: true }).matches(spec({ schemas: [num] }))).toBe(true);
    expect(spec({ empty: true }).matches(spec({ empty: true, schemas: [str] }))).toBe(true);
    expect(spec({ schemas: [str, num] }).matches(spec({ schemas: [{ type: "number" }] }))).toBe(true);
    expect(spec({ schemas: [str] }).matches(spec({ schemas: [num] }))).toBe(false);
    expect(spec({ empty: true }).matches(spec({ schemas: [str] }))).toBe(false);
  });

  it("covers: data another spec accepted skips a second check only when that is sure to pass", () => {
    const str = { type: "string" };
    const num = { type: "number" };
    const strOrNum = spec({ schemas: [str, num] });
    // Every schema of the first is in the second: what passed one passes the other.
    expect(strOrNum.covers(spec({ schemas: [{ type: "string" }] }), "x")).toBe(true);
    // The second lacks one of the first's schemas: the data may have passed through it.
    expect(spec({ schemas: [str] }).covers(strOrNum, 1)).toBe(false);
    expect(spec({ schemas: [str] }).check(1).ok).toBe(false);
    expect(spec({ any: true }).covers(spec({ schemas: [num] }), 1)).toBe(true);
    expect(spec({ schemas: [num] }).covers(spec({ any: true }), 1)).toBe(false);
    // No data: only an empty-accepting spec takes it, which the schemas do not say.
    expect(spec({ schemas: [num] }).covers(spec({ empty: true, schemas: [num] }), undefined)).toBe(false);
    expect(spec({ schemas: [num] }).covers(spec("none"), undefined)).toBe(false);
  });

  it("two different schemas with the same $id both compile, ours and a remote's alike", () => {
    const str = { $id: "urn:test:same-id", type: "string" };
    const num = { $id: "urn:test:same-id", type: "number" };
    expect(spec({ schemas: [str] }).check("a").ok).toBe(true);
    expect(spec({ schemas: [num] }).check(1).ok).toBe(true);
    expect(spec({ schemas: [num] }).check("a").ok).toBe(false);
    const wire = (schema: JsonSchema): WireSchemaSpec => ({
      schemas: [{ fingerprint: fingerprint(schema), schema }],
    });
    const remoteStr = { $id: "urn:test:remote-same-id", type: "string" };
    const remoteNum = { $id: "urn:test:remote-same-id", type: "number" };
    expect(CompiledSpec.fromWire(wire(remoteStr)).check("a").ok).toBe(true);
    expect(CompiledSpec.fromWire(wire(remoteNum)).check(1).ok).toBe(true);
    expect(CompiledSpec.fromWire(wire(remoteNum)).check("a").ok).toBe(false);
  });

  it("check data, with reasons", () => {
    const s = spec({
      schemas: [{ type: "object", properties: { n: { type: "integer" } }, required: ["n"] }],
    });
    expect(s.check({ n: 1 }).ok).toBe(true);
    const bad = s.check({ n: "x" });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors).toEqual(["/n: must be integer"]);
    expect(s.check(undefined).ok).toBe(false);
    expect(spec({ empty: true }).check(undefined).ok).toBe(true);
    expect(spec({ empty: true }).check(3).ok).toBe(false);
    expect(spec("none").check(undefined).ok).toBe(true);
    expect(spec("none").check(0).ok).toBe(false);
    expect(spec({ any: true }).check({ whatever: [1] }).ok).toBe(true);
  });
});

describe("schemas from other orbs (bounded compilation)", () => {
  const wireOf = (schema: JsonSchema): WireSchemaSpec => ({
    schemas: [{ fingerprint: fingerprint(schema), schema }],
  });

  it("a schema nested deeper than the limit, or larger, is not compiled", () => {
    let deep: JsonSchema = { type: "string" };
    for (let i = 0; i < REMOTE_SCHEMA_LIMITS.depth; i++) deep = { type: "object", properties: { x: deep } };
    expect(CompiledSpec.fromWire(wireOf(deep)).usable()).toBe(false);
    const large: JsonSchema = { enum: Array.from({ length: 10_000 }, (_, i) => `value-${i}`) };
    expect(CompiledSpec.fromWire(wireOf(large)).usable()).toBe(false);
    // The same schemas are ours to use when we declare them ourselves.
    expect(CompiledSpec.fromUser({ schemas: [large] }, "x", "none").check("value-1")).toEqual({ ok: true });
  });

  it("keeps at most REMOTE_SCHEMA_LIMITS.cached remote-only validators, and uses our own for schemas we have", () => {
    for (let i = 0; i < REMOTE_SCHEMA_LIMITS.cached + 50; i++) {
      const spec = CompiledSpec.fromWire(wireOf({ type: "integer", minimum: i, title: `remote ${i}` }));
      expect(spec.check(i + 1)).toEqual({ ok: true });
    }
    expect(remoteValidatorCount()).toBe(REMOTE_SCHEMA_LIMITS.cached);
    const ours = { type: "string", title: "ours" } as const;
    CompiledSpec.fromUser({ schemas: [ours] }, "x", "none");
    const before = remoteValidatorCount();
    expect(CompiledSpec.fromWire(wireOf(ours)).check("s")).toEqual({ ok: true });
    expect(remoteValidatorCount()).toBe(before);
  });
});

describe("setRemoteSchemaLimits", () => {
  it("changes the limits for the process, and refuses what is not a positive integer", async () => {
    const { setRemoteSchemaLimits, ConfigError } = await import("../../runtime/index.js");
    const schema = {
      type: "object",
      properties: { a: { type: "object", properties: { b: { type: "string" } } } },
    };
    const wire: WireSchemaSpec = { schemas: [{ fingerprint: fingerprint(schema), schema }] };
    setRemoteSchemaLimits({ depth: 2 });
    try {
      expect(CompiledSpec.fromWire(wire).usable()).toBe(false);
    } finally {
      setRemoteSchemaLimits({ depth: 32 });
    }
    expect(CompiledSpec.fromWire(wire).usable()).toBe(true);
    expect(() => setRemoteSchemaLimits({ size: 0 })).toThrow(ConfigError);
    expect(() => setRemoteSchemaLimits({ sizes: 1 } as never)).toThrow(/unknown limit/);
  });

  it("format: a schema of one's own is checked with the generated validators' formats; an unknown format is refused", () => {
    const email = spec({ schemas: [{ type: "string", format: "email" }] });
    expect(email.check("ada@example.org").ok).toBe(true);
    expect(email.check("not an email").ok).toBe(false);
    const date = spec({ schemas: [{ type: "string", format: "date-time" }] });
    expect(date.check("2026-11-30T09:00:00Z").ok).toBe(true);
    expect(date.check("yesterday").ok).toBe(false);
    expect(() => spec({ schemas: [{ type: "string", format: "phone" }] })).toThrow(FormatConfigError);
    expect(() => spec({ schemas: [{ type: "string", format: "phone2" }] })).toThrow(
      /format "phone2" is not one Orbitalis checks \(.*email.*\): use one of these, or a pattern/,
    );
  });

  it("format: a peer's schema with an unknown format stays usable, without a console line; known formats are checked", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const unknown = { type: "string", format: "peer-only-format" };
      const remote = CompiledSpec.fromWire({
        schemas: [{ fingerprint: fingerprint(unknown), schema: unknown }],
      });
      expect(remote.usable()).toBe(true);
      expect(remote.check("anything").ok).toBe(true);
      const uuid = { type: "string", format: "uuid" };
      const checked = CompiledSpec.fromWire({ schemas: [{ fingerprint: fingerprint(uuid), schema: uuid }] });
      expect(checked.check("not-a-uuid").ok).toBe(false);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
});
