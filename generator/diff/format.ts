/**
 * How `orbitalis diff` prints a report: a table of changes, a warning per re-fingerprinted
 * operation and a summary line (for people), or one JSON object (for programs).
 */
import type { DiffChange, DiffReport } from "./rules.js";

/** Where a change is, in words: `set_target input Target #/properties/celsius`, `plugin Thermostat`. */
export function whereOf(change: DiffChange): string {
  const parts: string[] = [];
  if (change.scope !== undefined) parts.push(change.scope);
  if (change.operation !== null) parts.push(change.operation);
  if (change.scope === undefined) {
    if (change.direction !== null) parts.push(change.direction);
    if (change.message !== null) parts.push(change.message);
    if (change.path !== null && change.message !== null) parts.push(change.path);
  } else if (change.message !== null) parts.push(change.message);
  return parts.join(" ");
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The summary line: counts of changes by verdict, and the operations whose handshake changed. */
export function summaryLine(report: DiffReport): string {
  const count = (verdict: string): number => report.changes.filter((c) => c.verdict === verdict).length;
  const [breaking, compatible, doc] = [count("breaking"), count("compatible"), count("doc")];
  const counts =
    report.changes.length === 0
      ? "no changes"
      : `${breaking} breaking, ${compatible} compatible${doc > 0 ? `, ${doc} doc` : ""} changes`;
  const moved = report.operations.filter(
    (o) => o.handshake === "re-fingerprinted" || o.handshake === "shared",
  );
  const handshake =
    moved.length === 0 ? "unchanged" : moved.map((o) => `${o.name} ${o.handshake ?? ""}`).join(", ");
  return `${counts}; handshake: ${handshake}`;
}

/** The report as lines for a terminal. `strict`: re-fingerprinted operations fail the run. */
export function formatReport(report: DiffReport, strict: boolean): string[] {
  const lines = [`orbitalis diff ${report.old} -> ${report.new}`];
  if (report.changes.length > 0) {
    const rows = report.changes.map((c) => [c.verdict, whereOf(c), c.change, c.rule]);
    const header = ["verdict", "where", "change", "rule"];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]): string =>
      cells
        .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join("  ")
        .trimEnd();
    lines.push("", line(header), ...rows.map(line));
  }
  const reFingerprinted = report.operations.filter((o) => o.handshake === "re-fingerprinted");
  if (reFingerprinted.length > 0) lines.push("");
  for (const op of reFingerprinted) {
    const [remedy, ...who] = [op.notes[op.notes.length - 1] ?? "", ...op.notes.slice(0, -1)];
    lines.push(
      `${strict ? "error" : "warning"}: ${op.name} is re-fingerprinted (SCH-3): ${who.join("; ")}`,
      `  ${remedy}`,
    );
  }
  lines.push("", summaryLine(report));
  if (!report.compatible)
    lines.push(
      `not compatible: ${plural(report.changes.filter((c) => c.verdict === "breaking").length, "breaking change")}`,
    );
  else if (strict && !report.connected)
    lines.push(
      `not compatible under --strict: ${plural(reFingerprinted.length, "re-fingerprinted operation")}`,
    );
  else
    lines.push(
      report.connected ? "compatible" : "compatible data (deployed and new orbs will not all connect)",
    );
  return lines;
}

/** The report as one JSON document. */
export function reportJson(report: DiffReport, strict: boolean): string {
  return JSON.stringify(
    {
      old: report.old,
      new: report.new,
      compatible: report.compatible,
      connected: report.connected,
      strict,
      changes: report.changes.map((c) => ({
        verdict: c.verdict,
        operation: c.operation,
        message: c.message,
        direction: c.direction,
        path: c.path,
        change: c.change,
        rule: c.rule,
        ...(c.scope === undefined ? {} : { scope: c.scope }),
      })),
      operations: report.operations,
    },
    null,
    2,
  );
}
