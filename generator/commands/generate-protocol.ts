/**
 * `orbitalis generate-protocol`: the Orbitalis spec -> the protocol module.
 */
import { basename, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { emitProtocol } from "../emit-protocol.js";
import { loadSpec } from "../load-spec.js";
import { packageRoot } from "../paths.js";
import { buildProtocolModel } from "../protocol-model.js";
import { writeGenerated } from "../write.js";
import { report, type Io } from "./io.js";

export const GENERATE_PROTOCOL_HELP = `usage: orbitalis generate-protocol [--spec FILE] [--out DIR] [--check]

Generates the protocol module (message types, precompiled validators, channel address
builders) from the Orbitalis AsyncAPI spec.

  --spec FILE   the spec (default: the one this package ships)
  --out DIR     where to write (default: generated/protocol beside the spec's package)
  --check       write nothing; exit 1 when DIR differs from what the spec produces`;

export async function generateProtocol(args: string[], io: Io): Promise<number> {
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
  const result = await writeGenerated(outDir, files, { check: values.check });
  return report(io, outDir, result, values.check, started, "npm run generate");
}
