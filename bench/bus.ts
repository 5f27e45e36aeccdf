/**
 * Bus benchmark: one-way throughput and publish-to-receive latency of every adapter, next
 * to raw mqtt.js measured in the same run. Run with `npx tsx bench/bus.ts`.
 *
 * - throughput: N messages of `size` bytes from a publisher client to a subscriber client
 *   (two bus instances), timed from the first publish to the last delivery;
 * - latency: `samples` sequential round trips publish -> delivery (one message in flight).
 *
 * Brokers: ORBITALIS_MQTT_URL, ORBITALIS_NATS_URL, ORBITALIS_REDIS_URL (defaults: the
 * standard ports on 127.0.0.1). An adapter whose broker does not answer is reported as
 * unavailable.
 */

import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { connectAsync, type MqttClient } from "mqtt";
import type { Bus } from "../runtime/bus/bus.js";
import { LocalHub } from "../runtime/bus/local-hub.js";
import { MqttBus } from "../runtime/bus/mqtt.js";
import { NatsBus } from "../runtime/bus/nats.js";
import { RedisBus } from "../runtime/bus/redis.js";
import { percentile } from "./shared.js";

/** Options of {@link runBusBench}. */
export interface BusBenchOptions {
  /** Messages per throughput run. Default 20,000. */
  readonly messages?: number;
  /** Sequential latency samples. Default 2,000. */
  readonly samples?: number;
  /** Payload size in bytes. Default 1024. */
  readonly size?: number;
  /** Print the table (default true). */
  readonly print?: boolean;
}

/** One measured transport. */
export interface BusBenchRow {
  readonly name: string;
  /** Messages per second, or undefined when unavailable. */
  readonly throughput?: number;
  /** Messages received in the throughput run (less than sent means loss). */
  readonly received?: number;
  readonly p50Ms?: number;
  readonly p99Ms?: number;
  /** Why the row has no numbers. */
  readonly error?: string;
}

/** A publisher/subscriber pair under test. */
interface Pair {
  publish(payload: Uint8Array): Promise<void>;
  /** Registers the receive callback (once). */
  onReceive(handler: (payload: Uint8Array) => void): Promise<void>;
  close(): Promise<void>;
}

const MQTT_URL = process.env.ORBITALIS_MQTT_URL ?? "mqtt://127.0.0.1:1883";
const NATS_URL = process.env.ORBITALIS_NATS_URL ?? "nats://127.0.0.1:4222";
const REDIS_URL = process.env.ORBITALIS_REDIS_URL ?? "redis://127.0.0.1:6379";

