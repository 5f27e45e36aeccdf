/**
 * A core's compliance rules, the connection table's lookups and the limits of message
 * metadata, each on its own (issue 19, mutation testing; see docs/mutation.md): which idle
 * connection may close (mandatory, minimum, closing ones not counted), a requirement's
 * allow/block refusal before its schemas, preferences; lookups of what the table does not
 * hold; meta's 16 keys and 1,024 characters (code points) per value.
 */
import { describe, expect, it } from "vitest";
import {
  CompiledSpec,
  ConfigError,
  InvalidPayloadError,
  LocalHub,
  Core,
  type ConnectionRole,
} from "../../../runtime/index.js";
import { Compliance } from "../../../runtime/orb/compliance.js";
import { Connection } from "../../../runtime/orb/connection.js";
import { ConnectionTable } from "../../../runtime/orb/connection-table.js";
import { checkMeta } from "../../../runtime/orb/meta.js";
import { compileRequirement } from "../../../runtime/orb/requirements.js";

const any = CompiledSpec.fromWire({ any: true });
const connection = (remote: string, operation: string, role: ConnectionRole = "core"): Connection =>
  new Connection(remote, "re", operation, any, any, "in", "out", 0, role);

describe("compliance: which idle connection may close", () => {
  it("one of an operation not required always may", () => {
    const c = new Compliance({ echo: {} }, new ConnectionTable());
    expect(c.mayCloseUnused(connection("p", "other"))).toBe(true);
  });

  it("above the minimum it may; at the minimum it may not; a closing connection does not count", () => {
    const table = new ConnectionTable();
    const c = new Compliance({ echo: { minimum: 1 } }, table);
    const a = connection("a", "echo");
    const b = connection("b", "echo");
    table.add(a);
    expect(c.mayCloseUnused(a)).toBe(false);
    table.add(b);
    expect(c.mayCloseUnused(a)).toBe(true);
    b.state = "closing";
    expect(c.mayCloseUnused(a)).toBe(false);
    // Connections of the other role (a hybrid serving echo) do not count either.
    table.add(connection("x", "echo", "plugin"));
    expect(c.mayCloseUnused(a)).toBe(false);
  });

  it("a mandatory plugin's never may, even above the minimum", () => {
    const table = new ConnectionTable();
    const c = new Compliance({ echo: { minimum: 0, mandatory: ["m"] } }, table);
    const m = connection("m", "echo");
    table.add(m);
    table.add(connection("o", "echo"));
    expect(c.mayCloseUnused(m)).toBe(false);
  });
});

describe("compliance: requirements", () => {
  it("requires is an object of requirements (may be empty)", () => {
    const hub = new LocalHub();
    for (const requires of [null, [], "echo"]) {
      let error: unknown;
      try {
        new Core({ id: "c", bus: hub.bus(), requires: requires as never });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).field).toBe("requires");
    }
    expect(new Compliance({}, new ConnectionTable()).met).toBe(true);
  });

  it("usesPreferences: whether any requirement has a preference list", () => {
    const table = new ConnectionTable();
    expect(new Compliance({ a: {}, b: { prefer: ["p"] } }, table).usesPreferences).toBe(true);
    expect(new Compliance({ a: {}, b: {} }, table).usesPreferences).toBe(false);
  });

  it("an unmet requirement lists only the absent mandatory plugins", () => {
    const table = new ConnectionTable();
    const c = new Compliance({ echo: { minimum: 2, mandatory: ["m1", "m2"] }, sum: { minimum: 0 } }, table);
    table.add(connection("m1", "echo"));
    const unmet = c.unmet();
    expect(unmet.map((u) => u.operation)).toEqual(["echo"]);
    expect(unmet[0]).toMatchObject({ connected: 1, minimum: 2, absent: ["m2"] });
  });

  it("a plugin the lists exclude is refused for that, whatever its schemas", () => {
    const c = new Compliance({}, new ConnectionTable());
    const req = compileRequirement("echo", { block: ["bad"], outputs: [{ empty: true }] });
    expect(c.refusal(req, "bad", { any: true }, { empty: true })).toEqual({
      reason: "not-allowed",
      message: "requires.echo.block excludes it",
    });
    expect(c.refusal(req, "good", { any: true }, { empty: true })).toBeUndefined();
    const allow = compileRequirement("echo", { allow: ["ok"] });
    expect(c.refusal(allow, "other", { any: true }, { any: true })?.message).toBe(
      "requires.echo.allow excludes it",
    );
  });
});

