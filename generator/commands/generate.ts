/**
 * `orbitalis generate <contract> --out <dir>`: a user's AsyncAPI contract -> typed
 * cores and plugins. Nothing is written unless the whole contract is valid and the
 * generated code compiles. With `--watch`, again on every change of the contract or of a
 * file it references, until Ctrl-C.
 */
import { basename, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { checkGenerated } from "../emit/check-code.js";
import { buildContractModel } from "../model/contract-model.js";
import { emitContract, isGenerated } from "../emit/emit-contract.js";
import { loadSpec } from "../load/load-spec.js";
import { watchContract } from "../watch.js";
import { writeGenerated } from "../emit/write.js";
import { report, UsageError, type Io } from "./io.js";

/** The help of `orbitalis generate`. */
export const GENERATE_HELP = `usage: orbitalis generate <contract.asyncapi.yaml> --out <dir> [--check | --watch] [--no-check-types]

Generates typed Orbitalis code from an AsyncAPI 3.0 contract: <dir>/index.ts (the
contract type, a class per plugin, core and hybrid type of x-orbitalis), types.ts,
schemas.ts, validators.ts (precompiled), fakes.ts (test doubles: a fake per plugin type,
a core started against fakes in one call) and schemas/*.json (for other languages). The
code imports only "orbitalis" and its subpaths. Nothing is written when the contract has
an error, and a file without the @generated header is never overwritten. The contract may $ref schemas
in other files (relative paths, YAML or JSON); remote URLs are refused.

  --out DIR           where to write (required)
  --check             write nothing; exit 1 when DIR differs from what the contract produces
  --watch             generate, then again whenever the contract or a file it references
                      changes (printing which, and the result or the error) until Ctrl-C
  --no-check-types    skip type-checking the generated code before writing it

Exit status: 0 written (or in sync, or --watch stopped), 1 the contract has errors (or
--check found differences), 2 usage error or a file that cannot be read.`;

interface GenerateOptions {
  readonly out: string;
  readonly check: boolean;
  readonly checkTypes: boolean;
}

/** Runs `orbitalis generate` with its arguments; resolves with the exit code. */
export async function generate(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: "string" },
      check: { type: "boolean", default: false },
      watch: { type: "boolean", default: false },
      "no-check-types": { type: "boolean", default: false },
    },
    strict: true,
  });
  if (positionals.length !== 1) throw new UsageError("give exactly one contract file");
  if (values.out === undefined) throw new UsageError("--out <dir> is required");
  if (values.watch && values.check)
    throw new UsageError("--watch writes: it cannot be combined with --check");
  const file = positionals[0]!;
  const options: GenerateOptions = {
    out: values.out,
    check: values.check,
    checkTypes: !values["no-check-types"],
  };
  if (!values.watch) return generateOnce(file, options, io);

  // Until SIGINT (Ctrl-C) or SIGTERM: a run's error is printed and the watch goes on.
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const watcher = watchContract({ file, io, run: () => generateOnce(file, options, io) });
  await stopped;
  process.off("SIGINT", stop);
  process.off("SIGTERM", stop);
  await watcher.close();
  io.err("stopped watching");
  return 0;
}

/** One generation of `file`; resolves with the exit code, throws a ContractError on an error. */
async function generateOnce(file: string, values: GenerateOptions, io: Io): Promise<number> {
  const outDir = resolve(values.out);
  const started = Date.now();
  io.err(`reading ${file}`);
  const spec = await loadSpec(file);
  for (const note of spec.notes) if (!note.startsWith("info")) io.err(`  ${note}`);
  const model = buildContractModel(spec);
  for (const warning of model.warnings) io.err(`  warning: ${warning}`);
  io.err(
    `emitting ${model.operations.length} operations, ${model.messages.length} messages, ` +
      `${model.plugins.length} plugin, ${model.cores.length} core and ${model.hybrids.length} hybrid types`,
  );
  const files = await emitContract(model, basename(file));
  if (values.checkTypes) {
    io.err(`type-checking ${files.filter((f) => f.path.endsWith(".ts")).length} files`);
    checkGenerated(outDir, files);
  }
  const result = await writeGenerated(outDir, files, {
    check: values.check,
    owned: isGenerated,
    // What a contract produces: TypeScript files at the top, schemas in schemas/.
    mayHaveProduced: (path) => /^[^/\\]+\.ts$/.test(path) || /^schemas[/\\][^/\\]+\.json$/.test(path),
  });
  return report(
    io,
    outDir,
    result,
    values.check,
    started,
    `orbitalis generate ${relative(process.cwd(), file) || file} --out ${values.out}`,
  );
}
