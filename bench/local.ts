/**
 * In-process figures: `execute()` one-way throughput on the LocalBus with validation on,
 * next to a bare EventEmitter and to an EventEmitter whose listener runs the same ajv
 * validator; sequential `request()` on the LocalBus; memory per connection with 1 core and
 * many plugins. Everything in this process (there is no transport to cross).
 */
import { EventEmitter } from "node:events";
import { performance } from "node:perf_hooks";
import { Ajv } from "ajv";
import { Core, LocalHub, Plugin, silentLogger } from "./orbitalis.js";
import { payload, percentile, TICK, TICK_SCHEMA } from "./shared.js";

export interface LocalFigures {
  readonly messages: number;
  /** Orbitalis `execute()` msgs/s (validated at both ends), and messages the plugin got. */
  readonly executePerSecond: number;
  readonly executeReceived: number;
  readonly emitterPerSecond: number;
  readonly emitterAjvPerSecond: number;
  readonly requestSamples: number;
  readonly requestP50Ms: number;
  readonly requestP99Ms: number;
  readonly requestsPerSecond: number;
}

/** `execute()` calls in flight at a time in the throughput run. */
export const WINDOW = 1000;

/** Best of `runs` timed runs of `fn` (msgs/s): the first runs warm the JIT up. */
async function best(runs: number, messages: number, fn: () => Promise<void>): Promise<number> {
  let top = 0;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    top = Math.max(top, messages / ((performance.now() - t) / 1000));
  }
  return top;
}

async function emitterRun(messages: number, validate?: (v: unknown) => boolean): Promise<number> {
  const emitter = new EventEmitter();
  let got = 0;
  let done: () => void = () => undefined;
  emitter.on("tick", (value: unknown) => {
    if (validate && !validate(value)) throw new Error("invalid");
    if (++got === messages) done();
  });
  return best(5, messages, async () => {
    got = 0;
    const finished = new Promise<void>((r) => (done = r));
    for (let i = 0; i < messages; i++) emitter.emit("tick", payload(i));
    await finished;
  });
}

/** Runs the in-process figures. */
export async function runLocal(messages = 200_000, requestSamples = 20_000): Promise<LocalFigures> {
  const hub = new LocalHub();
  const plugin = new Plugin({ id: "sink", bus: hub.bus(), root: "bench", logger: silentLogger });
  let got = 0;
  let target = 0;
  let done: () => void = () => undefined;
  plugin.operation("tick", { input: TICK, output: "none" }, () => {
    if (++got === target) done();
  });
  plugin.operation("work", { input: TICK, output: TICK }, (x) => x);
  await plugin.start();
  const core = new Core({
    id: "source",
    bus: hub.bus(),
    root: "bench",
    logger: silentLogger,
    requires: { tick: { inputs: [TICK], outputs: ["none"] }, work: { inputs: [TICK], outputs: [TICK] } },
  });
  await core.start();
  await core.compliant({ timeoutMs: 10_000 });
  let received = 0;
  const executePerSecond = await best(5, messages, async () => {
    got = 0;
    target = messages;
    const finished = new Promise<void>((r) => (done = r));
    // Pipelined as a producer would: a window of WINDOW calls in flight at a time.
    for (let i = 0; i < messages; i += WINDOW) {
      const sends: Promise<unknown>[] = [];
      for (let j = i; j < Math.min(messages, i + WINDOW); j++) sends.push(core.execute("tick", payload(j)));
      await Promise.all(sends);
    }
    await finished;
    received = got;
  });

  const times: number[] = [];
  for (let i = 0; i < 1000; i++) await core.request("work", payload(i));
  const started = performance.now();
  for (let i = 0; i < requestSamples; i++) {
    const t = performance.now();
    await core.request("work", payload(i));
    times.push(performance.now() - t);
  }
  const requestsPerSecond = requestSamples / ((performance.now() - started) / 1000);
  times.sort((a, b) => a - b);
  await core.stop();
  await plugin.stop();

  const ajv = new Ajv();
  const validate = ajv.compile(TICK_SCHEMA);
  return {
    messages,
    executePerSecond,
    executeReceived: received,
    emitterPerSecond: await emitterRun(messages),
    emitterAjvPerSecond: await emitterRun(messages, (v) => validate(v)),
    requestSamples,
    requestP50Ms: percentile(times, 50),
    requestP99Ms: percentile(times, 99),
    requestsPerSecond,
  };
}

export interface FootprintFigures {
  readonly plugins: number;
  readonly compliantMs: number;
  /**
   * Heap growth (after GC) per plugin and its connection (each plugin has one, with its
   * own LocalBus client), 1 core + `plugins` plugins, in KiB.
   */
  readonly heapPerConnectionKiB: number;
}

/** Memory per connection with 1 core and `plugins` plugins on one LocalHub. */
export async function runFootprint(plugins = 1000): Promise<FootprintFigures> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with node --expose-gc (npm run bench does)");
  gc();
  const before = process.memoryUsage().heapUsed;
  const hub = new LocalHub();
  const orbs: Plugin[] = [];
  for (let i = 0; i < plugins; i++) {
    const p = new Plugin({ id: `p${i}`, bus: hub.bus(), root: "foot", logger: silentLogger });
    p.operation("echo", { input: { any: true }, output: { any: true } }, (x) => x);
    orbs.push(p);
  }
  await Promise.all(orbs.map((p) => p.start()));
  const core = new Core({
    id: "core",
    bus: hub.bus(),
    root: "foot",
    logger: silentLogger,
    requires: { echo: { minimum: plugins } },
  });
  const started = performance.now();
  await core.start();
  await core.compliant({ timeoutMs: 60_000 });
  const compliantMs = performance.now() - started;
  gc();
  const after = process.memoryUsage().heapUsed;
  await core.stop();
  await Promise.all(orbs.map((p) => p.stop()));
  return { plugins, compliantMs, heapPerConnectionKiB: (after - before) / plugins / 1024 };
}
