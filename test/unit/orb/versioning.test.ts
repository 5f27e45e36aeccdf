/**
 * Protocol evolution as the runtime lives it (spec rules VER-1..VER-4, META-1): `meta`
 * travels from `request`/`execute`/`emit` to handlers and sinks; fields and extensible
 * enum values of a later minor revision are accepted; another major is dropped and said
 * to be one; the revision is stated where the spec says. LocalBus, ManualClock, no sleeps.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  UnsupportedVersionError,
  InvalidPayloadError,
  Plugin,
  silentLogger,
  type MessageMeta,
  type OutputContext,
} from "../../../runtime/index.js";
import {
  closeTopic,
  discoverTopic,
  keepaliveTopic,
  offerTopic,
  PROTOCOL_REVISION,
  type OfferMessage,
  type PresenceMessage,
} from "../../../generated/protocol/index.js";
import { metaOf, NO_META } from "../../../runtime/orb/meta.js";
import { coreState, EchoWorld, Orbs } from "../../helpers/orbs.js";
import { RawOrb } from "../../helpers/raw.js";
import { withTimeout } from "../../helpers/wait.js";

const orbs = new Orbs();
afterEach(() => orbs.stopAll());

/** A connected echo pair whose plugin records the ctx.meta of every input. */
async function metaPair() {
  const world = new EchoWorld(orbs);
  const seen: MessageMeta[] = [];
  const plugin = orbs.add(
    new Plugin({ id: "meta-plugin", bus: world.hub.bus(), clock: world.clock, logger: silentLogger }),
  );
  plugin.operation("echo", { input: { any: true }, output: { any: true } }, (x, ctx) => {
    seen.push(ctx.meta);
    return x;
  });
  const core = world.core("meta-core");
  await plugin.start();
  await core.start();
  await coreState(core, "compliant");
  return { world, plugin, core, seen };
}

describe("meta (META-1)", () => {
  it("reaches the handler from request and execute, and the sink from emit; empty when absent", async () => {
    const { plugin, core, seen } = await metaPair();
    const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    await expect(core.request("echo", 1, { meta: { traceparent } })).resolves.toBe(1);
    await core.request("echo", 2);
    const sunk = new Promise<OutputContext>((resolve) => core.onOutput("echo", (_d, ctx) => resolve(ctx)));
    await core.execute("echo", 3, { meta: { "x.tenant": "acme" } });
    expect((await withTimeout(sunk, 2000, "the output of execute")).meta).toEqual({});
    expect(seen).toEqual([{ traceparent }, {}, { "x.tenant": "acme" }]);
    expect(Object.isFrozen(seen[1])).toBe(true);

    const emitted = new Promise<OutputContext>((resolve) =>
      core.onOutput("echo", (d, ctx) => {
        if (d === "pushed") resolve(ctx);
      }),
    );
    await plugin.emit("echo", "pushed", { meta: { origin: "timer" } });
    expect((await withTimeout(emitted, 2000, "the emitted output")).meta).toEqual({ origin: "timer" });
  });

  it("is frozen when a handler gets it from a broker's parsed message, and shared empty when absent", () => {
    const parsed = { meta: { traceparent: "x" } };
    expect(Object.isFrozen(metaOf(parsed))).toBe(true);
    expect(metaOf(parsed)).toBe(parsed.meta);
    expect(metaOf({})).toBe(NO_META);
  });

  it("rejects meta beyond the spec's limits at the call, naming what is wrong", async () => {
    const { plugin, core, seen } = await metaPair();
    await expect(core.request("echo", 1, { meta: { "bad key": "x" } })).rejects.toThrow(
      /meta key "bad key" is not allowed/,
    );
    const many = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, "v"]));
    await expect(core.execute("echo", 1, { meta: many })).rejects.toThrow(/17 keys; at most 16/);
    await expect(
      core.request("echo", 1, { meta: { k: 1 } as unknown as MessageMeta }),
    ).rejects.toBeInstanceOf(InvalidPayloadError);
    await expect(plugin.emit("echo", 1, { meta: { k: "x".repeat(1025) } })).rejects.toThrow(
      /1025 characters long; at most 1024/,
    );
    // Characters are code points, as the schema's maxLength counts them: 600 emoji fit.
    await expect(plugin.emit("echo", 1, { meta: { k: "\u{1F600}".repeat(600) } })).resolves.toEqual([
      "meta-core",
    ]);
    await expect(
      core.request("echo", 1, { meta: new Map([["k", "v"]]) as unknown as MessageMeta }),
    ).rejects.toThrow(/meta must be a plain object of string keys to string values, found Map/);
    expect(seen).toEqual([]);
  });
});

