import { execFileSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it, vi } from "vitest";
import { LocalHub } from "../../runtime/bus/local-hub.js";
import { freezeValue } from "../../runtime/internal.js";
import { InvalidPayloadError } from "../../runtime/errors.js";
import { Inbox } from "../helpers/wait.js";

async function pair(hub = new LocalHub()) {
  const pub = hub.bus();
  const sub = hub.bus();
  await Promise.all([pub.connect(), sub.connect()]);
  return { hub, pub, sub };
}

describe("LocalBus", () => {
  it("delivers asynchronously, never inside publish()", async () => {
    const { pub, sub } = await pair();
    const inbox = new Inbox();
    await sub.subscribe("a", inbox.handler);
    const publishing = pub.publish("a", new Uint8Array([1]));
    expect(inbox.items).toHaveLength(0);
    await publishing;
    await inbox.count(1);
  });

  it("a wildcard subscription made after a topic was used gets its next messages (the match cache is dropped)", async () => {
    const { pub, sub } = await pair();
    const exact = new Inbox();
    await sub.subscribe("w/x/y", exact.handler);
    await pub.publish("w/x/y", new Uint8Array([1])); // the topic's wildcard matches (none) are cached
    await exact.count(1);
    const wild = new Inbox();
    const subscription = await sub.subscribe("w/+/y", wild.handler);
    await pub.publish("w/x/y", new Uint8Array([2]));
    await wild.count(1);
    await exact.count(2);
    await subscription.unsubscribe();
    const again = new Inbox();
    await sub.subscribe("w/#", again.handler);
    await pub.publish("w/x/y", new Uint8Array([3]));
    await again.count(1);
    await exact.count(3);
    expect(wild.items).toHaveLength(1);
  });

  it("passes the very same bytes (no copy) and keeps publish order", async () => {
    const { pub, sub } = await pair();
    const got: Uint8Array[] = [];
    await sub.subscribe("o/+", (_t, p) => got.push(p));
    const payloads = Array.from({ length: 1000 }, (_, i) => new Uint8Array([i & 0xff, i >> 8]));
    for (const [i, p] of payloads.entries()) void pub.publish(`o/${i % 3}`, p);
    await vi.waitFor(() => expect(got).toHaveLength(1000));
    for (let i = 0; i < 1000; i++) expect(got[i]).toBe(payloads[i]);
  });

  it("delivers messages to subscriptions that existed at publish time only", async () => {
    const { pub, sub } = await pair();
    const early = new Inbox();
    const late = new Inbox();
    await sub.subscribe("t", early.handler);
    void pub.publish("t", new Uint8Array([1]));
    await sub.subscribe("t", late.handler); // subscribed before delivery, after publish
    void pub.publish("t", new Uint8Array([2]));
    await early.count(2);
    await late.count(1);
    expect(late.items.map((m) => m.payload[0])).toEqual([2]);
  });

  it("hands value subscribers the same frozen object and byte subscribers one JSON encoding", async () => {
    const { pub, sub } = await pair();
    const values: unknown[] = [];
    const bytes: Uint8Array[] = [];
    await sub.subscribeValue("v", (_t, v) => values.push(v));
    await sub.subscribeValue("v", (_t, v) => values.push(v));
    await sub.subscribe("v", (_t, p) => bytes.push(p));
    await sub.subscribe("v", (_t, p) => bytes.push(p));
    const frozen = Object.freeze({ a: 1, list: Object.freeze([1, 2]) });
    await pub.publishValue("v", frozen);
    await vi.waitFor(() => expect(bytes).toHaveLength(2));
    expect(values[0]).toBe(frozen); // deep-frozen already: passed through, no copy
    expect(values[1]).toBe(frozen);
    expect(bytes[0]).toBe(bytes[1]); // encoded once, shared
    expect(JSON.parse(Buffer.from(bytes[0]!).toString())).toEqual({ a: 1, list: [1, 2] });
  });

  it("freezes a copy of a value that is not frozen, leaving the caller's object alone", async () => {
    const { pub, sub } = await pair();
    const values: unknown[] = [];
    await sub.subscribeValue("v", (_t, v) => values.push(v));
    const mine = { a: { b: [1, { c: 2 }] } };
    await pub.publishValue("v", mine);
    await vi.waitFor(() => expect(values).toHaveLength(1));
    const got = values[0] as typeof mine;
    expect(got).toEqual(mine);
    expect(got).not.toBe(mine);
    expect(
      Object.isFrozen(got) &&
        Object.isFrozen(got.a) &&
        Object.isFrozen(got.a.b) &&
        Object.isFrozen(got.a.b[1]),
    ).toBe(true);
    expect(Object.isFrozen(mine)).toBe(false);
    mine.a.b.push(3);
    expect(got.a.b).toHaveLength(2);
  });

  it("shares frozen parts of a partly frozen value", () => {
    const inner = Object.freeze({ deep: Object.freeze([1]) });
    const outer = { inner, n: 1 };
    const out = freezeValue(outer) as typeof outer;
    expect(out).not.toBe(outer);
    expect(out.inner).toBe(inner);
  });

  it("rejects values that are not JSON-compatible", async () => {
    const { pub } = await pair();
    for (const bad of [
      new Date(),
      new Map(),
      () => 1,
      Symbol("x"),
      1n,
      NaN,
      Infinity,
      { a: new Uint8Array(1) },
    ]) {
      await expect(pub.publishValue("v", bad)).rejects.toBeInstanceOf(InvalidPayloadError);
    }
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    await expect(pub.publishValue("v", cyclic)).rejects.toThrow(/circular/);
  });

  it("parses a byte publish once for all value subscribers (frozen), onInvalid for non-JSON", async () => {
    const { pub, sub } = await pair();
    const values: unknown[] = [];
    const invalid: Error[] = [];
    for (let i = 0; i < 2; i++) {
      await sub.subscribeValue(
        "j/+",
        (_t, v) => values.push(v),
        (_t, e) => invalid.push(e),
      );
    }
    await pub.publish("j/1", Buffer.from('{"x":[1]}'));
    await pub.publish("j/2", Buffer.from("{oops"));
    await vi.waitFor(() => expect(invalid).toHaveLength(2));
    expect(values).toHaveLength(2);
    expect(values[0]).toBe(values[1]);
    expect(Object.isFrozen(values[0])).toBe(true);
    expect(invalid[0]).toBeInstanceOf(InvalidPayloadError);
  });

  it("keeps delivering when a subscriber throws, reporting to onError", async () => {
    const errors: unknown[] = [];
    const hub = new LocalHub({ onError: (e) => errors.push(e) });
    const { pub, sub } = await pair(hub);
    const inbox = new Inbox();
    await sub.subscribe("x", () => {
      throw new Error("boom");
    });
    await sub.subscribe("x", inbox.handler);
    await pub.publish("x", new Uint8Array([1]));
    await pub.publish("x", new Uint8Array([2]));
    await inbox.count(2);
    expect(errors).toHaveLength(2);
    expect((errors[0] as Error).message).toBe("boom");
  });

  it("stores retained messages per topic, delivers them on subscribe, clears on empty payload", async () => {
    const { hub, pub, sub } = await pair();
    await pub.publish("r/a", Buffer.from("1"), { retain: true });
    await pub.publish("r/a", Buffer.from("2"), { retain: true });
    await pub.publishValue("r/b", { v: 3 }, { retain: true });
    await pub.publish("r/c", Buffer.from("not retained"));
    const inbox = new Inbox();
    await sub.subscribe("r/#", inbox.handler);
    await inbox.count(2);
    expect(inbox.texts.sort()).toEqual(["2", '{"v":3}']);
    expect(hub.retainedCount).toBe(2);
    await pub.publish("r/a", new Uint8Array(0), { retain: true });
    expect(hub.retainedCount).toBe(1);
    const exact = new Inbox();
    await sub.subscribe("r/b", exact.handler);
    await exact.count(1);
    expect(exact.texts).toEqual(['{"v":3}']);
  });

  it("publishes the will when a bus crashes, not when it closes", async () => {
    const hub = new LocalHub();
    const watcher = hub.bus();
    await watcher.connect();
    const inbox = new Inbox();
    await watcher.subscribe("will/#", inbox.handler);
    const polite = hub.bus();
    await polite.connect({ will: { topic: "will/polite", payload: Buffer.from("gone") } });
    await polite.close();
    const crashing = hub.bus();
    await crashing.connect({ will: { topic: "will/crash", payload: Buffer.from("dead"), retain: true } });
    const statuses: string[] = [];
    crashing.onStatus((s) => statuses.push(s));
    await crashing.subscribe("will/#", () => undefined);
    hub.crash(crashing);
    await inbox.count(1);
    expect(inbox.topics).toEqual(["will/crash"]);
    expect(statuses).toEqual(["closed"]);
    await expect(crashing.publish("a", new Uint8Array(1))).rejects.toMatchObject({ code: "ERR_BUS_CLOSED" });
    crashing.simulateCrash(); // no second will
    // Retained will reaches later subscribers.
    const late = new Inbox();
    await watcher.subscribe("will/crash", late.handler);
    await late.count(1);
    expect(inbox.items).toHaveLength(1);
  });

  it("rejects a bad will at connect", async () => {
    const bus = new LocalHub().bus();
    await expect(bus.connect({ will: { topic: "a/+", payload: new Uint8Array(0) } })).rejects.toMatchObject({
      code: "ERR_INVALID_TOPIC",
    });
    await expect(
      bus.connect({ will: { topic: "a", payload: "x" as unknown as Uint8Array } }),
    ).rejects.toBeInstanceOf(InvalidPayloadError);
    expect(bus.status).toBe("connecting");
  });

  it("yields to the event loop when handlers publish in a loop", async () => {
    const { pub, sub } = await pair(new LocalHub({ batchSize: 16 }));
    let count = 0;
    await sub.subscribe("ping", () => {
      if (++count < 200) void pub.publish("ping", new Uint8Array(0));
    });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    await pub.publish("ping", new Uint8Array(0));
    await vi.waitFor(() => expect(count).toBe(200));
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
  });

  it("does not deliver queued messages to a subscription removed before delivery", async () => {
    const { pub, sub } = await pair();
    const inbox = new Inbox();
    const s = await sub.subscribe("q", inbox.handler);
    void pub.publish("q", new Uint8Array([1]));
    await s.unsubscribe();
    const after = new Inbox();
    await sub.subscribe("q", after.handler);
    await pub.publish("q", new Uint8Array([2]));
    await after.count(1);
    expect(inbox.items).toHaveLength(0);
  });
});

