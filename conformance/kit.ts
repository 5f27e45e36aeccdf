/**
 * The conformance kit: picks the scenarios for a role and a bus, runs them one after the
 * other against the implementation, prints a line per scenario and the table, writes the
 * reports. `orbitalis conformance` is its command line.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { busKind } from "./bus-url.js";
import {
  applyExpectFail,
  buildReport,
  junit,
  progressLine,
  table,
  type Report,
  type ReportEntry,
} from "./report.js";
import { runScenario, type ScenarioResult } from "./runner.js";
import type { Role, Scenario } from "./scenario.js";

/** What a kit run is given. */
export interface KitOptions {
  /** Shell command that starts the adapter. */
  readonly implementation: string;
  readonly role: Role;
  readonly busUrl: string;
  readonly scenarios: readonly Scenario[];
  /** Only these scenario ids (all of the role when absent). */
  readonly only?: readonly string[];
  /** Scenario ids known to fail. */
  readonly expectFail?: ReadonlySet<string>;
  readonly timeoutScale?: number;
  readonly reportFile?: string;
  readonly junitFile?: string;
}

/** Where the kit prints: progress and the table. */
export type Print = (line: string) => void;

/** Why a scenario is not run on this bus, or undefined when it is. */
export function skipReason(scenario: Scenario, bus: string): string | undefined {
  if (scenario.buses === undefined || scenario.buses.includes(bus)) return undefined;
  return `needs a ${scenario.buses.join(" or ")} bus (this run: ${bus})`;
}

/**
 * The scenarios of the run: those of the role (and of `only`, when given). @throws Error
 * naming an id of `only` that no scenario of the role has.
 */
export function selectScenarios(all: readonly Scenario[], role: Role, only?: readonly string[]): Scenario[] {
  const ofRole = all.filter((s) => s.role === role);
  if (only === undefined) return ofRole;
  const unknown = only.filter((id) => !ofRole.some((s) => s.id === id));
  if (unknown.length > 0)
    throw new Error(`--only: no ${role} scenario ${unknown.map((u) => JSON.stringify(u)).join(", ")}`);
  return ofRole.filter((s) => only.includes(s.id));
}

/** Runs the kit; resolves with the report (exit status: 0 when nothing failed, else 1). */
export async function runKit(options: KitOptions, print: Print): Promise<Report> {
  const bus = busKind(options.busUrl) ?? "unknown";
  const chosen = selectScenarios(options.scenarios, options.role, options.only);
  const expected = options.expectFail ?? new Set<string>();
  print(`orbitalis conformance: ${chosen.length} ${options.role} scenarios over ${options.busUrl}`);
  const entries: ReportEntry[] = [];
  for (const [n, scenario] of chosen.entries()) {
    const position = `[${String(n + 1).padStart(String(chosen.length).length)}/${chosen.length}]`;
    const reason = skipReason(scenario, bus);
    const result: ScenarioResult = reason
      ? {
          id: scenario.id,
          rule: scenario.rule,
          role: scenario.role,
          title: scenario.title,
          status: "skipped",
          durationMs: 0,
          skipped: reason,
        }
      : await runScenario(scenario, {
          implementation: options.implementation,
          busUrl: options.busUrl,
          timeoutScale: options.timeoutScale ?? 1,
        });
    const entry = applyExpectFail(result, expected);
    entries.push(entry);
    print(progressLine(entry, position));
    if (entry.status === "failed") print(`        ${entry.failure ?? ""}`);
  }
  const report = buildReport(entries);
  print("");
  for (const line of table(report)) print(line);
  if (options.reportFile) await writeOut(options.reportFile, `${JSON.stringify(report, null, 2)}\n`);
  if (options.junitFile) await writeOut(options.junitFile, junit(report));
  return report;
}

async function writeOut(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
}
