/**
 * Peer liveness on its own, on a ManualClock: keepalives when quiet, death after
 * deadAfterMs of silence, suspended while the bus is down, wills that wait out a grace.
 */
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../runtime/index.js";
import { PeerLiveness, type Peer } from "../../../runtime/orb/liveness.js";

function setup() {
  const clock = new ManualClock();
  const events: string[] = [];
  let down = false;
  const liveness = new PeerLiveness({
    clock,
    random: Math.random,
    deadAfterMs: 3000,
    busDisconnected: () => down,
    sendKeepalive: (p: Peer) => events.push(`keepalive ${p.id}`),
    dead: (p: Peer, silent: number) => events.push(`dead ${p.id} after ${silent}`),
    offline: (p: Peer) => events.push(`offline ${p.id}`),
  });
  const peer = liveness.add("p", "e1", { keepaliveTo: "k", closeTo: "c", deadAfterMs: 3000 });
  return { clock, events, liveness, peer, setDown: (v: boolean) => (down = v) };
}

describe("PeerLiveness", () => {
  it("sends a keepalive within a third of the remote's deadAfterMs when nothing else went out", async () => {
    const { clock, events } = setup();
    await clock.advance(1000);
    expect(events.filter((e) => e.startsWith("keepalive"))).toEqual(["keepalive p"]);
  });

  it("declares a silent peer dead after deadAfterMs, and not while it speaks", async () => {
    const { clock, events, liveness, peer } = setup();
    await clock.advance(2000);
    liveness.heard(peer, false);
    await clock.advance(2999);
    expect(events.some((e) => e.startsWith("dead"))).toBe(false);
    await clock.advance(1);
    expect(events).toContain("dead p after 3000");
  });

  it("suspends death while the bus is down and counts again from its return", async () => {
    const { clock, events, liveness, setDown } = setup();
    setDown(true);
    liveness.busLost();
    await clock.advance(10_000);
    expect(events.some((e) => e.startsWith("dead"))).toBe(false);
    setDown(false);
    liveness.busBack();
    await clock.advance(2999);
    expect(events.some((e) => e.startsWith("dead"))).toBe(false);
    await clock.advance(1);
    expect(events.some((e) => e.startsWith("dead"))).toBe(true);
  });

  it("a will counts after its grace unless the peer speaks; a graceful offline counts at once", async () => {
    const { clock, events, liveness, peer } = setup();
    liveness.offlinePresence(peer, false);
    await clock.advance(100);
    liveness.heard(peer, false); // it spoke: not dead
    await clock.advance(1000);
    expect(events).not.toContain("offline p");
    liveness.offlinePresence(peer, false);
    await clock.advance(750);
    expect(events).toContain("offline p");
    const other = liveness.add("q", "e1", { keepaliveTo: "k", closeTo: "c", deadAfterMs: 3000 });
    liveness.offlinePresence(other, true);
    expect(events).toContain("offline q");
  });

  it("distrusts wills for deadAfterMs after an outage (a broker hands back retained wills)", async () => {
    const { clock, events, liveness, peer, setDown } = setup();
    setDown(true);
    liveness.busLost();
    setDown(false);
    liveness.busBack();
    liveness.offlinePresence(peer, false);
    await clock.advance(1000);
    expect(events).not.toContain("offline p");
  });

  it("a dropped peer's timers are cleared", async () => {
    const { clock, events, liveness, peer } = setup();
    liveness.drop(peer);
    await clock.advance(10_000);
    expect(events).toEqual([]);
    expect(liveness.get("p")).toBeUndefined();
  });
});
