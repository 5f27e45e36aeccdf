import { afterEach, describe, expect, it } from "vitest";
import { InvalidMessageError, type LocalHub } from "../../../runtime/index.js";
import {
  discoverTopic,
  offerTopic,
  outputTopic,
  responseTopic,
  type OrbitalisMessage,
} from "../../../generated/protocol/index.js";
import { EchoWorld, Orbs, until } from "../../helpers/orbs.js";
import { RawOrb } from "../../helpers/raw.js";
import { withTimeout } from "../../helpers/wait.js";

const orbs = new Orbs();
afterEach(() => orbs.stopAll());
const ROOT = "orbitalis";

/** A scripted core: discovers echo and records what plugins answer. */
async function rawCore(hub: LocalHub, id: string): Promise<RawOrb> {
  return new RawOrb(hub.bus(), id).listen(
    offerTopic({ root: ROOT, core: id }),
    responseTopic({ root: ROOT, core: id }),
    `${ROOT}/orb/${id}/+`,
  );
}

function discoverEcho(raw: RawOrb): Promise<OrbitalisMessage> {
  return raw.discoverEcho(ROOT);
}

describe("handshake", () => {
  it("10 cores racing for a plugin with maxCores 3: exactly 3 connect; a stopped core's slot goes to another", async () => {
    const w = new EchoWorld(orbs);
    const plugin = w.plugin("shared", { maxCores: 3 });
    await plugin.start();
    const cores = Array.from({ length: 10 }, (_, i) => w.core(`core-${i}`));
    await Promise.all(cores.map((c) => c.start()));
    await until(plugin, () => plugin.connections().length === 3, "3 connections");
    // Let every core re-discover several times: nobody else gets in.
    await w.clock.advance(10_000);
    expect(plugin.connections()).toHaveLength(3);
    const connected = cores.filter((c) => c.state === "compliant");
    expect(connected).toHaveLength(3);
    expect(cores.filter((c) => c.state === "not-compliant")).toHaveLength(7);
    await connected[0]!.stop();
    await w.clock.advance(3000);
    await until(plugin, () => plugin.connections().length === 3, "slot taken again");
    const now = cores.filter((c) => c.state === "compliant");
    expect(now).toHaveLength(3);
    expect(now).not.toContain(connected[0]);
  });

  it("a reservation holds a slot for holdMs, is freed at once by a reject, and expires", async () => {
    const w = new EchoWorld(orbs);
    const plugin = w.plugin("one-slot", { maxCores: 1, timing: { holdMs: 5000 } });
    await plugin.start();
    const a = await rawCore(w.hub, "core-a");
    const b = await rawCore(w.hub, "core-b");
    await discoverEcho(a);
    const offerA = await a.next("offer");
    expect(offerA.holdMs).toBe(5000);
    // The slot is reserved for a: b gets no offer.
    await discoverEcho(b);
    await w.clock.advance(100);
    expect(b.all("offer")).toHaveLength(0);
    // a rejects: the slot is free at once.
    await a.send(offerA.replyTo, "reject", { re: offerA.id, operation: "echo" });
    await w.clock.advance(1);
    await discoverEcho(b);
    const offerB = await b.next("offer");
    // b does not answer: after holdMs the reservation expires and a can be offered again.
    await discoverEcho(a);
    await w.clock.advance(100);
    expect(a.all("offer")).toHaveLength(1);
    await w.clock.advance(5000);
    await discoverEcho(a);
    await a.next("offer", (o) => o.id !== offerA.id);
    // b's late request finds neither a reservation nor a free slot.
    const request = await b.send(offerB.replyTo, "request", {
      re: offerB.id,
      operation: "echo",
      responseTo: responseTopic({ root: ROOT, core: "core-b" }),
      outputTopic: outputTopic({ root: ROOT, core: "core-b", operation: "echo", plugin: "one-slot" }),
    });
    const answer = await b.next("unavailable", (u) => u.re === request.id);
    expect(answer.reason).toBe("no free slot");
  });

  it("a confirm that matches no pending request is answered with a graceless close", async () => {
    const w = new EchoWorld(orbs);
    const core = w.core("lonely");
    await core.start();
    const fake = await new RawOrb(w.hub.bus(), "fake-plugin").listen(`${ROOT}/orb/fake-plugin/+`);
    await fake.send(responseTopic({ root: ROOT, core: "lonely" }), "confirm", {
      re: "never-requested",
      operation: "echo",
      inputTopic: "orbitalis/plugin/fake-plugin/op/echo/in/lonely",
    });
    const close = await fake.next("close");
    expect(close).toMatchObject({ graceful: false, operations: ["echo"], from: "lonely" });
    expect(core.connections()).toEqual([]);
  });

  it("a plugin does not offer again an operation a core already holds, unless the core restarted", async () => {
    const w = new EchoWorld(orbs);
    const plugin = w.plugin("p");
    await plugin.start();
    const raw = await rawCore(w.hub, "c");
    await discoverEcho(raw);
    const offer = await raw.next("offer");
    const request = await raw.send(offer.replyTo, "request", {
      re: offer.id,
      operation: "echo",
      responseTo: responseTopic({ root: ROOT, core: "c" }),
      outputTopic: outputTopic({ root: ROOT, core: "c", operation: "echo", plugin: "p" }),
    });
    await raw.next("confirm", (m) => m.re === request.id);
    expect(plugin.connections({ remote: "c" })).toHaveLength(1);
    await discoverEcho(raw);
    await w.clock.advance(100);
    expect(raw.all("offer")).toHaveLength(1);
    // The core restarts (new epoch): once the old instance fails to answer a probe (it
    // cannot: it is gone), its stale connection goes, and it is offered again.
    raw.epoch = "rawEpoch2";
    await discoverEcho(raw);
    await raw.next("keepalive-request");
    await w.clock.advance(1000);
    await raw.next("offer", (o) => o.id !== offer.id);
    expect(plugin.connections({ remote: "c" })).toEqual([]);
  });

  it("re-discovers every discoverIntervalMs (jittered) while a requirement can take connections, then stops", async () => {
    const w = new EchoWorld(orbs);
    const sniffer = await new RawOrb(w.hub.bus(), "sniffer").listen(discoverTopic({ root: ROOT }));
    const core = w.core("seeker", {
      requires: { echo: { maximum: 1 } },
      timing: { discoverIntervalMs: 1000 },
    });
    await core.start();
    await withTimeout(sniffer.next("discover"), 1000, "first discover");
    await w.clock.advance(10_000);
    const count = sniffer.all("discover").length;
    // 10 s at 1 s +-20%: between 8 and 13 discovers in all.
    expect(count).toBeGreaterThanOrEqual(9);
    expect(count).toBeLessThanOrEqual(14);
    const plugin = w.plugin("finder");
    await plugin.start();
    await w.clock.advance(100);
    await withTimeout(core.compliant(), 2000, "compliant");
    const before = sniffer.all("discover").length;
    await w.clock.advance(10_000);
    // maximum reached: nothing more to discover.
    expect(sniffer.all("discover").length).toBe(before);
  });

  it("a core started before its plugins discovers at once on their announce", async () => {
    const w = new EchoWorld(orbs);
    const core = w.core("early", { timing: { discoverIntervalMs: 60_000 } });
    await core.start();
    expect(core.state).toBe("not-compliant");
    const plugin = w.plugin("late");
    await plugin.start();
    // Far less than discoverIntervalMs: the announce triggered a debounced discover.
    await w.clock.advance(100);
    await withTimeout(core.compliant(), 2000, "compliant");
    expect(core.connections()[0]?.remote).toBe("late");
  });

  it("preferences on the core decide which offers win", async () => {
    const w = new EchoWorld(orbs);
    const plugins = ["p-a", "p-b", "p-c"].map((id) => w.plugin(id));
    await Promise.all(plugins.map((p) => p.start()));
    const core = w.core("picky", {
      requires: { echo: { maximum: 1, prefer: ["p-c", "p-b"] } },
    });
    await core.start();
    await w.clock.advance(500);
    await withTimeout(core.compliant(), 2000, "compliant");
    expect(core.connections().map((c) => c.remote)).toEqual(["p-c"]);
  });

  it("preferences on the plugin decide which cores win its last slot", async () => {
    const w = new EchoWorld(orbs);
    const plugin = w.plugin("scarce", { maxCores: 1, prefer: ["vip"] });
    await plugin.start();
    const cores = ["c-1", "c-2", "vip", "c-3"].map((id) =>
      w.core(id, { timing: { discoverIntervalMs: 60_000 } }),
    );
    await Promise.all(cores.map((c) => c.start()));
    await w.clock.advance(500);
    await until(plugin, () => plugin.connections().length === 1, "one connection");
    expect(plugin.connections()[0]?.remote).toBe("vip");
  });

  it("a plugin restarted with the same id (new epoch) replaces its stale connections", async () => {
    const w = new EchoWorld(orbs);
    const core = w.core("keeper");
    const first = w.plugin("phoenix");
    await Promise.all([core.start(), first.start()]);
    await withTimeout(core.compliant(), 2000, "compliant");
    const epoch1 = core.connections()[0]!.remoteEpoch;
    // The old instance vanishes without a word (its bus dropped, no will yet processed), a new one starts.
    const crashed = first.bus as ReturnType<LocalHub["bus"]>;
    crashed.simulateCrash();
    const second = w.plugin("phoenix");
    await second.start();
    await w.clock.advance(3000);
    await until(core, () => core.connections().some((c) => c.remoteEpoch !== epoch1), "new connection");
    expect(core.connections()).toHaveLength(1);
    expect(core.connections()[0]!.remoteEpoch).toBe(second.epoch);
    expect(await core.request("echo", 7)).toBe(7);
  });

  it("drops an invalid inbound message, reports it, and changes nothing", async () => {
    const w = new EchoWorld(orbs);
    const core = w.core("careful");
    await core.start();
    const errors: Error[] = [];
    core.on("error", (e) => errors.push(e));
    const bus = w.hub.bus();
    await bus.connect();
    await bus.publishValue(offerTopic({ root: ROOT, core: "careful" }), {
      v: 1,
      kind: "offer",
      id: "x",
      from: "evil/orb",
      epoch: "e",
      ts: 1,
    });
    await bus.publish(offerTopic({ root: ROOT, core: "careful" }), new TextEncoder().encode("not json"));
    await withTimeout(
      new Promise<void>((r) => {
        const t = setInterval(() => errors.length >= 2 && (clearInterval(t), r()), 2);
      }),
      2000,
      "two errors",
    );
    expect(errors[0]).toBeInstanceOf(InvalidMessageError);
    expect(errors[0]!.message).toMatch(/\/from: must match pattern/);
    expect(errors[0]!.message).toMatch(/must have required property 'replyTo'/);
    expect(core.state).toBe("not-compliant");
    expect(core.connections()).toEqual([]);
  });
});
