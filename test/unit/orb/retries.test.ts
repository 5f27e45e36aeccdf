/**
 * Opt-in retries of `request()` (for idempotent operations): a lost answer is asked again,
 * anything else is not. On LocalBus with a ManualClock; losses are simulated by a handler
 * that does not answer its first calls (as if the input or its answer had been lost).
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  AbortError,
  ConfigError,
  ConnectionClosedError,
  Core,
  LocalHub,
  ManualClock,
  Plugin,
  RemoteOperationError,
  RequestTimeoutError,
  silentLogger,
} from "../../../runtime/index.js";
import { advanceUntil } from "../../helpers/clock.js";
import { Orbs } from "../../helpers/orbs.js";
import { withTimeout } from "../../helpers/wait.js";

const orbs = new Orbs();
afterEach(() => orbs.stopAll());

const Str = { schemas: [{ type: "string" }] };

/** A core and a plugin whose `echo` ignores its first `silent` calls and whose `fail` always throws. */
async function setup(silent: number) {
  const hub = new LocalHub();
  const clock = new ManualClock();
  orbs.drive(clock);
  const calls = { echo: 0, fail: 0 };
  const plugin = orbs.add(new Plugin({ id: "flaky", bus: hub.bus(), clock, logger: silentLogger }));
  plugin.operation("echo", { input: Str, output: Str }, (text, ctx) => {
    if (++calls.echo > silent) return text;
    // No answer: wait until the core stops waiting (the input carries its deadline).
    return new Promise((_resolve, reject) =>
      ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason as Error)),
    );
  });
  plugin.operation("fail", { input: Str, output: Str }, () => {
    calls.fail++;
    throw new Error("broken");
  });
  const core = orbs.add(
    new Core({ id: "asker", bus: hub.bus(), clock, logger: silentLogger, requires: { echo: {}, fail: {} } }),
  );
  await Promise.all([plugin.start(), core.start()]);
  await withTimeout(core.compliant(), 2000, "compliant");
  /** Advances the clock until `p` settles (at most `ms` of protocol time). */
  const settle = async <T>(p: Promise<T>, ms: number): Promise<T | Error> => {
    let done = false;
    const result = p.then(
      (v) => v,
      (e: unknown) => e as Error,
    );
    void result.then(() => (done = true));
    await advanceUntil(clock, () => done, {
      maxSteps: Math.ceil(ms / 10),
      stepMs: 10,
      what: "the request to settle",
    });
    return result;
  };
  return { core, calls, settle, clock };
}

describe("request retries", () => {
  it("a request whose answer never came is sent again, up to `retries` times", async () => {
    const { core, calls, settle } = await setup(2);
    const result = await settle(core.request("echo", "hi", { timeoutMs: 100, retries: 2 }), 1000);
    expect(result).toBe("hi");
    expect(calls.echo).toBe(3);
  });

  it("without retries (the default) the first lost answer is a RequestTimeoutError", async () => {
    const { core, calls, settle } = await setup(1);
    expect(await settle(core.request("echo", "hi", { timeoutMs: 100 }), 1000)).toBeInstanceOf(
      RequestTimeoutError,
    );
    expect(calls.echo).toBe(1);
  });

  it("gives up with the last RequestTimeoutError once the retries are spent", async () => {
    const { core, calls, settle } = await setup(5);
    expect(await settle(core.request("echo", "hi", { timeoutMs: 100, retries: 2 }), 1000)).toBeInstanceOf(
      RequestTimeoutError,
    );
    expect(calls.echo).toBe(3);
  });

  it("an error the handler threw is an answer: never retried", async () => {
    const { core, calls, settle } = await setup(0);
    expect(await settle(core.request("fail", "x", { timeoutMs: 100, retries: 3 }), 1000)).toBeInstanceOf(
      RemoteOperationError,
    );
    expect(calls.fail).toBe(1);
  });

  it("a retry that finds no connection reports the loss that made it retry (ConnectionClosedError)", async () => {
    const { core, calls, settle, clock } = await setup(5);
    const pending = core.request("echo", "hi", { to: "flaky", timeoutMs: 10_000, retries: 2 });
    await advanceUntil(clock, () => calls.echo > 0, { maxSteps: 20, stepMs: 10, what: "the first attempt" });
    expect(calls.echo).toBe(1);
    await core.close("flaky", "echo", { graceful: false });
    const error = await settle(pending, 1000);
    expect(error).toBeInstanceOf(ConnectionClosedError);
  });

  it("an abort during a retry is an AbortError, not the loss before it", async () => {
    const { core, calls, settle, clock } = await setup(5);
    const controller = new AbortController();
    const pending = core.request("echo", "hi", { timeoutMs: 100, retries: 3, signal: controller.signal });
    await advanceUntil(clock, () => calls.echo >= 2, { maxSteps: 30, stepMs: 10, what: "the retry" });
    expect(calls.echo).toBe(2); // the first attempt timed out, the retry is out
    controller.abort(new Error("user gave up"));
    expect(await settle(pending, 100)).toBeInstanceOf(AbortError);
  });

  it("retries must be an integer from 0 to 10", async () => {
    const { core } = await setup(0);
    for (const retries of [-1, 1.5, 11, Number.NaN])
      await expect(core.request("echo", "x", { retries })).rejects.toBeInstanceOf(ConfigError);
  });
});
