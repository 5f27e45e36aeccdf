/**
 * Message authentication (issue finding 8): orbs with a shared key sign everything and
 * drop, and report, what a foreign publisher forges -- closes, presences, discovers --
 * as well as stale and replayed messages. Keys rotate.
 */
import { afterEach, describe, expect, it } from "vitest";
import { AuthenticationError, ConfigError, ManualClock, type AuthOptions } from "../../../runtime/index.js";
import { Authenticator } from "../../../runtime/orb/auth.js";
import {
  closeTopic,
  discoverTopic,
  keepaliveTopic,
  offerTopic,
  presenceTopic,
  type OrbitalisMessage,
} from "../../../generated/protocol/index.js";
import { EchoWorld, Orbs } from "../../helpers/orbs.js";
import { RawOrb } from "../../helpers/raw.js";
import { withTimeout } from "../../helpers/wait.js";

const orbs = new Orbs();
afterEach(() => orbs.stopAll());
const ROOT = "orbitalis";
const KEY = "a shared secret of 32 characters";
const auth: AuthOptions = { keys: { k1: KEY } };

function authErrors(orb: { on(event: "error", listener: (e: Error) => void): () => void }): string[] {
  const out: string[] = [];
  orb.on("error", (e) => {
    if (e instanceof AuthenticationError) out.push(e.message);
  });
  return out;
}

async function connected(w: EchoWorld, coreAuth: AuthOptions = auth, pluginAuth: AuthOptions = auth) {
  const core = w.core("home", { auth: coreAuth });
  const plugin = w.plugin("lamp", { auth: pluginAuth });
  await Promise.all([core.start(), plugin.start()]);
  await withTimeout(core.compliant(), 2000, "compliant");
  return { core, plugin };
}

