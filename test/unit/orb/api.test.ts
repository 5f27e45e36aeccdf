/**
 * The public API around operations: cancellation (AbortSignal in, ctx.signal out),
 * disposal, handler error codes, reserved ids, values, why a core does not connect, and
 * loggers. On LocalBus with a ManualClock: no sleeps, every wait has a deadline.
 */
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import {
  AbortError,
  ConfigError,
  ConnectionClosedError,
  Core,
  LocalHub,
  ManualClock,
  OperationError,
  Plugin,
  RemoteOperationError,
  RequestTimeoutError,
  TimeoutError,
  silentLogger,
  type BusStatus,
  type LocalBus,
  type Logger,
  type OperationContext,
  type SkipDetail,
} from "../../../runtime/index.js";
import { offerTopic } from "../../../generated/protocol/index.js";
import { advanceUntil, turnUntil } from "../../helpers/clock.js";
import { Orbs } from "../../helpers/orbs.js";
import { RawOrb } from "../../helpers/raw.js";
import { withTimeout } from "../../helpers/wait.js";

const orbs = new Orbs();
afterEach(() => orbs.stopAll());

const Str = { type: "string" } as const;
const Num = { type: "number" } as const;

type Slow = { slow: { input: string; output: string } };

/** A core and a plugin whose `slow` handler waits until the test lets it go (or its signal aborts). */
async function slowPair(opts: { requestTimeoutMs?: number } = {}) {
  const hub = new LocalHub();
  const clock = new ManualClock();
  orbs.drive(clock);
  const signals: AbortSignal[] = [];
  const release: (() => void)[] = [];
  const calls: string[] = [];
  const plugin = orbs.add(
    new Plugin<Slow>({ id: "slow-plugin", bus: hub.bus(), clock, logger: silentLogger }),
  );
  plugin.operation("slow", { input: { schemas: [Str] }, output: { schemas: [Str] } }, (text, ctx) => {
    calls.push(text);
    signals.push(ctx.signal);
    return new Promise<string>((resolve, reject) => {
      release.push(() => resolve(text.toUpperCase()));
      ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason as Error));
    });
  });
  const core = orbs.add(
    new Core<Slow>({
      id: "slow-core",
      bus: hub.bus(),
      clock,
      logger: silentLogger,
      timing: { requestTimeoutMs: opts.requestTimeoutMs ?? 10_000 },
      requires: { slow: {} },
    }),
  );
  await Promise.all([plugin.start(), core.start()]);
  await withTimeout(core.compliant(), 2000, "compliant");
  /** Resolves once the handler has been called `n` times. */
  const called = async (n: number): Promise<void> => {
    await advanceUntil(clock, () => calls.length >= n, {
      maxSteps: 200,
      what: `the handler called ${n} times`,
    });
    expect(calls).toHaveLength(n);
  };
  return { hub, clock, plugin, core, signals, release, calls, called };
}

/** A plugin lending `op` (strings in and out) through `handler`, and a core connected to it. */
async function onePair(op: string, handler: (text: string, ctx: OperationContext) => unknown) {
  const hub = new LocalHub();
  const clock = new ManualClock();
  orbs.drive(clock);
  const plugin = orbs.add(new Plugin({ id: `${op}-plugin`, bus: hub.bus(), clock, logger: silentLogger }));
  plugin.operation(op, { input: { schemas: [Str] }, output: { schemas: [Str] } }, (text, ctx) =>
    handler(text as string, ctx),
  );
  const core = orbs.add(
    new Core({ id: `${op}-core`, bus: hub.bus(), clock, logger: silentLogger, requires: { [op]: {} } }),
  );
  await Promise.all([plugin.start(), core.start()]);
  await withTimeout(core.compliant(), 2000, "compliant");
  return { clock, plugin, core };
}

/** A handler that waits for `release()`, then reads ctx.signal (not before) into `read`. */
function lateReader() {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const read: AbortSignal[] = [];
  const handler = async (text: string, ctx: OperationContext): Promise<string> => {
    await gate; // the signal is not touched before
    read.push(ctx.signal);
    return text;
  };
  return { handler, read, release: () => release() };
}

