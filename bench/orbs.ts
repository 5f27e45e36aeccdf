/**
 * Orb benchmarks: how long 1 core + N plugins take to become compliant (LocalBus and
 * MQTT, measured in the same run), and how many keepalive messages that core sends and
 * receives per second once connected. Run with `npx tsx bench/orbs.ts [plugins]`.
 */
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import {
  Core,
  LocalHub,
  MqttBus,
  Plugin,
  silentLogger,
  type Bus,
  type TimingOptions,
} from "../runtime/index.js";
import { startMosquitto } from "../test/helpers/brokers.js";

/** One measured setup. */
export interface OrbBenchRow {
  readonly bus: string;
  readonly plugins: number;
  /** Milliseconds from the core's start (plugins already running) to compliant. */
  readonly compliantMs: number;
  /** Keepalives per second the core sent / received, over `windowMs` after compliance. */
  readonly keepaliveSent: number;
  readonly keepaliveReceived: number;
  /** Sequential core.request() round trips (validated input and output): p50 in ms, and per second. */
  readonly requestP50Ms: number;
  readonly requestsPerSecond: number;
}

/** Sequential request round trips to one of the plugins. */
async function requestLatency(core: Core, samples: number): Promise<{ p50: number; perSecond: number }> {
  const times: number[] = [];
  for (let i = 0; i < 200; i++) await core.request("work", i); // warm-up
  const started = performance.now();
  for (let i = 0; i < samples; i++) {
    const t = performance.now();
    await core.request("work", i, { to: "worker-0" });
    times.push(performance.now() - t);
  }
  const total = performance.now() - started;
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length / 2)]!, perSecond: samples / (total / 1000) };
}

async function measure(
  name: string,
  newBus: () => Bus,
  plugins: number,
  windowMs: number,
): Promise<OrbBenchRow> {
  const root = `bench${Date.now().toString(36)}`;
  const timing: Partial<TimingOptions> = {}; // protocol defaults: deadAfterMs 6000 -> keepalive every <= 2000 ms
  const orbs: Plugin[] = [];
  for (let i = 0; i < plugins; i++) {
    const p = new Plugin({ id: `worker-${i}`, bus: newBus(), root, logger: silentLogger, timing });
    p.operation("work", { input: { any: true }, output: { any: true } }, (x) => x);
    orbs.push(p);
  }
  await Promise.all(orbs.map((p) => p.start()));
  const core = new Core({
    id: "boss",
    bus: newBus(),
    root,
    logger: silentLogger,
    timing,
    requires: { work: { minimum: plugins } },
  });
  const started = performance.now();
  await core.start();
  await core.compliant({ timeoutMs: 60_000 });
  const compliantMs = performance.now() - started;

  // Count keepalives on the wire: to the core (received) and from the core (sent).
  const sniffer = newBus();
  await sniffer.connect();
  let sent = 0;
  let received = 0;
  await sniffer.subscribeValue(`${root}/orb/+/keepalive`, (topic, value) => {
    const m = value as { kind: string; from: string };
    if (m.kind !== "keepalive") return;
    if (m.from === "boss") sent++;
    else if (topic === `${root}/orb/boss/keepalive`) received++;
  });
  await new Promise((r) => setTimeout(r, windowMs));
  const seconds = windowMs / 1000;
  const keepaliveSent = sent / seconds;
  const keepaliveReceived = received / seconds;
  await sniffer.close(); // counted over the window only, not during the request run
  const latency = await requestLatency(core, 2000);
  const row = {
    bus: name,
    plugins,
    compliantMs,
    keepaliveSent,
    keepaliveReceived,
    requestP50Ms: latency.p50,
    requestsPerSecond: latency.perSecond,
  };
  await core.stop();
  await Promise.all(orbs.map((p) => p.stop()));
  return row;
}

/** Runs the orb benchmarks; prints a table unless `print` is false. */
export async function runOrbBench(
  options: { plugins?: number; windowMs?: number; print?: boolean } = {},
): Promise<OrbBenchRow[]> {
  const plugins = options.plugins ?? 100;
  const windowMs = options.windowMs ?? 10_000;
  const url = process.env.ORBITALIS_MQTT_URL ?? "mqtt://127.0.0.1:1883";
  const hub = new LocalHub();
  const rows = [
    await measure("LocalBus", () => hub.bus(), plugins, windowMs),
    await measure("MqttBus (Mosquitto, default config)", () => new MqttBus({ url }), plugins, windowMs),
  ];
  // The same on a Mosquitto with set_tcp_nodelay: without it the broker's Nagle algorithm
  // holds an output behind the PUBACK it just sent the core, until the core's delayed ACK.
  const tuned = await startMosquitto(["set_tcp_nodelay true"]);
  try {
    const tunedUrl = `mqtt://127.0.0.1:${tuned.port}`;
    rows.push(
      await measure(
        "MqttBus (Mosquitto, set_tcp_nodelay)",
        () => new MqttBus({ url: tunedUrl }),
        plugins,
        windowMs,
      ),
    );
  } finally {
    await tuned.dispose();
  }
  if (options.print !== false) {
    console.log(
      `\n1 core + ${plugins} plugins (protocol default timing, keepalives counted over ${windowMs / 1000} s)\n`,
    );
    console.log(
      "| bus | compliant after | keepalives sent/s (core) | keepalives received/s (core) | request p50 | requests/s (sequential) |",
    );
    console.log("|---|---:|---:|---:|---:|---:|");
    for (const r of rows) {
      console.log(
        `| ${r.bus} | ${r.compliantMs.toFixed(0)} ms | ${r.keepaliveSent.toFixed(1)} | ${r.keepaliveReceived.toFixed(1)} | ${r.requestP50Ms.toFixed(3)} ms | ${r.requestsPerSecond.toFixed(0)} |`,
      );
    }
    const local = rows[0]!;
    for (const r of rows.slice(1)) {
      console.log(
        `${r.bus} / LocalBus: time to compliance ${(r.compliantMs / local.compliantMs).toFixed(2)}x, request p50 ${(r.requestP50Ms / local.requestP50Ms).toFixed(1)}x`,
      );
    }
  }
  return rows;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runOrbBench({ plugins: Number(process.argv[2] ?? 100) });
  process.exit(0);
}
