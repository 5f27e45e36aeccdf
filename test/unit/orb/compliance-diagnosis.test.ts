/**
 * Why is my core not compliant? `compliant({ timeoutMs })` rejects with a
 * ComplianceTimeoutError whose message and `missing` name each plugin the core heard of for
 * an unmet requirement and why it is not connected: refused by the core (schemas, lists),
 * announced but no offer, runs (presence) but no offer, answered unavailable, did not
 * confirm, still connecting, disconnected. On LocalBus with a ManualClock.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  ComplianceTimeoutError,
  Core,
  LocalHub,
  ManualClock,
  Plugin,
  TimeoutError,
  silentLogger,
  type CoreOptions,
  type JsonSchema,
  type PluginOptions,
  type SkipDetail,
} from "../../../runtime/index.js";
import { offerTopic, responseTopic } from "../../../generated/protocol/index.js";
import { Candidates } from "../../../runtime/orb/candidates.js";
import { advanceUntil } from "../../helpers/clock.js";
import { Orbs } from "../../helpers/orbs.js";
import { RawOrb } from "../../helpers/raw.js";

const orbs = new Orbs();
afterEach(() => orbs.stopAll());
const ROOT = "orbitalis";

/** A job schema, and a newer version of it (another fingerprint: the two do not match). */
const Job = { type: "object", properties: { text: { type: "string" } }, required: ["text"] } as const;
const JobV2 = {
  type: "object",
  properties: { text: { type: "string" }, copies: { type: "integer" } },
  required: ["text", "copies"],
} as const;

class World {
  readonly hub = new LocalHub();
  readonly clock = new ManualClock();
  constructor() {
    orbs.drive(this.clock);
  }
  core(requires: CoreOptions["requires"] = { print: { inputs: [{ schemas: [Job] }] } }): Core {
    return orbs.add(
      new Core({ id: "home", bus: this.hub.bus(), clock: this.clock, logger: silentLogger, requires }),
    );
  }
  printer(id: string, input: JsonSchema = JobV2, opts: Partial<PluginOptions> = {}): Plugin {
    const p = orbs.add(
      new Plugin({ id, bus: this.hub.bus(), clock: this.clock, logger: silentLogger, ...opts }),
    );
    p.operation("print", { input: { schemas: [input] } }, () => undefined);
    return p;
  }
  /** What compliant({ timeoutMs: 3000 }) rejects with. */
  async timeout(core: Core): Promise<ComplianceTimeoutError> {
    const waiting = core.compliant({ timeoutMs: 3000 }).then(
      () => expect.fail("compliant"),
      (e: unknown) => e,
    );
    await this.clock.advance(3000);
    const error = await waiting;
    expect(error).toBeInstanceOf(ComplianceTimeoutError);
    return error as ComplianceTimeoutError;
  }
  raw(id: string): Promise<RawOrb> {
    return new RawOrb(this.hub.bus(), id, `${id}Epoch`).listenAsPlugin();
  }
}

