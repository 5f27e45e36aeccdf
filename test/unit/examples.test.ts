import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { LocalHub } from "../../runtime/index.js";
import { runPrimes } from "../../examples/primes.js";
import { runSmartHome } from "../../examples/smart-home.js";
import { runTextProcessor } from "../../examples/text-processor.js";
import { expectSmartHomeStory } from "../helpers/smart-home.js";

async function lines(
  run: (newBus: () => ReturnType<LocalHub["bus"]>, log: (l: string) => void) => Promise<void>,
): Promise<string[]> {
  const hub = new LocalHub();
  const out: string[] = [];
  await run(
    () => hub.bus(),
    (l) => out.push(l),
  );
  return out;
}

describe("examples (what npm run demo shows)", () => {
  it("smart home (generated classes): compliant with the mandatory lamp; colors reach only the lamps that take them; pushes; a graceful stop makes it not compliant", async () => {
    const out = await lines((newBus, log) => runSmartHome({ newBus, log }));
    expectSmartHomeStory(out);
    expect(out).toContain("  sent to lamp-x, lamp-y");
    expect(out.indexOf("home: compliant -> not-compliant")).toBeGreaterThan(
      out.indexOf("lamp-x stops gracefully: the home is no longer compliant"),
    );
  });

  it("text processor: typed results and a remote error", async () => {
    const out = await lines(runTextProcessor);
    expect(out).toEqual([
      "lowercase -> orbitalis finds plugins at run time",
      "word_count -> 6",
      'word_count of blanks -> ERR_REMOTE_OPERATION/EMPTY_TEXT {"length":3}: text-processor failed word_count: nothing to count',
    ]);
  });

  it("primes: work spread evenly, every prime found", async () => {
    const out = await lines(runPrimes);
    expect(out[0]).toBe("30 checks spread as w1: 10, w2: 10, w3: 10");
    expect(out[1]).toMatch(
      /^primes in 100\.\.129: 101 \(w\d\), 103 \(w\d\), 107 \(w\d\), 109 \(w\d\), 113 \(w\d\), 127 \(w\d\)$/,
    );
  });

  it("hybrid (README): a reader gets a summary through a hybrid that requires a summarizer", async () => {
    const repo = fileURLToPath(new URL("../..", import.meta.url));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "examples/hybrid.ts"],
      {
        cwd: repo,
        timeout: 30_000,
      },
    );
    expect(stdout).toBe("Orbs find each other\n");
  });
});
