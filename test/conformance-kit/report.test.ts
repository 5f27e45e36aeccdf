import { describe, expect, it } from "vitest";
import { applyExpectFail, buildReport, junit, parseExpectFail, table } from "../../conformance/report.js";
import type { ScenarioResult } from "../../conformance/runner.js";

const result = (
  id: string,
  status: ScenarioResult["status"],
  extra: Partial<ScenarioResult> = {},
): ScenarioResult => ({
  id,
  rule: "HS-2",
  role: "plugin",
  title: `title of ${id} <&>`,
  status,
  durationMs: 1234,
  ...extra,
});

describe("expected failures", () => {
  it("reads ids, one a line, with # comments", () => {
    expect(parseExpectFail("# known\nplugin-a\n\n  plugin-b  # since 1.1\r\n#plugin-c\n")).toEqual([
      "plugin-a",
      "plugin-b",
    ]);
  });

  it("a listed failure is expected; a listed pass fails (strict); others keep their verdict", () => {
    const listed = new Set(["a", "b", "s"]);
    expect(applyExpectFail(result("a", "failed", { failure: "x" }), listed).status).toBe("expected-failure");
    const pass = applyExpectFail(result("b", "passed"), listed);
    expect(pass.status).toBe("failed");
    expect(pass.failure).toMatch(/passed unexpectedly/);
    expect(applyExpectFail(result("s", "skipped"), listed).status).toBe("skipped");
    expect(applyExpectFail(result("c", "failed"), listed).status).toBe("failed");
  });
});

describe("reports", () => {
  const entries = [
    result("p", "passed"),
    result("f", "failed", {
      failure: 'step 2 (expect offer): expected "x"',
      transcript: ["+ 1ms kit -> a/b {}"],
    }),
    { ...result("k", "skipped", { skipped: "needs a mqtt bus" }), role: "core" },
    { ...result("x", "failed", { failure: "old bug" }), status: "expected-failure" as const },
  ];
  const report = buildReport(entries);

  it("counts each verdict", () => {
    expect(report.summary).toEqual({ passed: 1, failed: 1, skipped: 1, expectedFailures: 1 });
  });

  it("JUnit: a testsuite per role, a testcase per scenario with the rule as classname, escaped", () => {
    const xml = junit(report);
    expect(xml).toContain(
      '<testsuite name="orbitalis conformance: plugin" tests="3" failures="1" skipped="1"',
    );
    expect(xml).toContain('<testsuite name="orbitalis conformance: core" tests="1" failures="0" skipped="1"');
    expect(xml).toContain('<testcase name="p: title of p &lt;&amp;&gt;" classname="HS-2" time="1.234"/>');
    expect(xml).toContain(
      '<failure message="step 2 (expect offer): expected &quot;x&quot;">+ 1ms kit -&gt; a/b {}</failure>',
    );
    expect(xml).toContain('<skipped message="needs a mqtt bus"/>');
    expect(xml).toContain('<skipped message="expected failure: old bug"/>');
    expect(xml.match(/<testcase /g)).toHaveLength(4);
  });

  it("the table has a row per scenario with its reason, and the summary", () => {
    const lines = table(report);
    expect(lines[0]).toMatch(/^scenario\s+rule\s+result\s+time\s+reason$/);
    expect(lines.find((l) => l.startsWith("f "))).toMatch(/FAIL\s+1\.2s\s+step 2/);
    expect(lines.find((l) => l.startsWith("k "))).toMatch(/skip .*needs a mqtt bus/);
    expect(lines.at(-1)).toBe("1 passed, 1 failed, 1 skipped, 1 expected failures");
  });

  it("the JSON report is plain data", () => {
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });
});
