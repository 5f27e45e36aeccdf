/**
 * Orbitalis on the broker's own clustering (it builds none of its own): a 3-node NATS
 * cluster whose node under a plugin is killed, and a Redis restart. Times are reported
 * with ORBITALIS_REPORT=1.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Core, NatsBus, Plugin, RedisBus, silentLogger, type Bus } from "../../runtime/index.js";
import { startNatsCluster, startRedis, type BrokerProcess } from "../helpers/brokers.js";
import { nextStatus, uniqueRoot, withTimeout } from "../helpers/wait.js";
import { Orbs } from "../helpers/orbs.js";

const report = (line: string): void => {
  if (process.env.ORBITALIS_REPORT) console.log(`[measure] ${line}`);
};
const orbs = new Orbs();
afterEach(() => orbs.stopAll());

function pair(coreBus: Bus, pluginBus: Bus, root: string): { core: Core; plugin: Plugin } {
  const timing = { discoverIntervalMs: 300, requestTimeoutMs: 2000 };
  const plugin = orbs.add(new Plugin({ id: "lamp", bus: pluginBus, root, logger: silentLogger, timing }));
  plugin.operation("echo", { input: { any: true }, output: { any: true } }, (x) => x);
  const core = orbs.add(
    new Core({ id: "home", bus: coreBus, root, logger: silentLogger, requires: { echo: {} }, timing }),
  );
  return { core, plugin };
}

/** Resolves with how long it took until `core.request` succeeds again (retrying each failure). */
async function untilServed(core: Core, ms: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    try {
      await core.request("echo", "ping", { timeoutMs: 1000 });
      return performance.now() - started;
    } catch (error) {
      if (performance.now() - started > ms) throw error;
      await core.compliant({ timeoutMs: ms });
    }
  }
}

describe("a 3-node NATS cluster", () => {
  let nodes: BrokerProcess[];
  beforeAll(async () => {
    nodes = await startNatsCluster(3);
  }, 30_000);
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.dispose()));
  });

  it("the node under a plugin dies: the plugin moves to another node and the core is served again", async () => {
    const url = (i: number): string => `nats://127.0.0.1:${nodes[i]!.port}`;
    const root = uniqueRoot("cl");
    // Attached to node 3 (the client would otherwise pick a server at random), node 2 next.
    const pluginBus = new NatsBus({
      servers: [url(2), url(1)],
      reconnectTimeWaitMs: 250,
      natsOptions: { noRandomize: true },
    });
    const { core, plugin } = pair(new NatsBus({ servers: url(0) }), pluginBus, root);
    let disconnections = 0;
    core.on("disconnection", () => disconnections++);
    await core.start();
    await plugin.start();
    // Routes may take a moment to form: the core is compliant once messages cross nodes.
    await core.compliant({ timeoutMs: 15_000 });
    expect(await core.request("echo", 1)).toBe(1);
    const back = nextStatus(pluginBus, "reconnected", 15_000);
    const killedAt = performance.now();
    await nodes[2]!.kill();
    await back;
    const reconnectedMs = performance.now() - killedAt;
    const servedMs = await untilServed(core, 15_000);
    report(
      `NATS cluster: plugin reconnected to another node ${reconnectedMs.toFixed(0)} ms after its node was killed; ` +
        `core served again ${(performance.now() - killedAt).toFixed(0)} ms after (${servedMs.toFixed(0)} ms after the reconnect); ` +
        `${disconnections} disconnections`,
    );
    expect(core.state).toBe("compliant");
    expect(await core.request("echo", 2)).toBe(2);
  }, 60_000);
});

describe("a Redis restart", () => {
  let redis: BrokerProcess;
  beforeAll(async () => {
    redis = await startRedis();
  }, 30_000);
  afterAll(async () => {
    await redis?.dispose();
  });

  it("the core and the plugin come back with the broker and the core is served again", async () => {
    const url = `redis://127.0.0.1:${redis.port}`;
    const root = uniqueRoot("rd");
    const coreBus = new RedisBus({ url });
    const { core, plugin } = pair(coreBus, new RedisBus({ url }), root);
    await Promise.all([core.start(), plugin.start()]);
    await core.compliant({ timeoutMs: 10_000 });
    const back = nextStatus(coreBus, "reconnected", 20_000);
    const killedAt = performance.now();
    await redis.kill();
    await redis.start();
    await back;
    const servedMs = await untilServed(core, 15_000);
    report(
      `Redis restart: core served again ${(performance.now() - killedAt).toFixed(0)} ms after the kill ` +
        `(${servedMs.toFixed(0)} ms after its bus reconnected)`,
    );
    expect(core.state).toBe("compliant");
    await withTimeout(core.request("echo", 3), 5000, "a request");
  }, 60_000);
});
