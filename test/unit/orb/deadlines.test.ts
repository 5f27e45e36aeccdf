/**
 * Deadlines count from the call (issue 19): `request`, `status` and `ping` time out
 * `timeoutMs` after they were called, whatever the bus does with the publish meanwhile (a
 * broker restarting: the publish waits in an offline queue). The publish racing with the
 * deadline settles nothing twice, leaks no timer and leaves no unhandled rejection. The
 * timeout error's stack is the caller's (made at the call, as nats.js does).
 *
 * On LocalBus with a ManualClock; the core's bus holds the publishes of chosen message
 * kinds until the test releases (or fails) them.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  BusError,
  Core,
  LocalHub,
  ManualClock,
  Plugin,
  RequestTimeoutError,
  TimeoutError,
  silentLogger,
  type Bus,
  type BusConnectOptions,
  type BusStatusListener,
  type MessageHandler,
  type PublishOptions,
  type Subscription,
  type TimerHandle,
  type ValueHandler,
} from "../../../runtime/index.js";
import { Orbs } from "../../helpers/orbs.js";
import { withTimeout } from "../../helpers/wait.js";

const orbs = new Orbs();
afterEach(() => orbs.stopAll());

/** A publish held by a {@link StallingBus}: release it (to the real bus) or fail it. */
interface Held {
  readonly kind: string;
  release(): void;
  fail(error: Error): void;
}

/**
 * A Bus over another whose publishes of the kinds in `stalled` return a promise the test
 * controls (nothing reaches the real bus until `release()`), as a broker's client does
 * while it reconnects.
 */
