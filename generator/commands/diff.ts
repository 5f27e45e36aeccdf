/**
 * `orbitalis diff <old> <new>`: classifies every change between two revisions of a contract
 * as compatible or breaking for deployed orbs, and says per operation whether deployed and
 * new orbs still connect. Exit 0 all compatible, 1 a breaking change (or, with --strict, a
 * re-fingerprinted operation), 2 unusable input.
 */
import { parseArgs } from "node:util";
import { ContractError } from "orbitalis";
import { buildContractModel } from "../model/contract-model.js";
import type { ContractModel } from "../model/contract-types.js";
import { diffContracts } from "../diff/contract-diff.js";
import { formatReport, reportJson } from "../diff/format.js";
import { DATA_KINDS, dataVerdict, FIXED_RULES, type DataKindName, type DiffReport } from "../diff/rules.js";
import { loadSpec } from "../load/load-spec.js";
import { UsageError, type Io } from "./io.js";

function rulesTable(): string {
  const kinds = Object.keys(DATA_KINDS) as DataKindName[];
  const width = Math.max(...kinds.map((k) => k.length), ...Object.keys(FIXED_RULES).map((k) => k.length));
  const data = kinds.map(
    (k) =>
      `  ${k.padEnd(width)}  ${dataVerdict(k, "input").padEnd(10)}  ${dataVerdict(k, "output").padEnd(10)}  ${DATA_KINDS[k].summary}`,
  );
  const fixed = Object.entries(FIXED_RULES).map(
    ([id, rule]) => `  ${id.padEnd(width)}  ${rule.verdict.padEnd(10)}  ${rule.summary}`,
  );
  return [`  ${"change".padEnd(width)}  input       output`, ...data, "", ...fixed].join("\n");
}

/** `orbitalis diff --help`. */
export const DIFF_HELP = `usage: orbitalis diff <old.asyncapi.yaml> <new.asyncapi.yaml> [--json] [--strict]

Classifies every change between two revisions of a contract as compatible or breaking
for deployed orbs (doc: a description or example, no verdict). The model: orbs built
from the old contract keep running while orbs built from the new one join, plugins first. An operation's input (core -> plugin) must
not narrow: new plugins must accept what deployed cores send. Its output (replies and
pushes, plugin -> core) must not widen: deployed cores must accept what new plugins send.
Plugin and hybrid types must not lend less (deployed cores rely on it); core and hybrid
types requiring more break deployments that provide only what the old revision asked.
Descriptions and examples are "doc" changes.

Orbitalis matches schemas by fingerprint (SCH-3), so any edit to a message's payload,
even a compatible one or a description, changes its fingerprint: per operation the
handshake is "same", "shared" (old and new share a schema: deployed and new orbs connect)
or "re-fingerprinted" (they do not connect until both sides run the new contract; keep the
old message next to the new one to avoid it). A re-fingerprinted operation is a warning,
not a breaking change, unless --strict.

  --json     print one JSON object: {compatible, connected, changes: [{verdict, operation,
             message, direction, path, change, rule}], operations: [{name, status,
             handshake, notes}]}
  --strict   also fail (exit 1) when an operation is re-fingerprinted

Rules (docs/contract-diff.md explains each). A change to a payload or to an operation's
messages is rule DIFF-INPUT-<change> or DIFF-OUTPUT-<change>, by the way its data flows:
${rulesTable()}

Exit status: 0 all compatible, 1 a breaking change (with --strict: or a re-fingerprinted
operation), 2 usage error, a file that cannot be read, or an invalid contract.`;

async function load(file: string): Promise<ContractModel> {
  return buildContractModel(await loadSpec(file));
}

/** Runs `orbitalis diff`; resolves with the exit code. */
export async function diff(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: { json: { type: "boolean", default: false }, strict: { type: "boolean", default: false } },
  });
  if (positionals.length !== 2) throw new UsageError("give the old and the new contract");
  const [oldFile, newFile] = positionals as [string, string];
  let before: ContractModel;
  let after: ContractModel;
  try {
    before = await load(oldFile);
    after = await load(newFile);
  } catch (error) {
    // Both an unreadable file and an invalid contract are unusable input here: nothing to compare.
    if (!(error instanceof ContractError)) throw error;
    io.err(`error: ${error.message}`);
    return 2;
  }
  const report = diffContracts(before, after);
  if (values.json) io.out(reportJson(report, values.strict));
  else for (const line of formatReport(report, values.strict)) io.out(line);
  return exitStatus(report, values.strict);
}

/** 1 when a change is breaking or, with `strict`, an operation is re-fingerprinted; else 0. */
export function exitStatus(report: DiffReport, strict: boolean): number {
  return !report.compatible || (strict && !report.connected) ? 1 : 0;
}
