/**
 * Wrong command lines of `docs` and `validate`, said in one line with the usage line
 * (exit 2) rather than the whole help: an unknown option, a missing value, a missing or
 * extra argument, a directory or a missing file where a file is expected.
 */
import { stat } from "node:fs/promises";
import type { Io } from "./io.js";

/** A command line that cannot be run: said by {@link usageProblem}. */
export class ArgumentProblem extends Error {}

/** Prints the problem and the usage line (the help's first line); returns 2. */
export function usageProblem(io: Io, command: string, help: string, problem: string): number {
  io.err(`orbitalis ${command}: ${problem}`);
  io.err(`${help.split("\n")[0]!} (orbitalis ${command} --help for more)`);
  return 2;
}

/** `parseArgs`'s error in plain words (`unknown option --x`, `--out needs a value`). */
export function parseProblem(error: unknown): ArgumentProblem {
  const message = (error as Error).message;
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return new ArgumentProblem(`unknown option ${unknown[1]!}`);
  const missing = /Option '(-[^ ']+)[^']*' argument missing/.exec(message);
  if (missing) return new ArgumentProblem(`${missing[1]!} needs a value`);
  const ambiguous = /Option '(-[^ ']+)[^']*' argument is ambiguous/.exec(message);
  if (ambiguous)
    return new ArgumentProblem(
      `${ambiguous[1]!} needs a value (write ${ambiguous[1]!}=VALUE for one that starts with -)`,
    );
  return new ArgumentProblem(message.split("\n")[0]);
}

/** Why `path` is not a readable file (missing, a directory), or undefined when it is one; `role`: `spec`, `message`. */
export async function notAFile(path: string, role: string): Promise<string | undefined> {
  try {
    const info = await stat(path);
    return info.isDirectory() ? `${path} is a directory: give the ${role} file` : undefined;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return code === "ENOENT" ? `no such file: ${path} (the ${role})` : undefined; // other errors: said when it is read
  }
}
