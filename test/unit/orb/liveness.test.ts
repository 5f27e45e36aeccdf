import { afterEach, describe, expect, it } from "vitest";
import {
  Core,
  Plugin,
  silentLogger,
  type BusStatus,
  type LocalBus,
  type LocalHub,
  type ManualClock,
} from "../../../runtime/index.js";
import {
  closeTopic,
  keepaliveTopic,
  outputTopic,
  presenceTopic,
  type PresenceMessage,
} from "../../../generated/protocol/index.js";
import { EchoWorld, nextDisconnection, Orbs, until } from "../../helpers/orbs.js";
import { RawOrb } from "../../helpers/raw.js";
import { withTimeout } from "../../helpers/wait.js";

const orbs = new Orbs();
afterEach(() => orbs.stopAll());
const ROOT = "orbitalis";
const quiet = { logger: silentLogger };

async function connected(
  w: EchoWorld,
  opts: {
    core?: Partial<ConstructorParameters<typeof Core>[0]>;
    plugin?: Partial<ConstructorParameters<typeof Plugin>[0]>;
  } = {},
): Promise<{ c: Core; p: Plugin }> {
  const c = w.core("core", opts.core);
  const p = w.plugin("plugin", opts.plugin);
  await Promise.all([c.start(), p.start()]);
  await withTimeout(c.compliant(), 2000, "compliant");
  return { c, p };
}

/**
 * A plugin played by hand: starts `c` (so the plugin hears its first discover), connects
 * to it for echo, then does only what the test says.
 */
async function scriptedPlugin(hub: LocalHub, clock: ManualClock, c: Core, id = "scripted"): Promise<RawOrb> {
  const coreId = c.id;
  const raw = await new RawOrb(hub.bus(), id).listenAsPlugin();
  await c.start();
  const discover = await raw.next("discover", (d) => d.from === coreId);
  await raw.offer(discover.offerTo, discover.id);
  const request = await raw.next("request");
  await raw.send(request.responseTo, "confirm", {
    re: request.id,
    operation: "echo",
    inputTopic: `${ROOT}/plugin/${id}/op/echo/in/${coreId}`,
  });
  await clock.advance(1);
  return raw;
}

/** A LocalBus that fakes an outage: reports disconnected and hears nothing until restored. */
function outageBus(w: EchoWorld): { bus: ReturnType<LocalHub["bus"]>; down: () => void; up: () => void } {
  const bus = w.hub.bus();
  const listeners = new Set<(s: BusStatus) => void>();
  let isDown = false;
  const subscribeValue = bus.subscribeValue.bind(bus);
  const onStatus = bus.onStatus.bind(bus);
  // Inbound deliveries are dropped while down, as a disconnected client hears nothing.
  bus.subscribeValue = (filter, onValue, onInvalid) =>
    subscribeValue(
      filter,
      (topic, value) => {
        if (!isDown) onValue(topic, value);
      },
      onInvalid,
    );
  // The bus reports the outage in its status too, as every Bus does.
  let status: BusStatus | undefined;
  const realStatus = Object.getOwnPropertyDescriptor(
    Object.getPrototypeOf(Object.getPrototypeOf(bus)),
    "status",
  )!;
  Object.defineProperty(bus, "status", {
    get: () => status ?? (realStatus.get!.call(bus) as BusStatus),
  });
  bus.onStatus = (listener) => {
    listeners.add(listener);
    const off = onStatus(listener);
    return () => {
      listeners.delete(listener);
      off();
    };
  };
  return {
    bus,
    down: () => {
      isDown = true;
      status = "disconnected";
      for (const l of listeners) l("disconnected");
    },
    up: () => {
      isDown = false;
      status = "reconnected";
      for (const l of listeners) l("reconnected");
    },
  };
}

