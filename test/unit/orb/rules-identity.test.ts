/**
 * Identity checks and their bounds on their own (issue 19, mutation testing; see
 * docs/mutation.md): what a message from our own id under another epoch makes the identity
 * part do while running and while starting (ID-5, ID-6), what a new start forgets, and how
 * many epochs it remembers; and the strays part's once-per-cause reports and their bound.
 */
import { describe, expect, it } from "vitest";
import { DuplicateIdError, NoConnectionError } from "../../../runtime/index.js";
import { Identity } from "../../../runtime/orb/identity.js";
import { Strays, type StrayMessage } from "../../../runtime/orb/strays.js";
import type { OrbitalisMessage } from "../../../generated/protocol/index.js";

function part(startRunning = true) {
  const warnings: string[] = [];
  const errors: Error[] = [];
  const state = { running: startRunning, announces: 0 };
  const identity = new Identity({
    id: "lamp",
    logger: { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} },
    epoch: () => "ME",
    running: () => state.running,
    notify: (e) => errors.push(e),
    announce: () => void state.announces++,
  });
  return { identity, warnings, errors, state };
}

const presence = (epoch: string, status: "online" | "offline"): OrbitalisMessage => ({
  v: 1,
  kind: "presence",
  id: `${epoch}-1`,
  from: "lamp",
  epoch,
  ts: 0,
  role: "plugin",
  status,
});

/** Operation traffic from our id (not a presence). */
const input = (epoch: string): OrbitalisMessage =>
  ({ v: 1, kind: "input", id: `${epoch}-2`, from: "lamp", epoch, ts: 0 }) as unknown as OrbitalisMessage;