describe("the connection table, for what it does not hold", () => {
  it("counts, lists and finds nothing, and deleting what it does not hold changes nothing", () => {
    const t = new ConnectionTable();
    expect(t.countOperation("echo", "core")).toBe(0);
    expect(t.ofOperation("echo", "core")).toEqual([]);
    expect(t.ofRemote("p")).toEqual([]);
    expect(t.hasRemote("p")).toBe(false);
    const c = connection("p", "echo");
    expect(t.delete(c)).toBe(false);
    t.add(c);
    expect(t.delete(connection("p", "echo"))).toBe(false); // another object: not held
    expect(t.size).toBe(1);
  });

  it("hasRemote without a role: any connection; with one: only in that role", () => {
    const t = new ConnectionTable();
    t.add(connection("p", "echo", "core"));
    expect(t.hasRemote("p")).toBe(true);
    expect(t.hasRemote("p", "core")).toBe(true);
    expect(t.hasRemote("p", "plugin")).toBe(false);
  });

  it("a remote with two operations keeps the other when one is deleted, and is gone after both", () => {
    const t = new ConnectionTable();
    const a = connection("p", "a");
    const b = connection("p", "b");
    t.add(a);
    t.add(b);
    expect(t.delete(a)).toBe(true);
    expect(t.find("p", "b", "core")).toBe(b);
    expect(t.find("p", "a", "core")).toBeUndefined();
    expect(t.remotes()).toEqual(["p"]);
    expect(t.delete(b)).toBe(true);
    expect(t.remotes()).toEqual([]);
    expect(t.find("p", "b", "core")).toBeUndefined();
    t.add(a); // indexes rebuilt from nothing
    expect(t.ofRemote("p")).toEqual([a]);
  });

  it("clear() forgets everything", () => {
    const t = new ConnectionTable();
    t.add(connection("p", "echo"));
    t.clear();
    expect(t.size).toBe(0);
    expect(t.find("p", "echo", "core")).toBeUndefined();
    expect(t.countOperation("echo", "core")).toBe(0);
    expect(t.ofRemote("p")).toEqual([]);
    expect(t.remotes()).toEqual([]);
  });
});

describe("message metadata limits", () => {
  const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, "v"]));

  it("16 keys are allowed, 17 are not", () => {
    expect(Object.keys(checkMeta(keys(16))!)).toHaveLength(16);
    expect(() => checkMeta(keys(17))).toThrow("meta has 17 keys; at most 16 are allowed");
  });

  it("a value of 1,024 characters is allowed, 1,025 are not; characters are code points", () => {
    expect(checkMeta({ k: "x".repeat(1024) })!.k).toHaveLength(1024);
    expect(() => checkMeta({ k: "x".repeat(1025) })).toThrow(
      'meta "k" is 1025 characters long; at most 1024',
    );
    const astral = "😀".repeat(1024); // 2,048 UTF-16 units, 1,024 code points
    expect(checkMeta({ k: astral })!.k).toBe(astral);
    expect(() => checkMeta({ k: `${astral}x` })).toThrow("is 1025 characters long");
  });

  it("none, or an empty object, is no metadata", () => {
    expect(checkMeta(undefined)).toBeUndefined();
    expect(checkMeta({})).toBeUndefined();
    expect(checkMeta(Object.create(null))).toBeUndefined();
  });

  it("anything but a plain object is refused, named", () => {
    class Headers {
      k = "v";
    }
    const found = (meta: unknown) => {
      try {
        checkMeta(meta);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidPayloadError);
        return (error as Error).message.replace(/^.*, found /, "");
      }
      return "accepted";
    };
    expect(found(null)).toBe("null");
    expect(found(["v"])).toBe("an array");
    expect(found(new Headers())).toBe("Headers");
    expect(found("k=v")).toBe("string");
    expect(found(5)).toBe("number");
    expect(found(Object.create(Object.create(null) as object))).toBe("object");
    expect(found({ k: "v" })).toBe("accepted");
  });
});
