/**
 * `npm run scale`: one core with many plugins (one connection each), left idle, as an
 * operator would run them: 1,000 plugins on the LocalBus, 200 over Mosquitto. Reports the
 * time to compliance, disconnections while idle (there must be none), the event loop's
 * delay (p50, p99, max), and memory per connection. Exits 1 when a run loses a connection
 * or does not become compliant.
 *
 *   npm run scale -- [--seconds 60] [--local 1000] [--mqtt 200] [--url mqtt://127.0.0.1:1883]
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { Core, LocalHub, MqttBus, Plugin, silentLogger, type Bus } from "../runtime/index.js";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "60" },
    local: { type: "string", default: "1000" },
    mqtt: { type: "string", default: "200" },
    url: { type: "string", default: process.env.MQTT_URL ?? "mqtt://127.0.0.1:1883" },
  },
});
const seconds = Number(values.seconds);
const root = `scale${process.pid}`;

interface Result {
  readonly bus: string;
  readonly plugins: number;
  readonly compliantMs: number;
  readonly idleSeconds: number;
  readonly disconnections: number;
  readonly loopDelayMs: { p50: number; p99: number; max: number };
  readonly heapPerConnectionKb: number;
}

async function run(name: string, plugins: number, newBus: () => Bus): Promise<Result> {
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const orbs: Plugin[] = [];
  for (let i = 0; i < plugins; i++) {
    const p = new Plugin({ id: `p${i}`, bus: newBus(), root: `${root}${name}`, logger: silentLogger });
    p.operation("echo", { input: { any: true }, output: { any: true } }, (x) => x);
    orbs.push(p);
  }
  const core = new Core({
    id: "core",
    bus: newBus(),
    root: `${root}${name}`,
    logger: silentLogger,
    requires: { echo: { minimum: plugins } },
  });
  let disconnections = 0;
  core.on("disconnection", () => disconnections++);
  const started = performance.now();
  await Promise.all(orbs.map((p) => p.start()));
  await core.start();
  await core.compliant({ timeoutMs: 120_000 });
  const compliantMs = performance.now() - started;
  console.log(
    `${name}: 1 core + ${plugins} plugins compliant in ${compliantMs.toFixed(0)} ms; idling ${seconds} s`,
  );
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const before = disconnections;
  for (let s = 0; s < seconds; s += 10) {
    await new Promise((r) => setTimeout(r, Math.min(10, seconds - s) * 1000));
    process.stdout.write(
      `  ${Math.min(seconds, s + 10)} s: ${disconnections - before} disconnections, state ${core.state}\n`,
    );
  }
  loop.disable();
  global.gc?.();
  const heapPerConnectionKb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / plugins;
  const result: Result = {
    bus: name,
    plugins,
    compliantMs: Math.round(compliantMs),
    idleSeconds: seconds,
    disconnections: disconnections - before,
    loopDelayMs: {
      p50: loop.percentile(50) / 1e6,
      p99: loop.percentile(99) / 1e6,
      max: loop.max / 1e6,
    },
    heapPerConnectionKb: Math.round(heapPerConnectionKb * 10) / 10,
  };
  await core.stop();
  await Promise.all(orbs.map((p) => p.stop()));
  return result;
}

const results: Result[] = [];
const hub = new LocalHub();
if (Number(values.local) > 0) results.push(await run("local", Number(values.local), () => hub.bus()));
if (Number(values.mqtt) > 0)
  results.push(await run("mqtt", Number(values.mqtt), () => new MqttBus({ url: values.url })));
console.log(JSON.stringify(results, null, 2));
const failed = results.filter((r) => r.disconnections > 0);
if (failed.length > 0) {
  console.error(`lost connections while idle: ${failed.map((r) => r.bus).join(", ")}`);
  process.exit(1);
}
