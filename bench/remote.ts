/**
 * Networked figures, each orb side in its own process: the caller here, the far side a
 * `bench/peer.ts` child. Over Mosquitto and NATS as the machine runs them, Orbitalis next
 * to raw mqtt.js, raw NATS and Moleculer 0.14 on the same transport:
 * - request round trip (sequential, p50/p99) and one-way throughput (pipelined, counted
 *   on the far side, losses reported);
 * - time to compliance with 1, 10, 100 plugins, next to Moleculer's `waitForServices`;
 * - how long a core takes to notice a plugin process killed with SIGKILL.
 */
import { fork, type ChildProcess } from "node:child_process";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { connect as natsConnect } from "@nats-io/transport-node";
import { ServiceBroker } from "moleculer";
import { connectAsync } from "mqtt";
import { Core, MqttBus, NatsBus, silentLogger, type Bus } from "./orbitalis.js";
import type { PeerSpec } from "./peer.js";
import { payload, percentile, TICK } from "./shared.js";

const PEER = fileURLToPath(new URL("./peer.ts", import.meta.url));

export type Transport = "mqtt" | "nats";
export type Contender = "orbitalis" | "raw" | "moleculer";

/** Broker URLs (ORBITALIS_MQTT_URL / ORBITALIS_NATS_URL, else the standard local ports). */
export const URLS: Record<Transport, string> = {
  mqtt: process.env.ORBITALIS_MQTT_URL ?? "mqtt://127.0.0.1:1883",
  nats: process.env.ORBITALIS_NATS_URL ?? "nats://127.0.0.1:4222",
};

let runs = 0;
/** A name no earlier run used (random: a broker keeps retained messages across runs). */
function unique(prefix: string): string {
  return `${prefix}${Math.random().toString(36).slice(2, 8)}${(runs++).toString(36)}`;
}

/** Runs `steps` (each returns how to undo it); when one fails, undoes the earlier ones, last first. */
async function undoOnFailure<T>(
  setup: (undo: (fn: () => Promise<unknown>) => void) => Promise<T>,
): Promise<T> {
  const undos: (() => Promise<unknown>)[] = [];
  try {
    return await setup((fn) => undos.push(fn));
  } catch (error) {
    for (const fn of undos.reverse()) await fn().catch(() => undefined);
    throw error;
  }
}

type PeerMessage = { type: "ready" } | { type: "expecting" } | { type: "received"; count: number };

/** A `bench/peer.ts` child process and its IPC channel. */
class Peer {
  private listeners = new Set<(m: PeerMessage) => void>();

  private constructor(readonly child: ChildProcess) {
    child.on("message", (m: PeerMessage) => {
      for (const l of [...this.listeners]) l(m);
    });
  }

  /** Forks the peer and resolves once it serves. */
  static async start(spec: PeerSpec, timeoutMs = 60_000): Promise<Peer> {
    const child = fork(PEER, [JSON.stringify(spec)], {
      // BENCH_CPU_PROF=<dir> profiles the far side too (node --cpu-prof), as the caller can be.
      execArgv: [
        "--import",
        "tsx",
        ...(process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
      ],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const peer = new Peer(child);
    try {
      await peer.next((m) => m.type === "ready", timeoutMs, `the ${spec.kind} peer to start`);
    } catch (error) {
      await peer.kill();
      throw error;
    }
    return peer;
  }

  /** The next message that `accept`s, within `timeoutMs`. */
  next(accept: (m: PeerMessage) => boolean, timeoutMs: number, what: string): Promise<PeerMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => done(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
        timeoutMs,
      );
      const onExit = (code: number | null): void =>
        done(new Error(`the peer exited (${code}) waiting for ${what}`));
      const listener = (m: PeerMessage): void => {
        if (accept(m)) done(undefined, m);
      };
      const done = (error?: Error, m?: PeerMessage): void => {
        clearTimeout(timer);
        this.listeners.delete(listener);
        this.child.off("exit", onExit);
        if (error) reject(error);
        else resolve(m!);
      };
      this.listeners.add(listener);
      this.child.once("exit", onExit);
    });
  }

