import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../generator/cli.js";

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["conformance", ...args], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const BASE = ["--implementation", "true", "--role", "plugin", "--bus", "mqtt://127.0.0.1:1"];

describe("orbitalis conformance: usage errors exit 2 with one clear line", () => {
  it.each([
    [["--role", "plugin", "--bus", "mqtt://x"], "--implementation is required"],
    [
      ["--implementation", "x", "--role", "hybrid", "--bus", "mqtt://x"],
      '--role must be plugin or core, found "hybrid"',
    ],
    [["--implementation", "x", "--role", "core"], "--bus is required"],
    [
      ["--implementation", "x", "--role", "core", "--bus", "local"],
      '--bus "local": give an mqtt://, nats:// or redis:// URL',
    ],
    [[...BASE, "--timeout-scale", "0"], "--timeout-scale must be a number above 0"],
    [[...BASE, "--only", "no-such-scenario"], '--only: no plugin scenario "no-such-scenario"'],
    [[...BASE, "--frobnicate"], "unknown option --frobnicate"],
  ])("%j", async (args, message) => {
    const r = await run(...args);
    expect(r.code).toBe(2);
    expect(r.err.split("\n")[0]).toContain(message);
    // The problem and the usage line, not the whole help.
    expect(r.err.trim().split("\n")).toHaveLength(2);
    expect(r.err.trim().split("\n")[1]).toMatch(/^usage: orbitalis conformance .*--help for more\)$/);
  });

  it("an unreadable scenario names the file and the step", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "kit-")), "scenarios");
    mkdirSync(dir);
    writeFileSync(
      join(dir, "hs-offer.yaml"),
      "id: hs-offer\nrule: HS-2\nrole: plugin\ntitle: t\nsteps:\n  - kill\n  - kill\n  - sned: offer\n",
    );
    const r = await run(...BASE, "--scenarios", dir);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'error: scenarios/hs-offer.yaml: step 3: unknown action "sned" (known: send, expect, expectNone, command, event, noEvent, start, kill, restart, wait, silence)',
    );
  });

  it("an unreadable expected-failures file", async () => {
    const r = await run(...BASE, "--expect-fail", "/nonexistent/xfail.txt");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: --expect-fail \/nonexistent\/xfail\.txt: ENOENT/);
  });

  it("is listed in the help", async () => {
    const out: string[] = [];
    expect(await main(["help", "conformance"], { out: (l) => out.push(l), err: () => undefined })).toBe(0);
    expect(out.join("\n")).toContain("--expect-fail FILE");
  });
});
