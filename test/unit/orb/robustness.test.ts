/**
 * Lost, duplicated and late messages, stops with work in flight, schemas that do not
 * hold: the orbs recover by themselves and never leave a caller hanging.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  Core,
  InvalidPayloadError,
  Plugin,
  RemoteOperationError,
  silentLogger,
  type LocalBus,
} from "../../../runtime/index.js";
import type { OrbitalisMessage } from "../../../generated/protocol/index.js";
import { EchoWorld, Orbs, until } from "../../helpers/orbs.js";
import { RawOrb } from "../../helpers/raw.js";
import { withTimeout } from "../../helpers/wait.js";

const orbs = new Orbs();
afterEach(() => orbs.stopAll());
const ROOT = "orbitalis";

/** A LocalBus whose inbound value deliveries pass through `filter` (false: dropped). */
function filteredBus(w: EchoWorld, filter: (m: OrbitalisMessage) => boolean): LocalBus {
  const bus = w.hub.bus();
  const subscribeValue = bus.subscribeValue.bind(bus);
  bus.subscribeValue = (f, onValue, onInvalid) =>
    subscribeValue(
      f,
      (topic, value) => (filter(value as OrbitalisMessage) ? onValue(topic, value) : undefined),
      onInvalid,
    );
  return bus;
}

function twoOps(w: EchoWorld, id = "p"): Plugin {
  const p = orbs.add(new Plugin({ id, bus: w.hub.bus(), clock: w.clock, logger: silentLogger }));
  p.operation("a", { input: { any: true }, output: { any: true } }, (x) => x);
  p.operation("b", { input: { any: true }, output: { any: true } }, (x) => x);
  return p;
}

describe("lost and duplicated messages", () => {
  it("a lost confirm for one operation (others connected) does not strand the plugin's slot: both sides converge", async () => {
    const w = new EchoWorld(orbs);
    let dropped = false;
    const bus = filteredBus(w, (m) => {
      if (!dropped && m.kind === "confirm" && m.operation === "b") return !(dropped = true);
      return true;
    });
    const p = twoOps(w);
    const c = orbs.add(
      new Core({ id: "c", bus, clock: w.clock, logger: silentLogger, requires: { a: {}, b: {} } }),
    );
    await p.start();
    await c.start();
    await w.clock.advance(30_000);
    expect(dropped).toBe(true);
    expect(c.state).toBe("compliant");
    expect(
      c
        .connections()
        .map((x) => x.operation)
        .sort(),
    ).toEqual(["a", "b"]);
    expect(
      p
        .connections()
        .map((x) => x.operation)
        .sort(),
    ).toEqual(["a", "b"]);
  });

  it("a duplicated confirm does not close the connection it made", async () => {
    const w = new EchoWorld(orbs);
    const c = w.core("c");
    const raw = await new RawOrb(w.hub.bus(), "p").listenAsPlugin();
    await c.start();
    const d = await raw.next("discover");
    await raw.offer(d.offerTo, d.id);
    const rq = await raw.next("request");
    const confirm = raw.make("confirm", {
      re: rq.id,
      operation: "echo",
      inputTopic: `${ROOT}/plugin/p/op/echo/in/c`,
    });
    await raw.bus.publishValue(rq.responseTo, confirm);
    await raw.bus.publishValue(rq.responseTo, confirm);
    await w.clock.advance(10);
    expect(c.connections()).toHaveLength(1);
    expect(raw.all("close")).toEqual([]);
  });

  it("a request that expires before its confirm arrives is closed towards the plugin", async () => {
    const w = new EchoWorld(orbs);
    const c = w.core("c", { timing: { discoverIntervalMs: 60_000 } });
    const raw = await new RawOrb(w.hub.bus(), "p").listenAsPlugin();
    await c.start();
    const d = await raw.next("discover");
    await raw.offer(d.offerTo, d.id, { holdMs: 1000 });
    await raw.next("request");
    await w.clock.advance(1001);
    const close = await raw.next("close");
    expect(close).toMatchObject({ graceful: false, operations: ["echo"], reason: "request expired" });
  });
});

