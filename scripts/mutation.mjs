// npm run mutation -- mutation testing of runtime/orb and runtime/bus with StrykerJS
// (stryker.config.mjs, vitest.mutation.config.ts; docs/mutation.md). Runs Stryker
// incrementally (results of unchanged code and tests are reused from reports/mutation/),
// then reads its JSON report (mutation-testing-report-schema) and prints the mutation score
// per folder. Exits 1 when Stryker fails or runtime/orb scores below 80%.
//
//   npm run mutation                        every file of both folders (incremental)
//   npm run mutation -- --changed <rev>     only the files of both folders changed since <rev>
//                                           (git diff, working tree included); its own
//                                           reports in reports/mutation/changed/
//   npm run mutation -- --full              every mutant again (Stryker's --force: the
//                                           incremental file is rewritten, not read)
//   npm run mutation -- --report-only       print the scores of the last run, run nothing
//   npm run mutation -- --report <file>     print the scores of that JSON report, run nothing
/* global process, console */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const FOLDERS = ["runtime/orb", "runtime/bus"];
/** The gate: the orbs' rules are what the tests must pin down. */
const MINIMUM = { "runtime/orb": 80 };
/** Mutants in the score (Stryker's "mutation score of all valid mutants"). */
const DETECTED = new Set(["Killed", "Timeout"]);
const UNDETECTED = new Set(["Survived", "NoCoverage"]);

const usage = "usage: npm run mutation -- [--changed <git-rev>] [--full] [--report-only | --report <file>]";
const args = process.argv.slice(2);
let changed;
let reportFile;
let run = true;
let full = false;
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  if (arg === "--changed" && args[i + 1] && !args[i + 1].startsWith("--")) changed = args[++i];
  else if (arg === "--full") full = true;
  else if (arg === "--report-only") run = false;
  else if (arg === "--report" && args[i + 1]) {
    reportFile = args[++i];
    run = false;
  } else {
    console.error(`mutation: unknown or incomplete argument ${arg}\n${usage}`);
    process.exit(2);
  }
}

const reports = changed === undefined ? "reports/mutation" : "reports/mutation/changed";
reportFile ??= join(reports, "mutation.json");

if (run) {
  const stryker = ["stryker", "run", "stryker.config.mjs"];
  if (changed !== undefined) {
    const diff = spawnSync("git", ["diff", "--name-only", "--diff-filter=d", changed, "--", ...FOLDERS], {
      cwd: root,
      encoding: "utf8",
    });
    const untracked = spawnSync("git", ["ls-files", "--others", "--exclude-standard", "--", ...FOLDERS], {
      cwd: root,
      encoding: "utf8",
    });
    if (diff.status !== 0) {
      console.error(`mutation: git diff ${changed} failed: ${diff.stderr.trim()}`);
      process.exit(2);
    }
    const files = [...new Set(`${diff.stdout}\n${untracked.stdout}`.split("\n"))].filter(
      (f) => f.endsWith(".ts") && existsSync(join(root, f)),
    );
    if (files.length === 0) {
      console.log(`mutation: no file of ${FOLDERS.join(" or ")} changed since ${changed}; nothing to mutate`);
      process.exit(0);
    }
    console.log(`mutation: ${files.length} file(s) changed since ${changed}: ${files.join(" ")}`);
    stryker.push("--mutate", files.join(","));
  }
  if (full) stryker.push("--force");
  const started = Date.now();
  const result = spawnSync("npx", stryker, {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, ORBITALIS_MUTATION_REPORTS: reports },
  });
  console.log(`mutation: Stryker took ${Math.round((Date.now() - started) / 1000)} s`);
  if (result.status !== 0) {
    console.error(`mutation: Stryker failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
}

const path = resolve(root, reportFile);
if (!existsSync(path)) {
  console.error(`mutation: no report at ${relative(root, path)} (run npm run mutation first)`);
  process.exit(2);
}
/** @type {{ files: Record<string, { mutants: { status: string }[] }> }} */
const report = JSON.parse(readFileSync(path, "utf8"));

/** Counts per status, per folder (and per file, for the table of survivors). */
const byFolder = new Map(FOLDERS.map((f) => [f, {}]));
for (const [file, { mutants }] of Object.entries(report.files)) {
  const name = relative(root, join(root, file)).replaceAll("\\", "/");
  const folder = FOLDERS.find((f) => name.startsWith(`${f}/`));
  if (folder === undefined) continue;
  const counts = byFolder.get(folder);
  for (const { status } of mutants) counts[status] = (counts[status] ?? 0) + 1;
}

let failed = false;
console.log(`\nmutation score per folder (${relative(root, path)}):`);
for (const [folder, counts] of byFolder) {
  const detected = [...DETECTED].reduce((n, s) => n + (counts[s] ?? 0), 0);
  const undetected = [...UNDETECTED].reduce((n, s) => n + (counts[s] ?? 0), 0);
  const total = detected + undetected;
  const detail = Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([s, n]) => `${s} ${n}`)
    .join(", ");
  if (total === 0) {
    console.log(`  ${folder}: no mutant tested${detail ? ` (${detail})` : ""}`);
    continue;
  }
  const score = (100 * detected) / total;
  const minimum = MINIMUM[folder];
  const low = minimum !== undefined && score < minimum;
  failed ||= low;
  console.log(
    `  ${folder}: ${score.toFixed(2)}% (${detected} of ${total} detected; ${detail})` +
      (minimum === undefined ? "" : low ? `  BELOW the minimum ${minimum}%` : `  (minimum ${minimum}%)`),
  );
}
if (changed !== undefined) console.log("  (only the files changed since the given revision)");
process.exit(failed ? 1 : 0);