  /** Resets the far side's one-way counter to wait for `count` messages. */
  async expect(count: number): Promise<void> {
    const acked = this.next((m) => m.type === "expecting", 10_000, "the peer to reset its counter");
    this.child.send({ type: "expect", count });
    await acked;
  }

  /** Asks how many one-way messages arrived since {@link expect}. */
  async report(): Promise<number> {
    const answer = this.next((m) => m.type === "received", 10_000, "the peer's count");
    this.child.send({ type: "report" });
    return ((await answer) as { count: number }).count;
  }

  /** Ends the process (SIGKILL by default) and resolves once it exited. */
  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once("exit", r));
    this.child.kill(signal);
    await exited;
  }
}

/** The caller's side of one contender on one transport. */
interface Caller {
  request(seq: number): Promise<unknown>;
  /** Resolves when the transport took the message. */
  oneWay(seq: number): Promise<unknown>;
  close(): Promise<void>;
}

function newBus(transport: Transport): Bus {
  return transport === "nats" ? new NatsBus({ servers: URLS.nats }) : new MqttBus({ url: URLS.mqtt });
}

/** A core (not started) of the bench. */
function orbitalisCore(
  transport: Transport,
  root: string,
  requires: ConstructorParameters<typeof Core>[0]["requires"],
): Core {
  return new Core({ id: "bench-core", bus: newBus(transport), root, logger: silentLogger, requires });
}

/** Starts the far side and the caller of `contender` on `transport`. */
async function open(contender: Contender, transport: Transport): Promise<{ caller: Caller; peer: Peer }> {
  // Whatever was started before a step failed is stopped again (no orphan peer).
  return undoOnFailure((undo) => openSteps(contender, transport, undo));
}

async function openSteps(
  contender: Contender,
  transport: Transport,
  undo: (fn: () => Promise<unknown>) => void,
): Promise<{ caller: Caller; peer: Peer }> {
  const url = URLS[transport];
  if (contender === "orbitalis") {
    const root = unique("bench");
    const peer = await Peer.start({ kind: "orbitalis", transport, url, root, plugins: 1 });
    undo(() => peer.kill());
    const core = orbitalisCore(transport, root, {
      work: { inputs: [TICK], outputs: [TICK] },
      tick: { inputs: [TICK], outputs: ["none"] },
    });
    undo(() => core.stop());
    await core.start();
    await core.compliant({ timeoutMs: 30_000 });
    const to = { to: "worker-0" };
    return {
      peer,
      caller: {
        request: (seq) => core.request("work", payload(seq), to),
        oneWay: (seq) => core.execute("tick", payload(seq), to),
        close: () => core.stop(),
      },
    };
  }
  if (contender === "moleculer") {
    const namespace = unique("bench");
    const peer = await Peer.start({ kind: "moleculer", transport, url, namespace, nodes: 1 });
    undo(() => peer.kill());
    const broker = new ServiceBroker({
      nodeID: `${namespace}-caller`,
      namespace,
      transporter: url,
      logger: false,
    });
    undo(() => broker.stop());
    await broker.start();
    await broker.waitForServices(["work"], 30_000, 5);
    return {
      peer,
      caller: {
        request: (seq) => broker.call("work.echo", payload(seq)),
        oneWay: (seq) => broker.emit("tick", payload(seq)),
        close: () => broker.stop(),
      },
    };
  }
  const prefix = unique("bench");
  // Raw clients send the JSON bytes of the same payload; the far side echoes them untouched.
  const bytes = (seq: number): Buffer => Buffer.from(JSON.stringify(payload(seq)));
  if (transport === "mqtt") {
    const peer = await Peer.start({ kind: "raw-mqtt", url, prefix });
    undo(() => peer.kill());
    const client = await connectAsync(url, { protocolVersion: 5 });
    let answer: (() => void) | undefined;
    client.on("message", () => answer?.());
    await client.subscribeAsync(`${prefix}/res`, { qos: 0 });
    const publish = (topic: string, seq: number): Promise<void> =>
      new Promise((resolve, reject) =>
        client.publish(topic, bytes(seq), { qos: 0 }, (e) => (e ? reject(e) : resolve())),
      );
    return {
      peer,
      caller: {
        request: async (seq) => {
          const answered = new Promise<void>((r) => (answer = r));
          await publish(`${prefix}/req`, seq);
          await answered;
        },
        oneWay: (seq) => publish(`${prefix}/tick`, seq),
        close: () => client.endAsync(),
      },
    };
  }
  const peer = await Peer.start({ kind: "raw-nats", url, prefix });
  undo(() => peer.kill());
  const nc = await natsConnect({ servers: url });
  return {
    peer,
    caller: {
      request: (seq) => nc.request(`${prefix}.req`, bytes(seq), { timeout: 10_000 }),
      oneWay: (seq) => {
        nc.publish(`${prefix}.tick`, bytes(seq));
        return Promise.resolve();
      },
      close: () => nc.close(),
    },
  };
}

