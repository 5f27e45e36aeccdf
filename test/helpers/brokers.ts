/**
 * Brokers for tests: the configured ones (Mosquitto, NATS, Redis on 127.0.0.1, URLs
 * overridable by ORBITALIS_MQTT_URL, ORBITALIS_NATS_URL, ORBITALIS_REDIS_URL), an embedded
 * aedes broker when no MQTT broker answers outside CI, and private broker processes on
 * free ports that a test may stop and restart.
 */

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, chmodSync, existsSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Aedes } from "aedes";

/** Configured URLs (defaults: the standard ports on 127.0.0.1). */
export const MQTT_URL = process.env.ORBITALIS_MQTT_URL ?? "mqtt://127.0.0.1:1883";
export const NATS_URL = process.env.ORBITALIS_NATS_URL ?? "nats://127.0.0.1:4222";
export const REDIS_URL = process.env.ORBITALIS_REDIS_URL ?? "redis://127.0.0.1:6379";

/** Binaries (overridable for machines that install them elsewhere). */
export const MOSQUITTO_BIN = process.env.ORBITALIS_MOSQUITTO_BIN ?? "/usr/sbin/mosquitto";
export const NATS_BIN = process.env.ORBITALIS_NATS_SERVER_BIN ?? "/usr/sbin/nats-server";
export const REDIS_BIN = process.env.ORBITALIS_REDIS_SERVER_BIN ?? "redis-server";

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves true when something accepts TCP connections on host:port within `ms`. */
export function answers(host: string, port: number, ms = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(ms, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

async function waitForPort(port: number, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await answers("127.0.0.1", port, 200)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${what} did not listen on 127.0.0.1:${port} within ${ms} ms`);
}

/** The MQTT broker the tests use, and how to talk to it. */
export interface MqttTarget {
  readonly url: string;
  /** 5 for Mosquitto; 4 for the embedded aedes (it has no MQTT 5). */
  readonly protocolVersion: 4 | 5;
  /** `"configured"` or `"aedes"`. */
  readonly source: "configured" | "aedes";
  /** Stops the embedded broker (no-op for the configured one). */
  stop(): Promise<void>;
}

/**
 * The configured MQTT broker if it answers. Otherwise: with CI=true, an error (CI must
 * test the real Mosquitto); outside CI, an embedded aedes broker on a free port.
 */
export async function resolveMqtt(
  configured: string = MQTT_URL,
  ci: boolean = process.env.CI === "true",
): Promise<MqttTarget> {
  const url = new URL(configured);
  const host = url.hostname || "127.0.0.1";
  const port = Number(url.port || (url.protocol === "mqtts:" ? 8883 : 1883));
  if (await answers(host, port, 1000)) {
    return { url: configured, protocolVersion: 5, source: "configured", stop: () => Promise.resolve() };
  }
  if (ci) {
    throw new Error(
      `CI=true and no MQTT broker answers on ${configured}: start Mosquitto (or set ORBITALIS_MQTT_URL); ` +
        `the embedded aedes fallback is only used outside CI`,
    );
  }
  return startAedes();
}

/** Starts an embedded aedes broker on a free port (MQTT 3.1.1 only). */
export async function startAedes(): Promise<MqttTarget> {
  const broker = await Aedes.createBroker();
  const server = net.createServer((socket) => broker.handle(socket));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    protocolVersion: 4,
    source: "aedes",
    stop: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}

/** A broker process this test started, on its own port: stop and restart it at will. */
export class BrokerProcess {
  readonly name: string;
  readonly port: number;
  /** Scratch directory (configuration, persistence, log), removed by {@link BrokerProcess.dispose}. */
  readonly dir: string;
  readonly #command: string;
  readonly #args: readonly string[];
  #child: ChildProcess | undefined;
  #output = "";

  constructor(name: string, port: number, dir: string, command: string, args: readonly string[]) {
    this.name = name;
    this.port = port;
    this.dir = dir;
    this.#command = command;
    this.#args = args;
  }

  /** Starts the process and resolves once it listens. */
  async start(): Promise<void> {
    if (this.#child !== undefined) throw new Error(`${this.name} already running`);
    const child = spawn(this.#command, this.#args, { stdio: ["ignore", "pipe", "pipe"] });
    this.#child = child;
    const keep = (chunk: Buffer): void => {
      this.#output = (this.#output + chunk.toString()).slice(-4000);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    const exited = new Promise<never>((_, reject) => {
      child.once("exit", (code, signal) => {
        reject(new Error(`${this.name} exited (${code ?? signal}) before listening:\n${this.#output}`));
      });
      child.once("error", reject);
    });
    exited.catch(() => undefined);
    await Promise.race([waitForPort(this.port, 10_000, this.name), exited]);
  }

  /** Kills the process it started (SIGKILL: no goodbye to anyone) and waits for its exit. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    this.#child = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGKILL");
    await exited;
  }

  /** Stops the process it started (SIGTERM, SIGKILL after 5 s) and waits for its exit. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    this.#child = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  }

  /** Stops and removes the scratch directory. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function scratch(name: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `orbitalis-${name}-`));
  // Mosquitto started as root drops to its own user: let it write its persistence file.
  chmodSync(dir, 0o777);
  return dir;
}

/**
 * A Mosquitto on a free port with persistence in a scratch directory, so that persistent
 * sessions (subscriptions and queued QoS >= 1 messages) survive a restart. `extraConfig`
 * lines are appended to its configuration.
 */