describe("freezeValue and __proto__", () => {
  it("keeps a parsed __proto__ key as data, as JSON does, never as the copy's prototype", () => {
    const parsed = JSON.parse('{"__proto__": {"admin": true}, "a": 1}') as Record<string, unknown>;
    const frozen = freezeValue(parsed) as Record<string, unknown>;
    expect(Object.getPrototypeOf(frozen)).toBe(Object.prototype);
    expect(Object.keys(frozen)).toEqual(["__proto__", "a"]);
    expect(frozen.admin).toBeUndefined();
    expect(JSON.stringify(frozen)).toBe(JSON.stringify(parsed));
  });

  it("copies keys Object.prototype has even where it is frozen (hardened JavaScript)", () => {
    // In a child process: freezing Object.prototype here would change every other test.
    const module = pathToFileURL(
      fileURLToPath(new URL("../../runtime/bus/json-value.ts", import.meta.url)),
    ).href;
    const script =
      `Object.freeze(Object.prototype);` +
      `const { freezeValue } = await import(${JSON.stringify(module)});` +
      `const v = freezeValue({ toString: "x", constructor: 1, valueOf: { a: 1 } });` +
      `console.log(JSON.stringify([Object.keys(v), v.toString, v.constructor]));`;
    const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      encoding: "utf8",
    });
    expect(JSON.parse(out)).toEqual([["toString", "constructor", "valueOf"], "x", 1]);
  });
});
