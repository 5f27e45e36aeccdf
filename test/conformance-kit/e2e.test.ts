/**
 * The kit end to end: three scenarios of each kind of step, against the TypeScript adapter
 * (a child process per scenario) over the MQTT broker.
 */
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runKit } from "../../conformance/kit.js";
import type { Report } from "../../conformance/report.js";
import { loadScenarios } from "../../conformance/scenario.js";
import { resolveMqtt, type MqttTarget } from "../helpers/brokers.js";

const ADAPTER = `"${resolve("node_modules/.bin/tsx")}" "${resolve("conformance/adapter.ts")}"`;

describe("conformance kit over MQTT with the TypeScript adapter", () => {
  let mqtt: MqttTarget;
  beforeAll(async () => {
    mqtt = await resolveMqtt();
  });
  afterAll(async () => {
    await mqtt.stop();
  });

  it("passes shipped scenarios, fails a broken one with what arrived, writes the reports", async () => {
    const shipped = await loadScenarios("spec/conformance/scenarios");
    // A copy of the OP-3 scenario that expects the wrong data back: it must fail, and say what came.
    const dir = join(mkdtempSync(join(tmpdir(), "kit-e2e-")), "scenarios");
    mkdirSync(dir);
    const op1 = readFileSync("spec/conformance/scenarios/plugin-op3-input-output.yaml", "utf8");
    writeFileSync(
      join(dir, "plugin-op1-broken.yaml"),
      op1
        .replace("id: plugin-op3-input-output", "id: plugin-op1-broken")
        .replace(
          /where: \{ operation: echo, corr: k1, data: \{ n: 1/,
          "where: { operation: echo, corr: k1, data: { n: 9",
        ),
    );
    const broken = await loadScenarios(dir);
    const out = mkdtempSync(join(tmpdir(), "kit-report-"));
    const lines: string[] = [];
    const report: Report = await runKit(
      {
        implementation: ADAPTER,
        role: "plugin",
        busUrl: mqtt.url,
        scenarios: [...shipped, ...broken],
        only: ["plugin-hs3-offers-what-it-serves", "plugin-op1-broken", "plugin-pres2-will-on-kill"],
        expectFail: new Set(),
        reportFile: join(out, "report.json"),
        junitFile: join(out, "report.xml"),
      },
      (l) => lines.push(l),
    );
    const byId = Object.fromEntries(report.scenarios.map((s) => [s.id, s]));
    expect(byId["plugin-hs3-offers-what-it-serves"]?.status).toBe("passed");
    expect(byId["plugin-pres2-will-on-kill"]?.status).toBe("passed");
    const failed = byId["plugin-op1-broken"]!;
    expect(failed.status).toBe("failed");
    expect(failed.failure).toMatch(
      /^step 6 \(expect output\): expected output from impl on .* within 3000 ms; arrived instead: output on .* \(data\.n: expected 9, found 1\)/,
    );
    expect(failed.transcript?.some((l) => l.includes("impl -> ") && l.includes('"kind":"output"'))).toBe(
      true,
    );
    expect(report.summary).toEqual({ passed: 2, failed: 1, skipped: 0, expectedFailures: 0 });
    expect(lines.some((l) => /^\[\d\/3\] FAIL\s+plugin-op1-broken \(OP-3\)/.test(l))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, "report.json"), "utf8"))).toEqual(
      JSON.parse(JSON.stringify(report)),
    );
    expect(readFileSync(join(out, "report.xml"), "utf8")).toContain('classname="OP-3"');
  }, 30_000);

  it("fails a scenario whose implementation dies on its own, though its last steps expect nothing", async () => {
    // The adapter, killed 300 ms after it said it started: the scenario's closing
    // "no disconnection for 1500 ms" would otherwise pass at once.
    const dir = mkdtempSync(join(tmpdir(), "kit-crash-"));
    const wrapper = join(dir, "crashing-adapter.sh");
    writeFileSync(
      wrapper,
      `#!/bin/sh\n${ADAPTER} | while IFS= read -r line; do printf '%s\\n' "$line"; case "$line" in *'"started"'*) (sleep 0.3; kill -9 $$ 0) & ;; esac; done\n`,
      { mode: 0o755 },
    );
    const report = await runKit(
      {
        implementation: `sh ${wrapper}`,
        role: "core",
        busUrl: mqtt.url,
        scenarios: await loadScenarios("spec/conformance/scenarios"),
        only: ["core-pres6-will-answered-kept"],
        expectFail: new Set(),
      },
      () => undefined,
    );
    expect(report.scenarios[0]?.status).toBe("failed");
    expect(report.scenarios[0]?.failure).toMatch(/exited by itself during the scenario/);
  }, 30_000);
});
