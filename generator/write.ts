/**
 * The generator's only file writer. It writes a set of generated files into a folder, or
 * (check mode) compares them with what is there and reports every difference.
 */
import { mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";

/** One file to produce, path relative to the output folder. */
export interface GeneratedFile {
  readonly path: string;
  readonly content: string;
}

/** What a write or check found. */
export interface WriteReport {
  /** Files written, or (check mode) files that differ or are missing. */
  readonly changed: readonly string[];
  /** Files present in the folder that the generator no longer produces (removed unless checking). */
  readonly stale: readonly string[];
  /** Files already identical. */
  readonly unchanged: readonly string[];
}

async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(dir: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else out.push(relative(root, full));
    }
  }
  await walk(root);
  return out.sort();
}

async function readOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * Writes `files` under `outDir` (only those whose content changed), removing files the
 * generator owns there but no longer produces. With `check: true` nothing is written and
 * the report lists what would change.
 */
export async function writeGenerated(
  outDir: string,
  files: readonly GeneratedFile[],
  options: { check?: boolean } = {},
): Promise<WriteReport> {
  const changed: string[] = [];
  const unchanged: string[] = [];
  const wanted = new Set(files.map((f) => f.path));
  for (const file of files) {
    const target = join(outDir, file.path);
    const current = await readOrUndefined(target);
    if (current === file.content) {
      unchanged.push(file.path);
      continue;
    }
    changed.push(file.path);
    if (!options.check) {
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, file.content, "utf8");
    }
  }
  const stale = (await listFiles(outDir)).filter((p) => !wanted.has(p));
  if (!options.check) {
    for (const p of stale) await rm(join(outDir, p));
  }
  return { changed, stale, unchanged };
}
