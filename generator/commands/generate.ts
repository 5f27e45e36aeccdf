/**
 * `orbitalis generate <contract> --out <dir>`: a user's AsyncAPI contract -> typed
 * cores and plugins. Nothing is written unless the whole contract is valid and the
 * generated code compiles.
 */
import { basename, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { checkGenerated } from "../check-code.js";
import { buildContractModel } from "../contract-model.js";
import { emitContract, isGenerated } from "../emit-contract.js";
import { loadSpec } from "../load-spec.js";
import { writeGenerated } from "../write.js";
import { report, UsageError, type Io } from "./io.js";

export const GENERATE_HELP = `usage: orbitalis generate <contract.asyncapi.yaml> --out <dir> [--check] [--no-check-types]

Generates typed Orbitalis code from an AsyncAPI 3.0 contract: <dir>/index.ts (the
contract type, a class per plugin and core type of x-orbitalis), types.ts, schemas.ts,
validators.ts (precompiled) and schemas/*.json (for other languages). The code imports
the runtime as "orbitalis". Nothing is written when the contract has an error, and a
file without the @generated header is never overwritten.

  --out DIR           where to write (required)
  --check             write nothing; exit 1 when DIR differs from what the contract produces
  --no-check-types    skip type-checking the generated code before writing it

Exit status: 0 written (or in sync), 1 the contract has errors (or --check found
differences), 2 usage error or a file that cannot be read.`;

export async function generate(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: "string" },
      check: { type: "boolean", default: false },
      "no-check-types": { type: "boolean", default: false },
    },
    strict: true,
  });
  if (positionals.length !== 1) throw new UsageError("give exactly one contract file");
  if (values.out === undefined) throw new UsageError("--out <dir> is required");
  const file = positionals[0]!;
  const outDir = resolve(values.out);
  const started = Date.now();
  io.err(`reading ${file}`);
  const spec = await loadSpec(file);
  for (const note of spec.notes) if (!note.startsWith("info")) io.err(`  ${note}`);
  const model = buildContractModel(spec);
  for (const warning of model.warnings) io.err(`  warning: ${warning}`);
  io.err(
    `emitting ${model.operations.length} operations, ${model.messages.length} messages, ` +
      `${model.plugins.length} plugin and ${model.cores.length} core types`,
  );
  const files = await emitContract(model, basename(file));
  if (!values["no-check-types"]) {
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