describe("identity: another instance of our id", () => {
  it("what comes before our own first message is not evidence; after it, a twin is reported once", () => {
    const { identity, errors, warnings } = part();
    identity.sameId(input("OLD"));
    expect(errors).toEqual([]);
    expect(identity.twin()).toBeUndefined();
    identity.sameId(input("ME")); // our own message came back
    identity.sameId(input("OTHER"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(DuplicateIdError);
    expect(warnings).toHaveLength(1);
    expect(identity.twin()).toBe("OTHER");
    identity.sameId(input("OTHER"));
    expect(errors).toHaveLength(1);
  });

  it("a new start forgets that our own message came back, and the twins", () => {
    const { identity, errors } = part();
    identity.sameId(input("ME"));
    identity.sameId(input("OTHER"));
    expect(errors).toHaveLength(1);
    identity.reset();
    expect(identity.twin()).toBeUndefined();
    identity.sameId(input("OTHER")); // before our own came back: no evidence
    expect(errors).toHaveLength(1);
    identity.sameId(input("ME"));
    identity.sameId(input("OTHER"));
    expect(errors).toHaveLength(2);
  });

  it("non-presence traffic is never answered with our presence", () => {
    const { identity, state } = part();
    identity.sameId(input("ME"));
    identity.sameId(input("OTHER"));
    identity.sameId(input("THIRD"));
    expect(state.announces).toBe(0);
  });

  it("an online presence heard while running is answered once per epoch", () => {
    const { identity, state } = part();
    identity.sameId(presence("A", "online"));
    identity.sameId(presence("A", "online"));
    expect(state.announces).toBe(1);
    identity.sameId(presence("B", "online"));
    expect(state.announces).toBe(2);
  });

  it("an online presence heard while starting is answered once the orb runs, once per epoch", () => {
    const { identity, state } = part(false);
    identity.sameId(presence("A", "online"));
    identity.sameId(presence("A", "online"));
    expect(state.announces).toBe(0);
    state.running = true;
    identity.started();
    expect(state.announces).toBe(1);
    identity.started(); // nothing owed any more
    expect(state.announces).toBe(1);
    identity.sameId(presence("A", "online")); // answered already
    expect(state.announces).toBe(1);
  });

  it("a start with nothing heard announces nothing", () => {
    const { identity, state } = part(false);
    identity.started();
    expect(state.announces).toBe(0);
  });

  it("at most 16 presences heard while starting are answered", () => {
    const { identity, state } = part(false);
    for (let i = 0; i < 20; i++) identity.sameId(presence(`E${i}`, "online"));
    state.running = true;
    identity.started();
    expect(state.announces).toBe(1); // one announce answers them all
    // The first 16 were answered: heard again, they are not answered again; the others are.
    identity.sameId(presence("E15", "online"));
    expect(state.announces).toBe(1);
    identity.sameId(presence("E16", "online"));
    expect(state.announces).toBe(2);
  });

  it("an offline presence of another epoch is reclaimed once while running, never while starting", () => {
    const starting = part(false);
    starting.identity.sameId(presence("OLD", "offline"));
    expect(starting.state.announces).toBe(0);
    const { identity, state } = part();
    identity.sameId(presence("OLD", "offline"));
    identity.sameId(presence("OLD", "offline"));
    expect(state.announces).toBe(1);
  });

  it("remembers 64 epochs per set: the 64 latest are known, the 65th back is not", () => {
    const { identity, state } = part();
    for (let i = 0; i < 65; i++) identity.sameId(presence(`E${i}`, "online"));
    expect(state.announces).toBe(65);
    identity.sameId(presence("E1", "online")); // still among the latest 64
    expect(state.announces).toBe(65);
    identity.sameId(presence("E0", "online")); // forgotten: answered again
    expect(state.announces).toBe(66);
  });

  it("with exactly 64 epochs heard, none is forgotten", () => {
    const { identity, state } = part();
    for (let i = 0; i < 64; i++) identity.sameId(presence(`E${i}`, "online"));
    identity.sameId(presence("E0", "online"));
    expect(state.announces).toBe(64);
  });
});

describe("strays: traffic for a connection this orb does not hold", () => {
  function strays(twin?: string | (() => string | undefined)) {
    const closes: string[] = [];
    const reasons: string[] = [];
    const contexts: string[] = [];
    const errors: unknown[] = [];
    const warnings: string[] = [];
    const debugs: string[] = [];
    const s = new Strays({
      id: "lamp",
      logger: {
        debug: (m: string) => debugs.push(m),
        info() {},
        warn: (m: string) => warnings.push(m),
        error() {},
      },
      twin: typeof twin === "function" ? twin : () => twin,
      closeStray: (remote, operation, _role, reason) => {
        closes.push(`${remote}/${operation}`);
        reasons.push(reason);
      },
      reportError: (e, context) => {
        errors.push(e);
        contexts.push(context);
      },
    });
    return { s, closes, reasons, errors, contexts, warnings, debugs };
  }
  const message = (from: string, operation = "echo", epoch = "e1"): StrayMessage => ({
    kind: "input",
    from,
    epoch,
    operation,
  });

  it("each is answered with a close; reported once per remote instance and operation, then at debug", () => {
    const { s, closes, errors, debugs } = strays();
    s.received(message("core-a"), "plugin");
    s.received(message("core-a"), "plugin");
    expect(closes).toEqual(["core-a/echo", "core-a/echo"]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(NoConnectionError);
    expect(debugs).toHaveLength(1);
    s.received(message("core-a", "sum"), "plugin");
    s.received(message("core-a", "echo", "e2"), "plugin");
    expect(errors).toHaveLength(3);
  });

  it("the close says why and the error where it was dropped", () => {
    const { s, reasons, contexts } = strays();
    s.received(message("core-a"), "plugin");
    expect(reasons).toEqual(["no connection"]);
    expect(contexts).toEqual(["dropped"]);
  });

  it("one warning per twin instance: another epoch of the twin warns again", () => {
    let twin = "T1";
    const { s, warnings } = strays(() => twin);
    s.received(message("core-a"), "plugin");
    s.received(message("core-b"), "plugin");
    expect(warnings).toHaveLength(1);
    twin = "T2";
    s.received(message("core-a"), "plugin");
    expect(warnings).toHaveLength(2);
  });

  it("with a twin, one warning for all of them, no error", () => {
    const { s, errors, warnings } = strays("OTHER");
    s.received(message("core-a"), "plugin");
    s.received(message("core-b", "sum"), "core");
    expect(errors).toEqual([]);
    expect(warnings).toHaveLength(1);
  });

  it("a new start reports again", () => {
    const { s, errors } = strays();
    s.received(message("core-a"), "plugin");
    s.reset();
    s.received(message("core-a"), "plugin");
    expect(errors).toHaveLength(2);
  });

  it("remembers 1,024 causes, then forgets them all at once", () => {
    const { s, errors } = strays();
    for (let i = 0; i < 1024; i++) s.received(message(`core-${i}`), "plugin");
    expect(errors).toHaveLength(1024);
    s.received(message("core-0"), "plugin"); // remembered
    s.received(message("core-1023"), "plugin");
    expect(errors).toHaveLength(1024);
    s.received(message("core-new"), "plugin"); // the 1,025th: the others are forgotten
    expect(errors).toHaveLength(1025);
    s.received(message("core-new"), "plugin");
    expect(errors).toHaveLength(1025);
    s.received(message("core-0"), "plugin");
    expect(errors).toHaveLength(1026);
  });
});
