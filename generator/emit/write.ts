/**
 * The generator's only file writer. It writes a set of generated files into a folder, or
 * (check mode) compares them with what is there and reports every difference.
 */
import { mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { ContractError } from "orbitalis";

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
      // Never into dependencies or hidden folders (an --out that is a project root).
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules" && !entry.name.startsWith(".")) await walk(full);
      } else out.push(relative(root, full));
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

/** Options of {@link writeGenerated}. */
export interface WriteOptions {
  /** Write nothing; report what would change. */
  readonly check?: boolean;
  /**
   * Whether an existing file was written by the generator. When given, a file that is
   * not is never overwritten (the write is refused before anything changes) nor removed.
   * Without it, everything under `outDir` belongs to the generator.
   */
  readonly owned?: (path: string, content: string) => boolean;
  /**
   * Which other files under `outDir` the generator may have produced before (and so may
   * remove when it no longer does). Default: all of them. `() => false` removes nothing.
   */
  readonly mayHaveProduced?: (path: string) => boolean;
}

/**
 * Writes `files` under `outDir` (only those whose content changed), removing files the
 * generator owns there but no longer produces. With `check: true` nothing is written and
 * the report lists what would change.
 * @throws ContractError, before writing anything, when a file to write exists and is not
 * the generator's (see `owned`).
 */
export async function writeGenerated(
  outDir: string,
  files: readonly GeneratedFile[],
  options: WriteOptions = {},
): Promise<WriteReport> {
  const changed: string[] = [];
  const unchanged: string[] = [];
  const wanted = new Set(files.map((f) => f.path));
  const owned = options.owned;
  if (owned && !options.check) {
    const foreign: string[] = [];
    for (const file of files) {
      const current = await readOrUndefined(join(outDir, file.path));
      if (current !== undefined && !owned(file.path, current)) foreign.push(join(outDir, file.path));
    }
    if (foreign.length > 0) {
      throw new ContractError(
        foreign[0]!,
        `not written by orbitalis (no @generated header): refusing to overwrite ${foreign.join(", ")}. Move it away or choose another --out`,
      );
    }
  }
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
  const mayHaveProduced = options.mayHaveProduced ?? (() => true);
  const candidates = (await listFiles(outDir)).filter((p) => !wanted.has(p) && mayHaveProduced(p));
  const stale: string[] = [];
  for (const p of candidates) {
    if (!owned) stale.push(p);
    else {
      const content = await readOrUndefined(join(outDir, p));
      if (content !== undefined && owned(p, content)) stale.push(p);
    }
  }
  if (!options.check) {
    for (const p of stale) await rm(join(outDir, p));
  }
  return { changed, stale, unchanged };
}