/** One contender's request and one-way figures on one transport. */
export interface CallFigures {
  readonly transport: Transport;
  readonly contender: Contender;
  readonly requestP50Ms: number;
  readonly requestP99Ms: number;
  readonly requestsPerSecond: number;
  readonly oneWayPerSecond: number;
  readonly oneWaySent: number;
  readonly oneWayReceived: number;
}

/** Options of {@link measureCalls}. */
export interface CallOptions {
  /** Sequential requests per contender, in rounds of `round` taken in turn by the contenders. */
  readonly samples: number;
  readonly round: number;
  /** One-way messages per burst; each contender runs `bursts` bursts in turn, the best counts. */
  readonly messages: number;
  readonly bursts: number;
  /** One-way messages in flight at a time. */
  readonly window: number;
}

/**
 * Every contender on `transport`, side by side: all are started first, then their
 * sequential requests run in alternating rounds (so that a noisy moment of the
 * machine hits all of them alike), then their one-way bursts in turn, each counted by its
 * far side (a loss is reported, not hidden).
 */
export async function measureCalls(
  transport: Transport,
  contenders: readonly Contender[],
  o: CallOptions,
): Promise<CallFigures[]> {
  const opened: { contender: Contender; caller: Caller; peer: Peer }[] = [];
  try {
    for (const contender of contenders) opened.push({ contender, ...(await open(contender, transport)) });
    for (const { caller } of opened) for (let i = 0; i < 300; i++) await caller.request(i); // warm-up
    const times = opened.map(() => [] as number[]);
    const busy = opened.map(() => 0);
    for (let round = 0; round * o.round < o.samples; round++) {
      for (const [k, { caller }] of opened.entries()) {
        const started = performance.now();
        for (let i = 0; i < Math.min(o.round, o.samples - round * o.round); i++) {
          const t = performance.now();
          await caller.request(i);
          times[k]!.push(performance.now() - t);
        }
        busy[k]! += performance.now() - started;
      }
    }
    const bursts = opened.map(() => ({ perSecond: 0, received: o.messages }));
    for (const { caller, peer } of opened)
      await oneWayBurst(caller, peer, Math.min(2000, o.messages), o.window); // warm-up
    for (let b = 0; b < o.bursts; b++) {
      for (const [k, { caller, peer }] of opened.entries()) {
        const r = await oneWayBurst(caller, peer, o.messages, o.window);
        const best = bursts[k]!;
        // A burst that lost messages has no rate; its count is kept (the lowest seen).
        if (r.received < best.received) best.received = r.received;
        if (Number.isFinite(r.perSecond) && r.perSecond > best.perSecond) best.perSecond = r.perSecond;
      }
    }
    return opened.map(({ contender }, k) => {
      const sorted = times[k]!.sort((a, b) => a - b);
      const burst = bursts[k]!;
      return {
        transport,
        contender,
        requestP50Ms: percentile(sorted, 50),
        requestP99Ms: percentile(sorted, 99),
        requestsPerSecond: sorted.length / (busy[k]! / 1000),
        oneWayPerSecond: burst.received === o.messages ? burst.perSecond : NaN,
        oneWaySent: o.messages,
        oneWayReceived: burst.received,
      };
    });
  } finally {
    for (const { caller, peer } of opened) {
      await caller.close().catch(() => undefined);
      await peer.kill("SIGTERM");
    }
  }
}

