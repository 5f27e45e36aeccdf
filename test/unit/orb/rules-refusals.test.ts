/**
 * Refusals that mutation testing found unchecked (issue 19; see docs/mutation.md): a core
 * refuses a plugin whose offered schema cannot be compiled here (schema compatibility), says
 * how many more running plugins did not offer an operation, and a graceless close is held
 * to the replay window (only a will may be old).
 */
import { describe, expect, it } from "vitest";
import { ManualClock, type AuthOptions } from "../../../runtime/index.js";
import { Authenticator } from "../../../runtime/orb/auth.js";
import { Compliance } from "../../../runtime/orb/compliance.js";
import { ConnectionTable } from "../../../runtime/orb/connection-table.js";
import { compileRequirement } from "../../../runtime/orb/requirements.js";
import type { OrbitalisMessage } from "../../../generated/protocol/index.js";

describe("a core's refusals", () => {
  it("a plugin whose offered schema cannot be compiled here is refused as unusable-schema", () => {
    const c = new Compliance({}, new ConnectionTable());
    const req = compileRequirement("echo", {});
    const broken = { schemas: [{ fingerprint: "f".repeat(64), schema: { type: "nonsense" } }] };
    expect(c.refusal(req, "p", broken as never, { any: true })).toEqual({
      reason: "unusable-schema",
      message: "a schema it offers cannot be compiled here",
    });
    expect(c.refusal(req, "p", { any: true }, { any: true })).toBeUndefined();
  });

  it("past 8 running plugins that did not offer an operation, the rest are counted", () => {
    const c = new Compliance({ echo: {} }, new ConnectionTable());
    for (let i = 0; i < 10; i++) c.candidates.runs(`p${i}`, "e");
    const missing = c.missing();
    expect(missing).toHaveLength(1);
    expect(missing[0]).toContain("2 more running plugins did not offer echo");
    const few = new Compliance({ echo: {} }, new ConnectionTable());
    few.candidates.runs("p0", "e");
    expect(few.missing()[0]).not.toContain("more running plugins");
  });
});

describe("authentication of closes", () => {
  it("a graceless close is held to the replay window (only a will, an offline presence, may be old)", () => {
    const auth: AuthOptions = { keys: { k1: "a shared secret of 32 characters" }, replayWindowMs: 1000 };
    const clock = new ManualClock();
    const signer = new Authenticator(auth, clock);
    const receiver = new Authenticator(auth, clock);
    const close = signer.sign({
      v: 1,
      kind: "close",
      id: "c1",
      from: "lamp",
      epoch: "e",
      ts: clock.now() - 60_000,
      operation: "echo",
      graceful: false,
    } as unknown as OrbitalisMessage);
    expect(receiver.check(close)).toMatch(/^its ts is 60000 ms away/);
  });
});