describe("heartbeats", () => {
  it("keeps a quiet remote informed at least every third of its deadAfterMs", async () => {
    const w = new EchoWorld(orbs);
    const c = w.core("core", { timing: { deadAfterMs: 3000 } });
    const raw = await scriptedPlugin(w.hub, w.clock, c);
    const start = w.clock.now();
    const times: number[] = [];
    raw.bus
      .subscribeValue(keepaliveTopic({ root: ROOT, orb: "scripted" }), () =>
        times.push(w.clock.now() - start),
      )
      .catch(() => undefined);
    for (let i = 0; i < 30; i++) {
      // Stay alive towards the core, but say nothing else.
      await raw.send(keepaliveTopic({ root: ROOT, orb: "core" }), "keepalive", {});
      await w.clock.advance(1000);
    }
    const gaps = times.map((t, i) => t - (times[i - 1] ?? 0));
    // The remote (scripted) says deadAfterMs 6000: a keepalive at least every 2000 ms.
    expect(times.length).toBeGreaterThanOrEqual(14);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(2000);
    expect(c.connections()).toHaveLength(1);
  });

  it("a remote silent for deadAfterMs is dead: connections close, the core is not compliant and re-discovers", async () => {
    const w = new EchoWorld(orbs);
    const c = w.core("core", { timing: { deadAfterMs: 3000, discoverIntervalMs: 60_000 } });
    const raw = await scriptedPlugin(w.hub, w.clock, c);
    expect(c.state).toBe("compliant");
    const gone = nextDisconnection(c);
    const discoversBefore = raw.all("discover").length;
    await w.clock.advance(2900);
    expect(c.connections()).toHaveLength(1);
    await w.clock.advance(200);
    const { detail } = await gone;
    expect(detail).toEqual({ reason: "dead", graceful: false });
    expect(c.state).toBe("not-compliant");
    await w.clock.advance(100);
    await raw.next("discover", () => raw.all("discover").length > discoversBefore);
  });

  it("any message counts as a sign of life", async () => {
    const w = new EchoWorld(orbs);
    const c = w.core("core", { timing: { deadAfterMs: 3000 } });
    const raw = await scriptedPlugin(w.hub, w.clock, c);
    for (let i = 0; i < 10; i++) {
      await raw.send(
        outputTopic({ root: ROOT, core: "core", operation: "echo", plugin: "scripted" }),
        "output",
        { operation: "echo", data: i },
      );
      await w.clock.advance(1000);
    }
    expect(c.connections()).toHaveLength(1);
  });

  it("answers keepalive-request at once; ping() resolves with the round-trip time", async () => {
    const w = new EchoWorld(orbs);
    const { c } = await connected(w);
    const rtt = await withTimeout(c.ping("plugin"), 2000, "ping");
    expect(rtt).toBeGreaterThanOrEqual(0);
    expect(rtt).toBeLessThan(1000);
  });

  it("status(): role, state, connections and operations of any orb", async () => {
    const w = new EchoWorld(orbs);
    const { c, p } = await connected(w);
    const status = await withTimeout(c.status("plugin"), 2000, "status");
    expect(status).toMatchObject({
      kind: "status",
      from: "plugin",
      role: "plugin",
      state: "running",
      operations: ["echo"],
    });
    expect(status.connections).toEqual([
      expect.objectContaining({ remote: "core", remoteEpoch: c.epoch, operation: "echo", state: "open" }),
    ]);
    const mine = await withTimeout(p.status("core"), 2000, "status");
    expect(mine).toMatchObject({ role: "core", state: "compliant", operations: ["echo"] });
  });
});

