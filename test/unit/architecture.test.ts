/**
 * The runtime's shape: its modules import each other without cycles (every part can be
 * read, tested and replaced on its own), and no module grows into two concerns: the size
 * rule (about 400 lines) holds for all of runtime/ and generator/.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../../runtime");
const GENERATOR = join(import.meta.dirname, "../../generator");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

/** Relative imports and re-exports of each module (type-only ones too: they tie modules as much). */
function graph(): Map<string, string[]> {
  const files = sources(ROOT);
  const known = new Set(files);
  const edges = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const targets = [...text.matchAll(/(?:import|export)[^;]*?from\s+"(\.[^"]+)"/gs)]
      .map((m) => normalize(join(dirname(file), m[1]!.replace(/\.js$/, ".ts"))))
      .filter((t) => known.has(t));
    edges.set(file, targets);
  }
  return edges;
}

/** One cycle per strongly connected group, as module paths. */
function cycles(edges: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const visit = (node: string, path: string[]): void => {
    state.set(node, "open");
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === "open") found.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next)) visit(next, [...path, next]);
    }
    state.set(node, "done");
  };
  for (const node of edges.keys()) if (!state.has(node)) visit(node, [node]);
  return found.map((c) => c.map((f) => relative(ROOT, f)));
}

describe("runtime modules", () => {
  it("import each other without cycles", () => {
    expect(cycles(graph())).toEqual([]);
  });

  it("finds a cycle when there is one (the check can fail)", () => {
    const a = join(ROOT, "a.ts");
    const b = join(ROOT, "b.ts");
    expect(
      cycles(
        new Map([
          [a, [b]],
          [b, [a]],
        ]),
      ),
    ).toEqual([["a.ts", "b.ts", "a.ts"]]);
  });

  it("stay small: no module of runtime/ or generator/ over 400 lines, each opening with a comment naming its concern", () => {
    const files = [...sources(ROOT), ...sources(GENERATOR)].map((f) => ({
      file: relative(join(ROOT, ".."), f),
      text: readFileSync(f, "utf8"),
    }));
    const lines = (text: string): number => text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
    expect(files.length).toBeGreaterThan(100);
    expect(files.filter((f) => lines(f.text) > 400).map((f) => `${f.file}: ${lines(f.text)} lines`)).toEqual(
      [],
    );
    expect(files.filter((f) => !f.text.startsWith("/**\n")).map((f) => f.file)).toEqual([]);
  });
});