describe("compliant({ timeoutMs }) names the plugins it heard of and why each is not connected", () => {
  it("a plugin with another input schema that started first: it runs but did not offer (its own skipped event says why)", async () => {
    const w = new World();
    const printer = w.printer("printer-2");
    const pluginSkips: SkipDetail[] = [];
    printer.on("skipped", (d) => pluginSkips.push(d));
    await printer.start();
    await w.clock.advance(100);
    const core = w.core();
    await core.start();
    const error = await w.timeout(core);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.code).toBe("ERR_COMPLIANCE_TIMEOUT");
    expect(error.message).toBe(
      "home not compliant within 3000 ms: print: 0/1 connections; printer-2 runs but did not offer print: it does not " +
        "lend it, or refused this core (schemas, allow/block, maxCores: see its `skipped` event)",
    );
    expect(error.missing).toEqual([
      {
        operation: "print",
        connected: 0,
        minimum: 1,
        absent: [],
        candidates: [{ plugin: "printer-2", reason: "not-offered", message: error.message.split("; ")[1] }],
        unlisted: 0,
      },
    ]);
    expect(core.missing()).toEqual([error.message.replace("home not compliant within 3000 ms: ", "")]);
    expect(pluginSkips[0]).toMatchObject({ remote: "home", operation: "print", reason: "input-mismatch" });
  });

  it("a plugin with another input schema that started after the core: its announce is refused, naming the schema", async () => {
    const w = new World();
    const core = w.core();
    await core.start();
    await w.printer("printer-2").start();
    const error = await w.timeout(core);
    expect(error.message).toMatch(
      /^home not compliant within 3000 ms: print: 0\/1 connections; printer-2 skipped: its input \{1 schema \([0-9a-f]{8}\)\} matches none of requires\.print\.inputs$/,
    );
    const [candidate] = error.missing[0]!.candidates;
    expect(candidate).toMatchObject({ plugin: "printer-2", reason: "input-mismatch" });
    expect(error.message.endsWith(`; ${candidate!.message}`)).toBe(true);
  });

  it("a plugin that announced the operation but refused this core on its side: announced but did not offer", async () => {
    const w = new World();
    const core = w.core();
    await core.start();
    await w.printer("printer-3", Job, { block: ["home"] }).start();
    const error = await w.timeout(core);
    expect(error.missing[0]!.candidates).toEqual([
      {
        plugin: "printer-3",
        reason: "not-offered",
        message:
          "printer-3 announced print but did not offer it: its schemas match, so its own limits keep this core " +
          "out (maxCores, allow/block, offerWhen: see its `skipped` event)",
      },
    ]);
  });

  it("a plugin whose announce did not list the operation is no candidate for it; one only known to run is", async () => {
    const w = new World();
    const core = w.core({ print: {} });
    const early = orbs.add(
      new Plugin({ id: "scanner-1", bus: w.hub.bus(), clock: w.clock, logger: silentLogger }),
    );
    early.operation("scan", {}, () => undefined);
    await early.start();
    await w.clock.advance(100);
    await core.start(); // knows scanner-1 only from its presence
    const late = orbs.add(
      new Plugin({ id: "scanner-2", bus: w.hub.bus(), clock: w.clock, logger: silentLogger }),
    );
    late.operation("scan", {}, () => undefined);
    await late.start(); // its announce says it lends scan, not print
    const error = await w.timeout(core);
    expect(error.missing[0]!.candidates.map((c) => c.plugin)).toEqual(["scanner-1"]);
  });

  it("a running plugin the core's own block list excludes: skipped, naming the list", async () => {
    const w = new World();
    await w.printer("printer-4", Job).start();
    await w.clock.advance(100);
    const core = w.core({ print: { block: ["printer-4"] } });
    await core.start();
    const error = await w.timeout(core);
    expect(error.missing[0]!.candidates).toEqual([
      {
        plugin: "printer-4",
        reason: "not-allowed",
        message: "printer-4 skipped: requires.print.block excludes it",
      },
    ]);
  });

  it("a request answered unavailable, one never confirmed, one still waiting for its confirm", async () => {
    const w = new World();
    const core = w.core({ print: { minimum: 3 } });
    const plugins = await Promise.all(["busy", "mute", "slow"].map((id) => w.raw(id)));
    const [busy, mute, slow] = plugins as [RawOrb, RawOrb, RawOrb];
    await core.start();
    const discover = await busy.next("discover");
    const operations = [{ name: "print", input: { any: true }, output: "none" as const }];
    const offerTo = offerTopic({ root: ROOT, core: "home" });
    const offers = [
      await busy.offer(offerTo, discover.id, { operations }),
      await mute.offer(offerTo, discover.id, { operations, holdMs: 500 }),
      await slow.offer(offerTo, discover.id, { operations, holdMs: 60_000 }),
    ];
    const request = await busy.next("request", (r) => r.re === offers[0]!.id);
    await busy.send(responseTopic({ root: ROOT, core: "home" }), "unavailable", {
      re: request.id,
      operation: "print",
      reason: "no free slot",
    });
    const error = await w.timeout(core);
    expect(
      error.missing[0]!.candidates.map(({ plugin, reason, message }) => [plugin, reason, message]),
    ).toEqual([
      // Most recently heard last: busy and mute changed after slow was requested.
      ["slow", "connecting", "slow offered print; requested, awaiting its confirm"],
      ["busy", "unavailable", "busy answered the request for print with unavailable (no free slot)"],
      ["mute", "no-confirm", "mute offered print but did not confirm the request within its holdMs (500 ms)"],
    ]);
  });

  it("a plugin that was connected and went away: disconnected, with the reason", async () => {
    const w = new World();
    const core = w.core({ print: {} });
    const printer = w.printer("printer-5", Job);
    await Promise.all([core.start(), printer.start()]);
    await advanceUntil(w.clock, () => core.isCompliant, { maxSteps: 100, stepMs: 10, what: "compliant" });
    expect(core.isCompliant).toBe(true);
    const stopped = printer.stop();
    await w.clock.advance(100);
    await stopped;
    const error = await w.timeout(core);
    expect(error.missing[0]!.candidates).toEqual([
      {
        plugin: "printer-5",
        reason: "disconnected",
        message: "printer-5 was connected; the connection closed (closed-by-remote)",
      },
    ]);
  });

  it("a mandatory plugin missing while others connected: they are not candidates, the one heard of is", async () => {
    const w = new World();
    const core = w.core({ print: { mandatory: ["printer-m"], inputs: [{ schemas: [Job] }] } });
    await core.start();
    await Promise.all([w.printer("printer-ok", Job).start(), w.printer("printer-m").start()]);
    const error = await w.timeout(core);
    expect(error.message).toMatch(
      /print: mandatory printer-m not connected; printer-m skipped: its input \{1 schema \(\w+\)\} matches none of requires\.print\.inputs$/,
    );
    expect(error.missing[0]).toMatchObject({ connected: 1, minimum: 1, absent: ["printer-m"] });
  });

  it("nothing heard: the line says only what is missing", async () => {
    const w = new World();
    const core = w.core();
    await core.start();
    const error = await w.timeout(core);
    expect(error.message).toBe("home not compliant within 3000 ms: print: 0/1 connections");
    expect(error.missing[0]!.candidates).toEqual([]);
  });
});