describe("message authentication", () => {
  it("orbs with the same key connect and work; everything they send is signed", async () => {
    const w = new EchoWorld(orbs);
    const tap = await new RawOrb(w.hub.bus(), "tap").listen(`${ROOT}/#`);
    const { core } = await connected(w);
    expect(await core.request("echo", 5)).toBe(5);
    const sent = tap.received.map((r) => r.message).filter((m) => m.from === "home" || m.from === "lamp");
    expect(sent.length).toBeGreaterThan(5);
    for (const m of sent) expect((m as { sig?: unknown }).sig, m.kind).toMatchObject({ kid: "k1" });
  });

  it("forged closes, presences and discovers from a publisher without the key are dropped and reported", async () => {
    const w = new EchoWorld(orbs);
    const { core, plugin } = await connected(w);
    const coreSaw = authErrors(core);
    const pluginSaw = authErrors(plugin);
    let disconnections = 0;
    core.on("disconnection", () => disconnections++);
    plugin.on("disconnection", () => disconnections++);
    // The forger knows the plugin's real epoch (it reads the retained presence).
    const forger = new RawOrb(w.hub.bus(), "lamp", plugin.epoch);
    await forger.listen();
    await forger.send(closeTopic({ root: ROOT, orb: "home" }), "close", { graceful: false });
    await forger.send(presenceTopic({ root: ROOT, orb: "lamp" }), "presence", {
      role: "plugin",
      status: "offline",
      graceful: true,
    });
    const ghost = new RawOrb(w.hub.bus(), "ghost");
    await ghost.listen(offerTopic({ root: ROOT, core: "ghost" }));
    await ghost.send(discoverTopic({ root: ROOT }), "discover", {
      offerTo: offerTopic({ root: ROOT, core: "ghost" }),
      keepaliveTo: keepaliveTopic({ root: ROOT, orb: "ghost" }),
      closeTo: closeTopic({ root: ROOT, orb: "ghost" }),
      deadAfterMs: 6000,
      operations: [{ name: "echo", inputs: [{ any: true }], outputs: [{ any: true }] }],
    });
    await w.clock.advance(1000);
    expect(disconnections).toBe(0);
    expect(ghost.all("offer")).toEqual([]);
    expect(coreSaw).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/dropped a close from lamp .*: it is not signed/),
        expect.stringMatching(/dropped a presence from lamp .*: it is not signed/),
      ]),
    );
    expect(pluginSaw).toEqual(
      expect.arrayContaining([expect.stringMatching(/dropped a discover from ghost/)]),
    );
    expect(await core.request("echo", 6)).toBe(6);
  });

  it("drops messages signed with an unknown or a wrong key, stale ones and replays", async () => {
    const w = new EchoWorld(orbs);
    const { core, plugin } = await connected(w);
    const saw = authErrors(core);
    const other = new Authenticator({ keys: { k9: "another secret, also long enough" } }, w.clock);
    const wrong = new Authenticator({ keys: { k1: "a different secret, same key id!!" } }, w.clock);
    const raw = new RawOrb(w.hub.bus(), "lamp", plugin.epoch);
    await raw.listen();
    const topic = keepaliveTopic({ root: ROOT, orb: "home" });
    const keepalive = (): OrbitalisMessage => ({ ...raw.make("keepalive", {}), ts: w.clock.now() });
    const publisher = w.hub.bus();
    await publisher.connect();
    await publisher.publishValue(topic, other.sign(keepalive()));
    await publisher.publishValue(topic, wrong.sign(keepalive()));
    // A real signature, but an hour old.
    const signer = new Authenticator(auth, w.clock);
    await publisher.publishValue(topic, signer.sign({ ...keepalive(), ts: w.clock.now() - 3_600_000 }));
    // A real, fresh message, twice.
    const fresh = signer.sign(keepalive());
    await publisher.publishValue(topic, fresh);
    await publisher.publishValue(topic, fresh);
    await w.clock.advance(10);
    expect(saw).toEqual([
      expect.stringMatching(/signed with an unknown key "k9"/),
      expect.stringMatching(/its signature is wrong/),
      expect.stringMatching(/its ts is 3600000 ms away .* \(replay window 30000 ms\)/),
      expect.stringMatching(/it was received before \(a replay\)/),
    ]);
    expect(core.connections()).toHaveLength(1);
  });

  it("keys rotate: each side signs with its own key and accepts both", async () => {
    const w = new EchoWorld(orbs);
    const keys = { k1: KEY, k2: "the next shared secret, 32 chars" };
    const { core } = await connected(w, { keys, signWith: "k1" }, { keys, signWith: "k2" });
    expect(await core.request("echo", 7)).toBe(7);
  });

  it("an orb without the key is not heard by orbs with it", async () => {
    const w = new EchoWorld(orbs);
    const core = w.core("home", { auth });
    const plugin = w.plugin("lamp");
    const saw = authErrors(core);
    await Promise.all([core.start(), plugin.start()]);
    await w.clock.advance(3000);
    expect(core.connections()).toEqual([]);
    expect(saw.length).toBeGreaterThan(0);
  });

  it("rejects bad configuration, naming the field", () => {
    const w = new EchoWorld(orbs);
    expect(() => w.core("a", { auth: { keys: { k1: "short" } } })).toThrow(ConfigError);
    expect(() => w.core("b", { auth: { keys: { k1: KEY }, signWith: "k2" } })).toThrow(/auth.signWith/);
    expect(() => w.core("c", { auth: { keys: {} } })).toThrow(/auth.keys: at least one key/);
    expect(() => w.core("d", { auth: { keys: { "bad key": KEY } } })).toThrow(/a key id is/);
  });
});

describe("the replay memory (AUTH-4, AUTH-5)", () => {
  const clock = new ManualClock();
  const signer = new Authenticator(auth, clock);
  const message = (fields: Partial<OrbitalisMessage> = {}): OrbitalisMessage =>
    signer.sign({
      v: 1,
      kind: "keepalive",
      id: "n1",
      from: "lamp",
      epoch: "epochA",
      ts: clock.now(),
      ...fields,
    } as OrbitalisMessage);

  it("keys on sender, epoch and id: a restarted orb counting its ids from zero again is no replay", () => {
    const receiver = new Authenticator(auth, clock);
    expect(receiver.check(message())).toBeUndefined();
    expect(receiver.check(message())).toBe("it was received before (a replay)");
    expect(receiver.check(message({ epoch: "epochB" }))).toBeUndefined();
  });

  it("remembers a message stamped ahead of its clock until the window has passed after that stamp", async () => {
    const receiver = new Authenticator(auth, clock);
    const ahead = message({ id: "ahead", ts: clock.now() + 29_000 });
    expect(receiver.check(ahead)).toBeUndefined();
    await clock.advance(31_000);
    // Still within the window of its ts: it must still be known.
    receiver.check(message({ id: "another" }));
    expect(receiver.check(ahead)).toBe("it was received before (a replay)");
  });

  it("drops a message with a number beyond the double range instead of throwing", () => {
    const receiver = new Authenticator(auth, clock);
    const huge = { ...message(), data: Number.POSITIVE_INFINITY } as unknown as OrbitalisMessage;
    expect(receiver.check(huge)).toMatch(/^it has no canonical form/);
  });
});
