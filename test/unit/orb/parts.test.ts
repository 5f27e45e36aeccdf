/**
 * The orb's small parts, each on its own on a ManualClock with a recording host: the
 * envelope, inbound dispatch, the idle reaper, a plugin's reservations, a core's
 * compliance, and the status/ping queries.
 */
import { describe, expect, it } from "vitest";
import {
  CompiledSpec,
  ManualClock,
  NotRunningError,
  silentLogger,
  TimeoutError,
  type ConnectionRole,
} from "../../../runtime/index.js";
import { Compliance } from "../../../runtime/orb/compliance.js";
import { Connection } from "../../../runtime/orb/connection.js";
import { ConnectionTable } from "../../../runtime/orb/connection-table.js";
import { Envelope } from "../../../runtime/orb/envelope.js";
import { IdleReaper } from "../../../runtime/orb/idle-reaper.js";
import { Inbound } from "../../../runtime/orb/inbound.js";
import { Queries } from "../../../runtime/orb/queries.js";
import { Reservations } from "../../../runtime/orb/reservations.js";
import type { OrbitalisMessage } from "../../../generated/protocol/index.js";

const any = CompiledSpec.fromWire({ any: true });
const connection = (
  remote: string,
  operation: string,
  role: ConnectionRole = "core",
  since = 0,
): Connection => new Connection(remote, "re", operation, any, any, "in", "out", since, role);

describe("Envelope", () => {
  it("stamps every message with a fresh id under the current epoch, counted anew per start", () => {
    const clock = new ManualClock(1000);
    const envelope = new Envelope("me", clock);
    envelope.restart("E1");
    const a = envelope.message("keepalive", {});
    const b = envelope.message("close", { graceful: false });
    expect(a).toEqual({ v: 1, kind: "keepalive", id: "E1.0", from: "me", epoch: "E1", ts: 1000 });
    expect(b).toMatchObject({ kind: "close", id: "E1.1", graceful: false });
    envelope.restart("E2");
    expect(envelope.epoch).toBe("E2");
    expect(envelope.message("keepalive", {}).id).toBe("E2.0");
  });
});

describe("Inbound", () => {
  const keepalive = (from: string): OrbitalisMessage => ({
    v: 1,
    kind: "keepalive",
    id: `${from}.1`,
    from,
    epoch: "EP",
    ts: 1,
  });

  function setup(state: { running: boolean; stopping: boolean; witness?: boolean }) {
    const handled: string[] = [];
    const errors: string[] = [];
    const inbound = new Inbound({
      id: "me",
      running: () => state.running,
      stopping: () => state.stopping,
      witness: () => state.witness ?? true,
      sameId: (m) => handled.push(`same:${m.epoch}`),
      reportError: (e) => errors.push(String(e)),
      emitError: (e) => errors.push(e.message),
    });
    return { inbound, handled, errors };
  }

  it("hands each valid message to the one handler of its kind; a second handler for a kind is refused", () => {
    const { inbound, handled, errors } = setup({ running: true, stopping: false });
    inbound.register({ handlers: { keepalive: (m) => handled.push(m.from) }, whileStopping: [] }, true);
    expect(() =>
      inbound.register({ handlers: { keepalive: () => undefined }, whileStopping: [] }, true),
    ).toThrow(/two handlers for keepalive/);
    inbound.receive("t", keepalive("other"));
    inbound.receive("t", keepalive("me")); // our own id: never handled, told as such
    inbound.receive("t", { kind: "keepalive" }); // invalid: reported, dropped
    expect(handled).toEqual(["other", "same:EP"]);
    expect(errors).toEqual([expect.stringMatching(/dropped an invalid message on t/)]);
  });

  it("while stopping, only the kinds registered for it get through; a message liveness rejects is dropped", () => {
    const state = { running: false, stopping: true, witness: true };
    const { inbound, handled } = setup(state);
    inbound.register(
      { handlers: { keepalive: (m) => handled.push(`k:${m.from}`) }, whileStopping: ["keepalive"] },
      true,
    );
    inbound.register({ handlers: { status: (m) => handled.push(`s:${m.from}`) }, whileStopping: [] }, true);
    inbound.receive("t", keepalive("a"));
    inbound.dispatch({ ...keepalive("b"), kind: "status" } as unknown as OrbitalisMessage);
    expect(handled).toEqual(["k:a"]);
    state.witness = false;
    inbound.receive("t", keepalive("c"));
    expect(handled).toEqual(["k:a"]);
  });
});