describe("Candidates", () => {
  it("an announce is 'did not offer' only once a discover went out after it", () => {
    const c = new Candidates();
    c.announced("print", "p");
    expect(c.of("print", new Set()).candidates[0]!.message).toBe("p announced print; no discover since");
    c.discovered();
    expect(c.of("print", new Set()).candidates[0]!.message).toMatch(
      /^p announced print but did not offer it/,
    );
    expect(c.of("print", new Set(["p"])).candidates).toEqual([]);
    c.connected("print", "p");
    expect(c.of("print", new Set()).candidates).toEqual([]);
  });

  it("keeps 16 notes per operation; lists 8 running plugins that did not offer and counts the rest", () => {
    const c = new Candidates();
    for (let i = 0; i < 20; i++) c.note("print", `n${i}`, "unavailable", `n${i} answered unavailable`);
    for (let i = 0; i < 12; i++) c.runs(`r${i}`, "e");
    const { candidates, unlisted } = c.of("print", new Set(["n19"]));
    expect(candidates.map((x) => x.plugin)).toEqual([
      ...Array.from({ length: 15 }, (_, i) => `n${i + 4}`),
      ...Array.from({ length: 8 }, (_, i) => `r${i}`),
    ]);
    expect(unlisted).toBe(4);
  });

  it("an offline presence of the instance known ends it; another instance's does not", () => {
    const c = new Candidates();
    c.runs("p", "e2");
    c.announced("print", "p");
    c.offline("p", "e1");
    expect(c.of("print", new Set()).candidates).toHaveLength(1);
    c.offline("p", "e2");
    expect(c.of("print", new Set()).candidates).toEqual([]);
    c.runs("q", "e");
    c.note("print", "q", "disconnected", "q was connected; the connection closed (offline)");
    c.offline("q", "e");
    expect(c.of("print", new Set()).candidates.map((x) => x.reason)).toEqual(["disconnected"]);
  });
});
