/**
 * What every command shares: where it prints, how it reports a write or a check, and
 * its usage errors.
 */
import { join, relative } from "node:path";
import type { WriteReport } from "../emit/write.js";

/** Where a command prints: results to `out`, progress and errors to `err`. */
export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** A command line that cannot be run (exit 2). */
export class UsageError extends Error {}

/** Prints what a write (or a check) did; returns the exit code. */
export function report(
  io: Io,
  outDir: string,
  result: WriteReport,
  check: boolean,
  started: number,
  regenerate: string,
): number {
  const where = relative(process.cwd(), outDir) || outDir;
  const total = result.changed.length + result.unchanged.length;
  if (check) {
    if (result.changed.length > 0 || result.stale.length > 0) {
      for (const f of result.changed) io.err(`  out of date: ${join(where, f)}`);
      for (const f of result.stale) io.err(`  not produced by the generator: ${join(where, f)}`);
      io.err(`${where} is not in sync: run \`${regenerate}\` and commit the result`);
      return 1;
    }
    io.err(`${where} is in sync (${total} files, ${Date.now() - started} ms)`);
    return 0;
  }
  for (const f of result.changed) io.err(`  wrote ${join(where, f)}`);
  for (const f of result.stale) io.err(`  removed ${join(where, f)}`);
  io.err(
    `${where}: ${result.changed.length} written, ${result.unchanged.length} unchanged (${Date.now() - started} ms)`,
  );
  return 0;
}
