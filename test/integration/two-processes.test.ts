/**
 * The README's examples as a user runs them: a plugin and a core in two processes over
 * MQTT, each started with `tsx`, stopped with SIGTERM. First on the runtime alone
 * (examples/two-processes), then on generated classes (examples/thermostat, the
 * five-minute path).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { resolveMqtt, type MqttTarget } from "../helpers/brokers.js";
import { withTimeout } from "../helpers/wait.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const report = (line: string): void => {
  if (process.env.ORBITALIS_REPORT) console.log(`[measure] ${line}`);
};
let mqtt: MqttTarget | undefined;
const children: ChildProcess[] = [];

beforeAll(async () => {
  mqtt = await resolveMqtt();
});
afterAll(async () => {
  await mqtt?.stop();
});
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});

/** A running example process and everything it printed so far. */
class Example {
  readonly child: ChildProcess;
  output = "";
  private readonly waiters: { text: string; resolve: () => void }[] = [];

  constructor(file: string) {
    this.child = spawn(process.execPath, ["--import", "tsx", `examples/${file}`], {
      cwd: REPO,
      env: { ...process.env, MQTT_URL: mqtt!.url },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(this.child);
    const take = (d: Buffer): void => {
      this.output += d.toString();
      for (const w of [...this.waiters]) if (this.output.includes(w.text)) w.resolve();
    };
    this.child.stdout?.on("data", take);
    this.child.stderr?.on("data", take);
  }

  /** Resolves once the process printed `text`. */
  printed(text: string, ms = 20_000): Promise<void> {
    return withTimeout(
      new Promise<void>((resolve) => {
        if (this.output.includes(text)) resolve();
        else this.waiters.push({ text, resolve });
      }),
      ms,
      `${JSON.stringify(text)} (printed so far: ${JSON.stringify(this.output)})`,
    );
  }

  /** Sends SIGTERM and resolves with the exit code. */
  terminate(ms = 15_000): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => this.child.once("exit", (code) => resolve(code)));
    this.child.kill("SIGTERM");
    return withTimeout(exited, ms, `exit after SIGTERM (printed: ${JSON.stringify(this.output)})`);
  }
}

describe("two processes over MQTT (README)", () => {
  it("the core finds the plugin, gets greetings and an error code, and both stop on SIGTERM", async () => {
    const plugin = new Example("two-processes/plugin.ts");
    await plugin.printed("greeter: ready");
    const core = new Example("two-processes/core.ts");
    await core.printed("front-desk: compliant");
    await core.printed("front-desk: Hello, Ada!");
    await core.printed("front-desk: UNKNOWN_PERSON for nobody");
    expect(plugin.output).toContain("greeter: serving front-desk");
    expect(await core.terminate()).toBe(0);
    expect(core.output).toContain("front-desk: stopped");
    expect(await plugin.terminate()).toBe(0);
    expect(plugin.output).toContain("greeter: stopped");
    expect(core.output + plugin.output).not.toMatch(/Error|warn/i);
  }, 60_000);
});

describe("five-minute path: generated classes in two processes over MQTT (README)", () => {
  it("the climate core sets the thermostat's target and follows its pushed readings", async () => {
    const plugin = new Example("thermostat/plugin.ts");
    await plugin.printed("thermostat: ready");
    const core = new Example("thermostat/core.ts");
    await core.printed("climate: it is 18 °C");
    await plugin.printed("thermostat: target 20 °C");
    await core.printed("climate: thermostat-1 is at 20 °C (target 20 °C)");
    expect(await core.terminate()).toBe(0);
    expect(core.output).toContain("climate: stopped");
    expect(await plugin.terminate()).toBe(0);
    expect(plugin.output).toContain("thermostat: stopped");
    expect(core.output + plugin.output).not.toMatch(/Error|warn/i);
  }, 60_000);
});

describe("a pipeline of hybrids in four processes over MQTT (examples/pipeline)", () => {
  it("survives killing and restarting its middle stage", async () => {
    const run = new Example("pipeline/run.ts");
    await run.printed("pipeline: done", 60_000);
    const out = run.output;
    expect(out).toContain('reader: orbits: "Orbs find each other at run time." (17 words)');
    // The kill travels up the chain: clean's will -> fetch not compliant -> the reader's connection closes.
    expect(out).toMatch(/pipeline: killing clean[\s\S]*\| fetch: not-compliant[\s\S]*reader: not-compliant/);
    expect(out).toContain("reader: hybrid: not now (no open connection for fetch)");
    // And back down: clean compliant -> fetch compliant (announces) -> the reader reconnects.
    expect(out).toMatch(
      /pipeline: restarting clean[\s\S]*\| clean: compliant[\s\S]*\| fetch: compliant[\s\S]*reader: compliant/,
    );
    expect(out).toContain('reader: hybrid: "An orb may lend and require at once." (17 words)');
    for (const line of out.split("\n").filter((l) => l.includes(" ms after "))) report(line);
    expect(await new Promise((resolve) => run.child.once("exit", resolve))).toBe(0);
    expect(out).not.toMatch(/Error|warn/i);
  }, 90_000);
});
