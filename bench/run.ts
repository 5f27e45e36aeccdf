/**
 * `npm run bench`: every scenario, Orbitalis and its baselines side by side in one run.
 * Writes `bench/results/latest.json` (every figure, the machine, versions, date, and the
 * issue's targets as `{ name, measured, target, met }`) and `bench/results/latest.md`
 * (the tables the README's performance section is made of). With `--readme`, also puts
 * those tables into README.md between its `bench:begin` / `bench:end` markers.
 *
 *   npm run bench [-- --readme] [-- --quick]
 *
 * `--quick` runs fewer samples (a smoke run, for trying the harness; its figures are noisy).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { format, resolveConfig } from "prettier";
import { runFootprint, runLocal, type FootprintFigures, type LocalFigures } from "./local.js";
import {
  measureCalls,
  measureCompliance,
  measureKillDetection,
  type CallFigures,
  type ComplianceFigures,
  type DetectionFigures,
} from "./remote.js";
import { renderMarkdown, targetsOf, type BenchResults } from "./report.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: { readme: { type: "boolean", default: false }, quick: { type: "boolean", default: false } },
});
const quick = values.quick;
const started = Date.now();
const step = (text: string): void => {
  console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${text}`);
};

function versionOf(pkg: string): string {
  try {
    const file = join(ROOT, "node_modules", pkg, "package.json");
    return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
  } catch {
    return "?";
  }
}

step("LocalBus: execute() throughput and request() latency, next to EventEmitter (+ ajv)");
const local: LocalFigures = await runLocal(quick ? 50_000 : 200_000, quick ? 2000 : 20_000);
step("footprint: 1 core + 1,000 plugins on the LocalBus");
const footprint: FootprintFigures = await runFootprint(1000);
const calls: CallFigures[] = [];
const callOptions = quick
  ? { samples: 300, round: 100, messages: 5000, bursts: 1, window: 1000 }
  : // Rounds of 1,000 requests per contender in turn: a noisy moment hits every contender,
    // and each runs warm, as a process serving steady traffic does (switching every 100
    // requests cost the contender with the most code per message about 0.02 ms more).
    { samples: 10_000, round: 1000, messages: 50_000, bursts: 5, window: 1000 };
for (const transport of ["mqtt", "nats"] as const) {
  step(`${transport}: request round trip and one-way throughput, Orbitalis / raw / Moleculer`);
  calls.push(...(await measureCalls(transport, ["raw", "orbitalis", "moleculer"], callOptions)));
}
const compliance: ComplianceFigures[] = [];
for (const plugins of [1, 10, 100]) {
  step(`mqtt: time to compliance with ${plugins} plugin(s), Orbitalis / Moleculer waitForServices`);
  compliance.push(await measureCompliance("orbitalis", plugins));
  compliance.push(await measureCompliance("moleculer", plugins));
}
const detection: DetectionFigures[] = [];
for (const transport of ["mqtt", "nats"] as const) {
  step(`${transport}: detection of a plugin process killed with SIGKILL`);
  detection.push(await measureKillDetection(transport));
}

const results: BenchResults = {
  date: new Date().toISOString(),
  durationSeconds: Math.round((Date.now() - started) / 1000),
  quick,
  machine: {
    cpu: cpus()[0]?.model ?? "?",
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    platform: `${process.platform} ${process.arch}`,
    node: process.version,
  },
  versions: Object.fromEntries(
    ["orbitalis", "mqtt", "@nats-io/transport-node", "nats", "moleculer", "ajv"].map((p) => [
      p,
      versionOf(p),
    ]),
  ),
  local,
  footprint,
  calls,
  compliance,
  detection,
  targets: [],
};
results.targets = targetsOf(results);
// Formatted as the repository formats Markdown (CI checks README.md with prettier).
const markdown = await format(renderMarkdown(results), {
  ...(await resolveConfig(join(ROOT, "README.md"))),
  parser: "markdown",
});
const out = join(ROOT, "bench", "results");
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "latest.json"), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(out, "latest.md"), markdown);
console.log(`\n${markdown}`);
step(`wrote bench/results/latest.json and latest.md`);

if (values.readme) {
  const readme = join(ROOT, "README.md");
  const text = readFileSync(readme, "utf8");
  const begin = "<!-- bench:begin -->";
  const end = "<!-- bench:end -->";
  const a = text.indexOf(begin);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`README.md has no ${begin} ... ${end} block`);
  writeFileSync(readme, `${text.slice(0, a + begin.length)}\n\n${markdown}\n${text.slice(b)}`);
  step("README.md's performance tables updated");
}
process.exit(0);