export async function startMosquitto(extraConfig: readonly string[] = []): Promise<BrokerProcess> {
  if (!existsSync(MOSQUITTO_BIN)) throw new Error(`mosquitto not found at ${MOSQUITTO_BIN}`);
  const port = await freePort();
  const dir = scratch("mosquitto");
  const conf = path.join(dir, "mosquitto.conf");
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      "allow_anonymous true",
      "persistence true",
      `persistence_location ${dir}/`,
      "log_dest stderr",
      ...extraConfig,
      "",
    ].join("\n"),
  );
  const broker = new BrokerProcess("mosquitto", port, dir, MOSQUITTO_BIN, ["-c", conf]);
  await broker.start();
  return broker;
}

/** A nats-server on a free port. */
export async function startNats(): Promise<BrokerProcess> {
  const port = await freePort();
  const broker = new BrokerProcess("nats-server", port, scratch("nats"), NATS_BIN, [
    "-a",
    "127.0.0.1",
    "-p",
    String(port),
  ]);
  await broker.start();
  return broker;
}

/**
 * A cluster of `n` nats-servers on 127.0.0.1, each on its own client port, with routes
 * between them (Debian's nats-server). Resolves once every node listens; routes form
 * within a moment (callers check delivery across nodes themselves).
 */
export async function startNatsCluster(n = 3): Promise<BrokerProcess[]> {
  const ports = await Promise.all(Array.from({ length: n }, () => freePort()));
  const routes = await Promise.all(Array.from({ length: n }, () => freePort()));
  const nodes = ports.map(
    (port, i) =>
      new BrokerProcess(`nats-node-${i + 1}`, port, scratch("nats"), NATS_BIN, [
        "-a",
        "127.0.0.1",
        "-p",
        String(port),
        "--name",
        `node-${i + 1}`,
        "--cluster_name",
        "orbitalis-test",
        "--cluster",
        `nats://127.0.0.1:${routes[i]}`,
        "--routes",
        routes
          .filter((_, j) => j !== i)
          .map((r) => `nats://127.0.0.1:${r}`)
          .join(","),
      ]),
  );
  await Promise.all(nodes.map((node) => node.start()));
  return nodes;
}

/** A redis-server on a free port, without persistence. */
export async function startRedis(): Promise<BrokerProcess> {
  const port = await freePort();
  const dir = scratch("redis");
  const broker = new BrokerProcess("redis-server", port, dir, REDIS_BIN, [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    dir,
  ]);
  await broker.start();
  return broker;
}
