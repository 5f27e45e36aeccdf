import { describe, expect, it } from "vitest";
import { MAX_TOPIC_LENGTH, validateFilter, validateTopic } from "../../runtime/bus/topic.js";
import {
  compileFilter,
  filterToRedisKey,
  filterToSubjects,
  matchFilter,
  topicToSubject,
} from "../../runtime/internal.js";
import { InvalidTopicError } from "../../runtime/errors.js";

describe("validateTopic", () => {
  it.each(["a", "a/b/c", "orbitalis/plugin/lamp-x", "a//b", "/a", "a/", "é/ü", "x".repeat(MAX_TOPIC_LENGTH)])(
    "accepts %j",
    (topic) => {
      expect(validateTopic(topic)).toBe(topic);
    },
  );
  it.each([
    ["", /empty/],
    ["a/+", /'\+'/],
    ["a/#", /'#'/],
    ["a+b", /'\+'/],
    ["a\u0000b", /NUL/],
    ["$SYS/x", /reserved/],
    ["x".repeat(MAX_TOPIC_LENGTH + 1), /at most 1024/],
  ])("rejects %j", (topic, why) => {
    expect(() => validateTopic(topic)).toThrow(InvalidTopicError);
    expect(() => validateTopic(topic)).toThrow(why);
  });
  it("rejects non-strings with ERR_INVALID_TOPIC", () => {
    expect(() => validateTopic(3)).toThrow(expect.objectContaining({ code: "ERR_INVALID_TOPIC" }));
    expect(() => validateTopic(undefined)).toThrow(/must be a string/);
  });
});

describe("validateFilter", () => {
  it.each(["a", "#", "+", "a/#", "a/+/b", "+/+/#", "$SYS/#", "a//+"])("accepts %j", (filter) => {
    expect(validateFilter(filter)).toBe(filter);
  });
  it.each([
    ["", /empty/],
    ["a/#/b", /last level/],
    ["#/a", /last level/],
    ["a#", /whole level/],
    ["a/+b", /whole level/],
    ["a/b+", /whole level/],
    ["a\u0000", /NUL/],
  ])("rejects %j", (filter, why) => {
    expect(() => validateFilter(filter)).toThrow(InvalidTopicError);
    expect(() => validateFilter(filter)).toThrow(why);
  });
});

describe("matchFilter", () => {
  const cases: [string, string, boolean][] = [
    ["a/b", "a/b", true],
    ["a/b", "a/bc", false],
    ["a/b", "a", false],
    ["+", "a", true],
    ["+", "a/b", false],
    ["+", "", true],
    ["#", "a", true],
    ["#", "a/b/c", true],
    ["a/#", "a", true],
    ["a/#", "a/b", true],
    ["a/#", "a/b/c", true],
    ["a/#", "ab", false],
    ["a/#", "b/a", false],
    ["a/+", "a/b", true],
    ["a/+", "a/", true],
    ["a/+", "a", false],
    ["a/+", "a/b/c", false],
    ["+/b", "a/b", true],
    ["+/b", "/b", true],
    ["+/+", "a/b", true],
    ["+/+", "a", false],
    ["+/+", "a/b/c", false],
    ["+/#", "a", true],
    ["+/#", "a/b/c", true],
    ["a/+/c", "a/b/c", true],
    ["a/+/c", "a/b/d", false],
    ["a/+/c", "a//c", true],
    ["a/+/c/#", "a/b/c", true],
    ["a/+/c/#", "a/b/c/d/e", true],
    ["a/+/c/#", "a/b/cd", false],
    ["a/b/+", "a/b", false],
    ["a//b", "a//b", true],
    ["#", "$SYS/x", false],
    ["+/x", "$SYS/x", false],
    ["$SYS/#", "$SYS/x", true],
    ["$SYS/+", "$SYS/x", true],
  ];
  it.each(cases)("%j vs %j -> %s", (filter, topic, expected) => {
    expect(matchFilter(filter, topic)).toBe(expected);
    expect(compileFilter(filter)(topic)).toBe(expected);
  });
  it("agrees with a reference level-by-level implementation on random input", () => {
    const reference = (filter: string, topic: string): boolean => {
      const f = filter.split("/");
      const t = topic.split("/");
      if ((f[0] === "+" || f[0] === "#") && topic.startsWith("$")) return false;
      for (let i = 0; i < f.length; i++) {
        if (f[i] === "#") return true;
        if (i >= t.length) return false;
        if (f[i] !== "+" && f[i] !== t[i]) return false;
      }
      return f.length === t.length;
    };
    const words = ["a", "b", ""];
    const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
    for (let n = 0; n < 5000; n++) {
      const topic = Array.from({ length: 1 + Math.floor(Math.random() * 4) }, () => pick(words)).join("/");
      const levels = Array.from({ length: 1 + Math.floor(Math.random() * 4) }, () => pick([...words, "+"]));
      if (Math.random() < 0.3) levels.push("#");
      const filter = levels.join("/");
      if (topic === "") continue;
      expect({ filter, topic, m: compileFilter(filter)(topic) }).toEqual({
        filter,
        topic,
        m: reference(filter, topic),
      });
    }
  });
});

describe("adapter translations", () => {
  it("NATS: / -> ., + -> *, # -> > (and a/# also subscribes a)", () => {
    expect(topicToSubject("a/b/c")).toBe("a.b.c");
    expect(filterToSubjects("a/+/c")).toEqual(["a.*.c"]);
    expect(filterToSubjects("#")).toEqual([">"]);
    expect(filterToSubjects("a/#")).toEqual(["a.>", "a"]);
    expect(filterToSubjects("+/#")).toEqual(["*.>", "*"]);
    // A dot inside a level (an orb id like "lamp.kitchen") stays one level (BIND-6).
    expect(topicToSubject("orbitalis/orb/lamp.kitchen/keepalive")).toBe(
      "orbitalis.orb.lamp%2Ekitchen.keepalive",
    );
    expect(topicToSubject("a%2E/b")).toBe("a%252E.b");
    expect(filterToSubjects("orbitalis/orb/lamp.kitchen/+")).toEqual(["orbitalis.orb.lamp%2Ekitchen.*"]);
    expect(() => topicToSubject("a/b c")).toThrow(/NATS cannot carry whitespace/);
    expect(() => filterToSubjects("a/b>")).toThrow(/'>'/);
    expect(() => filterToSubjects("a//#")).toThrow(/empty/);
  });
  it("Redis: literal filters are channels, wildcards escaped globs", () => {
    expect(filterToRedisKey("a/b")).toBe("c:a/b");
    expect(filterToRedisKey("a/+/c")).toBe("p:a/*/c");
    expect(filterToRedisKey("a/#")).toBe("p:a*");
    expect(filterToRedisKey("#")).toBe("p:*");
    expect(filterToRedisKey("a*[x]?\\/+")).toBe("p:a\\*\\[x\\]\\?\\\\/*");
  });
});
