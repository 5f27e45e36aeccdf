/**
 * `orbitalis generate --watch`: runs a generation again whenever the contract or a file
 * that its `$ref`s reach (transitively) changes. It watches the folders of those files
 * (node's fs.watch, not the files themselves: editors that save by writing a new file and
 * renaming it would otherwise lose the watch), waits for a burst of writes to end before
 * running, recomputes the files after every run (a new `$ref` is watched from then on, a
 * missing file is watched for its creation) and goes on after a failed run.
 */
import { existsSync, watch, type FSWatcher } from "node:fs";
import { basename, dirname, relative, sep } from "node:path";
import { OrbitalisError } from "orbitalis";
import type { Io } from "./commands/io.js";
import { contractFiles, type ContractFile } from "./load/load-spec.js";

/** Options of {@link watchContract}. */
export interface WatchOptions {
  /** The contract's main file. */
  readonly file: string;
  /** One generation: prints its own progress and result, throws on an error. */
  readonly run: () => Promise<unknown>;
  /** Where the watch prints (everything goes to `io.err`, as generation progress does). */
  readonly io: Io;
  /** Quiet time after the last change before a run starts, in ms (default 200). */
  readonly debounceMs?: number;
}

/** A running watch. */
export interface ContractWatch {
  /** Stops watching; resolves once a run in progress has ended. */
  close(): Promise<void>;
}

/** The line a failed run prints: the CLI's `error: ...` (and the stack with ORBITALIS_DEBUG). */
function errorLines(error: unknown): string[] {
  const lines = [`error: ${error instanceof Error ? error.message : String(error)}`];
  if (!(error instanceof OrbitalisError) && process.env.ORBITALIS_DEBUG && error instanceof Error)
    lines.push(String(error.stack));
  return lines;
}

/**
 * The nearest existing folder to watch for `path`, and the entry name in it whose events
 * concern `path` (its own name, or the first missing folder on the way to it).
 */
function watchPoint(path: string): { dir: string; entry: string } {
  let dir = dirname(path);
  let entry = basename(path);
  while (!existsSync(dir) && dirname(dir) !== dir) {
    entry = basename(dir);
    dir = dirname(dir);
  }
  return { dir, entry };
}

/**
 * Runs `run` once, then again after every change of the contract's files, until closed
 * (it starts at once and returns; `run` is never called twice at the same time).
 * Prints which files it watches (and when that changes), which file changed before each
 * run, a failed run's error (`error: ...`; the run prints its own result), and
 * `waiting for changes` when it is ready for the next.
 */
export function watchContract(options: WatchOptions): ContractWatch {
  const { io, file } = options;
  const debounceMs = options.debounceMs ?? 200;
  /** Folder -> entry name in it -> names of the watched files that an event on it concerns. */
  let points = new Map<string, Map<string, string[]>>();
  const watchers = new Map<string, FSWatcher>();
  let watched: readonly ContractFile[] = [];
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let closed = false;

  const onEvent = (dir: string, entry: string | null): void => {
    if (closed) return;
    const entries = points.get(dir);
    if (!entries) return;
    const names = entry === null ? [...entries.values()].flat() : (entries.get(entry) ?? []);
    if (names.length === 0) return;
    for (const name of names) pending.add(name);
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, debounceMs);
  };

  const refresh = async (): Promise<void> => {
    let files: ContractFile[];
    try {
      files = await contractFiles(file);
    } catch (error) {
      for (const line of errorLines(error)) io.err(line);
      return;
    }
    const label = (f: ContractFile): string => (f.exists ? f.name : `${f.name} (missing)`);
    const before = new Set(watched.map(label));
    const after = files.map(label);
    if (watched.length === 0) io.err(`watching ${after.join(", ")}`);
    else {
      const added = after.filter((n) => !before.has(n));
      const removed = [...before].filter((n) => !after.includes(n));
      if (added.length > 0) io.err(`now also watching ${added.join(", ")}`);
      if (removed.length > 0) io.err(`no longer watching ${removed.join(", ")}`);
    }
    watched = files;
    const next = new Map<string, Map<string, string[]>>();
    for (const f of files) {
      const { dir, entry } = watchPoint(f.path);
      const entries = next.get(dir) ?? new Map<string, string[]>();
      entries.set(entry, [...(entries.get(entry) ?? []), f.name]);
      next.set(dir, entries);
    }
    points = next;
    for (const [dir, watcher] of watchers) {
      if (!next.has(dir)) {
        watcher.close();
        watchers.delete(dir);
      }
    }
    for (const dir of next.keys()) {
      if (watchers.has(dir) || closed) continue;
      try {
        const watcher = watch(dir, { persistent: true }, (_event, entry) => onEvent(dir, entry));
        // A folder that goes away ends its watcher; the next run's refresh watches again what exists.
        watcher.on("error", () => {
          watcher.close();
          if (watchers.get(dir) === watcher) watchers.delete(dir);
        });
        watchers.set(dir, watcher);
      } catch (error) {
        io.err(`cannot watch ${relative(process.cwd(), dir) || "."}${sep}: ${(error as Error).message}`);
      }
    }
  };

  const runOnce = async (changed: readonly string[]): Promise<void> => {
    if (changed.length > 0) io.err(`changed: ${changed.join(", ")}`);
    try {
      await options.run();
    } catch (error) {
      for (const line of errorLines(error)) io.err(line);
    }
    if (closed) return;
    await refresh();
    io.err("waiting for changes (Ctrl-C to stop)");
  };

  function flush(): void {
    timer = undefined;
    if (running || closed || pending.size === 0) return;
    const changed = [...pending];
    pending.clear();
    running = runOnce(changed).finally(() => {
      running = undefined;
      // Changes made during the run: their debounce may have fired while it ran.
      if (!timer) flush();
    });
  }

  // Watch first: a change made while the first run reads the files brings another run.
  running = refresh()
    .then(() => runOnce([]))
    .finally(() => {
      running = undefined;
      if (!timer) flush();
    });

  return {
    async close(): Promise<void> {
      if (running && !closed) io.err("stopping after the run in progress");
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
      await running;
    },
  };
}
