/**
 * Liveness and termination against real brokers: a killed plugin process (MQTT will,
 * NATS heartbeats), a broker outage under load, graceful stop with work in flight, and a
 * graceful close that times out.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  ConnectionClosedError,
  Core,
  Orb,
  MqttBus,
  NatsBus,
  Plugin,
  RequestTimeoutError,
  BusError,
  NoConnectionError,
  silentLogger,
  type Bus,
} from "../../runtime/index.js";
import {
  resolveMqtt,
  startMosquitto,
  startNats,
  type BrokerProcess,
  type MqttTarget,
} from "../helpers/brokers.js";
import { coreState, nextDisconnection, Orbs } from "../helpers/orbs.js";
import { uniqueRoot, withTimeout } from "../helpers/wait.js";

const CHILD = fileURLToPath(new URL("./fixtures/plugin-child.ts", import.meta.url));
const report = (line: string): void => {
  if (process.env.ORBITALIS_REPORT) console.log(`[measure] ${line}`);
};

const orbs = new Orbs();
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await orbs.stopAll();
});

/** Starts the plugin child and resolves once its plugin runs. */
async function spawnPlugin(
  kind: "mqtt" | "nats",
  url: string,
  root: string,
  id: string,
  deadAfterMs: number,
): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", CHILD, kind, url, root, id, String(deadAfterMs)],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  children.push(child);
  let err = "";
  child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      child.stdout?.on("data", (d: Buffer) => d.toString().includes("ready") && resolve());
      child.once("exit", (code) => reject(new Error(`plugin child exited with ${code}: ${err}`)));
    }),
    20_000,
    "plugin child to start",
  );
  return child;
}

function echoCore(bus: Bus, root: string, deadAfterMs: number): Core {
  return orbs.add(
    new Core({
      id: "watcher",
      bus,
      root,
      logger: silentLogger,
      requires: { echo: {} },
      timing: { deadAfterMs, discoverIntervalMs: 300, requestTimeoutMs: 1000 },
    }),
  );
}

describe("a killed plugin process", () => {
  let mosquitto: BrokerProcess;
  let nats: BrokerProcess;
  beforeAll(async () => {
    [mosquitto, nats] = await Promise.all([startMosquitto(), startNats()]);
  }, 30_000);
  afterAll(async () => {
    await Promise.all([mosquitto?.dispose(), nats?.dispose()]);
  });

  it("MQTT: noticed through its will well under a second; a replacement makes the core compliant again", async () => {
    const url = `mqtt://127.0.0.1:${mosquitto.port}`;
    const root = uniqueRoot("w");
    const core = echoCore(new MqttBus({ url }), root, 60_000);
    await core.start();
    const child = await spawnPlugin("mqtt", url, root, "lamp", 60_000);
    await core.compliant({ timeoutMs: 10_000 });
    const gone = nextDisconnection(core, () => true, 5000);
    const killedAt = performance.now();
    child.kill("SIGKILL");
    const { detail } = await gone;
    const detectedMs = performance.now() - killedAt;
    report(`MQTT will: killed plugin noticed after ${detectedMs.toFixed(1)} ms`);
    expect(detail.reason).toBe("offline");
    expect(detectedMs).toBeLessThan(1000);
    expect(core.state).toBe("not-compliant");
    await spawnPlugin("mqtt", url, root, "lamp", 60_000);
    await core.compliant({ timeoutMs: 10_000 });
  }, 60_000);

  it("MQTT: a chain core -> hybrid -> killed plugin: non-compliance travels up the chain and back", async () => {
    const url = `mqtt://127.0.0.1:${mosquitto.port}`;
    const root = uniqueRoot("c");
    const timing = { deadAfterMs: 60_000, discoverIntervalMs: 300, requestTimeoutMs: 1000 };
    const middle = orbs.add(
      new Orb({
        id: "relay",
        bus: new MqttBus({ url }),
        root,
        logger: silentLogger,
        requires: { echo: {} },
        offerWhen: "compliant",
        timing,
      }),
    );
    middle.operation("relay", { input: { any: true }, output: { any: true } }, (x) =>
      middle.request("echo", x),
    );
    const top = orbs.add(
      new Core({
        id: "top",
        bus: new MqttBus({ url }),
        root,
        logger: silentLogger,
        requires: { relay: {} },
        timing,
      }),
    );
    await Promise.all([middle.start(), top.start()]);
    const child = await spawnPlugin("mqtt", url, root, "lamp", 60_000);
    await top.compliant({ timeoutMs: 10_000 });
    expect(await top.request("relay", "hi")).toBe("hi");
    const middleDown = coreState(middle, "not-compliant", 5000).then(() => performance.now());
    const topDown = coreState(top, "not-compliant", 5000).then(() => performance.now());
    const killedAt = performance.now();
    child.kill("SIGKILL");
    const [m, t] = await Promise.all([middleDown, topDown]);
    report(
      `chain down: hybrid not compliant ${(m - killedAt).toFixed(1)} ms, core ${(t - killedAt).toFixed(1)} ms after the plugin was killed`,
    );
    await spawnPlugin("mqtt", url, root, "lamp", 60_000);
    const backAt = performance.now();
    const middleUp = coreState(middle, "compliant", 10_000).then(() => performance.now());
    const topUp = coreState(top, "compliant", 10_000).then(() => performance.now());
    const [m2, t2] = await Promise.all([middleUp, topUp]);
    report(
      `chain up: hybrid compliant ${(m2 - backAt).toFixed(1)} ms, core ${(t2 - backAt).toFixed(1)} ms after the plugin was back`,
    );
    expect(await top.request("relay", "again")).toBe("again");
  }, 60_000);

  it("NATS (no will): noticed within deadAfterMs plus one keepalive interval", async () => {
    const url = `nats://127.0.0.1:${nats.port}`;
    const root = uniqueRoot("n");
    const deadAfterMs = 1500;
    const core = echoCore(new NatsBus({ servers: url }), root, deadAfterMs);
    await core.start();
    const child = await spawnPlugin("nats", url, root, "lamp", deadAfterMs);
    await core.compliant({ timeoutMs: 10_000 });
    const gone = nextDisconnection(core, () => true, 10_000);
    const killedAt = performance.now();
    child.kill("SIGKILL");
    const { detail } = await gone;
    const detectedMs = performance.now() - killedAt;
    report(
      `NATS heartbeat: killed plugin noticed after ${detectedMs.toFixed(1)} ms (deadAfterMs ${deadAfterMs})`,
    );
    expect(detail.reason).toBe("dead");
    expect(detectedMs).toBeLessThan(deadAfterMs + deadAfterMs / 3 + 300);
    expect(core.state).toBe("not-compliant");
  }, 60_000);
});

