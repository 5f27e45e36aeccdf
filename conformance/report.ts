/**
 * What a kit run reports: the verdict of each scenario after the expected failures are
 * applied (strictly: a listed scenario that passes fails the run), a table for the
 * terminal, the JSON report and JUnit XML.
 */
import type { ScenarioResult } from "./runner.js";

/** A scenario's verdict in the report. */
export type Verdict = "passed" | "failed" | "skipped" | "expected-failure";

/** One scenario in the report. */
export interface ReportEntry extends Omit<ScenarioResult, "status"> {
  readonly status: Verdict;
}

/** The report of a run (what `--report` writes). */
export interface Report {
  readonly summary: { passed: number; failed: number; skipped: number; expectedFailures: number };
  readonly scenarios: readonly ReportEntry[];
}

/**
 * Reads an expected-failures file: scenario ids, one a line; `#` starts a comment.
 * @returns the ids, in file order.
 */
export function parseExpectFail(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*/, "").trim())
    .filter((line) => line !== "");
}

/**
 * The verdict of a result given the expected failures: a listed failure is an expected
 * failure; a listed pass is a failure (strict, like pytest's strict xfail).
 */
export function applyExpectFail(result: ScenarioResult, expected: ReadonlySet<string>): ReportEntry {
  if (!expected.has(result.id) || result.status === "skipped") return result;
  if (result.status === "failed") return { ...result, status: "expected-failure" };
  return {
    ...result,
    status: "failed",
    failure:
      "passed unexpectedly: it is listed as an expected failure (remove it from the --expect-fail file)",
  };
}

/** The report of these entries, with its summary. */
export function buildReport(entries: readonly ReportEntry[]): Report {
  const count = (v: Verdict): number => entries.filter((e) => e.status === v).length;
  return {
    summary: {
      passed: count("passed"),
      failed: count("failed"),
      skipped: count("skipped"),
      expectedFailures: count("expected-failure"),
    },
    scenarios: entries,
  };
}

const LABEL: Record<Verdict, string> = {
  passed: "pass",
  failed: "FAIL",
  skipped: "skip",
  "expected-failure": "xfail",
};

/** The one line printed when a scenario ends. */
export function progressLine(entry: ReportEntry, position: string): string {
  const time = `${(entry.durationMs / 1000).toFixed(1)}s`;
  return `${position} ${LABEL[entry.status].padEnd(5)} ${entry.id} (${entry.rule}) ${time}`;
}

/** The table printed at the end: scenario, rule, result, time, reason. */
export function table(report: Report): string[] {
  const rows = report.scenarios.map((e) => [
    e.id,
    e.rule,
    LABEL[e.status],
    `${(e.durationMs / 1000).toFixed(1)}s`,
    (e.failure ?? e.skipped ?? "").split("\n")[0]!,
  ]);
  const head = ["scenario", "rule", "result", "time", "reason"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (i === 4 ? 0 : r[i]!.length))));
  const line = (r: string[]): string =>
    r
      .map((c, i) => (i === 4 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  const s = report.summary;
  return [
    line(head),
    ...rows.map(line),
    "",
    `${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped, ${s.expectedFailures} expected failures`,
  ];
}

const xml = (text: string): string =>
  text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    // characters XML 1.0 cannot hold
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD]/gu, "?");

/**
 * JUnit XML: one testsuite per role, one testcase per scenario (classname: the rule id),
 * a failure with its message and transcript; skipped and expected failures are skipped.
 */
export function junit(report: Report): string {
  const roles = [...new Set(report.scenarios.map((s) => s.role))];
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', "<testsuites>"];
  for (const role of roles) {
    const cases = report.scenarios.filter((s) => s.role === role);
    const failures = cases.filter((c) => c.status === "failed").length;
    const skipped = cases.filter((c) => c.status === "skipped" || c.status === "expected-failure").length;
    const time = cases.reduce((t, c) => t + c.durationMs, 0) / 1000;
    out.push(
      `  <testsuite name="orbitalis conformance: ${xml(role)}" tests="${cases.length}" failures="${failures}" skipped="${skipped}" time="${time.toFixed(3)}">`,
    );
    for (const c of cases) {
      const open = `    <testcase name="${xml(`${c.id}: ${c.title}`)}" classname="${xml(c.rule)}" time="${(c.durationMs / 1000).toFixed(3)}"`;
      if (c.status === "passed") {
        out.push(`${open}/>`);
        continue;
      }
      out.push(`${open}>`);
      if (c.status === "failed") {
        out.push(
          `      <failure message="${xml(c.failure ?? "failed")}">${xml((c.transcript ?? []).join("\n"))}</failure>`,
        );
      } else {
        const why =
          c.status === "expected-failure" ? `expected failure: ${c.failure ?? ""}` : (c.skipped ?? "skipped");
        out.push(`      <skipped message="${xml(why)}"/>`);
      }
      out.push("    </testcase>");
    }
    out.push("  </testsuite>");
  }
  out.push("</testsuites>", "");
  return out.join("\n");
}