describe("stopping with work in flight", () => {
  it("a core's graceful stop still delivers results its plugins finish", async () => {
    const w = new EchoWorld(orbs);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const p = orbs.add(new Plugin({ id: "slow", bus: w.hub.bus(), clock: w.clock, logger: silentLogger }));
    p.operation("echo", { input: { any: true }, output: { any: true } }, async (x) => {
      await gate;
      return x;
    });
    const c = w.core("c");
    await Promise.all([p.start(), c.start()]);
    await withTimeout(c.compliant(), 2000, "compliant");
    const result = c.request("echo", 42);
    await until(p, () => true, "tick");
    const stopping = c.stop();
    release();
    expect(await withTimeout(result, 2000, "result")).toBe(42);
    await withTimeout(stopping, 2000, "stop");
  });

  it("an input that reaches a stopping plugin is answered at once (CLOSING), so stop() does not wait for a timeout", async () => {
    const w = new EchoWorld(orbs);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const p = orbs.add(new Plugin({ id: "slow", bus: w.hub.bus(), clock: w.clock, logger: silentLogger }));
    p.operation("echo", { input: { any: true }, output: { any: true } }, async (x) => {
      await gate;
      return x;
    });
    const c = w.core("c", { timing: { gracefulCloseTimeoutMs: 60_000 } });
    await Promise.all([p.start(), c.start()]);
    await withTimeout(c.compliant(), 2000, "compliant");
    const first = c.request("echo", 1);
    await until(p, () => true, "tick");
    const stopping = p.stop();
    const late = c.request("echo", 2).catch((e: unknown) => e);
    release();
    expect(await withTimeout(first, 2000, "first")).toBe(1);
    const error = await withTimeout(late, 2000, "late");
    // Either the core saw the connection closing first (nothing sent) or the plugin answered CLOSING.
    if (error instanceof RemoteOperationError) expect(error.remoteCode).toBe("CLOSING");
    else expect((error as { code: string }).code).toMatch(/ERR_NO_CONNECTION|ERR_CONNECTION_CLOSED/);
    await withTimeout(stopping, 2000, "stop without waiting out gracefulCloseTimeoutMs");
  });
});

describe("schemas", () => {
  const Status = { type: "object", properties: { status: { type: "string" } }, required: ["status"] };

  it("outputs must match what the core accepts, even from a plugin that offers any", async () => {
    const w = new EchoWorld(orbs);
    const p = orbs.add(new Plugin({ id: "loose", bus: w.hub.bus(), clock: w.clock, logger: silentLogger }));
    let answer: unknown = { status: "ok" };
    p.operation("get", { input: { empty: true }, output: { any: true } }, () => answer);
    const c = orbs.add(
      new Core({
        id: "c",
        bus: w.hub.bus(),
        clock: w.clock,
        logger: silentLogger,
        requires: { get: { outputs: [{ schemas: [Status] }] } },
      }),
    );
    await Promise.all([p.start(), c.start()]);
    await withTimeout(c.compliant(), 2000, "compliant");
    expect(await c.request("get")).toEqual({ status: "ok" });
    answer = { totally: "not a status" };
    await expect(c.request("get")).rejects.toBeInstanceOf(InvalidPayloadError);
  });

  it("a plugin whose offered schemas cannot be compiled here (unresolvable $ref) is not connected", async () => {
    const w = new EchoWorld(orbs);
    const c = orbs.add(
      new Core({ id: "c", bus: w.hub.bus(), clock: w.clock, logger: silentLogger, requires: { get: {} } }),
    );
    const raw = await new RawOrb(w.hub.bus(), "p").listen(`${ROOT}/plugin/p/#`, `${ROOT}/orb/p/+`);
    await c.start();
    const Bad = { $ref: "other.json#/defs/x" };
    const { fingerprint } = await import("../../../runtime/index.js");
    await raw.offer(`${ROOT}/core/c/offer`, "d1", {
      operations: [
        {
          name: "get",
          input: { empty: true },
          output: { schemas: [{ fingerprint: fingerprint(Bad), schema: Bad }] },
        },
      ],
    });
    const reject = await raw.next("reject");
    expect(reject.operation).toBe("get");
    expect(raw.all("request")).toEqual([]);
  });
});

describe("restarts", () => {
  it("an orb stopped during a bus outage detects dead peers again after a restart", async () => {
    const w = new EchoWorld(orbs);
    const bus = w.hub.bus();
    const listeners = new Set<(s: "disconnected") => void>();
    const onStatus = bus.onStatus.bind(bus);
    bus.onStatus = (l) => {
      listeners.add(l);
      const off = onStatus(l);
      return () => (listeners.delete(l), off());
    };
    const c = orbs.add(
      new Core({
        id: "c",
        bus,
        clock: w.clock,
        logger: silentLogger,
        requires: { echo: {} },
        timing: { deadAfterMs: 3000 },
      }),
    );
    await c.start();
    for (const l of listeners) l("disconnected");
    await c.stop();
    await c.start();
    const p = w.plugin("p");
    await p.start();
    await w.clock.advance(100);
    await withTimeout(c.compliant(), 2000, "compliant");
    // The plugin falls silent without a will: the restarted core must notice.
    const pBus = p.bus as LocalBus;
    const publishValue = pBus.publishValue.bind(pBus);
    pBus.publishValue = () => Promise.resolve();
    await w.clock.advance(3500);
    expect(c.connections()).toEqual([]);
    pBus.publishValue = publishValue;
  });
});