describe("a broker outage", () => {
  let mosquitto: BrokerProcess;
  beforeAll(async () => {
    mosquitto = await startMosquitto();
  }, 30_000);
  afterAll(() => mosquitto?.dispose());

  it("while the core keeps requesting: every request resolves or fails clearly, none hangs; compliant afterwards", async () => {
    const url = `mqtt://127.0.0.1:${mosquitto.port}`;
    const root = uniqueRoot("o");
    const timing = { deadAfterMs: 2000, discoverIntervalMs: 300, requestTimeoutMs: 1000 };
    const bus = (): MqttBus => new MqttBus({ url, reconnectPeriodMs: 200 });
    const plugin = orbs.add(new Plugin({ id: "survivor", bus: bus(), root, logger: silentLogger, timing }));
    plugin.operation("echo", { input: { any: true }, output: { any: true } }, (x) => x);
    const core = orbs.add(
      new Core({ id: "busy", bus: bus(), root, logger: silentLogger, requires: { echo: {} }, timing }),
    );
    await Promise.all([plugin.start(), core.start()]);
    await core.compliant({ timeoutMs: 10_000 });
    const events: string[] = [];
    core.on("disconnection", (c, d) => events.push(`core: ${c.remote}/${c.operation} ${d.reason}`));
    plugin.on("disconnection", (c, d) => events.push(`plugin: ${c.remote}/${c.operation} ${d.reason}`));
    core.on("bus", (s) => events.push(`core bus ${s}`));
    plugin.on("bus", (s) => events.push(`plugin bus ${s}`));

    const outcomes: string[] = [];
    let running = true;
    const load = (async () => {
      for (let i = 0; running; i++) {
        try {
          expect(await core.request("echo", i, { timeoutMs: 1000 })).toBe(i);
          outcomes.push("ok");
        } catch (error) {
          expect(
            [RequestTimeoutError, ConnectionClosedError, NoConnectionError, BusError].some(
              (E) => error instanceof E,
            ),
          ).toBe(true);
          outcomes.push((error as { code: string }).code);
          await new Promise((r) => setTimeout(r, 50)); // pace retries while nothing can be sent
        }
      }
    })();
    await withTimeout(new Promise((r) => setTimeout(r, 300)), 1000, "some load");
    await mosquitto.stop();
    await withTimeout(new Promise((r) => setTimeout(r, 3000)), 4000, "the 3 s outage");
    const okBefore = outcomes.length;
    await mosquitto.start();
    await core.compliant({ timeoutMs: 15_000 });
    // Work flows again.
    await withTimeout(
      (async () => {
        while (outcomes.slice(okBefore).filter((o) => o === "ok").length < 3)
          await new Promise((r) => setTimeout(r, 20));
      })(),
      15_000,
      "requests to succeed again",
    );
    running = false;
    await withTimeout(load, 5000, "the request loop to end (no request hangs)");
    report(`outage events: ${events.join(", ")}`);
    report(
      `outage: ${outcomes.length} requests, ${outcomes.filter((o) => o === "ok").length} ok, failures ${JSON.stringify(countBy(outcomes.filter((o) => o !== "ok")))}`,
    );
    expect(outcomes.filter((o) => o !== "ok").length).toBeGreaterThan(0);
    // The broker published both clients' wills as it went down: that was no death, and the
    // connections lived through the outage.
    expect(events.filter((e) => e.includes("offline") || e.includes("dead"))).toEqual([]);
    expect(core.state).toBe("compliant");
  }, 60_000);
});