describe("cancellation", () => {
  it("request: an aborted signal rejects with AbortError (reason as cause) and the plugin is told nothing more", async () => {
    const { core, called, release } = await slowPair();
    const controller = new AbortController();
    const pending = core.request("slow", "a", { signal: controller.signal });
    await called(1);
    controller.abort(new Error("user went away"));
    const error = await withTimeout(
      pending.catch((e: unknown) => e),
      1000,
      "the abort",
    );
    expect(error).toBeInstanceOf(AbortError);
    expect(error).toMatchObject({ code: "ERR_ABORTED", name: "AbortError" });
    expect((error as Error).cause).toMatchObject({ message: "user went away" });
    release[0]!(); // the late answer is dropped, not delivered to anyone waiting
    expect(await withTimeout(requestAgain(core, release), 2000, "next request")).toBe("B");
  });

  it("a late answer (its request already ended) is dropped and counted, never given to an output sink", async () => {
    const { core, clock, called, release } = await slowPair();
    const sunk: unknown[] = [];
    core.onOutput("slow", (data) => sunk.push(data));
    const controller = new AbortController();
    const pending = core.request("slow", "late", { signal: controller.signal }).catch((e: unknown) => e);
    await called(1);
    controller.abort();
    expect(await pending).toBeInstanceOf(AbortError);
    release[0]!();
    await advanceUntil(clock, () => core.lateAnswersDropped > 0, { what: "the late answer counted" });
    expect(core.lateAnswersDropped).toBe(1);
    expect(sunk).toEqual([]);
  });

  it("request: a signal aborted beforehand rejects at once, sending nothing", async () => {
    const { core, calls, clock } = await slowPair();
    const pending = core.request("slow", "a", { signal: AbortSignal.abort() });
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    await clock.advance(10);
    expect(calls).toEqual([]);
  });

  it("ctx.signal aborts when the core's deadline passes (the input carries it)", async () => {
    const { core, clock, called, signals } = await slowPair();
    const sentAt = clock.now();
    const pending = core.request("slow", "a", { timeoutMs: 500 }).catch((e: unknown) => e);
    await called(1);
    expect(signals[0]!.aborted).toBe(false);
    await clock.advance(sentAt + 499 - clock.now());
    expect(signals[0]!.reason).toBeUndefined();
    await clock.advance(1);
    const timeout = await pending;
    expect(timeout).toBeInstanceOf(RequestTimeoutError);
    // Every timeout is a TimeoutError; the request's keeps its own stable code.
    expect(timeout).toBeInstanceOf(TimeoutError);
    expect(timeout).toMatchObject({ code: "ERR_REQUEST_TIMEOUT", name: "RequestTimeoutError" });
    expect(signals[0]!.aborted).toBe(true);
    expect(signals[0]!.reason).toBeInstanceOf(RequestTimeoutError);
  });

  it("ctx.signal first read after the core's deadline is already aborted, with a RequestTimeoutError", async () => {
    const { handler, read, release } = lateReader();
    const { clock, core } = await onePair("late", handler);
    const pending = core.request("late", "a", { timeoutMs: 200 }).catch((e: unknown) => e);
    await clock.advance(250);
    expect(await pending).toBeInstanceOf(RequestTimeoutError);
    release();
    await advanceUntil(clock, () => read.length > 0, { what: "the handler to read ctx.signal" });
    expect(read[0]!.aborted).toBe(true);
    expect(read[0]!.reason).toBeInstanceOf(RequestTimeoutError);
  });

  it("ctx.signal aborts when the connection closes under the handler", async () => {
    const { core, plugin, clock, called, signals } = await slowPair();
    const errors: Error[] = [];
    core.on("error", (e) => errors.push(e));
    const pending = core.request("slow", "a").catch((e: unknown) => e);
    await called(1);
    await core.close(plugin.id, "slow", { graceful: false });
    await advanceUntil(clock, () => signals[0]!.aborted, { what: "ctx.signal to abort" });
    expect(signals[0]!.aborted).toBe(true);
    expect(signals[0]!.reason).toBeInstanceOf(ConnectionClosedError);
    expect(await pending).toBeInstanceOf(ConnectionClosedError);
    // The handler rejected through its signal: the plugin answers nothing on the closed
    // connection (no stray error reaching a core that has no such connection).
    await clock.advance(10);
    expect(errors).toEqual([]);
  });

  it("ctx: destructuring reads signal and connection; nothing internal is enumerable", async () => {
    const seen: { signal: unknown; remote: string; keys: string[]; json: string }[] = [];
    const { clock, core } = await onePair("peek", (text, ctx) => {
      const { signal, connection } = ctx;
      seen.push({ signal, remote: connection.remote, keys: Object.keys(ctx), json: JSON.stringify(ctx) });
      return text;
    });
    const answer = core.request("peek", "a");
    await advanceUntil(clock, () => seen.length > 0, { what: "the handler to run" });
    expect(await answer).toBe("a");
    expect(seen[0]!.signal).toBeInstanceOf(AbortSignal);
    expect(seen[0]!.remote).toBe("peek-core");
    expect(seen[0]!.keys.sort()).toEqual(["core", "meta", "operation"]);
    expect(seen[0]!.json).toBe(JSON.stringify({ core: "peek-core", operation: "peek", meta: {} }));
  });

  it("ctx.signal read only after the connection closed is already aborted, with the reason", async () => {
    const { handler, read, release } = lateReader();
    const { clock, core, plugin } = await onePair("late", handler);
    const pending = core.request("late", "a").catch((e: unknown) => e);
    await advanceUntil(clock, () => plugin.connections({ operation: "late" })[0]?.remote === "late-core", {
      what: "the plugin to hold the connection",
    });
    await clock.advance(1);
    await core.close(plugin.id, "late", { graceful: false });
    await advanceUntil(clock, () => plugin.connections({ operation: "late" }).length === 0, {
      what: "the plugin to drop the connection",
    });
    expect(plugin.connections({ operation: "late" })).toEqual([]);
    release();
    await advanceUntil(clock, () => read.length > 0, { what: "the handler to read ctx.signal" });
    expect(read[0]!.aborted).toBe(true);
    expect(read[0]!.reason).toBeInstanceOf(ConnectionClosedError);
    expect(await pending).toBeInstanceOf(ConnectionClosedError);
  });

  it("compliant: aborts with AbortError; rejects a timeout it cannot keep", async () => {
    const clock = new ManualClock();
    orbs.drive(clock);
    const core = orbs.add(
      new Core({ id: "lonely", bus: new LocalHub().bus(), clock, logger: silentLogger, requires: { x: {} } }),
    );
    await core.start();
    const controller = new AbortController();
    const waiting = core.compliant({ signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbortError);
    await expect(core.compliant({ timeoutMs: Infinity })).rejects.toBeInstanceOf(ConfigError);
    await expect(core.compliant({ timeoutMs: 0 })).rejects.toThrow(/timeoutMs/);
  });

  it("status and ping: abort with AbortError; bad timeouts are ConfigErrors", async () => {
    const clock = new ManualClock();
    orbs.drive(clock);
    const core = orbs.add(
      new Core({ id: "asker", bus: new LocalHub().bus(), clock, logger: silentLogger, requires: {} }),
    );
    await core.start();
    const controller = new AbortController();
    const status = core.status("nobody", { signal: controller.signal });
    const ping = core.ping("nobody", { signal: controller.signal });
    controller.abort();
    await expect(status).rejects.toBeInstanceOf(AbortError);
    await expect(ping).rejects.toBeInstanceOf(AbortError);
    await expect(core.ping("nobody", { timeoutMs: -1 })).rejects.toBeInstanceOf(ConfigError);
    await expect(core.status("nobody", { signal: "no" as unknown as AbortSignal })).rejects.toThrow(/signal/);
  });
});

/** Sends "b" and lets the handler answer it. */
async function requestAgain(core: Core<Slow>, release: (() => void)[]): Promise<string> {
  const answer = core.request("slow", "b");
  await turnUntil(() => release.length >= 2, { maxTurns: 50, what: "the handler called again" });
  release[1]!();
  return answer;
}

describe("disposal", () => {
  it("await using stops an orb and closes a bus at the end of the scope", async () => {
    const hub = new LocalHub();
    let seen: Core | undefined;
    const bus = hub.bus();
    {
      await using core = new Core({ id: "scoped", bus, logger: silentLogger, requires: {} });
      await core.start();
      seen = core;
      expect(core.state).toBe("compliant");
    }
    expect(seen.state).toBe("stopped");
    expect(bus.status).toBe("closed");
    let scopedBus: LocalBus | undefined;
    {
      await using scoped = hub.bus();
      await scoped.connect();
      scopedBus = scoped;
      expect(scoped.status).toBe("connected");
    }
    expect(scopedBus.status).toBe("closed");
  });
});

describe("handler errors", () => {
  it("an OperationError's code and data reach the caller; a Node-style code too; anything else is HANDLER_ERROR", async () => {
    const hub = new LocalHub();
    type Ops = { fail: { input: string; output: void } };
    const plugin = orbs.add(new Plugin<Ops>({ id: "failing", bus: hub.bus(), logger: silentLogger }));
    plugin.operation("fail", { input: { schemas: [Str] }, output: "none" }, (how) => {
      if (how === "own") throw new OperationError("NOT_FOUND", "no lamp 9", { lamp: 9 });
      if (how === "node") throw Object.assign(new Error("missing file"), { code: "ENOENT" });
      if (how === "odd") throw Object.assign(new Error("odd code"), { code: "has spaces" });
      throw new Error("plain");
    });
    const core = orbs.add(
      new Core<Ops>({ id: "caller", bus: hub.bus(), logger: silentLogger, requires: { fail: {} } }),
    );
    await Promise.all([plugin.start(), core.start()]);
    await withTimeout(core.compliant(), 2000, "compliant");
    const own = await core.request("fail", "own").catch((e: unknown) => e);
    expect(own).toBeInstanceOf(RemoteOperationError);
    expect(own).toMatchObject({ remoteCode: "NOT_FOUND", data: { lamp: 9 }, message: /no lamp 9/ });
    await expect(core.request("fail", "node")).rejects.toMatchObject({
      remoteCode: "ENOENT",
      data: undefined,
    });
    await expect(core.request("fail", "odd")).rejects.toMatchObject({ remoteCode: "HANDLER_ERROR" });
    await expect(core.request("fail", "plain")).rejects.toMatchObject({ remoteCode: "HANDLER_ERROR" });
  });

  it("an OperationError with a code the protocol cannot carry is a ConfigError where it is thrown", () => {
    expect(() => new OperationError("not ok", "x")).toThrow(ConfigError);
    expect(() => new OperationError("", "x")).toThrow(/operation error code/);
    // The codes plugins send themselves are not a handler's to send (CLOSING means "not run").
    expect(() => new OperationError("CLOSING", "x")).toThrow(/a code plugins send themselves/);
  });

  it("a handler result that is not JSON data fails with INVALID_OUTPUT, not a lost answer", async () => {
    const hub = new LocalHub();
    const plugin = orbs.add(new Plugin({ id: "dates", bus: hub.bus(), logger: silentLogger }));
    plugin.operation("now", { input: { any: true }, output: { any: true } }, () => ({ at: new Date(0) }));
    const core = orbs.add(
      new Core({ id: "clock-core", bus: hub.bus(), logger: silentLogger, requires: { now: {} } }),
    );
    await Promise.all([plugin.start(), core.start()]);
    await withTimeout(core.compliant(), 2000, "compliant");
    await expect(core.request("now", undefined, { timeoutMs: 2000 })).rejects.toMatchObject({
      remoteCode: "INVALID_OUTPUT",
      message: /\$\.at is a Date/,
    });
    // And a core cannot send one either.
    await expect(core.request("now", new Date(0))).rejects.toThrow(/Date/);
  });
});

describe("ids", () => {
  it('"any" and "all" are reserved: not as orb ids, nor in lists of orb ids', () => {
    const bus = new LocalHub().bus();
    for (const id of ["any", "all"]) {
      expect(() => new Plugin({ id, bus })).toThrow(ConfigError);
      expect(() => new Core({ id, bus, requires: {} })).toThrow(/reserved/);
      expect(() => new Core({ id: "c", bus, requires: { x: { mandatory: [id] } } })).toThrow(
        /requires\.x\.mandatory\[0\]/,
      );
      expect(() => new Plugin({ id: "p", bus, prefer: [id] })).toThrow(/prefer\[0\]/);
    }
    // Operation names are not orb ids: "all" stays a valid operation.
    expect(() => new Core({ id: "c", bus, requires: { all: {} } })).not.toThrow();
  });
});

describe("why a core does not connect", () => {
  it("says so on both sides (skipped events), and compliant()'s timeout names the reason", async () => {
    const hub = new LocalHub();
    const clock = new ManualClock();
    orbs.drive(clock);
    const core = orbs.add(
      new Core({
        id: "wants-numbers",
        bus: hub.bus(),
        clock,
        logger: silentLogger,
        requires: { count: { outputs: [{ schemas: [Num] }] } },
      }),
    );
    const plugin = orbs.add(new Plugin({ id: "gives-text", bus: hub.bus(), clock, logger: silentLogger }));
    plugin.operation("count", { input: { empty: true }, output: { schemas: [Str] } }, () => "3");
    const coreSkips: SkipDetail[] = [];
    const pluginSkips: SkipDetail[] = [];
    core.on("skipped", (d) => coreSkips.push(d));
    plugin.on("skipped", (d) => pluginSkips.push(d));
    await core.start();
    await plugin.start(); // its announce reaches the core; the core's next discover reaches it
    await clock.advance(2500);
    expect(coreSkips[0]).toMatchObject({
      remote: "gives-text",
      operation: "count",
      reason: "output-mismatch",
    });
    expect(coreSkips[0]!.message).toMatch(/matches none of requires\.count\.outputs/);
    expect(pluginSkips[0]).toMatchObject({
      remote: "wants-numbers",
      operation: "count",
      reason: "output-mismatch",
    });
    expect(core.missing()[0]).toMatch(/count: 0\/1 connections; gives-text skipped: its output/);
    const waiting = core.compliant({ timeoutMs: 100 });
    const rejected = expect(waiting).rejects.toThrow(/gives-text skipped/);
    await clock.advance(100);
    await rejected;
  });

  it("a plugin at its maxCores says so for the core it cannot serve", async () => {
    const hub = new LocalHub();
    const clock = new ManualClock();
    orbs.drive(clock);
    const plugin = orbs.add(
      new Plugin({ id: "single", bus: hub.bus(), clock, logger: silentLogger, maxCores: 1 }),
    );
    plugin.operation("echo", { input: { any: true }, output: { any: true } }, (x) => x);
    const skips: SkipDetail[] = [];
    plugin.on("skipped", (d) => skips.push(d));
    const first = orbs.add(
      new Core({ id: "first", bus: hub.bus(), clock, logger: silentLogger, requires: { echo: {} } }),
    );
    await plugin.start();
    await first.start();
    await withTimeout(first.compliant(), 2000, "first compliant");
    const second = orbs.add(
      new Core({ id: "second", bus: hub.bus(), clock, logger: silentLogger, requires: { echo: {} } }),
    );
    await second.start();
    await clock.advance(10);
    expect(skips).toContainEqual({
      remote: "second",
      operation: "echo",
      reason: "no-free-slot",
      message: "maxCores 1 reached (connected or reserved)",
    });
    expect(second.state).toBe("not-compliant");
  });
});

describe("loggers", () => {
  /** A core whose offer topic gets a message that is not a protocol message: an error nobody listens to. */
  async function invalidMessageTo(logger: unknown): Promise<void> {
    const hub = new LocalHub();
    const core = orbs.add(new Core({ id: "logged", bus: hub.bus(), logger: logger as Logger, requires: {} }));
    await core.start();
    const raw = hub.bus();
    await raw.connect();
    await raw.publishValue(offerTopic({ root: "orbitalis", core: "logged" }), { not: "a message" });
    await raw.close();
  }

  it("pino gets (fields, message): the error's code and stack are kept", async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    await invalidMessageTo(pino({ level: "debug" }, stream));
    await turnUntil(() => lines.some((l) => l.level === 50), { maxTurns: 100, what: "the error line" });
    const line = lines.find((l) => l.level === 50)!;
    expect(line.msg).toMatch(/dropped an invalid message on orbitalis\/core\/logged\/offer/);
    expect(line.code).toBe("ERR_INVALID_MESSAGE");
    expect(line.err).toMatchObject({ type: "InvalidMessageError", code: "ERR_INVALID_MESSAGE" });
    expect((line.err as { stack: string }).stack).toMatch(/InvalidMessageError/);
  });

  it("a console-style logger gets (message, error) with the error itself", async () => {
    const calls: unknown[][] = [];
    const consoleLike = {
      debug: (...args: unknown[]) => calls.push(["debug", ...args]),
      info: (...args: unknown[]) => calls.push(["info", ...args]),
      warn: (...args: unknown[]) => calls.push(["warn", ...args]),
      error: (...args: unknown[]) => calls.push(["error", ...args]),
    };
    await invalidMessageTo(consoleLike);
    await turnUntil(() => calls.some((c) => c[0] === "error"), { maxTurns: 100, what: "the error call" });
    const [, message, error] = calls.find((c) => c[0] === "error")!;
    expect(message).toMatch(/dropped an invalid message/);
    expect(error).toMatchObject({ code: "ERR_INVALID_MESSAGE" });
    expect((error as Error).stack).toBeDefined();
  });

  it("a logger without the four methods is a ConfigError", () => {
    expect(
      () => new Core({ id: "c", bus: new LocalHub().bus(), requires: {}, logger: {} as Logger }),
    ).toThrow(/logger\.debug/);
  });
});