class StallingBus implements Bus {
  readonly stalled = new Set<string>();
  readonly held: Held[] = [];
  constructor(private readonly inner: Bus) {}
  get kind(): string {
    return this.inner.kind;
  }
  get capabilities(): Bus["capabilities"] {
    return this.inner.capabilities;
  }
  get status(): Bus["status"] {
    return this.inner.status;
  }
  connect(options?: BusConnectOptions): Promise<void> {
    return this.inner.connect(options);
  }
  publish(topic: string, payload: Uint8Array, options?: PublishOptions): Promise<void> {
    return this.inner.publish(topic, payload, options);
  }
  publishValue(topic: string, value: unknown, options?: PublishOptions): Promise<void> {
    const kind = (value as { kind?: string }).kind ?? "";
    if (!this.stalled.has(kind)) return this.inner.publishValue(topic, value, options);
    return new Promise<void>((resolve, reject) => {
      this.held.push({
        kind,
        release: () => void this.inner.publishValue(topic, value, options).then(resolve, reject),
        fail: reject,
      });
    });
  }
  subscribe(filter: string, onMessage: MessageHandler): Promise<Subscription> {
    return this.inner.subscribe(filter, onMessage);
  }
  subscribeValue(
    filter: string,
    onValue: ValueHandler,
    onInvalid?: (topic: string, error: Error) => void,
  ): Promise<Subscription> {
    return this.inner.subscribeValue(filter, onValue, onInvalid);
  }
  onStatus(listener: BusStatusListener): () => void {
    return this.inner.onStatus(listener);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** A ManualClock that tells which timers of a given length are still set (a leaked deadline). */
class TrackingClock extends ManualClock {
  private readonly live = new Map<TimerHandle, number>();
  override setTimeout(fn: () => void, ms: number): TimerHandle {
    const handle: TimerHandle = super.setTimeout(() => {
      this.live.delete(handle);
      fn();
    }, ms);
    this.live.set(handle, ms);
    return handle;
  }
  override clearTimeout(handle: TimerHandle): void {
    this.live.delete(handle);
    super.clearTimeout(handle);
  }
  /** Timers of `ms` set and neither fired nor cleared. */
  pendingOf(ms: number): number {
    return [...this.live.values()].filter((m) => m === ms).length;
  }
}

/** A deadline no other timer of the orbs uses. */
const TIMEOUT_MS = 777;

async function setup() {
  const hub = new LocalHub();
  const clock = new TrackingClock();
  orbs.drive(clock);
  const plugin = orbs.add(new Plugin({ id: "echoer", bus: hub.bus(), clock, logger: silentLogger }));
  plugin.operation("echo", { input: { any: true }, output: { any: true } }, (x) => x);
  const bus = new StallingBus(hub.bus());
  const core = orbs.add(new Core({ id: "caller", bus, clock, logger: silentLogger, requires: { echo: {} } }));
  await Promise.all([plugin.start(), core.start()]);
  await withTimeout(core.compliant(), 2000, "compliant");
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  /** Lets the event loop turn (unhandled rejections are reported after a macrotask). */
  const settleLoop = async (): Promise<void> => {
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setTimeout(resolve, 0));
  };
  const done = (): void => void process.off("unhandledRejection", onUnhandled);
  return { clock, bus, core, unhandled, settleLoop, done };
}

/** Settles into a value or the error, and says whether it settled yet. */
function track<T>(p: Promise<T>): { settled: () => boolean; result: Promise<T | Error> } {
  let settled = false;
  const result = p.then(
    (v) => v,
    (e: unknown) => e as Error,
  );
  void result.then(() => (settled = true));
  return { settled: () => settled, result };
}

// The calls are made from these named functions: a timeout error made at the call has
// them in its stack; one made when the deadline passes (in the timer) does not.
function requestFromTheCallSite(core: Core): Promise<unknown> {
  return core.request("echo", "hi", { timeoutMs: TIMEOUT_MS });
}
function statusFromTheCallSite(core: Core): Promise<unknown> {
  return core.status("echoer", { timeoutMs: TIMEOUT_MS });
}
function pingFromTheCallSite(core: Core): Promise<unknown> {
  return core.ping("echoer", { timeoutMs: TIMEOUT_MS });
}

const calls = [
  {
    name: "request",
    kind: "input",
    call: requestFromTheCallSite,
    site: "requestFromTheCallSite",
    error: RequestTimeoutError,
  },
  {
    name: "status",
    kind: "status-request",
    call: statusFromTheCallSite,
    site: "statusFromTheCallSite",
    error: TimeoutError,
  },
  {
    name: "ping",
    kind: "keepalive-request",
    call: pingFromTheCallSite,
    site: "pingFromTheCallSite",
    error: TimeoutError,
  },
] as const;

describe.each(calls)("the deadline of $name counts from the call", ({ kind, call, site, error }) => {
  it("times out timeoutMs after the call though the publish never resolved (not a ms earlier)", async () => {
    const { clock, bus, core, unhandled, settleLoop, done } = await setup();
    bus.stalled.add(kind);
    const pending = track(call(core));
    await clock.advance(TIMEOUT_MS - 1);
    expect(bus.held.map((h) => h.kind)).toContain(kind); // the publish is still held
    expect(pending.settled()).toBe(false);
    await clock.advance(1);
    expect(pending.settled()).toBe(true);
    const failure = await pending.result;
    expect(failure).toBeInstanceOf(error);
    expect((failure as Error).message).toContain(`within ${TIMEOUT_MS} ms`);
    expect(clock.pendingOf(TIMEOUT_MS)).toBe(0);
    // The publish fails after the deadline: nothing more happens, nothing is unhandled.
    for (const h of bus.held.splice(0)) h.fail(new BusError("ERR_BUS", "broker gone"));
    await settleLoop();
    expect(unhandled).toEqual([]);
    done();
  });

  it("a publish that goes through after the deadline changes nothing (a late answer is dropped)", async () => {
    const { clock, bus, core, unhandled, settleLoop, done } = await setup();
    bus.stalled.add(kind);
    const pending = track(call(core));
    await clock.advance(TIMEOUT_MS);
    expect(pending.settled()).toBe(true);
    expect(await pending.result).toBeInstanceOf(error);
    const late = core.lateAnswersDropped;
    bus.stalled.clear();
    for (const h of bus.held.splice(0)) h.release();
    await clock.advance(10);
    await settleLoop();
    if (kind === "input") expect(core.lateAnswersDropped).toBe(late + 1);
    expect(unhandled).toEqual([]);
    expect(clock.pendingOf(TIMEOUT_MS)).toBe(0);
    done();
  });

  it("a publish that fails before the deadline rejects with its error and clears the deadline", async () => {
    const { clock, bus, core, unhandled, settleLoop, done } = await setup();
    bus.stalled.add(kind);
    const pending = track(call(core));
    await clock.advance(100);
    expect(clock.pendingOf(TIMEOUT_MS)).toBe(1);
    const held = bus.held.filter((h) => h.kind === kind);
    expect(held).toHaveLength(1);
    held[0]!.fail(new BusError("ERR_BUS", "broker gone"));
    const failure = await withTimeout(pending.result, 1000, "the call to settle");
    expect(failure).toMatchObject({ code: "ERR_BUS", message: "broker gone" });
    expect(clock.pendingOf(TIMEOUT_MS)).toBe(0);
    await clock.advance(TIMEOUT_MS);
    await settleLoop();
    expect(unhandled).toEqual([]);
    done();
  });

  it("the timeout error's stack is the caller's", async () => {
    const { clock, bus, core, done } = await setup();
    bus.stalled.add(kind);
    const pending = track(call(core));
    await clock.advance(TIMEOUT_MS);
    expect(pending.settled()).toBe(true);
    const failure = (await pending.result) as Error;
    expect(failure).toBeInstanceOf(error);
    expect(failure.stack).toContain(site);
    expect(failure.stack).toContain("deadlines.test.ts");
    done();
  });
});

describe("deadlines on a bus that answers", () => {
  it("an answered request leaves no deadline behind", async () => {
    const { clock, core, done } = await setup();
    const pending = track(requestFromTheCallSite(core));
    await clock.advance(1);
    expect(await pending.result).toBe("hi");
    expect(clock.pendingOf(TIMEOUT_MS)).toBe(0);
    done();
  });
});
