/**
 * The generator's folders are the stages of its pipeline, and a stage imports only the
 * stages before it (load -> model -> text -> emit; diff reads the model; commands and the
 * top-level files use any; any stage may ask paths.ts where the package's files are). A new import against that order fails here, with the file and
 * the import named.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const generator = join(import.meta.dirname, "..", "..", "generator");

/** What each stage folder may import from the other folders of generator/. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  load: [],
  model: ["load"],
  text: ["load", "model"],
  emit: ["load", "model", "text"],
  diff: ["load", "model"],
};

/** `folder/file.ts -> other folder` for every relative import leaving the file's folder. */
function crossings(): { file: string; folder: string; target: string }[] {
  const found: { file: string; folder: string; target: string }[] = [];
  for (const folder of readdirSync(generator, { withFileTypes: true })) {
    if (!folder.isDirectory()) continue;
    for (const file of readdirSync(join(generator, folder.name))) {
      if (!file.endsWith(".ts")) continue;
      const text = readFileSync(join(generator, folder.name, file), "utf8");
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*"\.\.\/([^"./]+)(\/|\.js")/g)) {
        // `../x/...` is a folder; `../x.js` a top-level file (named `x.ts`).
        found.push({
          file: `${folder.name}/${file}`,
          folder: folder.name,
          target: m[2] === "/" ? m[1]! : `${m[1]!}.ts`,
        });
      }
    }
  }
  return found;
}

describe("generator layout", () => {
  it("has a rule for every stage folder", () => {
    const folders = readdirSync(generator, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    expect(folders).toEqual([...Object.keys(MAY_IMPORT), "commands"].sort());
  });

  it("imports only earlier stages", () => {
    const found = crossings();
    // The scan sees the imports that exist (a broken regex would pass every layout).
    expect(found.some((c) => c.file === "emit/emit-docs.ts" && c.target === "text")).toBe(true);
    const wrong = found
      .filter(
        (c) => c.folder in MAY_IMPORT && c.target !== "paths.ts" && !MAY_IMPORT[c.folder]!.includes(c.target),
      )
      .map((c) => `${c.file} imports ${c.target.endsWith(".ts") ? c.target : `${c.target}/`}`);
    expect(wrong).toEqual([]);
  });
});
