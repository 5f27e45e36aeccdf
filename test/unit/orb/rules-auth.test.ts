/**
 * Message authentication at its edges (issue 19, mutation testing; see docs/mutation.md):
 * the replay window on both sides of the clock (AUTH-4), how long an id is remembered
 * (AUTH-5), what a will may be, and the bounds of the configuration (key length, key id,
 * replayWindowMs, signWith).
 */
import { describe, expect, it } from "vitest";
import { ManualClock, type AuthOptions } from "../../../runtime/index.js";
import { Authenticator } from "../../../runtime/orb/auth.js";
import type { OrbitalisMessage } from "../../../generated/protocol/index.js";
import { configError } from "../../helpers/errors.js";

const KEY = "a shared secret of 32 characters";
const auth: AuthOptions = { keys: { k1: KEY }, replayWindowMs: 1000 };

function setup(options: AuthOptions = auth) {
  const clock = new ManualClock();
  const signer = new Authenticator(options, clock);
  let n = 0;
  const message = (fields: Record<string, unknown> = {}): OrbitalisMessage =>
    signer.sign({
      v: 1,
      kind: "keepalive",
      id: `n${++n}`,
      from: "lamp",
      epoch: "epochA",
      ts: clock.now(),
      ...fields,
    });
  return { clock, message, receiver: new Authenticator(options, clock) };
}

describe("the replay window (AUTH-4)", () => {
  it("takes a ts exactly replayWindowMs behind or ahead of the clock, not one ms more", () => {
    const { clock, message, receiver } = setup();
    const now = clock.now();
    expect(receiver.check(message({ ts: now - 1000 }))).toBeUndefined();
    expect(receiver.check(message({ ts: now + 1000 }))).toBeUndefined();
    expect(receiver.check(message({ ts: now - 1001 }))).toBe(
      "its ts is 1001 ms away from this orb's clock (replay window 1000 ms)",
    );
    expect(receiver.check(message({ ts: now + 1001 }))).toMatch(/^its ts is -1001 ms away/);
  });

  it("a will (an offline presence not graceful) may be old: it was signed when registered", () => {
    const { clock, message, receiver } = setup();
    const old = clock.now() - 60_000;
    const presence = { kind: "presence", role: "plugin", status: "offline", ts: old };
    expect(receiver.check(message({ ...presence, graceful: false }))).toBeUndefined();
    expect(receiver.check(message({ ...presence, graceful: true }))).toMatch(/^its ts is/);
    expect(receiver.check(message({ ...presence, status: "online" }))).toMatch(/^its ts is/);
  });

  it("a message without a signature, or with a signature of another length, is dropped", () => {
    const { message, receiver } = setup();
    const { sig: _sig, ...unsigned } = message() as OrbitalisMessage & { sig: unknown };
    expect(receiver.check(unsigned as OrbitalisMessage)).toBe("it is not signed");
    const signed = message() as OrbitalisMessage & { sig: { kid: string; mac: string } };
    const short = { ...signed, sig: { ...signed.sig, mac: signed.sig.mac.slice(1) } };
    expect(receiver.check(short)).toBe("its signature is wrong");
  });
});

describe("the replay memory (AUTH-5)", () => {
  it("remembers an id until replayWindowMs after its arrival, including that last ms", async () => {
    const { clock, message, receiver } = setup();
    const first = message();
    expect(receiver.check(first)).toBeUndefined();
    await clock.advance(1000);
    receiver.check(message()); // a pass over the memory at the edge of first's window
    // first is exactly replayWindowMs old: still fresh, so still remembered.
    expect(receiver.check(first)).toBe("it was received before (a replay)");
  });

  it("keeps what is live while it forgets what expired", async () => {
    const { clock, message, receiver } = setup();
    const a = message();
    expect(receiver.check(a)).toBeUndefined();
    await clock.advance(600);
    const b = message();
    expect(receiver.check(b)).toBeUndefined();
    await clock.advance(500); // a expired (1,100 ms old), b is 500 ms old
    expect(receiver.check(message())).toBeUndefined(); // forgets a
    expect(receiver.check(b)).toBe("it was received before (a replay)");
    expect(receiver.check(a)).toMatch(/^its ts is/); // stale anyway
  });
});

describe("authentication options", () => {
  it("a key of 16 bytes is enough, 15 are not (bytes, not characters)", () => {
    expect(() => new Authenticator({ keys: { k: "x".repeat(16) } }, new ManualClock())).not.toThrow();
    expect(
      configError(() => new Authenticator({ keys: { k: "x".repeat(15) } }, new ManualClock())).field,
    ).toBe("auth.keys.k");
    expect(() => new Authenticator({ keys: { k: "é".repeat(8) } }, new ManualClock())).not.toThrow();
    expect(() => new Authenticator({ keys: { k: new Uint8Array(16) } }, new ManualClock())).not.toThrow();
  });

  it("a key id is 1 to 64 of A-Z a-z 0-9 . _ -", () => {
    const ok = "A-z_0.9".padEnd(64, "x");
    expect(() => new Authenticator({ keys: { [ok]: KEY } }, new ManualClock())).not.toThrow();
    expect(configError(() => new Authenticator({ keys: { [`${ok}x`]: KEY } }, new ManualClock())).field).toBe(
      `auth.keys.${ok}x`,
    );
    expect(() => new Authenticator({ keys: { "k/1": KEY } }, new ManualClock())).toThrow(/a key id is/);
  });

  it("keys must be an object", () => {
    for (const bad of [null, "k", { keys: null }, { keys: "k" }])
      expect(configError(() => new Authenticator(bad as never, new ManualClock())).field).toBe("auth.keys");
  });

  it("replayWindowMs is a positive integer, 1 included", () => {
    expect(() => new Authenticator({ keys: { k: KEY }, replayWindowMs: 1 }, new ManualClock())).not.toThrow();
    for (const bad of [0, -5, 1.5, Number.NaN])
      expect(
        configError(() => new Authenticator({ keys: { k: KEY }, replayWindowMs: bad }, new ManualClock()))
          .field,
      ).toBe("auth.replayWindowMs");
  });

  it("signs with signWith when given, else with the first key; both sides accept either", () => {
    const clock = new ManualClock();
    const keys = { k1: KEY, k2: "another secret of 32 characters!" };
    const first = new Authenticator({ keys }, clock);
    const second = new Authenticator({ keys, signWith: "k2" }, clock);
    const base = {
      v: 1,
      kind: "keepalive",
      id: "n1",
      from: "lamp",
      epoch: "e",
      ts: clock.now(),
    } as OrbitalisMessage;
    const a = first.sign(base) as OrbitalisMessage & { sig: { kid: string } };
    const b = second.sign({ ...base, id: "n2" }) as OrbitalisMessage & { sig: { kid: string } };
    expect(a.sig.kid).toBe("k1");
    expect(b.sig.kid).toBe("k2");
    expect(second.check(a)).toBeUndefined();
    expect(first.check(b)).toBeUndefined();
  });
});
