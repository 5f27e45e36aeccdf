/**
 * The filter index finds exactly the filters that match a topic: checked against the
 * one-filter matcher on a seeded random mix of filters and topics (the seed is printed on
 * failure so the case replays).
 */
import { describe, expect, it } from "vitest";
import { seededRandom } from "../helpers/random.js";
import { compileFilter } from "../../runtime/internal.js";
import { FilterIndex } from "../../runtime/bus/filter-index.js";

describe("FilterIndex", () => {
  it("matches what compileFilter matches, for random filters and topics", () => {
    const seed = Number(process.env.ORBITALIS_SEED ?? Date.now() % 1_000_000);
    const rnd = seededRandom(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const words = ["a", "b", "$sys", "orb", ""];
    const topic = (): string =>
      Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => pick(words)).join("/");
    const filter = (): string => {
      const n = 1 + Math.floor(rnd() * 4);
      const levels = Array.from({ length: n }, () => pick([...words, "+", "+"]));
      if (rnd() < 0.3) levels.push("#");
      return levels.join("/");
    };
    const index = new FilterIndex<number>();
    const filters = Array.from({ length: 200 }, filter);
    filters.forEach((f, i) => index.add(f, i));
    // Some go away again.
    const removed = new Set<number>();
    for (let i = 0; i < 50; i++) {
      const k = Math.floor(rnd() * filters.length);
      index.delete(filters[k]!, k);
      removed.add(k);
    }
    expect(index.size, `seed ${seed}`).toBe(filters.length - removed.size);
    for (let t = 0; t < 500; t++) {
      const name = topic();
      const expected = filters.flatMap((f, i) => (!removed.has(i) && compileFilter(f)(name) ? [i] : []));
      const out: number[] = [];
      index.match(name, out);
      expect(
        out.sort((x, y) => x - y),
        `seed ${seed}, topic ${JSON.stringify(name)}`,
      ).toEqual(expected);
    }
  });

  it("follows MQTT: '#' matches its parent level, '+' one level, first-level wildcards skip $ topics", () => {
    const index = new FilterIndex<string>();
    for (const f of ["a/#", "a/+", "+/b", "#", "a/b"]) index.add(f, f);
    const match = (t: string): string[] => {
      const out: string[] = [];
      index.match(t, out);
      return out.sort();
    };
    expect(match("a")).toEqual(["#", "a/#"]);
    expect(match("a/b")).toEqual(["#", "+/b", "a/#", "a/+", "a/b"]);
    expect(match("$sys/b")).toEqual([]);
    index.delete("a/#", "a/#");
    expect(match("a")).toEqual(["#"]);
  });
});
