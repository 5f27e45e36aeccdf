/**
 * Hybrid types in contracts (`x-orbitalis.hybrids`): the model the generator builds, the
 * class it writes (`NameOrb extends Orb<Contract>`, handlers for what it lends, its
 * requirements and options wired in as a core's and a plugin's), and generated hybrids
 * working in a chain on a LocalHub: the pipeline example's classes, whose `offerWhen:
 * compliant` comes from the contract.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { promisify } from "node:util";
import { join } from "node:path";
import { LocalHub, RemoteOperationError, type CoreState } from "orbitalis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../generator/cli.js";
import { buildContractModel } from "../../generator/model/contract-model.js";
import { loadSpec } from "../../generator/load/load-spec.js";
import { ReaderCore } from "../../generated/examples/pipeline/index.js";
import { Cleaner, Fetcher, Summarizer } from "../../examples/pipeline/stages.js";
import { uniqueRoot, withTimeout } from "../helpers/wait.js";

const FIXTURE = "test/generator/hybrid.asyncapi.yaml";

let dir: string;
beforeAll(async () => {
  // Inside the repository, so that "orbitalis" resolves (tsconfig paths) for the type check.
  await mkdir(".tmp", { recursive: true });
  dir = await mkdtemp(join(".tmp", "hybrid-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the model of a hybrid type", () => {
  it("lends as a plugin type (accepts, options, policy), requires as a core type, offers when told", async () => {
    const model = buildContractModel(await loadSpec(FIXTURE));
    expect(model.hybrids.map((h) => h.className)).toEqual(["RelayOrb", "ArchiveOrb"]);
    const relay = model.hybrids[0]!;
    expect(relay.description).toBe("Takes print jobs, lends them on to printers and stores what is done.");
    expect(relay.operations.map((o) => o.operation.name)).toEqual(["print-job", "relay.status", "job_done"]);
    expect(relay.operations[0]!.input.messages.map((m) => m.name)).toEqual(["Job"]);
    expect(relay.options).toEqual({ maxCores: 2 });
    expect(relay.policy).toEqual({ "print-job": { maxCores: 1 } });
    expect(relay.requires.map((r) => [r.operation.name, r.options])).toEqual([
      ["print-job", { minimum: 1, prefer: ["printer-1"] }],
      ["store", { minimum: 0 }],
    ]);
    expect(relay.offerWhen).toBe("compliant");
    expect(model.hybrids[1]!.offerWhen).toBeUndefined();
    // Everything required is lent by a plugin or hybrid type of the contract: no warning.
    expect(model.warnings).toEqual([]);
  });
});

describe("the class of a hybrid type", () => {
  it("NameOrb extends Orb<Contract>: handlers for what it lends, requirements and options wired in", async () => {
    const out = join(dir, "relay");
    const lines: string[] = [];
    const log = (l: string): number => lines.push(l);
    // With the type check: the code compiles before anything is written.
    expect(await main(["generate", FIXTURE, "--out", out], { out: log, err: log }), lines.join("\n")).toBe(0);
    const index = await readFile(join(out, "index.ts"), "utf8");
    expect(index).toMatch(/^import \{\n {2}Core,\n {2}OperationError,\n {2}Orb,\n {2}Plugin,/m);
    expect(index).toContain("export abstract class RelayOrb extends Orb<Contract> {");
    expect(index).toContain("export abstract class ArchiveOrb extends Orb<Contract> {");
    expect(index).toContain(
      'export interface RelayOrbOptions extends Omit<OrbHybridOptions<Contract>, "requires"> {',
    );
    // The contract's options are defaults, the user's win; requirements merged as a core's.
    const flat = index.replace(/\s+/g, " ").replace(/,? ([})\]])/g, " $1");
    expect(flat).toContain(
      'super({ offerWhen: "compliant", maxCores: 2, ...rest, requires: mergeRequirements(relayOrbRequires, requires) });',
    );
    expect(flat).toContain("super({ ...rest, requires: mergeRequirements(archiveOrbRequires, requires) });");
    expect(flat).toContain(
      'export const relayOrbRequires = { "print-job": { minimum: 1, prefer: ["printer-1"], inputs: [operations["print-job"].input], outputs: [operations["print-job"].output] },',
    );
    // What it lends: the narrowed input, an input without data, a push-only operation.
    expect(index).toContain('policy: { maxCores: 1, ...policy?.["print-job"] },');
    expect(index).toContain("(input, ctx) => this.printJob(input as Job, ctx),");
    expect(index).toContain("abstract printJob(input: Job, ctx: OperationContext): Done | Promise<Done>;");
    expect(index).toContain(
      "abstract relayStatus(input: void, ctx: OperationContext): Done | Promise<Done>;",
    );
    expect(flat).toContain(
      'throw new OperationError("PUSH_ONLY", "job_done is pushed with emit(): it takes no input");',
    );
    expect(index).not.toContain("abstract jobDone(");
    expect(index).toMatch(
      /Hybrid type Relay: Takes print jobs, lends them on to printers and stores what is done\.\n/,
    );
    expect(index).toMatch(/offers them only while its requirements are met/);
    expect(index).toMatch(/offers them whether or not its requirements are met/);
  }, 120_000);
});

describe("generated hybrids in a chain on a LocalHub (the pipeline example's classes)", () => {
  it("reader -> fetch -> clean -> summarize: works, breaks when the last stage goes, heals when it is back", async () => {
    const hub = new LocalHub();
    const root = uniqueRoot("pipe");
    const timing = { discoverIntervalMs: 100 };
    const orb = { bus: hub.bus(), root, timing };
    const summarize = new Summarizer({ ...orb, id: "summarize" });
    const clean = new Cleaner({ ...orb, bus: hub.bus(), id: "clean" });
    const fetch = new Fetcher({ ...orb, bus: hub.bus(), id: "fetch" });
    const reader = new ReaderCore({ ...orb, bus: hub.bus(), id: "reader" });
    const states: CoreState[] = [];
    reader.on("state", (s) => states.push(s));
    const reached = (o: { state: string; on: ReaderCore["on"] }, state: CoreState): Promise<void> =>
      withTimeout(
        new Promise<void>((resolve) => {
          if (o.state === state) return resolve();
          const off = o.on("state", (s) => s === state && (off(), resolve()));
        }),
        10_000,
        `${state}`,
      );
    try {
      await Promise.all([summarize.start(), clean.start(), fetch.start(), reader.start()]);
      await reader.compliant({ timeoutMs: 10_000 });
      expect(await reader.request("fetch", { doc: "orbits" })).toEqual({
        doc: "orbits",
        summary: "Orbs find each other at run time.",
        words: 17,
      });
      // A handler's own error reaches the reader with its code.
      const error = await reader.request("fetch", { doc: "nope" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RemoteOperationError);
      expect((error as RemoteOperationError).remoteCode).toBe("NO_SUCH_DOC");

      // The last stage goes: clean stops offering (offerWhen compliant, from the contract),
      // so fetch does, so the reader is not compliant.
      await summarize.stop();
      await reached(clean, "not-compliant");
      await reached(fetch, "not-compliant");
      await reached(reader, "not-compliant");

      await summarize.start();
      await reader.compliant({ timeoutMs: 10_000 });
      expect((await reader.request("fetch", { doc: "hybrid" })).summary).toBe(
        "An orb may lend and require at once.",
      );
      expect(states).toEqual(["not-compliant", "compliant", "not-compliant", "compliant"]);
    } finally {
      await Promise.all([reader.stop(), fetch.stop(), clean.stop(), summarize.stop()]);
    }
  }, 60_000);

  it("examples/pipeline/local.ts prints what the README shows", async () => {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "examples/pipeline/local.ts"],
      { timeout: 30_000 },
    );
    expect(stderr).toBe("");
    expect(stdout).toMatch(
      /reader: compliant\nreader: kernel: "A micro-kernel keeps the core small\." \(13 words\)\nstopping summarize\n/,
    );
    expect(stdout).toMatch(
      /stopping summarize\nclean: not-compliant\nfetch: not-compliant\nreader: not-compliant\nstarting summarize\nclean: compliant\nfetch: compliant\nreader: compliant\nreader: hybrid: "An orb may lend and require at once\." \(17 words\)\n/,
    );
  }, 60_000);
});
