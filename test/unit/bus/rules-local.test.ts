/**
 * The in-process bus's rules at their edges (issue 19, mutation testing; see
 * docs/mutation.md): only a publish or a will marked `retain` is kept for later
 * subscribers; a value nests at most 256 levels deep, and what is not JSON is named by its
 * path.
 */
import { describe, expect, it } from "vitest";
import { InvalidPayloadError, LocalHub } from "../../../runtime/index.js";
import { checkJsonValue, freezeValue } from "../../../runtime/internal.js";

describe("retained messages", () => {
  it("a value published without retain, or with retain false, is not kept", async () => {
    const hub = new LocalHub();
    const bus = hub.bus();
    await bus.connect();
    await bus.publishValue("a", { v: 1 });
    await bus.publishValue("b", { v: 2 }, { retain: false });
    expect(hub.retainedCount).toBe(0);
    await bus.publishValue("c", { v: 3 }, { retain: true });
    expect(hub.retainedCount).toBe(1);
  });

  it("a will is kept only when marked retain", async () => {
    const hub = new LocalHub();
    const plain = hub.bus();
    await plain.connect({ will: { topic: "will/plain", payload: Buffer.from("gone") } });
    hub.crash(plain);
    expect(hub.retainedCount).toBe(0);
    const kept = hub.bus();
    await kept.connect({ will: { topic: "will/kept", payload: Buffer.from("gone"), retain: true } });
    hub.crash(kept);
    expect(hub.retainedCount).toBe(1);
  });
});

describe("JSON values", () => {
  /** An object `depth` keys below the root (the root itself at depth 0). */
  const nested = (depth: number): unknown => {
    let v: unknown = { x: 0 };
    for (let i = 0; i < depth; i++) v = { a: v };
    return v;
  };

  it("hold objects 255 keys below the root, not 256", () => {
    expect(() => checkJsonValue(nested(255))).not.toThrow();
    expect(() => freezeValue(nested(255))).not.toThrow();
    expect(() => checkJsonValue(nested(256))).toThrow(/deeper than 256 levels/);
    expect(() => freezeValue(nested(256))).toThrow(InvalidPayloadError);
  });

  it("what is not JSON is named by its path", () => {
    expect(() => checkJsonValue({ data: [{ when: new Date(0) }] })).toThrow("$.data[0].when is a Date");
    expect(() => freezeValue({ list: [1, 2, () => 3] })).toThrow("$.list[2] is a function");
  });
});