describe("presence and will", () => {
  it("publishes online (retained) on start and offline graceful on stop", async () => {
    const w = new EchoWorld(orbs);
    const p = w.plugin("present");
    await p.start();
    const late = await new RawOrb(w.hub.bus(), "late").listen(presenceTopic({ root: ROOT, orb: "present" }));
    const online = await late.next("presence");
    expect(online).toMatchObject({ status: "online", role: "plugin", epoch: p.epoch });
    await p.stop();
    const offline = await late.next("presence", (m) => m.status === "offline");
    expect(offline.graceful).toBe(true);
  });

  it("a crashed remote's will closes its connections after a short grace, long before deadAfterMs", async () => {
    const w = new EchoWorld(orbs);
    const { c, p } = await connected(w, { core: { timing: { deadAfterMs: 60_000 } } });
    const gone = nextDisconnection(c);
    (p.bus as LocalBus).simulateCrash();
    await w.clock.advance(200);
    expect(c.connections()).toHaveLength(1);
    await w.clock.advance(60);
    const { detail } = await gone;
    expect(detail.reason).toBe("offline");
    expect(c.state).toBe("not-compliant");
  });

  it("a will is not a death when the peer speaks within the grace, or our own bus drops (the broker going away)", async () => {
    const w = new EchoWorld(orbs);
    const link = outageBus(w);
    const c = orbs.add(
      new Core({ id: "core", bus: link.bus, clock: w.clock, logger: silentLogger, requires: { echo: {} } }),
    );
    const p = w.plugin("plugin");
    await Promise.all([c.start(), p.start()]);
    await withTimeout(c.compliant(), 2000, "compliant");
    const bus = w.hub.bus();
    await bus.connect();
    const will = (epoch: string): PresenceMessage => ({
      v: 1,
      kind: "presence",
      id: `w-${Math.random()}`,
      from: "plugin",
      epoch,
      ts: 1,
      role: "plugin",
      status: "offline",
      graceful: false,
    });
    // 1. The plugin speaks within the grace (its link flapped and came back).
    await bus.publishValue(presenceTopic({ root: ROOT, orb: "plugin" }), will(p.epoch));
    await w.clock.advance(10);
    await withTimeout(c.ping("plugin"), 2000, "ping");
    await w.clock.advance(1000);
    expect(c.connections()).toHaveLength(1);
    // 2. Our own bus drops within the grace: the broker sent everyone's will as it went down.
    await bus.publishValue(presenceTopic({ root: ROOT, orb: "plugin" }), will(p.epoch));
    await w.clock.advance(10);
    link.down();
    await w.clock.advance(1000);
    link.up();
    // 3. Right after the outage, retained wills are not trusted: heartbeats decide.
    await bus.publishValue(presenceTopic({ root: ROOT, orb: "plugin" }), will(p.epoch));
    await w.clock.advance(1000);
    expect(c.connections()).toHaveLength(1);
  });

  it("a late will of an old instance does not touch the new instance's connections", async () => {
    const w = new EchoWorld(orbs);
    const { c, p } = await connected(w);
    const oldEpoch = "oldEpoch0001";
    const bus = w.hub.bus();
    await bus.connect();
    const will: PresenceMessage = {
      v: 1,
      kind: "presence",
      id: "w1",
      from: "plugin",
      epoch: oldEpoch,
      ts: 1,
      role: "plugin",
      status: "offline",
      graceful: false,
    };
    await bus.publishValue(presenceTopic({ root: ROOT, orb: "plugin" }), will);
    await withTimeout(c.ping("plugin"), 2000, "ping after the will");
    expect(c.connections()).toHaveLength(1);
    expect(c.connections()[0]!.remoteEpoch).toBe(p.epoch);
  });
});

describe("termination", () => {
  it("graceful close: no new work, in-flight work finishes and its output arrives, then close-ack; close data reaches the remote", async () => {
    const w = new EchoWorld(orbs);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const c = w.core("core");
    const p = orbs.add(new Plugin({ id: "slow", bus: w.hub.bus(), clock: w.clock, ...quiet }));
    p.operation("echo", { input: { any: true }, output: { any: true } }, async (x) => {
      await gate;
      return x;
    });
    await Promise.all([c.start(), p.start()]);
    await withTimeout(c.compliant(), 2000, "compliant");
    const inFlight = c.request("echo", "late answer");
    await until(p, () => true, "tick");
    const pluginSide = nextDisconnection(p);
    const closing = c.close("slow", "echo", { graceful: true, data: { why: "maintenance" } });
    expect(c.connections()[0]?.state).toBe("closing");
    await expect(c.execute("echo", 1)).rejects.toThrow(/no open connection/);
    release();
    expect(await withTimeout(inFlight, 2000, "in-flight request")).toBe("late answer");
    await withTimeout(closing, 2000, "close");
    const { detail } = await pluginSide;
    expect(detail).toEqual({ reason: "closed-by-remote", graceful: true, data: { why: "maintenance" } });
    expect(c.connections()).toEqual([]);
    expect(p.connections()).toEqual([]);
  });

  it("a graceful close without ack within gracefulCloseTimeoutMs falls back to graceless", async () => {
    const w = new EchoWorld(orbs);
    const c = w.core("core", { timing: { gracefulCloseTimeoutMs: 2000 } });
    const raw = await scriptedPlugin(w.hub, w.clock, c);
    const gone = nextDisconnection(c);
    const closing = c.close("scripted");
    const first = await raw.next("close");
    expect(first).toMatchObject({ graceful: true, ackTo: closeTopic({ root: ROOT, orb: "core" }) });
    await w.clock.advance(2001);
    await withTimeout(closing, 2000, "close");
    expect((await gone).detail).toEqual({ reason: "timeout", graceful: false });
    await raw.next("close", (m) => m.graceful === false);
  });

  it("graceless close: the remote closes at once", async () => {
    const w = new EchoWorld(orbs);
    const { c, p } = await connected(w);
    const remote = nextDisconnection(p);
    await c.close("plugin", undefined, { graceful: false, reason: "bye" });
    expect(c.connections()).toEqual([]);
    expect((await remote).detail).toEqual({ reason: "closed-by-remote", graceful: false });
  });

  it("closeUnusedAfterMs closes idle connections", async () => {
    const w = new EchoWorld(orbs);
    const { c } = await connected(w, {
      core: {
        requires: { echo: { minimum: 0 } },
        timing: { closeUnusedAfterMs: 10_000, discoverIntervalMs: 60_000 },
      },
    });
    await withTimeout(c.request("echo", 1), 2000, "request");
    await w.clock.advance(8000);
    expect(c.connections()).toHaveLength(1);
    const gone = nextDisconnection(c);
    await w.clock.advance(5000);
    expect((await gone).detail).toEqual({ reason: "unused", graceful: true });
  });

  it("stop() closes every connection gracefully and resolves when done", async () => {
    const w = new EchoWorld(orbs);
    const { c, p } = await connected(w);
    const reasons: string[] = [];
    c.on("disconnection", (_i, d) => reasons.push(`${d.reason}/${d.graceful}`));
    await withTimeout(p.stop(), 2000, "stop");
    expect(p.state).toBe("stopped");
    expect(reasons).toEqual(["closed-by-remote/true"]);
    expect(c.state).toBe("not-compliant");
    // A stopped plugin starts again with a new epoch and is found again.
    const epoch = p.epoch;
    await p.start();
    expect(p.epoch).not.toBe(epoch);
    await w.clock.advance(100);
    await withTimeout(c.compliant(), 2000, "compliant again");
  });
});