/** `count` one-way messages, `window` in flight, timed until the far side counted them all. */
async function oneWayBurst(
  caller: Caller,
  peer: Peer,
  count: number,
  window: number,
): Promise<{ perSecond: number; received: number }> {
  await peer.expect(count);
  const all = peer.next((m) => m.type === "received", 30_000, `${count} one-way messages`);
  all.catch(() => undefined);
  const t0 = performance.now();
  for (let i = 0; i < count; i += window) {
    const sends: Promise<unknown>[] = [];
    for (let j = i; j < Math.min(count, i + window); j++) sends.push(caller.oneWay(j));
    await Promise.all(sends);
  }
  try {
    await all;
    return { perSecond: count / ((performance.now() - t0) / 1000), received: count };
  } catch {
    // Not all arrived within 30 s: some were lost; the rate of the rest is not comparable.
    return { perSecond: NaN, received: await peer.report() };
  }
}

/** Time from the caller's start to all `plugins` far-side services found. */
export interface ComplianceFigures {
  readonly contender: "orbitalis" | "moleculer";
  readonly plugins: number;
  readonly ms: number;
}

/**
 * Orbitalis: a core requiring `work` from `plugins` plugins (already running in the peer),
 * from `start()` until `compliant()`. Moleculer: a broker from `start()` until
 * `waitForServices` of the `plugins` nodes' services (checked every 5 ms, its default 1 s).
 */
export async function measureCompliance(
  contender: "orbitalis" | "moleculer",
  plugins: number,
  transport: Transport = "mqtt",
): Promise<ComplianceFigures> {
  const url = URLS[transport];
  if (contender === "orbitalis") {
    const root = unique("bench");
    const peer = await Peer.start({ kind: "orbitalis", transport, url, root, plugins });
    const core = orbitalisCore(transport, root, { work: { minimum: plugins } });
    try {
      const t0 = performance.now();
      await core.start();
      await core.compliant({ timeoutMs: 60_000 });
      return { contender, plugins, ms: performance.now() - t0 };
    } finally {
      await core.stop().catch(() => undefined);
      await peer.kill();
    }
  }
  const namespace = unique("bench");
  const peer = await Peer.start({ kind: "moleculer", transport, url, namespace, nodes: plugins });
  const broker = new ServiceBroker({
    nodeID: `${namespace}-caller`,
    namespace,
    transporter: url,
    logger: false,
  });
  try {
    const names = Array.from({ length: plugins }, (_, i) => `work-${i}`);
    const t0 = performance.now();
    await broker.start();
    await broker.waitForServices(names, 60_000, 5);
    return { contender, plugins, ms: performance.now() - t0 };
  } finally {
    await broker.stop().catch(() => undefined);
    await peer.kill();
  }
}

/** How long after a SIGKILL of the plugin's process its core reported the connection gone. */
export interface DetectionFigures {
  readonly transport: Transport;
  readonly ms: number;
  /** What told the core (the protocol's disconnection reason). */
  readonly reason: string;
}

/** Kills the process of a connected plugin and times the core's `disconnection` event (default timing). */
export async function measureKillDetection(transport: Transport): Promise<DetectionFigures> {
  const root = unique("bench");
  const peer = await Peer.start({ kind: "orbitalis", transport, url: URLS[transport], root, plugins: 1 });
  const core = orbitalisCore(transport, root, { work: {} });
  try {
    await core.start();
    await core.compliant({ timeoutMs: 30_000 });
    const gone = new Promise<string>((resolve) => core.once("disconnection", (_c, d) => resolve(d.reason)));
    const t0 = performance.now();
    await peer.kill("SIGKILL");
    let timer: NodeJS.Timeout | undefined;
    const reason = await Promise.race([
      gone,
      new Promise<never>((_r, reject) => {
        timer = setTimeout(() => reject(new Error(`no disconnection within 30 s over ${transport}`)), 30_000);
      }),
    ]);
    clearTimeout(timer);
    return { transport, ms: performance.now() - t0, reason };
  } finally {
    await core.stop().catch(() => undefined);
    await peer.kill();
  }
}
