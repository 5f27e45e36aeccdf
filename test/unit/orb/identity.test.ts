/**
 * The identity part on its own (spec ID-5): another live instance of this orb's id is a
 * twin until it says it went offline, and the epochs it remembers are bounded, so a
 * duplicate in a crash loop (a new epoch each time) cannot grow them without end.
 */
import { describe, expect, it } from "vitest";
import { Identity } from "../../../runtime/orb/identity.js";
import type { OrbitalisMessage } from "../../../generated/protocol/index.js";

function part() {
  const reports: string[] = [];
  let announces = 0;
  const identity = new Identity({
    id: "lamp",
    logger: { debug() {}, info() {}, warn: (m: string) => reports.push(m), error() {} },
    epoch: () => "ME",
    running: () => true,
    notify() {},
    announce: () => void announces++,
  });
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
  identity.sameId(presence("ME", "online")); // our own message came back: what follows is evidence
  return { identity, presence, reports, announces: () => announces };
}

describe("identity", () => {
  it("another instance is a twin until its offline presence; back online, it is reported again", () => {
    const { identity, presence, reports } = part();
    identity.sameId(presence("OTHER", "online"));
    expect(identity.twin()).toBe("OTHER");
    expect(reports).toHaveLength(1);
    identity.sameId(presence("OTHER", "online"));
    expect(reports).toHaveLength(1); // once per instance

    identity.sameId(presence("OTHER", "offline"));
    expect(identity.twin()).toBeUndefined();

    identity.sameId(presence("OTHER", "online"));
    expect(identity.twin()).toBe("OTHER");
    expect(reports).toHaveLength(2);
  });

  it("remembers a bounded number of epochs: a crash-looping duplicate is still reported, each new epoch once", () => {
    const { identity, presence, reports, announces } = part();
    for (let i = 0; i < 500; i++) identity.sameId(presence(`E${i}`, "online"));
    expect(reports).toHaveLength(500);
    expect(announces()).toBe(500);
    // The latest is still known (no second report), the oldest were let go.
    identity.sameId(presence("E499", "online"));
    expect(reports).toHaveLength(500);
    identity.sameId(presence("E0", "online"));
    expect(reports).toHaveLength(501);
  });
});
