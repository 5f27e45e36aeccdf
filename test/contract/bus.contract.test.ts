/**
 * One contract, every adapter: the same tests run on LocalBus, MqttBus (MQTT 5 and 3.1.1),
 * NatsBus and RedisBus against the real brokers on 127.0.0.1 (see test/helpers/brokers.ts).
 */

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Bus } from "../../runtime/bus/bus.js";
import { LocalHub } from "../../runtime/bus/local-hub.js";
import { MqttBus } from "../../runtime/bus/mqtt.js";
import { NatsBus } from "../../runtime/bus/nats.js";
import { RedisBus } from "../../runtime/bus/redis.js";
import { BusError, InvalidPayloadError, InvalidTopicError } from "../../runtime/errors.js";
import { MQTT_URL, NATS_URL, REDIS_URL, resolveMqtt, type MqttTarget } from "../helpers/brokers.js";
import { Inbox, makeBarrier, uniqueRoot, withTimeout } from "../helpers/wait.js";

let mqtt: MqttTarget | undefined;
let hub = new LocalHub();

beforeAll(async () => {
  mqtt = await resolveMqtt();
  if (mqtt.source === "aedes")
    console.warn(`no MQTT broker on ${MQTT_URL}: using embedded aedes at ${mqtt.url}`);
});
afterAll(async () => {
  await mqtt?.stop();
});

const quiet = { onError: () => undefined };

interface Factory {
  readonly name: string;
  create(): Bus;
}

const factories: Factory[] = [
  { name: "local", create: () => hub.bus() },
  {
    name: "mqtt",
    create: () => new MqttBus({ url: mqtt!.url, protocolVersion: mqtt!.protocolVersion, ...quiet }),
  },
  { name: "mqtt-3.1.1", create: () => new MqttBus({ url: mqtt!.url, protocolVersion: 4, ...quiet }) },
  { name: "nats", create: () => new NatsBus({ url: NATS_URL, ...quiet }) },
  { name: "redis", create: () => new RedisBus({ url: REDIS_URL, ...quiet }) },
];

