/**
 * `orbitalis conformance`: tests an implementation of the protocol (any language, through
 * its adapter) by its behaviour on the wire. Exit 0 all passed, 1 a scenario failed, 2 usage
 * error or unreadable input (a scenario file, the expected-failures file).
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { packagePath } from "../paths.js";
import { UsageError, type Io } from "./io.js";

export const CONFORMANCE_HELP = `usage: orbitalis conformance --implementation "<command>" --role plugin|core --bus <url>
         [--scenarios DIR] [--only id,id] [--report report.json] [--junit report.xml]
         [--expect-fail FILE] [--timeout-scale N]

Tests an implementation of the Orbitalis protocol by what it does on the wire. The kit
starts <command> (through a shell) once per scenario and drives it with JSON lines on
stdin/stdout (the adapter protocol: conformance/ADAPTER.md in this package), while
scripted orbs play the other side on the bus.

  --implementation CMD   shell command that starts the implementation's adapter
  --role ROLE            the role of the implementation under test: plugin or core
  --bus URL              mqtt://, nats:// or redis:// (both processes need a broker)
  --scenarios DIR        scenario folder (default: the scenarios shipped with the CLI)
  --only IDS             run only these scenario ids (comma-separated)
  --report FILE          write a JSON report
  --junit FILE           write JUnit XML (a testsuite per role, a testcase per scenario)
  --expect-fail FILE     scenario ids known to fail, one a line (# comments): reported as
                         expected failures; one that passes fails the run
  --timeout-scale N      multiply every time bound the implementation must meet (default 1)

Exit status: 0 every scenario passed, 1 a scenario failed, 2 usage error or unreadable input.`;

/** Runs `orbitalis conformance`; resolves with the exit code. */
export async function conformance(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      implementation: { type: "string" },
      role: { type: "string" },
      bus: { type: "string" },
      scenarios: { type: "string" },
      only: { type: "string" },
      report: { type: "string" },
      junit: { type: "string" },
      "expect-fail": { type: "string" },
      "timeout-scale": { type: "string" },
    },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  if (!values.implementation)
    throw new UsageError("--implementation is required: the command that starts the adapter");
  const role = values.role;
  if (role !== "plugin" && role !== "core")
    throw new UsageError(`--role must be plugin or core, found ${JSON.stringify(role ?? "(none)")}`);
  if (!values.bus) throw new UsageError("--bus is required: an mqtt://, nats:// or redis:// URL");
  // Loaded here: the kit loads the runtime's bus adapters, which other commands do not need.
  const { busKind } = await import("../../conformance/bus-url.js");
  if (busKind(values.bus) === undefined) {
    throw new UsageError(
      `--bus ${JSON.stringify(values.bus)}: give an mqtt://, nats:// or redis:// URL (the implementation is another process, so an in-process bus cannot reach it)`,
    );
  }
  const scale = values["timeout-scale"] === undefined ? 1 : Number(values["timeout-scale"]);
  if (!Number.isFinite(scale) || scale <= 0 || scale > 100)
    throw new UsageError(
      `--timeout-scale must be a number above 0 (at most 100), found ${values["timeout-scale"]}`,
    );
  const only = values.only
    ?.split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");

  const { loadScenarios, ScenarioError } = await import("../../conformance/scenario.js");
  const { parseExpectFail } = await import("../../conformance/report.js");
  const { runKit } = await import("../../conformance/kit.js");
  let expectFail: Set<string> | undefined;
  if (values["expect-fail"] !== undefined) {
    try {
      expectFail = new Set(parseExpectFail(await readFile(values["expect-fail"], "utf8")));
    } catch (error) {
      io.err(`error: --expect-fail ${values["expect-fail"]}: ${(error as Error).message}`);
      return 2;
    }
  }
  let scenarios;
  try {
    scenarios = await loadScenarios(values.scenarios ?? packagePath("spec", "conformance", "scenarios"));
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    io.err(`error: ${error.message}`);
    return 2;
  }
  let report;
  try {
    report = await runKit(
      {
        implementation: values.implementation,
        role,
        busUrl: values.bus,
        scenarios,
        ...(only ? { only } : {}),
        ...(expectFail ? { expectFail } : {}),
        timeoutScale: scale,
        ...(values.report ? { reportFile: values.report } : {}),
        ...(values.junit ? { junitFile: values.junit } : {}),
      },
      io.out,
    );
  } catch (error) {
    const message = (error as Error).message;
    if (message.startsWith("--only")) throw new UsageError(message);
    throw error;
  }
  return report.summary.failed > 0 ? 1 : 0;
}