describe("IdleReaper", () => {
  function setup(mayClose: (c: Connection) => boolean = () => true) {
    const clock = new ManualClock();
    const conns = [connection("p1", "a"), connection("p2", "a"), connection("p3", "b")];
    const closed: string[] = [];
    let running = true;
    const reaper = new IdleReaper({
      id: "me",
      clock,
      logger: silentLogger,
      idleMs: 1000,
      running: () => running,
      connections: () => conns,
      mayClose,
      close: (c) => closed.push(c.remote),
    });
    for (const c of conns) c.lastUsed = clock.now();
    return { clock, conns, closed, reaper, stop: () => (running = false) };
  }

  it("closes open connections idle for idleMs with no work in flight, if their role lets them go", async () => {
    const { clock, conns, closed, reaper } = setup((c) => c.remote !== "p3");
    conns[1]!.begin(); // work in flight
    reaper.start();
    await clock.advance(750);
    expect(closed).toEqual([]);
    await clock.advance(250);
    expect(closed).toEqual(["p1"]);
  });

  it("a connection used meanwhile is not idle; stop() ends the sweeps", async () => {
    const { clock, conns, closed, reaper } = setup();
    reaper.start();
    await clock.advance(500);
    for (const c of conns) c.lastUsed = clock.now();
    await clock.advance(750);
    expect(closed).toEqual([]);
    reaper.stop();
    await clock.advance(5000);
    expect(closed).toEqual([]);
  });
});

describe("Reservations", () => {
  const topics = { keepaliveTo: "k", closeTo: "c", deadAfterMs: 6000 };
  function setup() {
    const clock = new ManualClock();
    const table = new ConnectionTable();
    return { clock, table, r: new Reservations(clock, table, { holdMs: 1000 }) };
  }

  it("a slot holds for holdMs, counts towards usage and served cores, and frees on release or expiry", async () => {
    const { clock, table, r } = setup();
    table.add(connection("core-a", "echo", "plugin"));
    table.add(connection("plugin-x", "echo", "core")); // a hybrid's other side: not served
    r.hold("offer-1", "core-b", "eb", "echo", topics);
    r.hold("offer-2", "core-c", "ec", "sum", topics);
    expect(r.usage("echo")).toBe(2);
    expect([...r.servedCores()].sort()).toEqual(["core-a", "core-b", "core-c"]);
    expect(r.holds("core-b", "echo")).toBe(true);
    expect(r.holds("core-b", "sum")).toBe(false);
    r.release("offer-1", "echo");
    expect(r.get("offer-1", "echo")).toBeUndefined();
    expect(r.usage("echo")).toBe(1);
    await clock.advance(1000);
    expect(r.holds("core-c")).toBe(false);
    expect([...r.servedCores()]).toEqual(["core-a"]);
    r.hold("offer-3", "core-d", "ed", "echo", topics);
    r.releaseWhere((x) => x.core === "core-d");
    expect(r.usage("echo")).toBe(1);
  });

  it("a reservation can be taken over once older than graceMs, or at once when its core let one lapse", async () => {
    const { clock, r } = setup();
    expect(r.graceMs).toBe(250);
    r.hold("o1", "fake", "e", "echo", topics);
    expect(r.takeOver(() => true)).toBe(false); // too young: a real core would be requesting now
    await clock.advance(250);
    expect(r.takeOver(() => true)).toBe(true);
    expect(r.size).toBe(0);
    // A core whose reservation lapsed is a suspect: its next one can be taken over at once.
    r.hold("o2", "fake", "e", "echo", topics);
    await clock.advance(1000);
    expect(r.isSuspect("fake")).toBe(true);
    r.hold("o3", "fake", "e", "echo", topics);
    expect(r.takeOver(() => true)).toBe(true);
    // Requesting clears it; suspicion also ends by itself after 10 holdMs.
    r.requested("fake");
    expect(r.isSuspect("fake")).toBe(false);
  });
});