describe.each(factories)("bus contract: $name", (factory) => {
  const open: Bus[] = [];

  /** A new bus, closed after the test. */
  function make(): Bus {
    const bus = factory.create();
    open.push(bus);
    return bus;
  }

  async function connected(): Promise<Bus> {
    const bus = make();
    await bus.connect();
    return bus;
  }

  afterEach(async () => {
    await Promise.all(open.splice(0).map((bus) => bus.close()));
    hub = new LocalHub();
  });

  it("connects and reports its status", async () => {
    const bus = make();
    expect(bus.status).toBe("connecting");
    const seen: string[] = [];
    bus.onStatus((s) => seen.push(s));
    await bus.connect();
    await bus.connect(); // idempotent
    expect(bus.status).toBe("connected");
    expect(seen).toEqual(["connected"]);
    expect(typeof bus.capabilities.will).toBe("boolean");
    expect(factory.name.startsWith(bus.kind)).toBe(true);
  });

  it("rejects publish and subscribe before connect with ERR_BUS_NOT_CONNECTED", async () => {
    const bus = make();
    await expect(bus.publish("a/b", new Uint8Array([1]))).rejects.toMatchObject({
      code: "ERR_BUS_NOT_CONNECTED",
    });
    await expect(bus.subscribe("a/b", () => undefined)).rejects.toBeInstanceOf(BusError);
  });

  it("delivers a published message to a subscriber on another client", async () => {
    const [pub, sub] = await Promise.all([connected(), connected()]);
    const root = uniqueRoot();
    const inbox = new Inbox();
    const subscription = await sub.subscribe(`${root}/hello`, inbox.handler);
    expect(subscription.filter).toBe(`${root}/hello`);
    await pub.publish(`${root}/hello`, Buffer.from("world"));
    await inbox.count(1);
    expect(inbox.items[0]?.topic).toBe(`${root}/hello`);
    expect(inbox.texts).toEqual(["world"]);
  });

  it("applies every wildcard rule exactly", async () => {
    const [pub, sub] = await Promise.all([connected(), connected()]);
    const r = uniqueRoot();
    const u = uniqueRoot("u");
    const topics = [
      `${r}/a`,
      `${r}/b`,
      `${r}/ab`,
      `${r}/a/b`,
      `${r}/a/c`,
      `${r}/x/b`,
      `${r}/a/b/c`,
      `${r}/a/b/c/d`,
      `${r}/${u}`,
    ];
    const expected: Record<string, string[]> = {
      [`${r}/a`]: [`${r}/a`],
      [`${r}/+`]: [`${r}/a`, `${r}/b`, `${r}/ab`, `${r}/${u}`],
      [`${r}/#`]: topics,
      [`${r}/a/+`]: [`${r}/a/b`, `${r}/a/c`],
      [`${r}/+/b`]: [`${r}/a/b`, `${r}/x/b`],
      [`${r}/a/#`]: [`${r}/a`, `${r}/a/b`, `${r}/a/c`, `${r}/a/b/c`, `${r}/a/b/c/d`],
      [`${r}/+/+`]: [`${r}/a/b`, `${r}/a/c`, `${r}/x/b`],
      [`${r}/a/b/c`]: [`${r}/a/b/c`],
      [`${r}/+/b/#`]: [`${r}/a/b`, `${r}/x/b`, `${r}/a/b/c`, `${r}/a/b/c/d`],
      [`${r}/+/+/+`]: [`${r}/a/b/c`],
      [`${r}/a/+/c/#`]: [`${r}/a/b/c`, `${r}/a/b/c/d`],
      [`+/${u}`]: [`${r}/${u}`],
      [`+/${u}/#`]: [`${r}/${u}`],
      [`${r}/z/#`]: [],
    };
    const inboxes = new Map<string, Inbox>();
    for (const filter of Object.keys(expected)) {
      const inbox = new Inbox();
      inboxes.set(filter, inbox);
      await sub.subscribe(filter, inbox.handler);
    }
    const barrier = await makeBarrier(pub, sub, r);
    for (const topic of topics) await pub.publish(topic, Buffer.from(topic));
    await barrier();
    for (const [filter, topicsWanted] of Object.entries(expected)) {
      const inbox = inboxes.get(filter)!;
      expect({ filter, got: inbox.topics }).toEqual({ filter, got: topicsWanted });
      expect(inbox.texts).toEqual(topicsWanted);
    }
  });

  it("stops delivery on unsubscribe, and shared filters unsubscribe independently", async () => {
    const [pub, sub] = await Promise.all([connected(), connected()]);
    const root = uniqueRoot();
    const a = new Inbox();
    const b = new Inbox();
    const w = new Inbox();
    const subA = await sub.subscribe(`${root}/t`, a.handler);
    await sub.subscribe(`${root}/t`, b.handler);
    const subW = await sub.subscribe(`${root}/+`, w.handler);
    const barrier = await makeBarrier(pub, sub, root);
    await pub.publish(`${root}/t`, Buffer.from("1"));
    await barrier();
    expect([a.texts, b.texts, w.texts]).toEqual([["1"], ["1"], ["1"]]);

    await subA.unsubscribe();
    await subA.unsubscribe(); // idempotent
    await pub.publish(`${root}/t`, Buffer.from("2"));
    await barrier();
    expect([a.texts, b.texts, w.texts]).toEqual([["1"], ["1", "2"], ["1", "2"]]);

    await subW.unsubscribe();
    await pub.publish(`${root}/t`, Buffer.from("3"));
    await barrier();
    expect([a.texts, b.texts, w.texts]).toEqual([["1"], ["1", "2", "3"], ["1", "2"]]);
  });

  it("keeps per-publisher order over 10,000 messages", async () => {
    const [pub, sub] = await Promise.all([connected(), connected()]);
    const root = uniqueRoot();
    const n = 10_000;
    const received: number[] = [];
    let resolveAll: () => void = () => undefined;
    const all = new Promise<void>((resolve) => (resolveAll = resolve));
    let caughtUp: { count: number; resolve: () => void } | undefined;
    await sub.subscribe(`${root}/seq/+`, (_topic, payload) => {
      received.push(Buffer.from(payload).readUInt32BE(0));
      if (caughtUp !== undefined && received.length >= caughtUp.count) {
        caughtUp.resolve();
        caughtUp = undefined;
      }
      if (received.length === n) resolveAll();
    });
    const sends: Promise<void>[] = [];
    // Chunks of 250 published without waiting, never more than one chunk ahead of the
    // subscriber: brokers cap per-client queues (Mosquitto drops QoS 1 messages beyond
    // max_queued_messages, 1000 by default), and this test is about order, not overload.
    const chunk = 250;
    for (let i = 0; i < n; i++) {
      if (i % chunk === 0 && i >= 2 * chunk) {
        const behind = i - 2 * chunk;
        if (received.length < behind) {
          await withTimeout(
            new Promise<void>((resolve) => (caughtUp = { count: behind, resolve })),
            20_000,
            `the subscriber to reach ${behind} (got ${received.length})`,
          );
        }
      }
      const payload = Buffer.alloc(4);
      payload.writeUInt32BE(i, 0);
      // Two topics interleaved: order holds per publisher, not only per topic.
      sends.push(pub.publish(`${root}/seq/${i % 2}`, payload));
    }
    await Promise.all(sends);
    await withTimeout(all, 30_000, `${n} messages (got ${received.length})`);
    let firstWrong = -1;
    for (let i = 0; i < n; i++) {
      if (received[i] !== i) {
        firstWrong = i;
        break;
      }
    }
    expect(firstWrong).toBe(-1);
  });

  it("carries binary payloads unchanged: every byte value, empty, 1 MiB", async () => {
    const [pub, sub] = await Promise.all([connected(), connected()]);
    const root = uniqueRoot();
    const inbox = new Inbox();
    await sub.subscribe(`${root}/bin`, inbox.handler);
    const all = new Uint8Array(256).map((_, i) => i);
    const big = new Uint8Array(1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919 + (i >>> 8)) & 0xff;
    // A view into a larger buffer: only the view's bytes may travel.
    const backing = new Uint8Array(300).fill(0xee);
    backing.set(all, 20);
    const view = backing.subarray(20, 276);
    await pub.publish(`${root}/bin`, all);
    await pub.publish(`${root}/bin`, new Uint8Array(0));
    await pub.publish(`${root}/bin`, big);
    await pub.publish(`${root}/bin`, view);
    await inbox.count(4, 15_000);
    const got = inbox.items.map((m) => m.payload);
    expect(got.every((p) => p instanceof Uint8Array)).toBe(true);
    expect(Buffer.from(got[0]!).equals(Buffer.from(all))).toBe(true);
    expect(got[1]!.byteLength).toBe(0);
    expect(got[2]!.byteLength).toBe(big.byteLength);
    expect(Buffer.from(got[2]!).equals(Buffer.from(big))).toBe(true);
    expect(Buffer.from(got[3]!).equals(Buffer.from(all))).toBe(true);
  });

  it("delivers every message exactly once to many subscribers", async () => {
    const pub = await connected();
    const subs = await Promise.all(Array.from({ length: 8 }, () => connected()));
    const root = uniqueRoot();
    const inboxes: Inbox[] = [];
    for (const sub of subs) {
      for (const filter of [`${root}/m`, `${root}/m`, `${root}/+`, `${root}/#`]) {
        const inbox = new Inbox();
        inboxes.push(inbox);
        await sub.subscribe(filter, inbox.handler);
      }
    }
    const n = 50;
    for (let i = 0; i < n; i++) await pub.publish(`${root}/m`, Buffer.from(String(i)));
    const want = Array.from({ length: n }, (_, i) => String(i));
    await Promise.all(inboxes.map((inbox) => inbox.count(n, 10_000)));
    const barriers = await Promise.all(subs.map((sub) => makeBarrier(pub, sub, root)));
    await Promise.all(barriers.map((barrier) => barrier()));
    for (const inbox of inboxes) expect(inbox.texts).toEqual(want);
  });

  it("settles subscribe/unsubscribe races in the order of the calls", async () => {
    const [pub, sub] = await Promise.all([connected(), connected()]);
    const root = uniqueRoot();
    const filter = `${root}/race/#`;
    // Subscribe and unsubscribe without waiting, many times, on one filter.
    const churn: Promise<void>[] = [];
    const dropped: Inbox[] = [];
    for (let i = 0; i < 20; i++) {
      const inbox = new Inbox();
      dropped.push(inbox);
      churn.push(sub.subscribe(filter, inbox.handler).then((s) => s.unsubscribe()));
    }
    const kept = new Inbox();
    const keeping = sub.subscribe(filter, kept.handler);
    // One more that unsubscribes while its own subscribe is still in flight.
    const early = new Inbox();
    const earlySub = sub.subscribe(filter, early.handler);
    churn.push(earlySub.then((s) => s.unsubscribe()));
    await Promise.all(churn);
    await keeping;
    const barrier = await makeBarrier(pub, sub, root);
    await pub.publish(`${root}/race/x`, Buffer.from("after"));
    await barrier();
    await kept.count(1);
    expect(kept.texts).toEqual(["after"]);
    expect(early.items).toEqual([]);
    for (const inbox of dropped) expect(inbox.items).toEqual([]);

    // Unsubscribe the last user of a filter and subscribe it again at once.
    const again = new Inbox();
    const last = await keeping;
    const unsub = last.unsubscribe();
    const resub = sub.subscribe(filter, again.handler);
    await Promise.all([unsub, resub]);
    await pub.publish(`${root}/race/y`, Buffer.from("again"));
    await barrier();
    await again.count(1);
    expect(again.texts).toEqual(["again"]);
    expect(kept.texts).toEqual(["after"]);
  });

  it("closes idempotently; later calls reject with ERR_BUS_CLOSED", async () => {
    const bus = await connected();
    const seen: string[] = [];
    bus.onStatus((s) => seen.push(s));
    const subscription = await bus.subscribe(`${uniqueRoot()}/x`, () => undefined);
    await Promise.all([bus.close(), bus.close()]);
    await bus.close();
    expect(bus.status).toBe("closed");
    expect(seen).toEqual(["closed"]);
    const error = await bus.publish("a/b", new Uint8Array([1])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BusError);
    expect(error).toMatchObject({ code: "ERR_BUS_CLOSED" });
    expect((error as Error).message).toMatch(/closed/);
    await expect(bus.publishValue("a/b", { x: 1 })).rejects.toMatchObject({ code: "ERR_BUS_CLOSED" });
    await expect(bus.subscribe("a/b", () => undefined)).rejects.toMatchObject({ code: "ERR_BUS_CLOSED" });
    await subscription.unsubscribe(); // harmless after close
  });

  it("connects again after close with a new session (an orb restarting)", async () => {
    const bus = await connected();
    const root = uniqueRoot();
    await bus.close();
    await bus.connect();
    expect(bus.status).toBe("connected");
    const inbox = new Inbox();
    await bus.subscribe(`${root}/x`, inbox.handler);
    const other = await connected();
    await other.publish(`${root}/x`, Buffer.from("hello again"));
    await inbox.count(1);
    expect(inbox.texts).toEqual(["hello again"]);
  });

  it("rejects bad input with a clear error and changes nothing", async () => {
    const [pub, sub] = await Promise.all([connected(), connected()]);
    const root = uniqueRoot();
    const inbox = new Inbox();
    await sub.subscribe(`${root}/#`, inbox.handler);
    const barrier = await makeBarrier(pub, sub, root);
    const badTopics = [
      "",
      `${root}/+`,
      `${root}/#`,
      `${root}/a+b`,
      `${root}/\u0000`,
      `${root}/${"x".repeat(1100)}`,
      "$SYS/x",
    ];
    for (const topic of badTopics) {
      await expect(pub.publish(topic, new Uint8Array([1]))).rejects.toBeInstanceOf(InvalidTopicError);
    }
    await expect(pub.publish(42 as unknown as string, new Uint8Array([1]))).rejects.toBeInstanceOf(
      InvalidTopicError,
    );
    const badFilters = ["", `${root}/#/a`, `${root}/a#`, `${root}/+a`, `${root}/a/b#`, `${root}/\u0000`];
    for (const filter of badFilters) {
      await expect(sub.subscribe(filter, () => undefined)).rejects.toMatchObject({
        code: "ERR_INVALID_TOPIC",
      });
    }
    const badPayloads: unknown[] = ["text", 42, null, undefined, [1, 2], { length: 1 }, new ArrayBuffer(4)];
    for (const payload of badPayloads) {
      const error = await pub.publish(`${root}/p`, payload as Uint8Array).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidPayloadError);
      expect((error as InvalidPayloadError).code).toBe("ERR_INVALID_PAYLOAD");
      expect((error as Error).message).toMatch(/Uint8Array/);
    }
    await expect(pub.publishValue(`${root}/v`, undefined)).rejects.toBeInstanceOf(InvalidPayloadError);
    await expect(pub.publishValue(`${root}/v`, 10n)).rejects.toBeInstanceOf(InvalidPayloadError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(pub.publishValue(`${root}/v`, cyclic)).rejects.toBeInstanceOf(InvalidPayloadError);
    // Nothing was published, both buses still work.
    expect([pub.status, sub.status]).toEqual(["connected", "connected"]);
    await pub.publish(`${root}/ok`, Buffer.from("ok"));
    await barrier();
    expect(inbox.topics).toEqual([`${root}/ok`]);
  });

  it("carries values: publishValue/subscribeValue, invalid JSON to onInvalid", async () => {
    const [pub, sub] = await Promise.all([connected(), connected()]);
    const root = uniqueRoot();
    const values: unknown[] = [];
    const invalid: string[] = [];
    const bytes = new Inbox();
    await sub.subscribeValue(
      `${root}/v/+`,
      (_topic, value) => values.push(value),
      (topic) => invalid.push(topic),
    );
    await sub.subscribe(`${root}/v/+`, bytes.handler);
    const value = { id: "lamp-x", on: true, level: 0.5, tags: ["a", "b"], nested: { n: null } };
    await pub.publishValue(`${root}/v/1`, value);
    await pub.publish(`${root}/v/2`, Buffer.from("not json"));
    await pub.publish(`${root}/v/3`, Buffer.from(JSON.stringify([1, "two"])));
    await bytes.count(3);
    const barrier = await makeBarrier(pub, sub, root);
    await barrier();
    expect(values).toEqual([value, [1, "two"]]);
    expect(invalid).toEqual([`${root}/v/2`]);
    expect(JSON.parse(bytes.texts[0]!)).toEqual(value);
  });

  it("carries the same values as every other bus: JSON data only, the rest rejected before sending", async () => {
    const [pub, sub] = await Promise.all([connected(), connected()]);
    const root = uniqueRoot();
    const values: unknown[] = [];
    await sub.subscribeValue(`${root}/v/+`, (_topic, value) => values.push(value));
    const rejected: [unknown, RegExp][] = [
      [{ when: new Date(0) }, /\$\.when is a Date/],
      [{ run: () => 1 }, /\$\.run is a function/],
      [{ n: Number.NaN }, /\$\.n is NaN/],
      [{ big: 1n }, /\$\.big is a bigint/],
      [{ list: [1, undefined] }, /\$\.list\[1\] is a undefined/],
      [{ set: new Set([1]) }, /\$\.set is a Set/],
      [new Map(), /\$ is a Map/],
    ];
    for (const [value, message] of rejected) {
      const error = await pub.publishValue(`${root}/v/bad`, value).catch((e: unknown) => e);
      expect(error, String(message)).toBeInstanceOf(InvalidPayloadError);
      expect((error as Error).message).toMatch(message);
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(pub.publishValue(`${root}/v/bad`, cyclic)).rejects.toBeInstanceOf(InvalidPayloadError);
    // Accepted the same way everywhere: undefined properties are left out.
    await pub.publishValue(`${root}/v/ok`, { a: 1, gone: undefined, nested: { b: [null, "x"] } });
    const barrier = await makeBarrier(pub, sub, root);
    await barrier();
    expect(values).toEqual([{ a: 1, nested: { b: [null, "x"] } }]);
    expect(Object.keys(values[0] as object)).toEqual(["a", "nested"]);
  });

  it("keeps retained messages where supported", async (ctx) => {
    const pub = await connected();
    if (!pub.capabilities.retain) {
      ctx.skip();
      return;
    }
    const root = uniqueRoot();
    await pub.publish(`${root}/r`, Buffer.from("kept"), { retain: true });
    await pub.publish(`${root}/r`, Buffer.from("newer"), { retain: true });
    const late = await connected();
    const inbox = new Inbox();
    await late.subscribe(`${root}/#`, inbox.handler);
    await inbox.count(1);
    expect(inbox.texts).toEqual(["newer"]);
    // An empty retained payload clears it.
    await pub.publish(`${root}/r`, new Uint8Array(0), { retain: true });
    await inbox.count(2);
    const later = await connected();
    const inbox2 = new Inbox();
    await later.subscribe(`${root}/#`, inbox2.handler);
    const barrier = await makeBarrier(pub, later, root);
    await barrier();
    expect(inbox2.items).toEqual([]);
  });
});

describe("NATS topic translation", () => {
  it("rejects topic levels NATS cannot carry, saying why", async () => {
    const bus = new NatsBus({ url: NATS_URL, ...quiet });
    await bus.connect();
    try {
      const cases: [string, RegExp][] = [
        ["a/b*", /'\*'/],
        ["a/>", /'>'/],
        ["a/b c", /whitespace/],
        ["a//b", /empty/],
        ["/a", /empty/],
        ["a/", /empty/],
      ];
      for (const [topic, why] of cases) {
        const error = await bus.publish(topic, new Uint8Array([1])).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(InvalidTopicError);
        expect((error as Error).message).toMatch(/NATS/);
        expect((error as Error).message).toMatch(why);
      }
      await expect(bus.subscribe("a*/#", () => undefined)).rejects.toBeInstanceOf(InvalidTopicError);
      expect(bus.status).toBe("connected");
    } finally {
      await bus.close();
    }
  });

  it("carries a '.' or '%' inside a level as one level (BIND-6: an orb id like lamp.kitchen)", async () => {
    const [pub, sub] = [new NatsBus({ url: NATS_URL, ...quiet }), new NatsBus({ url: NATS_URL, ...quiet })];
    await Promise.all([pub.connect(), sub.connect()]);
    try {
      const root = `dots-${Math.random().toString(36).slice(2)}`;
      const inbox = new Inbox();
      await sub.subscribe(`${root}/orb/lamp.kitchen/+`, inbox.handler);
      await sub.subscribe(`${root}/orb/lamp/+`, inbox.handler);
      await pub.publish(`${root}/orb/lamp.kitchen/keepalive`, Buffer.from("1"));
      await pub.publish(`${root}/orb/lamp/100%25.x`, Buffer.from("2"));
      await inbox.count(2);
      expect(inbox.items.map((i) => i.topic).sort()).toEqual([
        `${root}/orb/lamp.kitchen/keepalive`,
        `${root}/orb/lamp/100%25.x`,
      ]);
    } finally {
      await Promise.all([pub.close(), sub.close()]);
    }
  });
});

describe("Redis filter semantics", () => {
  it("escapes glob specials and applies the exact MQTT rule on top of Redis globs", async () => {
    const pub = new RedisBus({ url: REDIS_URL, ...quiet });
    const sub = new RedisBus({ url: REDIS_URL, ...quiet });
    await Promise.all([pub.connect(), sub.connect()]);
    try {
      const r = uniqueRoot();
      const star = new Inbox();
      const plus = new Inbox();
      const literal = new Inbox();
      await sub.subscribe(`${r}/a*b/+`, star.handler);
      await sub.subscribe(`${r}/+/c`, plus.handler);
      await sub.subscribe(`${r}/[x]?`, literal.handler);
      const barrier = await makeBarrier(pub, sub, r);
      for (const topic of [
        `${r}/a*b/c`,
        `${r}/aXb/c`,
        `${r}/a*b/c/d`,
        `${r}/x/y/c`,
        `${r}/[x]?`,
        `${r}/x1`,
      ]) {
        await pub.publish(topic, Buffer.from(topic));
      }
      await barrier();
      expect(star.topics).toEqual([`${r}/a*b/c`]);
      expect(plus.topics).toEqual([`${r}/a*b/c`, `${r}/aXb/c`]);
      expect(literal.topics).toEqual([`${r}/[x]?`]);
    } finally {
      await Promise.all([pub.close(), sub.close()]);
    }
  });
});