describe("outcomes a caller can act on", () => {
  it("compliant() rejects when start() fails, instead of waiting forever", async () => {
    const bus = new LocalHub().bus();
    bus.connect = () => Promise.reject(new Error("broker down"));
    const core = new Core({ id: "unlucky", bus, logger: silentLogger, requires: { x: {} } });
    const waiting = core.compliant({ timeoutMs: 60_000 }).catch((e: unknown) => e);
    await expect(core.start()).rejects.toThrow(/broker down/);
    const error = await withTimeout(waiting, 1000, "compliant() to settle");
    expect(error).toMatchObject({ code: "ERR_NOT_RUNNING", message: /did not start: .*broker down/ });
  });

  it("the bus event carries the error that caused the change", async () => {
    const bus = new LocalHub().bus();
    let report: ((status: BusStatus, error?: Error) => void) | undefined;
    const onStatus = bus.onStatus.bind(bus);
    bus.onStatus = (listener) => {
      report = listener;
      return onStatus(listener);
    };
    const core = orbs.add(new Core({ id: "watcher", bus, logger: silentLogger, requires: {} }));
    const seen: [BusStatus, Error | undefined][] = [];
    core.on("bus", (status, error) => seen.push([status, error]));
    await core.start();
    report!("disconnected", new Error("connection reset"));
    expect(seen).toEqual([["disconnected", new Error("connection reset")]]);
  });

  it("a CLOSING answer (the plugin took no new work) is a ConnectionClosedError, not a failed operation", async () => {
    const hub = new LocalHub();
    const core = orbs.add(
      new Core({
        id: "asker",
        bus: hub.bus(),
        logger: silentLogger,
        timing: { gracefulCloseTimeoutMs: 100 },
        requires: { echo: {} },
      }),
    );
    const raw = await new RawOrb(hub.bus(), "closing-plugin").listenAsPlugin();
    await core.start();
    const discover = await raw.next("discover", (d) => d.from === "asker");
    await raw.offer(discover.offerTo, discover.id);
    const request = await raw.next("request");
    await raw.send(request.responseTo, "confirm", {
      re: request.id,
      operation: "echo",
      inputTopic: "orbitalis/plugin/closing-plugin/op/echo/in/asker",
    });
    await withTimeout(core.compliant(), 2000, "compliant");
    const answer = core.request("echo", 1).catch((e: unknown) => e);
    const input = await raw.next("input");
    await raw.send(request.outputTopic, "error", {
      operation: "echo",
      corr: input.corr!,
      code: "CLOSING",
      message: "the connection is closing",
    });
    const error = await answer;
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect((error as Error).cause).toBeInstanceOf(RemoteOperationError);
  });
});
