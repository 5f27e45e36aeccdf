/**
 * What a core knows of the plugins it is not connected to, on its own (issue 19, mutation
 * testing; see docs/mutation.md): an instance's offline presence counts only for that
 * epoch, the operations a plugin lends add up per instance, a new start forgets, and the
 * running plugins it remembers are bounded.
 */
import { describe, expect, it } from "vitest";
import { Candidates } from "../../../runtime/orb/candidates.js";
import type { PresenceMessage } from "../../../generated/protocol/index.js";

const none = new Set<string>();
const presence = (
  from: string,
  epoch: string,
  status: "online" | "offline",
  role: "core" | "plugin" | "hybrid" = "plugin",
): PresenceMessage => ({ v: 1, kind: "presence", id: `${from}-1`, from, epoch, ts: 0, role, status });
const plugins = (c: Candidates, operation: string) => c.of(operation, none).candidates.map((x) => x.plugin);

describe("candidates", () => {
  it("a plugin online runs; its offline presence removes it, a core's presence adds nothing", () => {
    const c = new Candidates();
    c.presence(presence("p", "e1", "online"));
    c.presence(presence("core-x", "e1", "online", "core"));
    expect(plugins(c, "echo")).toEqual(["p"]);
    c.presence(presence("p", "e1", "offline"));
    expect(plugins(c, "echo")).toEqual([]);
  });

  it("an offline presence of another epoch, or of a plugin never heard of, changes nothing", () => {
    const c = new Candidates();
    c.runs("p", "e2");
    c.offline("p", "e1");
    expect(() => c.offline("unknown", "e1")).not.toThrow();
    expect(plugins(c, "echo")).toEqual(["p"]);
  });

  it("the operations an instance lends add up; a new instance starts over", () => {
    const c = new Candidates();
    c.runs("p", "e1", ["a"]);
    c.runs("p", "e1", ["b"]);
    expect(plugins(c, "a")).toEqual(["p"]);
    expect(plugins(c, "b")).toEqual(["p"]);
    expect(plugins(c, "z")).toEqual([]); // it lends a and b only
    c.runs("p", "e2", ["b"]);
    expect(plugins(c, "a")).toEqual([]);
    expect(plugins(c, "b")).toEqual(["p"]);
    c.runs("p", "e2"); // an offer or presence of the same instance keeps what it lends
    expect(plugins(c, "a")).toEqual([]);
  });

  it("an unavailable answer says why only when the plugin said", () => {
    const c = new Candidates();
    c.unavailable("echo", "p", undefined);
    c.unavailable("echo", "q", "busy");
    const [p, q] = c.of("echo", none).candidates;
    expect(p!.message).toBe("p answered the request for echo with unavailable");
    expect(q!.message).toBe("q answered the request for echo with unavailable (busy)");
  });

  it("connected() forgets the note, also for an operation with none; reset() forgets everything", () => {
    const c = new Candidates();
    expect(() => c.connected("nothing-noted", "p")).not.toThrow();
    c.note("echo", "p", "disconnected", "gone");
    c.runs("q", "e1");
    c.connected("echo", "p");
    expect(plugins(c, "echo")).toEqual(["q"]);
    c.note("echo", "p", "disconnected", "gone");
    c.reset();
    expect(plugins(c, "echo")).toEqual([]);
  });

  it("remembers 1,024 running plugins; the 1,025th makes the one longest unheard of go", () => {
    const c = new Candidates();
    for (let i = 0; i < 1024; i++) c.runs(`p${i}`, "e");
    const count = () => {
      const { candidates, unlisted } = c.of("echo", none);
      return candidates.length + unlisted;
    };
    expect(count()).toBe(1024);
    c.runs("p0", "e"); // heard again: now the latest, p1 the longest unheard of
    c.runs("p-new", "e");
    expect(count()).toBe(1024);
    c.offline("p1", "e"); // p1 was forgotten: nothing to remove
    expect(count()).toBe(1024);
    c.offline("p0", "e"); // p0 was kept
    expect(count()).toBe(1023);
  });
});