describe("Compliance", () => {
  it("says what is missing and why, and keeps what compliance needs when idle", () => {
    const table = new ConnectionTable();
    const compliance = new Compliance({ echo: { minimum: 2, mandatory: ["m"] }, sum: { minimum: 0 } }, table);
    expect(compliance.met).toBe(false);
    compliance.skipped({ remote: "x", operation: "echo", reason: "not-allowed", message: "no" });
    expect(compliance.missing()).toEqual([
      "echo: 0/2 connections; x skipped: no",
      "echo: mandatory m not connected; x skipped: no",
    ]);
    const m = connection("m", "echo");
    const o = connection("o", "echo");
    table.add(m);
    table.add(o);
    compliance.connected("x", "echo");
    expect(compliance.met).toBe(true);
    expect(compliance.missing()).toEqual([]);
    // A plugin serving echo to us (the other role) does not count.
    table.add(connection("p", "echo", "plugin"));
    expect(compliance.connectionsOf("echo")).toHaveLength(2);
    expect(compliance.mayCloseUnused(m)).toBe(false); // mandatory
    expect(compliance.mayCloseUnused(o)).toBe(false); // needed for the minimum
    table.add(connection("q", "echo"));
    expect(compliance.mayCloseUnused(connection("q", "echo"))).toBe(true);
  });

  it("remembers at most 16 skipped plugins per operation", () => {
    const compliance = new Compliance({ echo: {} }, new ConnectionTable());
    for (let i = 0; i < 40; i++)
      compliance.skipped({ remote: `p${i}`, operation: "echo", reason: "not-allowed", message: "no" });
    expect(compliance.missing()[0]!.match(/skipped/g)).toHaveLength(16);
  });
});

describe("Queries", () => {
  function setup() {
    const clock = new ManualClock();
    const sent: { topic: string; message: OrbitalisMessage }[] = [];
    let n = 0;
    const queries = new Queries({
      id: "me",
      root: "R",
      clock,
      requestTimeoutMs: 500,
      message: (kind, fields) =>
        ({ v: 1, kind, id: `m${++n}`, from: "me", epoch: "E", ts: clock.now(), ...fields }) as never,
      send: (topic, message) => {
        sent.push({ topic, message });
        return Promise.resolve();
      },
      post: (topic, message) => void sent.push({ topic, message }),
      assertRunning: () => undefined,
      running: () => true,
      keepaliveTopicOf: () => undefined,
      describe: () => ({
        role: "hybrid",
        state: "compliant",
        offers: ["a"],
        requires: ["b"],
        connections: [],
      }),
    });
    return { clock, sent, queries };
  }

  it("a status-request is answered with this orb's status; a hybrid's says what it offers and requires", () => {
    const { sent, queries } = setup();
    queries.handlers["status-request"]!({
      v: 1,
      kind: "status-request",
      id: "q1",
      from: "other",
      epoch: "O",
      ts: 0,
      replyTo: "R/orb/other/status-reply",
    });
    expect(sent[0]).toMatchObject({
      topic: "R/orb/other/status-reply",
      message: {
        kind: "status",
        re: "q1",
        role: "hybrid",
        operations: ["a", "b"],
        offers: ["a"],
        requires: ["b"],
      },
    });
  });

  it("status() resolves with the answer to its request, times out on the clock, and fails when the orb stops", async () => {
    const { clock, sent, queries } = setup();
    const answered = queries.status("other", {});
    await Promise.resolve();
    const asked = sent[0]!.message;
    queries.handlers.status!({
      v: 1,
      kind: "status",
      id: "s1",
      from: "other",
      epoch: "O",
      ts: 0,
      re: asked.id,
      role: "plugin",
      state: "running",
      connections: [],
      operations: [],
    });
    expect((await answered).role).toBe("plugin");
    const late = queries.ping("other", {});
    const timedOut = expect(late).rejects.toBeInstanceOf(TimeoutError);
    await clock.advance(500);
    await timedOut;
    const stopped = queries.status("other", {});
    queries.cancelAll(new NotRunningError("stopped"));
    await expect(stopped).rejects.toBeInstanceOf(NotRunningError);
  });
});
