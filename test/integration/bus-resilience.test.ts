/**
 * Resilience of the network adapters against brokers this file starts on free ports:
 * stop the broker, publish during the outage, restart it, and check what each adapter
 * promises (docs/buses.md). Plus the MQTT will of a killed process, and the aedes
 * fallback of the test helpers.
 */

import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import type { Bus, BusStatus } from "../../runtime/bus/bus.js";
import { MqttBus } from "../../runtime/bus/mqtt.js";
import { NatsBus } from "../../runtime/bus/nats.js";
import { RedisBus } from "../../runtime/bus/redis.js";
import {
  freePort,
  resolveMqtt,
  startMosquitto,
  startNats,
  startRedis,
  type BrokerProcess,
} from "../helpers/brokers.js";
import { Inbox, nextStatus, uniqueRoot, withTimeout } from "../helpers/wait.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const quiet = { onError: () => undefined };

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function track<T extends Bus>(bus: T): T {
  cleanup.push(() => bus.close());
  return bus;
}

function statusLog(bus: Bus): BusStatus[] {
  const log: BusStatus[] = [];
  bus.onStatus((s) => log.push(s));
  return log;
}

async function own(start: () => Promise<BrokerProcess>): Promise<BrokerProcess> {
  const broker = await start();
  cleanup.push(() => broker.dispose());
  return broker;
}

/** Stops the broker and waits until every bus reported the outage. */
async function outage(broker: BrokerProcess, buses: Bus[]): Promise<void> {
  const down = buses.map((bus) => nextStatus(bus, "disconnected"));
  await broker.stop();
  await Promise.all(down);
}

/** Restarts the broker and waits until every bus is back with its subscriptions. */
async function recovery(broker: BrokerProcess, buses: Bus[]): Promise<void> {
  const up = buses.map((bus) => nextStatus(bus, "reconnected", 15_000));
  await broker.start();
  await Promise.all(up);
}

describe("MQTT resilience (own Mosquitto with persistence)", () => {
  it("loses nothing published at QoS 1 during an outage with a persistent session, and resubscribes clean sessions", async () => {
    const broker = await own(startMosquitto);
    const url = `mqtt://127.0.0.1:${broker.port}`;
    const id = uniqueRoot("c");
    const fast = { url, reconnectPeriodMs: 100, ...quiet };
    const durable = track(
      new MqttBus({ ...fast, clientId: `${id}-durable`, clean: false, sessionExpirySeconds: 300 }),
    );
    const cleanSub = track(new MqttBus(fast));
    const pub = track(new MqttBus(fast));
    const buses = [durable, cleanSub, pub];
    await Promise.all(buses.map((bus) => bus.connect()));
    const log = statusLog(durable);
    const root = uniqueRoot();
    const kept = new Inbox();
    const resubscribed = new Inbox();
    await durable.subscribe(`${root}/#`, kept.handler);
    await cleanSub.subscribe(`${root}/#`, resubscribed.handler);
    await pub.publish(`${root}/m`, Buffer.from("before"));
    await Promise.all([kept.count(1), resubscribed.count(1)]);

    await outage(broker, buses);
    const during = Array.from({ length: 50 }, (_, i) => `during-${i}`);
    // Resolves at once: queued in the client while the broker is away.
    await withTimeout(
      Promise.all(during.map((text) => pub.publish(`${root}/m`, Buffer.from(text)))),
      2000,
      "queued publishes",
    );
    await recovery(broker, buses);

    await pub.publish(`${root}/m`, Buffer.from("after"));
    await kept.until(() => kept.texts.includes("after"), 10_000, "'after' on the persistent session");
    expect(kept.texts).toEqual(["before", ...during, "after"]);
    await resubscribed.until(
      () => resubscribed.texts.includes("after"),
      10_000,
      "'after' on the clean session",
    );
    expect(log).toEqual(["disconnected", "reconnected"]);
  });
});

describe("MQTT will", () => {
  it("publishes the will of a process killed with SIGKILL", async () => {
    const target = await resolveMqtt();
    cleanup.push(() => target.stop());
    const watcher = track(
      new MqttBus({ url: target.url, protocolVersion: target.protocolVersion, ...quiet }),
    );
    await watcher.connect();
    const topic = `${uniqueRoot()}/will`;
    const inbox = new Inbox();
    await watcher.subscribe(topic, inbox.handler);
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        path.join(here, "fixtures/will-child.ts"),
        target.url,
        String(target.protocolVersion),
        topic,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    cleanup.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    });
    let output = "";
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        child.stdout.on("data", (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes("ready")) resolve();
        });
        child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
        child.once("exit", (code) => reject(new Error(`child exited (${code}) before ready:\n${output}`)));
      }),
      15_000,
      "the child's MqttBus to connect",
    );
    expect(inbox.items).toHaveLength(0);
    child.kill("SIGKILL");
    await exited;
    await inbox.count(1, 10_000);
    expect(inbox.texts).toEqual([`died:${child.pid}`]);
  });
});

