/**
 * `npm run soak`: cores in this process and plugin processes over Mosquitto, the plugins
 * killed (SIGKILL) and restarted at random while the cores keep requesting. At the end:
 * every core compliant and answered, no timer and no subscription left once the cores
 * stopped (counted through a counting clock and bus), and the growth of this process's
 * memory reported. Exits 1 when any of that fails. The seed of the random kills is printed.
 *
 *   npm run soak -- [--seconds 180] [--cores 3] [--plugins 4] [--url mqtt://127.0.0.1:1883] [--seed N]
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  Core,
  MqttBus,
  silentLogger,
  systemClock,
  type Bus,
  type Clock,
  type Subscription,
  type TimerHandle,
} from "../runtime/index.js";
import { seededRandom } from "../test/helpers/random.js";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "180" },
    cores: { type: "string", default: "3" },
    plugins: { type: "string", default: "4" },
    url: { type: "string", default: process.env.MQTT_URL ?? "mqtt://127.0.0.1:1883" },
    seed: { type: "string", default: String(Date.now() % 1_000_000) },
  },
});
const seconds = Number(values.seconds);
const url = values.url;
const root = `soak${process.pid}`;
const CHILD = fileURLToPath(new URL("../test/integration/fixtures/plugin-child.ts", import.meta.url));

/** The kills are random, but replayable. */
const random = seededRandom(Number(values.seed));

/** The system clock, counting the timers still pending. */
const pending = new Set<TimerHandle>();
const clock: Clock = {
  now: () => systemClock.now(),
  setTimeout(fn, ms) {
    const handle: TimerHandle = systemClock.setTimeout(() => {
      pending.delete(handle);
      fn();
    }, ms);
    pending.add(handle);
    return handle;
  },
  clearTimeout(handle) {
    pending.delete(handle);
    systemClock.clearTimeout(handle);
  },
};

/** An MQTT bus counting its live subscriptions. */
let subscriptions = 0;
function countingBus(): Bus {
  const bus = new MqttBus({ url });
  const count = (sub: Subscription): Subscription => {
    subscriptions++;
    let live = true;
    return {
      ...sub,
      unsubscribe: () => {
        if (live) subscriptions--;
        live = false;
        return sub.unsubscribe();
      },
    };
  };
  return new Proxy(bus, {
    get(target, key) {
      if (key === "subscribeValue")
        return async (...args: Parameters<Bus["subscribeValue"]>) =>
          count(await target.subscribeValue(...args));
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const plugins = new Map<string, ChildProcess>();
function spawnPlugin(id: string): Promise<void> {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, "mqtt", url, root, id, "6000"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  plugins.set(id, child);
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => d.toString().includes("ready") && resolve());
    child.once("exit", (code, signal) => {
      if (plugins.get(id) === child && signal === null) reject(new Error(`plugin ${id} exited with ${code}`));
    });
  });
}

console.log(
  `soak: ${values.cores} cores, ${values.plugins} plugin processes, ${seconds} s, seed ${values.seed}`,
);
await Promise.all(Array.from({ length: Number(values.plugins) }, (_, i) => spawnPlugin(`p${i}`)));
const cores = Array.from(
  { length: Number(values.cores) },
  (_, i) =>
    new Core({
      id: `c${i}`,
      bus: countingBus(),
      root,
      clock,
      logger: silentLogger,
      requires: { echo: { minimum: 1 } },
      timing: { discoverIntervalMs: 500, requestTimeoutMs: 2000 },
    }),
);
await Promise.all(cores.map((c) => c.start()));
await Promise.all(cores.map((c) => c.compliant({ timeoutMs: 30_000 })));
global.gc?.();
const rssStart = process.memoryUsage().rss;

const outcomes = new Map<string, number>();
let running = true;
const load = cores.map(async (core) => {
  while (running) {
    const outcome = await core.request("echo", "x", { timeoutMs: 2000 }).then(
      () => "ok",
      (e: { code?: string }) => e.code ?? "error",
    );
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    if (outcome !== "ok") await core.compliant({ timeoutMs: 10_000 }).catch(() => undefined);
  }
});

let kills = 0;
const started = performance.now();
while (performance.now() - started < seconds * 1000) {
  await new Promise((r) => setTimeout(r, 1000 + random() * 3000));
  const id = `p${Math.floor(random() * Number(values.plugins))}`;
  const child = plugins.get(id)!;
  plugins.delete(id);
  child.kill("SIGKILL");
  kills++;
  await new Promise((r) => setTimeout(r, random() * 2000));
  await spawnPlugin(id);
  const elapsed = Math.round((performance.now() - started) / 1000);
  if (kills % 5 === 0)
    console.log(`  ${elapsed} s: ${kills} kills, outcomes ${JSON.stringify(Object.fromEntries(outcomes))}`);
}
running = false;
await Promise.all(load);

const problems: string[] = [];
await Promise.all(
  cores.map((c) =>
    c.compliant({ timeoutMs: 15_000 }).catch((e: Error) => problems.push(`${c.id}: ${e.message}`)),
  ),
);
for (const core of cores) {
  await core
    .request("echo", "final", { timeoutMs: 5000 })
    .catch((e: Error) => problems.push(`${core.id}: ${e.message}`));
}
global.gc?.();
const rssGrowthMb = (process.memoryUsage().rss - rssStart) / 1024 / 1024;
await Promise.all(cores.map((c) => c.stop()));
for (const child of plugins.values()) child.kill("SIGTERM");
if (pending.size > 0) problems.push(`${pending.size} timers still pending after every core stopped`);
if (subscriptions > 0) problems.push(`${subscriptions} subscriptions still live after every core stopped`);
const result = {
  seconds,
  kills,
  requests: Object.fromEntries(outcomes),
  leakedTimers: pending.size,
  leakedSubscriptions: subscriptions,
  rssGrowthMb: Math.round(rssGrowthMb * 10) / 10,
  seed: Number(values.seed),
};
console.log(JSON.stringify(result, null, 2));
if (problems.length > 0) {
  console.error(`soak failed:\n${problems.join("\n")}`);
  process.exit(1);
}
process.exit(0);