describe("revisions (VER-1..VER-4)", () => {
  it("states its revision in presence, discover, offer and status", async () => {
    const { world, plugin, core } = await metaPair();
    const spy = await new RawOrb(world.hub.bus(), "spy").listen("orbitalis/#");
    await expect(plugin.status("meta-core")).resolves.toMatchObject({ rev: PROTOCOL_REVISION });
    await core.stop();
    await core.start();
    const discover = await spy.next("discover", (m) => m.from === "meta-core");
    const offer = await spy.next("offer", (m) => m.from === "meta-plugin");
    const presence = await spy.next("presence", (m) => m.from === "meta-core");
    for (const m of [discover, offer, presence]) expect(m.rev, m.kind).toBe(PROTOCOL_REVISION);
  });

  it("sends the core's keepaliveTo, closeTo and deadAfterMs with each request (HS-9, new in 1.1)", async () => {
    const world = new EchoWorld(orbs);
    const spy = await new RawOrb(world.hub.bus(), "spy").listen("orbitalis/#");
    const core = world.core("core-r", { timing: { deadAfterMs: 4500 } });
    const plugin = world.plugin("plugin-r");
    await plugin.start();
    await core.start();
    await coreState(core, "compliant");
    const request = await spy.next("request", (m) => m.from === "core-r");
    expect(request).toMatchObject({
      keepaliveTo: keepaliveTopic({ root: "orbitalis", orb: "core-r" }),
      closeTo: closeTopic({ root: "orbitalis", orb: "core-r" }),
      deadAfterMs: 4500,
    });
  });

  it("connects to a plugin of a later minor revision whose offer has fields and a role it does not know", async () => {
    const world = new EchoWorld(orbs);
    const core = world.core("core-a");
    const errors: Error[] = [];
    core.on("error", (e) => errors.push(e));
    const raw = await new RawOrb(world.hub.bus(), "future-plugin").listenAsPlugin();
    await core.start();
    const discover = await raw.next("discover");
    const offer = raw.make("offer", {
      re: discover.id,
      replyTo: "orbitalis/plugin/future-plugin/reply",
      keepaliveTo: keepaliveTopic({ root: "orbitalis", orb: "future-plugin" }),
      closeTo: closeTopic({ root: "orbitalis", orb: "future-plugin" }),
      deadAfterMs: 6000,
      holdMs: 5000,
      operations: [{ name: "echo", input: { any: true }, output: { any: true } }],
      rev: "1.9",
      meta: { "unknown.key": "ignored" },
    });
    const future = { ...offer, compression: "zstd" } as OfferMessage;
    await raw.bus.publishValue(offerTopic({ root: "orbitalis", core: "core-a" }), future);
    await raw.send("orbitalis/presence/future-plugin", "presence", { role: "observer", status: "online" });
    const request = await raw.next("request", (m) => m.re === offer.id);
    expect(request.operation).toBe("echo");
    expect(errors).toEqual([]);
  });

  it("drops a message of another major version and says so, not that it is malformed", async () => {
    const world = new EchoWorld(orbs);
    const plugin = world.plugin("plugin-a");
    const errors: Error[] = [];
    const reported = new Promise<Error>((resolve) =>
      plugin.on("error", (e) => {
        errors.push(e);
        resolve(e);
      }),
    );
    await plugin.start();
    const raw = await new RawOrb(world.hub.bus(), "core-from-future").listen("orbitalis/#");
    const discover = {
      ...raw.make("discover", {
        offerTo: offerTopic({ root: "orbitalis", core: "core-from-future" }),
        keepaliveTo: keepaliveTopic({ root: "orbitalis", orb: "core-from-future" }),
        closeTo: closeTopic({ root: "orbitalis", orb: "core-from-future" }),
        deadAfterMs: 6000,
        operations: [{ name: "echo", inputs: [{ any: true }], outputs: [{ any: true }] }],
      }),
      v: 2,
    };
    await raw.bus.publishValue(discoverTopic({ root: "orbitalis" }), discover);
    const error = await withTimeout(reported, 2000, "the report of the v: 2 message");
    expect(error).toBeInstanceOf(UnsupportedVersionError);
    expect(error).toMatchObject({ code: "ERR_UNSUPPORTED_VERSION", version: 2 });
    expect(error.message).toMatch(
      /protocol version 2 from "core-from-future" on orbitalis\/discover: this orb speaks version 1/,
    );
    expect(raw.all("offer")).toEqual([]);
    // Once per sender and version: the next ones are dropped without a report; a message
    // with a `v` that is no version at all is an invalid one.
    await raw.bus.publishValue(discoverTopic({ root: "orbitalis" }), { ...discover, id: "again" });
    await raw.bus.publishValue(discoverTopic({ root: "orbitalis" }), { ...discover, id: "odd", v: 1.5 });
    await world.clock.advance(10);
    expect(errors.map((e) => e.constructor.name)).toEqual(["UnsupportedVersionError", "InvalidMessageError"]);
    const presence: PresenceMessage[] = raw.all("presence");
    expect(presence.every((p) => p.from === "plugin-a")).toBe(true);
  });
});
