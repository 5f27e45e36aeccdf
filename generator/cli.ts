/**
 * The `orbitalis` command line.
 *
 * - `orbitalis generate-protocol [--spec FILE] [--out DIR] [--check]`: spec -> generated/protocol/
 * - `orbitalis validate <spec> <message.json>`: validate a message against a spec's schemas
 * - `orbitalis help`, `orbitalis version`
 */
import { readFile } from "node:fs/promises";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { OrbitalisError } from "orbitalis";
import { loadSpec } from "./load-spec.js";
import { buildProtocolModel } from "./protocol-model.js";
import { emitProtocol } from "./emit-protocol.js";
import { writeGenerated } from "./write.js";

/** Root of the installed package (works from sources and from dist/). */
export function packageRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.endsWith(join("dist", "generator")) ? resolve(here, "..", "..") : resolve(here, "..");
}

const HELP = `orbitalis: plugin-oriented micro-kernel framework toolkit

Usage:
  orbitalis generate-protocol [--spec FILE] [--out DIR] [--check]
      Generate the protocol module (types, validators, channel addresses) from the
      Orbitalis AsyncAPI spec. --check writes nothing and exits 1 if the output differs.
  orbitalis validate <spec.yaml> <message.json>
      Validate a protocol message (JSON file, or - for standard input) against the
      message schemas of an AsyncAPI spec; exits 0 when valid, 1 when not.
  orbitalis help | --help      Show this help.
  orbitalis version | --version  Show the version.
`;

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

const defaultIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

async function version(): Promise<string> {
  const pkg = JSON.parse(await readFile(join(packageRoot(), "package.json"), "utf8")) as { version: string };
  return pkg.version;
}

async function generateProtocol(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      spec: { type: "string" },
      out: { type: "string" },
      check: { type: "boolean", default: false },
    },
    strict: true,
  });
  const root = packageRoot();
  const specFile = resolve(values.spec ?? join(root, "spec", "orbitalis.asyncapi.yaml"));
  const outDir = resolve(values.out ?? join(root, "generated", "protocol"));
  const started = Date.now();
  io.err(`reading ${relative(process.cwd(), specFile) || specFile}`);
  const spec = await loadSpec(specFile);
  for (const note of spec.notes) io.err(`  ${note}`);
  const model = buildProtocolModel(spec);
  io.err(`emitting ${model.messages.length} message kinds, ${model.channels.length} channels`);
  // The header names the spec by file name only, so output does not depend on where it was generated.
  const files = await emitProtocol(model, basename(specFile));
  const report = await writeGenerated(outDir, files, { check: values.check });
  const where = relative(process.cwd(), outDir) || outDir;
  if (values.check) {
    if (report.changed.length > 0 || report.stale.length > 0) {
      for (const f of report.changed) io.err(`  out of date: ${join(where, f)}`);
      for (const f of report.stale) io.err(`  not produced by the generator: ${join(where, f)}`);
      io.err(`${where} is not in sync with the spec: run \`npm run generate\` and commit the result`);
      return 1;
    }
    io.err(`${where} is in sync with the spec (${files.length} files, ${Date.now() - started} ms)`);
    return 0;
  }
  for (const f of report.changed) io.err(`  wrote ${join(where, f)}`);
  for (const f of report.stale) io.err(`  removed ${join(where, f)}`);
  io.err(
    `${where}: ${report.changed.length} written, ${report.unchanged.length} unchanged (${Date.now() - started} ms)`,
  );
  return 0;
}

async function validate(args: string[], io: Io): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: {} });
  const [specFile, messageFile] = positionals;
  if (specFile === undefined || messageFile === undefined || positionals.length > 2) {
    io.err("usage: orbitalis validate <spec.yaml> <message.json | ->");
    return 2;
  }
  const text = messageFile === "-" ? await readStdin() : await readFile(messageFile, "utf8");
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch (error) {
    io.err(`${messageFile}: not JSON: ${(error as Error).message}`);
    return 1;
  }
  // Loaded lazily: it uses the generated protocol module, which generate-protocol must be able to (re)create.
  const { validateAgainstSpec } = await import("./validate-message.js");
  const result = await validateAgainstSpec(specFile, message);
  if (result.ok) {
    io.out(`valid ${result.kind} message`);
    return 0;
  }
  io.out(`invalid message (${messageFile}):`);
  for (const e of result.errors) io.out(`  ${e}`);
  return 1;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Runs the CLI with `argv` (without node and script); resolves with the exit code. */
export async function main(argv: readonly string[], io: Io = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case "help":
      case "--help":
      case "-h":
        io.out(HELP);
        return command === undefined ? 2 : 0;
      case "version":
      case "--version":
      case "-v":
        io.out(await version());
        return 0;
      case "generate-protocol":
        return await generateProtocol(rest, io);
      case "validate":
        return await validate(rest, io);
      default:
        io.err(`unknown command ${JSON.stringify(command)}\n`);
        io.err(HELP);
        return 2;
    }
  } catch (error) {
    if (error instanceof OrbitalisError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      io.err(`error: ${(error as Error).message}`);
      return 1;
    }
    throw error;
  }
}

// Run when executed directly (tsx generator/cli.ts ...); bin/orbitalis.js imports main().
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
