/**
 * The outbox's rules: sending to a remote counts as life towards it (at the message's
 * time), a bus that throws still gives a rejected promise, a failed post becomes an
 * `error` report naming the kind and topic, and only a closed bus after the orb stopped is
 * quiet (a debug line).
 */
import { describe, expect, it } from "vitest";
import { BusError, quietLogger, type Bus } from "../../../runtime/index.js";
import type { OrbitalisMessage } from "../../../generated/protocol/index.js";
import type { PeerLiveness } from "../../../runtime/orb/liveness.js";
import { Outbox } from "../../../runtime/orb/outbox.js";

const message = { kind: "keepalive", ts: 1234 } as OrbitalisMessage;

function outbox(publish: () => Promise<void>, running = true) {
  const sent: [string, number | undefined][] = [];
  const reported: { error: unknown; context: string }[] = [];
  const debug: string[] = [];
  const box = new Outbox({
    id: "o",
    logger: { ...quietLogger, debug: (line: string) => void debug.push(line) },
    running: () => running,
    reportError: (error, context) => void reported.push({ error, context }),
    bus: { publishValue: publish } as unknown as Bus,
    peers: { sent: (id: string, at?: number) => void sent.push([id, at]) } as unknown as PeerLiveness,
  });
  return { box, sent, reported, debug };
}

/** Lets the rejection handlers of a post run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("Outbox", () => {
  it("counts a message to a remote as life towards it, at the message's time; none without one", async () => {
    const o = outbox(() => Promise.resolve());
    await o.box.send("t/a", message, "peer");
    await o.box.send("t/b", message);
    expect(o.sent).toEqual([["peer", 1234]]);
  });

  it("turns a bus that throws into a rejected promise", async () => {
    const failure = new BusError("ERR_BUS", "broken");
    const o = outbox(() => {
      throw failure;
    });
    await expect(o.box.send("t", message)).rejects.toBe(failure);
  });

  it("reports a failed post with its kind and topic while running, closed bus or not", async () => {
    for (const code of ["ERR_BUS", "ERR_BUS_CLOSED"] as const) {
      const failure = new BusError(code, "no");
      const o = outbox(() => Promise.reject(failure), true);
      o.box.post("root/x", message);
      await settle();
      expect(o.reported).toEqual([{ error: failure, context: "could not publish keepalive to root/x" }]);
      expect(o.debug).toEqual([]);
    }
  });

  it("after the orb stopped, is quiet about a closed bus only (a debug line), and reports anything else", async () => {
    const closed = outbox(() => Promise.reject(new BusError("ERR_BUS_CLOSED", "closed")), false);
    closed.box.post("root/x", message);
    await settle();
    expect(closed.reported).toEqual([]);
    expect(closed.debug).toEqual(["o: keepalive to root/x not sent: the bus is closed"]);

    const failure = new BusError("ERR_BUS", "broken");
    const other = outbox(() => Promise.reject(failure), false);
    other.box.post("root/x", message);
    await settle();
    expect(other.reported).toEqual([{ error: failure, context: "could not publish keepalive to root/x" }]);
  });
});