describe("termination over MQTT", () => {
  let target: MqttTarget;
  beforeAll(async () => {
    target = await resolveMqtt();
  });
  afterAll(() => target?.stop());

  it("graceful stop of a plugin while a request is in flight: the request resolves, then the core is not compliant", async () => {
    const root = uniqueRoot("g");
    const bus = (): MqttBus => new MqttBus({ url: target.url, protocolVersion: target.protocolVersion });
    let started!: () => void;
    const handlerStarted = new Promise<void>((r) => (started = r));
    const plugin = orbs.add(new Plugin({ id: "worker", bus: bus(), root, logger: silentLogger }));
    plugin.operation("echo", { input: { any: true }, output: { any: true } }, async (x) => {
      started();
      await new Promise((r) => setTimeout(r, 300)); // work that takes a while
      return x;
    });
    const core = orbs.add(
      new Core({ id: "boss", bus: bus(), root, logger: silentLogger, requires: { echo: {} } }),
    );
    await Promise.all([plugin.start(), core.start()]);
    await core.compliant({ timeoutMs: 10_000 });
    const order: string[] = [];
    const request = core.request("echo", "done").then((v) => order.push(`resolved ${String(v)}`));
    core.on("state", (s) => order.push(s));
    await withTimeout(handlerStarted, 5000, "the handler to start");
    await plugin.stop();
    await withTimeout(request, 5000, "the in-flight request");
    await coreState(core, "not-compliant", 5000);
    expect(order).toEqual(["resolved done", "not-compliant"]);
  }, 30_000);

  it("a graceful close whose remote cannot finish in time falls back to graceless", async () => {
    const root = uniqueRoot("t");
    const bus = (): MqttBus => new MqttBus({ url: target.url, protocolVersion: target.protocolVersion });
    const plugin = orbs.add(new Plugin({ id: "stuck", bus: bus(), root, logger: silentLogger }));
    plugin.operation(
      "echo",
      { input: { any: true }, output: { any: true } },
      () => new Promise(() => undefined),
    );
    const core = orbs.add(
      new Core({
        id: "impatient",
        bus: bus(),
        root,
        logger: silentLogger,
        requires: { echo: {} },
        timing: { gracefulCloseTimeoutMs: 500 },
      }),
    );
    await Promise.all([plugin.start(), core.start()]);
    await core.compliant({ timeoutMs: 10_000 });
    const pending = core.request("echo", 1, { timeoutMs: 30_000 });
    const onPlugin = nextDisconnection(plugin, () => true, 5000);
    const started = performance.now();
    await core.close("stuck", "echo", { graceful: true });
    const took = performance.now() - started;
    await expect(pending).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(took).toBeGreaterThanOrEqual(450);
    expect(took).toBeLessThan(3000);
    expect((await onPlugin).detail).toEqual({ reason: "closed-by-remote", graceful: false });
  }, 30_000);
});

function countBy(items: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[i] = (out[i] ?? 0) + 1;
  return out;
}
