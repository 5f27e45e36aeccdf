/**
 * Termination on its own, on a ManualClock, with a recording host: graceful closes wait
 * for the ack (or fall back to graceless), closes from a remote drain work first.
 */
import { describe, expect, it } from "vitest";
import { CompiledSpec, ManualClock, silentLogger } from "../../../runtime/index.js";
import { Connection, type DisconnectionDetail } from "../../../runtime/orb/connection.js";
import { Termination } from "../../../runtime/orb/termination.js";
import type { CloseMessage } from "../../../generated/protocol/index.js";
import { turnUntil } from "../../helpers/clock.js";

const any = CompiledSpec.fromWire({ any: true });

function setup(options: { sendFails?: boolean; namesRole?: boolean } = {}) {
  const clock = new ManualClock();
  const sent: { topic: string; kind: string; graceful?: boolean; id: string }[] = [];
  const messages: Record<string, unknown>[] = [];
  const removed: [string, DisconnectionDetail][] = [];
  const table = new Set<Connection>();
  let n = 0;
  const termination = new Termination({
    id: "me",
    clock,
    logger: silentLogger,
    gracefulCloseTimeoutMs: 1000,
    namesRole: options.namesRole ?? false,
    connectionsWith: (remote) => [...table].filter((c) => c.remote === remote),
    closeTopicOf: (remote) => `close/${remote}`,
    ownCloseTopic: () => "close/me",
    message: (kind, fields) =>
      ({ v: 1, kind, id: `m${++n}`, from: "me", epoch: "e", ts: 0, ...fields }) as never,
    send: (topic, message) => {
      if (options.sendFails) return Promise.reject(new Error("bus down"));
      const m = message as { kind: string; graceful?: boolean; id: string };
      sent.push({ topic, kind: m.kind, graceful: m.graceful, id: m.id });
      return Promise.resolve();
    },
    post: (topic, message) => {
      messages.push(message as unknown as Record<string, unknown>);
      const m = message as { kind: string; graceful?: boolean; id: string };
      sent.push({ topic, kind: m.kind, graceful: m.graceful, id: m.id });
    },
    remove: (c, detail) => {
      if (!table.delete(c)) return;
      c.state = "closed";
      removed.push([c.operation, detail]);
      termination.removed(c);
    },
    reportError: () => undefined,
  });
  const connect = (operation: string): Connection => {
    const c = new Connection("peer", "pe", operation, any, any, "in", "out", 0, "core");
    table.add(c);
    return c;
  };
  return { clock, sent, messages, removed, termination, connect };
}

describe("Termination", () => {
  it("a graceful close marks the connections closing and ends on the remote's ack", async () => {
    const { sent, removed, termination, connect } = setup();
    const c = connect("echo");
    let done = false;
    const closing = termination.close("peer", undefined, {}, "closed").then(() => (done = true));
    await Promise.resolve();
    expect(c.state).toBe("closing");
    expect(sent[0]).toMatchObject({ topic: "close/peer", kind: "close", graceful: true });
    expect(done).toBe(false);
    termination.onCloseAck(sent[0]!.id);
    await closing;
    expect(removed).toEqual([["echo", { reason: "closed", graceful: true }]]);
  });

  it("no ack within gracefulCloseTimeoutMs: a graceless close, reason timeout", async () => {
    const { clock, sent, removed, termination, connect } = setup();
    connect("echo");
    const closing = termination.close("peer", "echo", {}, "closed");
    await clock.advance(999);
    expect(removed).toEqual([]);
    await clock.advance(1);
    await closing;
    expect(sent.map((m) => m.graceful)).toEqual([true, false]);
    expect(removed).toEqual([["echo", { reason: "timeout", graceful: false }]]);
  });

  it("a close that cannot be sent closes locally at once", async () => {
    const { removed, termination, connect } = setup({ sendFails: true });
    connect("echo");
    await termination.close("peer", undefined, {}, "unused");
    expect(removed).toEqual([["echo", { reason: "unused", graceful: false }]]);
  });

  it("a remote's graceful close waits for the work in flight, then acks and closes", async () => {
    const { sent, removed, termination, connect } = setup();
    const c = connect("echo");
    c.begin();
    const close = { id: "r1", from: "peer", graceful: true, ackTo: "close/peer" } as CloseMessage;
    termination.onClose(close, [c]);
    await new Promise((r) => setImmediate(r));
    expect(c.state).toBe("closing");
    expect(removed).toEqual([]);
    c.end();
    await turnUntil(() => removed.length > 0, { what: "the connection removed" });
    expect(sent.at(-1)).toMatchObject({ topic: "close/peer", kind: "close-ack" });
    expect(removed).toEqual([["echo", { reason: "closed-by-remote", graceful: true }]]);
  });

  it("a stray close tells the remote to drop an operation we do not have", () => {
    const { sent, termination } = setup();
    termination.stray("ghost", "echo", "core", "no connection");
    expect(sent).toEqual([{ topic: "close/ghost", kind: "close", graceful: false, id: "m1" }]);
  });

  it("a hybrid's closes name the direction; a plain orb's never do", async () => {
    const plain = setup();
    plain.termination.stray("ghost", "echo", "plugin", "no connection");
    expect(plain.messages[0]).not.toHaveProperty("role");
    const hybrid = setup({ namesRole: true });
    hybrid.termination.stray("ghost", "echo", "plugin", "no connection");
    expect(hybrid.messages[0]).toMatchObject({ operations: ["echo"], role: "plugin" });
    const c = hybrid.connect("sum");
    await hybrid.termination.close("peer", "sum", { graceful: false, role: "core" }, "closed");
    expect(hybrid.messages[1]).toMatchObject({ operations: ["sum"], role: "core" });
    expect(c.state).toBe("closed");
  });
});
