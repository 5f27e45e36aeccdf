/**
 * The `orbitalis` command line (the @orbitalis/cli package): generate, docs, validate,
 * diff, generate-protocol, conformance. Each command is in `commands/`; this file
 * dispatches and turns every failure into one line and an exit status (never a stack
 * trace, unless ORBITALIS_DEBUG is set).
 */
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { OrbitalisError } from "orbitalis";
import { CONFORMANCE_HELP, conformance } from "./commands/conformance.js";
import { DIFF_HELP, diff } from "./commands/diff.js";
import { DOCS_HELP, docs } from "./commands/docs.js";
import { GENERATE_HELP, generate } from "./commands/generate.js";
import { GENERATE_PROTOCOL_HELP, generateProtocol } from "./commands/generate-protocol.js";
import { parseProblem, usageProblem } from "./commands/arguments.js";
import { UsageError, type Io } from "./commands/io.js";
import { VALIDATE_HELP, validate } from "./commands/validate.js";
import { UnreadableFileError } from "./load/load-spec.js";
import { packageRoot } from "./paths.js";

export { packageRoot } from "./paths.js";
export type { Io } from "./commands/io.js";

const HELP = `orbitalis: the Orbitalis toolchain

Usage:
  orbitalis generate <contract.asyncapi.yaml> --out <dir> [--check | --watch]
      Typed cores, plugins and hybrids from an AsyncAPI 3.0 contract (index.ts, types,
      schemas, precompiled validators, fakes for tests); --watch regenerates on change.
  orbitalis docs <spec.yaml> --out <file.md> [--check]
      Markdown documentation of the protocol spec or of a contract.
  orbitalis validate <spec.yaml> <message.json | -> [--message Name]
      Validate a message against a spec; exit 0 valid, 1 invalid, 2 usage or unreadable input.
  orbitalis diff <old.asyncapi.yaml> <new.asyncapi.yaml> [--json] [--strict]
      Classify the changes between two revisions of a contract; exit 0 compatible,
      1 a breaking change, 2 usage or unusable input.
  orbitalis generate-protocol [--spec FILE] [--out DIR] [--check]
      The protocol module from the Orbitalis spec (for Orbitalis itself).
  orbitalis conformance --implementation "<command>" --role plugin|core --bus <url> [options]
      Test an implementation of the protocol (any language, through an adapter)
      by its behaviour on the wire; exit 0 all passed, 1 a scenario failed, 2 usage.
  orbitalis help [command] | <command> --help    Help.
  orbitalis version | --version                   The version.`;

const COMMANDS: Record<string, { help: string; run: (args: string[], io: Io) => Promise<number> }> = {
  generate: { help: GENERATE_HELP, run: generate },
  docs: { help: DOCS_HELP, run: docs },
  validate: { help: VALIDATE_HELP, run: validate },
  diff: { help: DIFF_HELP, run: diff },
  "generate-protocol": { help: GENERATE_PROTOCOL_HELP, run: generateProtocol },
  conformance: { help: CONFORMANCE_HELP, run: conformance },
};

const defaultIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

async function version(): Promise<string> {
  const pkg = JSON.parse(await readFile(join(packageRoot(), "package.json"), "utf8")) as { version: string };
  return pkg.version;
}

/** Runs the CLI with `argv` (without node and script); resolves with the exit code. */
export async function main(argv: readonly string[], io: Io = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    io.err(HELP);
    return 2;
  }
  if (command === "help" || command === "--help" || command === "-h") {
    const topic = rest[0] === undefined ? undefined : COMMANDS[rest[0]];
    io.out(topic ? topic.help : HELP);
    return 0;
  }
  if (command === "version" || command === "--version" || command === "-v") {
    io.out(await version());
    return 0;
  }
  const entry = COMMANDS[command];
  if (!entry) {
    io.err(`orbitalis: unknown command ${JSON.stringify(command)}\n`);
    io.err(HELP);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.out(entry.help);
    return 0;
  }
  try {
    return await entry.run(rest, io);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    // One line naming the problem and the usage line, not the whole help (a page for diff).
    if (error instanceof UsageError) return usageProblem(io, command, entry.help, error.message);
    if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS"))
      return usageProblem(io, command, entry.help, parseProblem(error).message);
    if (error instanceof OrbitalisError) {
      io.err(`error: ${error.message}`);
      // A file that cannot be read is unusable input (2), like a usage error; a contract with errors is 1.
      return error instanceof UnreadableFileError ? 2 : 1;
    }
    io.err(`error: ${(error as Error).message ?? String(error)}`);
    if (process.env.ORBITALIS_DEBUG) io.err(String((error as Error).stack));
    return 2;
  }
}

// Run when executed directly (tsx generator/cli.ts ...); the package's bin imports main().
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
