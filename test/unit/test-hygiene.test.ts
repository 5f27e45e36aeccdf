/**
 * Rules the tests keep (issue 19):
 * - waiting on a ManualClock or the event loop goes through `advanceUntil` / `turnUntil`
 *   (test/helpers/clock.ts), which fail naming what they waited for: no hand loops
 *   `for (let i = 0; i < N && condition; i++)`, no unbounded `while (condition) await`
 *   of clock steps or event-loop turns;
 * - tests reach no private part of an orb: no `as unknown as { ... }` casts (those that
 *   reach no orb are allow-listed below, each with its reason), no `["member"]` indexing
 *   with the name of a private or protected member of the orb classes, and
 *   `@ts-expect-error` / `@ts-ignore` only in the type tests (test/types), where a line
 *   that must not compile is the point.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const TEST_DIR = "test";
const SELF = "test/unit/test-hygiene.test.ts";

/** Every TypeScript file under test/, path with `/` separators. */
function testFiles(dir = TEST_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => {
      const full = join(dir, e.name);
      if (e.isDirectory()) return e.name === "node_modules" ? [] : testFiles(full);
      return e.name.endsWith(".ts") ? [relative(".", full).split("\\").join("/")] : [];
    })
    .filter((f) => f !== SELF)
    .sort();
}

/** Each match of `pattern` in the test files, as `file:line: text`. */
function findAll(pattern: RegExp, files = testFiles()): string[] {
  const hits: string[] = [];
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(new RegExp(pattern.source, `${pattern.flags.replace("g", "")}g`))) {
      const line = text.slice(0, m.index).split("\n").length;
      hits.push(`${file}:${line}: ${m[0].split("\n")[0]!.trim()}`);
    }
  }
  return hits;
}

/**
 * `as unknown as {` casts that reach no orb, by file, with why they are fine. A new one
 * is either rewritten to the public API or added here with its reason.
 */
const ALLOWED_CASTS: Readonly<Record<string, string>> = {
  "test/generator/strict-compile.test.ts":
    "reads TypeScript's own generateTSConfig (not in its typings), to compile as `tsc --init` would",
};

/** The private and protected members of the orb classes (Orbiter and its public faces). */
function privateOrbMembers(): string[] {
  const files = ["orbiter.ts", "requiring-orb.ts", "core.ts", "plugin.ts", "orb.ts"].map((f) =>
    join("runtime/orb", f),
  );
  const names = new Set<string>();
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue; // moved by a refactor: the others still count
    }
    for (const m of text.matchAll(
      /\b(?:private|protected)\s+(?:(?:readonly|abstract|static|override|async)\s+)*(?:get\s+|set\s+)?#?(\w+)/g,
    ))
      names.add(m[1]!);
    for (const m of text.matchAll(/^\s+#(\w+)/gm)) names.add(m[1]!);
  }
  return [...names].sort();
}

describe("test hygiene", () => {
  it("finds the test files (and this rule's own helpers)", () => {
    const files = testFiles();
    expect(files).toContain("test/helpers/clock.ts");
    expect(files.length).toBeGreaterThan(50);
  });

  it("no hand loops bounded by a step count and a condition: advanceUntil / turnUntil instead", () => {
    expect(findAll(/for \(let \w+ = 0; \w+ < [^;]+ && /)).toEqual([]);
  });

  it("no unbounded waits on the clock or the event loop: `while (condition) await clock.advance / setImmediate`", () => {
    // (Integration tests against real brokers poll in real time inside a withTimeout: not these.)
    expect(findAll(/while \([^\n]*\)\s*await [^\n]*(?:setImmediate|\.advance\()/)).toEqual([]);
  });

  it("no `as unknown as { ... }` casts, but the allow-listed ones (each reaches no orb)", () => {
    const casts = findAll(/as unknown as \{/);
    const unexpected = casts.filter((hit) => !(hit.split(":")[0]! in ALLOWED_CASTS));
    expect(unexpected).toEqual([]);
    // The allow-list holds nothing stale.
    for (const file of Object.keys(ALLOWED_CASTS))
      expect(
        casts.some((hit) => hit.startsWith(`${file}:`)),
        file,
      ).toBe(true);
  });

  it("no indexing of an orb's private or protected members by name", () => {
    const members = privateOrbMembers();
    expect(members.length).toBeGreaterThan(10); // the sources were read (whatever refactors move)
    expect(members).not.toContain("async");
    // On a value (a lowercase name or a closing parenthesis), not a type's indexed access (`Options["role"]`).
    const pattern = new RegExp(`(?:\\b[a-z]\\w*|\\))\\[\\s*["'\`](?:${members.join("|")})["'\`]\\s*\\]`);
    expect(pattern.test(`plugin["${members[0]}"]`)).toBe(true);
    expect(pattern.test(`(core as Core)["${members[0]}"]`)).toBe(true);
    expect(pattern.test(`Options["${members[0]}"]`)).toBe(false);
    expect(findAll(pattern)).toEqual([]);
  });

  it("@ts-expect-error and @ts-ignore only in the type tests (test/types)", () => {
    const outside = testFiles().filter((f) => !f.startsWith("test/types/"));
    expect(findAll(/@ts-(?:expect-error|ignore)/, outside)).toEqual([]);
  });
});