describe("NATS resilience (own nats-server)", () => {
  it("reports the outage, reconnects and resubscribes by itself", async () => {
    const broker = await own(startNats);
    const url = `nats://127.0.0.1:${broker.port}`;
    const sub = track(new NatsBus({ url, reconnectTimeWaitMs: 100, ...quiet }));
    const pub = track(new NatsBus({ url, reconnectTimeWaitMs: 100, ...quiet }));
    await Promise.all([sub.connect(), pub.connect()]);
    const log = statusLog(sub);
    const root = uniqueRoot();
    const inbox = new Inbox();
    await sub.subscribe(`${root}/#`, inbox.handler);
    await pub.publish(`${root}/m`, Buffer.from("before"));
    await inbox.count(1);

    await outage(broker, [sub, pub]);
    // Accepted and buffered by the client; delivery depends on who reconnects first.
    await pub.publish(`${root}/m`, Buffer.from("during"));
    await recovery(broker, [sub, pub]);

    await pub.publish(`${root}/m`, Buffer.from("after"));
    await inbox.until(() => inbox.texts.includes("after"), 10_000, "'after'");
    expect(inbox.texts[0]).toBe("before");
    expect(inbox.texts.at(-1)).toBe("after");
    expect(log).toEqual(["disconnected", "reconnected"]);
  });
});

describe("Redis resilience (own redis-server)", () => {
  it("reports the outage, reconnects and resubscribes by itself", async () => {
    const broker = await own(startRedis);
    const url = `redis://127.0.0.1:${broker.port}`;
    const sub = track(new RedisBus({ url, reconnectDelayMs: 100, ...quiet }));
    const pub = track(new RedisBus({ url, reconnectDelayMs: 100, ...quiet }));
    await Promise.all([sub.connect(), pub.connect()]);
    const log = statusLog(sub);
    const root = uniqueRoot();
    const inbox = new Inbox();
    const exact = new Inbox();
    await sub.subscribe(`${root}/#`, inbox.handler);
    await sub.subscribe(`${root}/m`, exact.handler);
    await pub.publish(`${root}/m`, Buffer.from("before"));
    await Promise.all([inbox.count(1), exact.count(1)]);

    await outage(broker, [sub, pub]);
    await withTimeout(pub.publish(`${root}/m`, Buffer.from("during")), 2000, "queued publish");
    await recovery(broker, [sub, pub]);

    await pub.publish(`${root}/m`, Buffer.from("after"));
    await inbox.until(() => inbox.texts.includes("after"), 10_000, "'after' (pattern)");
    await exact.until(() => exact.texts.includes("after"), 10_000, "'after' (channel)");
    expect(inbox.texts[0]).toBe("before");
    expect(log).toEqual(["disconnected", "reconnected"]);
  });
});

describe("test helpers: MQTT broker resolution", () => {
  it("starts an embedded aedes broker outside CI when nothing answers, and fails clearly in CI", async () => {
    const dead = `mqtt://127.0.0.1:${await freePort()}`;
    await expect(resolveMqtt(dead, true)).rejects.toThrow(/CI=true and no MQTT broker answers/);
    const target = await resolveMqtt(dead, false);
    cleanup.push(() => target.stop());
    expect(target.source).toBe("aedes");
    const bus = track(new MqttBus({ url: target.url, protocolVersion: target.protocolVersion, ...quiet }));
    await bus.connect();
    const inbox = new Inbox();
    await bus.subscribe("x/#", inbox.handler);
    await bus.publish("x/y", Buffer.from("hi"));
    await inbox.count(1);
  });
});

describe("first connection failures", () => {
  it.each([
    [
      "mqtt",
      (port: number) => new MqttBus({ url: `mqtt://127.0.0.1:${port}`, connectTimeoutMs: 2000, ...quiet }),
    ],
    [
      "nats",
      (port: number) => new NatsBus({ url: `nats://127.0.0.1:${port}`, connectTimeoutMs: 2000, ...quiet }),
    ],
    [
      "redis",
      (port: number) => new RedisBus({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 2000, ...quiet }),
    ],
  ])("%s: connect() rejects with a BusError when no broker answers", async (_name, make) => {
    const bus = track(make(await freePort()));
    const error = await bus.connect().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ERR_BUS", name: "BusError" });
    expect((error as Error).cause).toBeDefined();
    expect(bus.status).toBe("connecting");
  });
});