describe("bus outages", () => {
  it("suspends death while the bus is down, and counts deadAfterMs again from its return", async () => {
    const w = new EchoWorld(orbs);
    const link = outageBus(w);
    const c = orbs.add(
      new Core({
        id: "core",
        bus: link.bus,
        clock: w.clock,
        logger: silentLogger,
        requires: { echo: {} },
        timing: { deadAfterMs: 3000 },
      }),
    );
    const raw = await scriptedPlugin(w.hub, w.clock, c);
    const busEvents: string[] = [];
    c.on("bus", (s) => busEvents.push(s));
    link.down();
    // Far longer than deadAfterMs without hearing anything: the connection stays.
    await w.clock.advance(20_000);
    expect(c.connections()).toHaveLength(1);
    expect(c.state).toBe("compliant");
    const presence = await new RawOrb(w.hub.bus(), "watch").listen(
      presenceTopic({ root: ROOT, orb: "core" }),
    );
    await presence.next("presence", (m) => m.status === "online");
    const before = presence.all("presence").length;
    link.up();
    expect(busEvents).toEqual(["disconnected", "reconnected"]);
    // The broker may have published the core's will meanwhile: it says it is online again.
    await presence.next("presence", () => presence.all("presence").length > before);
    // The plugin stays silent: it is dead deadAfterMs after the bus came back, not before.
    await w.clock.advance(2900);
    expect(c.connections()).toHaveLength(1);
    const gone = nextDisconnection(c);
    await w.clock.advance(200);
    expect((await gone).detail.reason).toBe("dead");
    void raw;
  });
});

describe("half-open connections", () => {
  it("a heartbeat for a connection the receiver no longer has is answered with a close, so both sides agree", async () => {
    const w = new EchoWorld(orbs);
    // The core's bus loses the closes it sends while `loseCloses` is set.
    const bus = w.hub.bus();
    const publishValue = bus.publishValue.bind(bus);
    let loseCloses = false;
    bus.publishValue = (topic, value, options) =>
      loseCloses && (value as { kind?: unknown }).kind === "close"
        ? Promise.resolve()
        : publishValue(topic, value, options);
    const c = w.core("core", { bus });
    const p = w.plugin("plugin");
    await Promise.all([c.start(), p.start()]);
    await withTimeout(c.compliant(), 2000, "compliant");
    // The core drops the connection; its close to the plugin gets lost.
    loseCloses = true;
    await c.close("plugin", "echo", { graceful: false });
    loseCloses = false;
    expect(c.connections()).toEqual([]);
    expect(p.connections()).toHaveLength(1);
    const tap = await new RawOrb(w.hub.bus(), "tap").listen(closeTopic({ root: ROOT, orb: "plugin" }));
    const freed = nextDisconnection(p);
    await w.clock.advance(2100); // the plugin's next heartbeat
    expect((await freed).detail).toEqual({ reason: "closed-by-remote", graceful: false });
    // It went by the core's answer to the heartbeat (a close), not by a discover (HS-11, not within holdMs).
    expect(tap.all("close")).toMatchObject([{ from: "core", graceful: false }]);
    await w.clock.advance(2500); // the core's next discover finds the plugin again
    await until(c, () => c.connections().length === 1, "reconnected");
  });
});
