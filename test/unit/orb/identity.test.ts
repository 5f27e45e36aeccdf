/**
 * Identity (issue findings 1 and 2): a second live instance of an id is reported and the
 * first keeps its connections; a forged keepalive or close with a made-up epoch cuts
 * nothing; a real restart is still recognized.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  DuplicateIdError,
  LocalBus,
  Plugin,
  silentLogger,
  type BusConnectOptions,
} from "../../../runtime/index.js";
import { closeTopic, keepaliveTopic, presenceTopic } from "../../../generated/protocol/index.js";
import { EchoWorld, Orbs, until } from "../../helpers/orbs.js";
import { RawOrb } from "../../helpers/raw.js";
import { withTimeout } from "../../helpers/wait.js";

const orbs = new Orbs();
afterEach(() => orbs.stopAll());
const ROOT = "orbitalis";

/** Collects the DuplicateIdErrors an orb reports. */
function duplicates(orb: {
  on(event: "error", listener: (e: Error) => void): () => void;
}): DuplicateIdError[] {
  const out: DuplicateIdError[] = [];
  orb.on("error", (e) => {
    if (e instanceof DuplicateIdError) out.push(e);
  });
  return out;
}

describe("two live orbs with the same id", () => {
  it("are reported on both instances and by the core; the first keeps its connection; nothing flaps", async () => {
    const w = new EchoWorld(orbs);
    const core = w.core("home", { timing: { discoverIntervalMs: 500 } });
    const first = w.plugin("lamp");
    const coreSaw = duplicates(core);
    const firstSaw = duplicates(first);
    let disconnections = 0;
    core.on("disconnection", () => disconnections++);
    await Promise.all([core.start(), first.start()]);
    await withTimeout(core.compliant(), 2000, "compliant");
    const epoch = first.epoch;
    // A copy with the same id starts (a zombie, a copied configuration).
    const second = w.plugin("lamp");
    const secondSaw = duplicates(second);
    await second.start();
    for (let i = 0; i < 20; i++) await w.clock.advance(500); // 10 s of discovers and keepalives
    expect(disconnections).toBe(0);
    expect(core.connections().map((c) => c.remoteEpoch)).toEqual([epoch]);
    expect(first.connections()).toHaveLength(1);
    expect(second.connections()).toEqual([]);
    expect(await core.request("echo", 1)).toBe(1);
    expect(coreSaw).toHaveLength(1);
    expect(coreSaw[0]).toMatchObject({
      code: "ERR_DUPLICATE_ID",
      orb: "lamp",
      epochs: [epoch, second.epoch],
    });
    expect(firstSaw.map((e) => e.epochs)).toEqual([[epoch, second.epoch]]);
    expect(secondSaw.map((e) => e.epochs)).toEqual([[second.epoch, epoch]]);
  });

  it("a plugin restarted after a crash (no goodbye) is recognized once the old instance fails a probe", async () => {
    const w = new EchoWorld(orbs);
    const core = w.core("home");
    // A bus that registers no will (as on NATS or Redis): a crash goes unannounced.
    const bus = new (class extends LocalBus {
      override connect(options?: BusConnectOptions): Promise<void> {
        return super.connect({ ...options, will: undefined });
      }
    })(w.hub);
    const first = orbs.add(new Plugin({ id: "lamp", bus, clock: w.clock, logger: silentLogger }));
    first.operation("echo", { input: { any: true }, output: { any: true } }, (x) => x);
    await Promise.all([core.start(), first.start()]);
    await withTimeout(core.compliant(), 2000, "compliant");
    let reason = "";
    core.on("disconnection", (_c, d) => (reason = d.reason));
    bus.simulateCrash();
    const errors = duplicates(core);
    const second = w.plugin("lamp");
    await second.start();
    await w.clock.advance(3000);
    await until(
      core,
      () => core.connections()[0]?.remoteEpoch === second.epoch,
      "the new instance connected",
    );
    expect(reason).toBe("restarted");
    expect(errors).toEqual([]);
  });
});