function topicRoot(): string {
  return `bench${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

async function busPair(make: () => Bus): Promise<Pair> {
  const pub = make();
  const sub = make();
  await Promise.all([pub.connect(), sub.connect()]);
  const topic = `${topicRoot()}/bus`;
  return {
    publish: (payload) => pub.publish(topic, payload),
    onReceive: async (handler) => {
      await sub.subscribe(topic, (_t, payload) => handler(payload));
    },
    close: async () => {
      await Promise.all([pub.close(), sub.close()]);
    },
  };
}

/**
 * Raw mqtt.js with the same flow control the adapter uses (at most the broker's Receive
 * Maximum unacknowledged QoS 1 publishes): without it a QoS 1 flood overflows Mosquitto's
 * per-client queue and loses messages.
 */
async function rawMqttPair(qos: 0 | 1): Promise<Pair> {
  const pub: MqttClient = await connectAsync(MQTT_URL, { protocolVersion: 5 });
  const sub: MqttClient = await connectAsync(MQTT_URL, { protocolVersion: 5 });
  // mqtt.js keeps the CONNACK on a property its typings mark private.
  const { connackPacket: connack } = pub as unknown as {
    connackPacket?: { properties?: { receiveMaximum?: number } };
  };
  const window = connack?.properties?.receiveMaximum ?? 20;
  const topic = `${topicRoot()}/raw`;
  let inflight = 0;
  // FIFO with a head index (Array#shift is O(n) on long queues).
  const waiting: ((() => void) | undefined)[] = [];
  let head = 0;
  return {
    publish: (payload) =>
      new Promise<void>((resolve, reject) => {
        const send = (): void => {
          pub.publish(
            topic,
            Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength),
            { qos },
            (error) => {
              const next = head < waiting.length ? waiting[head] : undefined;
              if (next) {
                waiting[head++] = undefined;
                if (head === waiting.length) waiting.length = head = 0;
                next();
              } else inflight--;
              if (error) reject(error);
              else resolve();
            },
          );
        };
        if (qos === 0 || inflight < window) {
          if (qos === 1) inflight++;
          send();
        } else waiting.push(send);
      }),
    onReceive: async (handler) => {
      sub.on("message", (_t, payload) => handler(payload));
      await sub.subscribeAsync(topic, { qos });
    },
    close: async () => {
      await Promise.all([pub.endAsync(), sub.endAsync()]);
    },
  };
}

async function measure(
  name: string,
  open: () => Promise<Pair>,
  o: Required<BusBenchOptions>,
): Promise<BusBenchRow> {
  let pair: Pair;
  try {
    pair = await open();
  } catch (error) {
    return { name, error: error instanceof Error ? error.message : String(error) };
  }
  try {
    let received = 0;
    let lastAt = 0;
    let onCount: (() => void) | undefined;
    let target = 0;
    await pair.onReceive(() => {
      received++;
      lastAt = performance.now();
      if (received === target) onCount?.();
    });
    const payload = new Uint8Array(o.size);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff;
    /** Publishes `count` messages; ends when all arrived or nothing arrived for 2 s (loss). */
    const burst = async (count: number): Promise<number> => {
      received = 0;
      target = count;
      const done = new Promise<void>((resolve) => (onCount = resolve));
      const start = performance.now();
      lastAt = start;
      const sends: Promise<void>[] = [];
      for (let i = 0; i < count; i++) sends.push(pair.publish(payload));
      await Promise.all(sends);
      let timer: NodeJS.Timeout | undefined;
      const stalled = new Promise<void>((resolve) => {
        timer = setInterval(() => {
          if (performance.now() - lastAt > 2000) resolve();
        }, 100);
      });
      await Promise.race([done, stalled]);
      clearInterval(timer);
      return lastAt - start;
    };
    await burst(Math.min(2000, o.messages)); // warm up
    const elapsed = await burst(o.messages);
    const got = received;
    const latencies: number[] = [];
    for (let i = 0; i < o.samples; i++) {
      received = 0;
      target = 1;
      const arrived = new Promise<void>((resolve) => (onCount = resolve));
      const t0 = performance.now();
      await pair.publish(payload);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([arrived, new Promise<void>((resolve) => (timer = setTimeout(resolve, 5000)))]);
      clearTimeout(timer);
      latencies.push(performance.now() - t0);
    }
    latencies.sort((a, b) => a - b);
    return {
      name,
      throughput: (got / elapsed) * 1000,
      received: got,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
    };
  } finally {
    await pair.close();
  }
}

function formatTable(rows: readonly BusBenchRow[], o: Required<BusBenchOptions>): string {
  const raw = rows.find((r) => r.name === "mqtt.js raw (QoS 1)");
  const lines = [
    `bus bench: ${o.messages} x ${o.size} B one-way, ${o.samples} latency samples`,
    "| transport | msgs/s | vs raw mqtt.js | received | p50 ms | p99 ms | p50 vs raw |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const r of rows) {
    if (r.error !== undefined || r.throughput === undefined) {
      lines.push(`| ${r.name} | unavailable: ${r.error ?? "?"} | | | | | |`);
      continue;
    }
    const tp = raw?.throughput ? `${(r.throughput / raw.throughput).toFixed(2)}x` : "-";
    const lat = raw?.p50Ms ? `${((r.p50Ms ?? NaN) / raw.p50Ms).toFixed(2)}x` : "-";
    lines.push(
      `| ${r.name} | ${Math.round(r.throughput).toLocaleString("en-US")} | ${tp} | ${r.received}/${o.messages} | ` +
        `${(r.p50Ms ?? NaN).toFixed(3)} | ${(r.p99Ms ?? NaN).toFixed(3)} | ${lat} |`,
    );
  }
  return lines.join("\n");
}

/**
 * Measures every adapter and raw mqtt.js; returns the rows (and prints a Markdown table
 * unless `print: false`). Resolves when all runs finished; an unreachable broker gives a
 * row with `error` instead of rejecting.
 */
export async function runBusBench(options: BusBenchOptions = {}): Promise<BusBenchRow[]> {
  const o: Required<BusBenchOptions> = {
    messages: options.messages ?? 20_000,
    samples: options.samples ?? 2000,
    size: options.size ?? 1024,
    print: options.print ?? true,
  };
  const quiet = { onError: () => undefined };
  const hub = new LocalHub();
  const targets: [string, () => Promise<Pair>][] = [
    ["mqtt.js raw (QoS 1)", () => rawMqttPair(1)],
    ["LocalBus", () => busPair(() => hub.bus())],
    [
      "MqttBus (QoS 1)",
      () => busPair(() => new MqttBus({ url: MQTT_URL, connectTimeoutMs: 3000, ...quiet })),
    ],
    ["NatsBus", () => busPair(() => new NatsBus({ url: NATS_URL, connectTimeoutMs: 3000, ...quiet }))],
    ["RedisBus", () => busPair(() => new RedisBus({ url: REDIS_URL, connectTimeoutMs: 3000, ...quiet }))],
    ["mqtt.js raw (QoS 0)", () => rawMqttPair(0)],
    [
      "MqttBus (QoS 0)",
      () => busPair(() => new MqttBus({ url: MQTT_URL, qos: 0, connectTimeoutMs: 3000, ...quiet })),
    ],
  ];
  const rows: BusBenchRow[] = [];
  for (const [name, open] of targets) rows.push(await measure(name, open, o));
  if (o.print) console.log(formatTable(rows, o));
  return rows;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runBusBench();
}
