/**
 * The reply registry on a ManualClock: every way a wait ends ends it once, clears its
 * timer and abort listener, and remembers an unanswered id (bounded) for late answers.
 */
import { describe, expect, it } from "vitest";
import { AbortError, ManualClock } from "../../../runtime/index.js";
import { ReplyRegistry } from "../../../runtime/orb/replies.js";

function registry() {
  const clock = new ManualClock();
  return { clock, replies: new ReplyRegistry<string, string>(clock) };
}

const spec = (meta: string, ends: string[], signal?: AbortSignal) => ({
  meta,
  timeoutMs: 100,
  signal,
  what: `wait ${meta}`,
  onTimeout: () => new Error(`timeout ${meta}`),
  onEnd: () => ends.push(meta),
});

describe("ReplyRegistry", () => {
  it("an answer resolves once; the deadline no longer fires; the id is not abandoned", async () => {
    const { clock, replies } = registry();
    const ends: string[] = [];
    const wait = replies.wait("a", spec("conn-1", ends));
    expect(replies.meta("a")).toBe("conn-1");
    expect(replies.resolve("a", "answer")).toBe(true);
    expect(replies.resolve("a", "again")).toBe(false);
    await clock.advance(200);
    expect(await wait).toBe("answer");
    expect(ends).toEqual(["conn-1"]);
    expect(replies.size).toBe(0);
    expect(replies.abandonedRecently("a")).toBe(false);
  });

  it("the deadline rejects with the timeout error, then the id counts as abandoned", async () => {
    const { clock, replies } = registry();
    const ends: string[] = [];
    const wait = replies.wait("b", spec("conn-1", ends)).catch((e: unknown) => e);
    await clock.advance(99);
    expect(replies.has("b")).toBe(true);
    await clock.advance(1);
    expect(await wait).toMatchObject({ message: "timeout conn-1" });
    expect(replies.abandonedRecently("b")).toBe(true);
    expect(replies.resolve("b", "late")).toBe(false);
    expect(ends).toEqual(["conn-1"]);
  });

  it("an abort rejects with AbortError and removes its listener's effect", async () => {
    const { replies } = registry();
    const controller = new AbortController();
    const wait = replies.wait("c", spec("conn-1", [], controller.signal)).catch((e: unknown) => e);
    controller.abort(new Error("why"));
    const error = await wait;
    expect(error).toBeInstanceOf(AbortError);
    expect((error as Error).cause).toMatchObject({ message: "why" });
    expect(replies.size).toBe(0);
  });

  it("rejectWhere ends the waits attached to one thing only", async () => {
    const { replies } = registry();
    const one = replies.wait("d1", spec("conn-1", [])).catch((e: unknown) => (e as Error).message);
    const two = replies.wait("d2", spec("conn-2", []));
    replies.rejectWhere(
      (meta) => meta === "conn-1",
      (meta) => new Error(`closed ${meta}`),
    );
    expect(await one).toBe("closed conn-1");
    expect(replies.has("d2")).toBe(true);
    replies.resolve("d2", "ok");
    expect(await two).toBe("ok");
  });

  it("remembers at most 1024 abandoned ids", async () => {
    const { clock, replies } = registry();
    for (let i = 0; i < 1100; i++) void replies.wait(`id-${i}`, spec("c", [])).catch(() => undefined);
    await clock.advance(100);
    expect(replies.abandonedRecently("id-1099")).toBe(true);
    expect(replies.abandonedRecently("id-0")).toBe(false);
  });
});