describe("forged messages with a connected peer's id and a made-up epoch", () => {
  it("a keepalive or a close cuts nothing", async () => {
    const w = new EchoWorld(orbs);
    const core = w.core("home");
    const plugin = w.plugin("lamp");
    await Promise.all([core.start(), plugin.start()]);
    await withTimeout(core.compliant(), 2000, "compliant");
    let disconnections = 0;
    core.on("disconnection", () => disconnections++);
    plugin.on("disconnection", () => disconnections++);
    const forger = await new RawOrb(w.hub.bus(), "lamp", "madeUpEpoch").listen();
    await forger.send(keepaliveTopic({ root: ROOT, orb: "home" }), "keepalive", {});
    await forger.send(closeTopic({ root: ROOT, orb: "home" }), "close", { graceful: false });
    const asCore = new RawOrb(w.hub.bus(), "home", "madeUpEpoch2");
    await asCore.listen();
    await asCore.send(keepaliveTopic({ root: ROOT, orb: "lamp" }), "keepalive", {});
    await asCore.send(closeTopic({ root: ROOT, orb: "lamp" }), "close", { graceful: false });
    await w.clock.advance(3000);
    expect(disconnections).toBe(0);
    expect(core.state).toBe("compliant");
    expect(await core.request("echo", 2)).toBe(2);
  });

  it("a forged will (offline presence) of a live peer cuts nothing: the peer is asked and answers", async () => {
    const w = new EchoWorld(orbs);
    const core = w.core("home");
    const plugin = w.plugin("lamp");
    await Promise.all([core.start(), plugin.start()]);
    await withTimeout(core.compliant(), 2000, "compliant");
    let disconnections = 0;
    core.on("disconnection", () => disconnections++);
    const forger = new RawOrb(w.hub.bus(), "lamp", plugin.epoch);
    await forger.listen();
    await forger.send(presenceTopic({ root: ROOT, orb: "lamp" }), "presence", {
      role: "plugin",
      status: "offline",
      graceful: false,
    });
    await w.clock.advance(1000); // well past the will's grace
    expect(disconnections).toBe(0);
    expect(await core.request("echo", 3)).toBe(3);
  });
});

describe("an orb and its own id (ID-5, ID-6)", () => {
  it("does not take its previous instance's retained online for a duplicate, but still reports a live one", async () => {
    const w = new EchoWorld(orbs);
    const old = await new RawOrb(w.hub.bus(), "lamp", "previousEpoch").listen();
    const presence = presenceTopic({ root: ROOT, orb: "lamp" });
    // Stamped later than the new instance's start: no clock decides (ID-5), the order does.
    const retained = {
      ...old.make("presence", { role: "plugin", status: "online" }),
      ts: w.clock.now() + 60_000,
    };
    await old.bus.publishValue(presence, retained, { retain: true });
    const lamp = w.plugin("lamp");
    const saw = duplicates(lamp);
    await lamp.start();
    await w.clock.advance(10);
    expect(saw).toEqual([]);
    // A live instance's message, heard after our own came back, is evidence.
    const live = { ...old.make("presence", { role: "plugin", status: "online" }), ts: 0 };
    await old.bus.publishValue(presence, live);
    await w.clock.advance(10);
    expect(saw.map((e) => e.epochs)).toEqual([[lamp.epoch, "previousEpoch"]]);
  });

  it("says online again when its previous session's will becomes the retained presence of its id", async () => {
    const w = new EchoWorld(orbs);
    const lamp = w.plugin("lamp");
    await lamp.start();
    const old = await new RawOrb(w.hub.bus(), "lamp", "previousEpoch").listen();
    const presence = presenceTopic({ root: ROOT, orb: "lamp" });
    const will = old.make("presence", { role: "plugin", status: "offline", graceful: false });
    await old.bus.publishValue(presence, will, { retain: true });
    await w.clock.advance(10);
    // A late subscriber sees the live instance's online, not the old will.
    const late = await new RawOrb(w.hub.bus(), "watcher").listen(presence);
    const retained = await late.next("presence");
    expect(retained).toMatchObject({ from: "lamp", epoch: lamp.epoch, status: "online" });
  });
});
