/**
 * Peer liveness rules that mutation testing found unchecked (issue 19; see
 * docs/mutation.md), driven by a raw core against a plugin on a ManualClock: a heartbeat for
 * a connection the plugin does not hold is answered with a graceless close (a keepalive
 * answer is not), and a will of the connected core's own instance makes the plugin ask that
 * core at once (keepalive-request) instead of waiting out deadAfterMs.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  keepaliveTopic,
  offerTopic,
  outputTopic,
  presenceTopic,
  responseTopic,
} from "../../../generated/protocol/index.js";
import { EchoWorld, Orbs } from "../../helpers/orbs.js";
import { RawOrb } from "../../helpers/raw.js";

const ROOT = "orbitalis";
const orbs = new Orbs();
afterEach(() => orbs.stopAll());

async function rawCore(w: EchoWorld, id: string): Promise<RawOrb> {
  return new RawOrb(w.hub.bus(), id).listen(
    offerTopic({ root: ROOT, core: id }),
    responseTopic({ root: ROOT, core: id }),
    `${ROOT}/orb/${id}/+`,
  );
}

describe("peer liveness", () => {
  it("a heartbeat for no connection is answered with a graceless close; a keepalive answer is not", async () => {
    const w = new EchoWorld(orbs);
    const plugin = w.plugin("p");
    await plugin.start();
    const raw = await rawCore(w, "stranger");
    await raw.send(keepaliveTopic({ root: ROOT, orb: "p" }), "keepalive", { re: "k-1" });
    await w.clock.advance(1);
    expect(raw.all("close")).toEqual([]);
    await raw.send(keepaliveTopic({ root: ROOT, orb: "p" }), "keepalive", {});
    const close = await raw.next("close");
    expect(close).toMatchObject({ from: "p", graceful: false, reason: "no connection" });
  });

  it("a will of the connected core's own instance is checked at once with a keepalive-request", async () => {
    const w = new EchoWorld(orbs);
    const plugin = w.plugin("p");
    await plugin.start();
    const raw = await rawCore(w, "c");
    await raw.discoverEcho(ROOT);
    const offer = await raw.next("offer");
    const request = await raw.send(offer.replyTo, "request", {
      re: offer.id,
      operation: "echo",
      responseTo: responseTopic({ root: ROOT, core: "c" }),
      outputTopic: outputTopic({ root: ROOT, core: "c", operation: "echo", plugin: "p" }),
    });
    await raw.next("confirm", (m) => m.re === request.id);
    const before = raw.all("keepalive-request").length;
    // A will of another instance (an older epoch) is not this connection's end: no probe.
    raw.epoch = "rawEpoch0";
    await raw.send(presenceTopic({ root: ROOT, orb: "c" }), "presence", {
      role: "core",
      status: "offline",
      graceful: false,
    });
    await w.clock.advance(1);
    expect(raw.all("keepalive-request")).toHaveLength(before);
    raw.epoch = "rawEpoch1";
    await raw.send(presenceTopic({ root: ROOT, orb: "c" }), "presence", {
      role: "core",
      status: "offline",
      graceful: false,
    });
    await raw.next("keepalive-request", () => raw.all("keepalive-request").length > before);
    expect(raw.all("keepalive-request").length).toBe(before + 1);
  });
});
