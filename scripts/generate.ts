/**
 * Regenerates everything this repository commits from specs (`npm run generate`), or
 * checks that it is in sync (`npm run check:generated`, as CI does):
 *   spec/orbitalis.asyncapi.yaml          -> generated/protocol/, docs/protocol.md
 *   examples/contracts/<name>.asyncapi.yaml -> generated/examples/<name>/
 */
import { readdirSync } from "node:fs";
import { main } from "../generator/cli.js";

const check = process.argv.includes("--check");
const flags = check ? ["--check"] : [];
const runs: string[][] = [
  ["generate-protocol", ...flags],
  ["docs", "spec/orbitalis.asyncapi.yaml", "--out", "docs/protocol.md", ...flags],
];
for (const file of readdirSync("examples/contracts").sort()) {
  const name = file.replace(/\.asyncapi\.ya?ml$/, "");
  if (name === file) continue;
  // In check mode the type check is left to `npm run typecheck`, which compiles generated/ too.
  runs.push([
    "generate",
    `examples/contracts/${file}`,
    "--out",
    `generated/examples/${name}`,
    ...flags,
    ...(check ? ["--no-check-types"] : []),
  ]);
}
let status = 0;
for (const args of runs) {
  const code = await main(args);
  if (code !== 0) status = code;
}
process.exitCode = status;
