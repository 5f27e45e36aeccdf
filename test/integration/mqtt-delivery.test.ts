/**
 * Over MQTT, what may be lost is explicit (issue 10): operation traffic, keepalives and
 * status go at `lossyQos` (QoS 0 by default: no acknowledgement round, no delayed-ACK
 * stall on a default Mosquitto); the handshake, closes and presence always go at the
 * bus's `qos` (1), so no loss can strand a reservation, a connection or a peer's view.
 */
import mqtt from "mqtt";
import { afterAll, describe, expect, it } from "vitest";
import { Core, MqttBus, Plugin, silentLogger } from "../../runtime/index.js";
import { resolveMqtt } from "../helpers/brokers.js";
import { uniqueRoot, withTimeout } from "../helpers/wait.js";

const target = await resolveMqtt();
afterAll(() => target.stop());

/** Sees every message under `root` at the QoS it was published with (a QoS 2 subscription). */
async function observe(root: string): Promise<{
  seen: Map<string, Set<number>>;
  next: (kind: string) => Promise<void>;
  end: () => Promise<void>;
}> {
  const client = await mqtt.connectAsync(target.url, { protocolVersion: target.protocolVersion });
  const seen = new Map<string, Set<number>>();
  const waiters: { kind: string; resolve: () => void }[] = [];
  client.on("message", (_topic, payload, packet) => {
    if (payload.length === 0) return;
    const kind = (JSON.parse(payload.toString()) as { kind: string }).kind;
    if (!seen.has(kind)) seen.set(kind, new Set());
    seen.get(kind)!.add(packet.qos);
    for (const w of waiters.filter((x) => x.kind === kind)) w.resolve();
  });
  await client.subscribeAsync(`${root}/#`, { qos: 2 });
  const next = (kind: string): Promise<void> =>
    withTimeout(new Promise<void>((resolve) => waiters.push({ kind, resolve })), 5000, `a ${kind}`);
  return { seen, next, end: () => client.endAsync() };
}

describe("MQTT delivery per message class", () => {
  it("handshake, closes and presence at QoS 1; operation traffic and keepalives at QoS 0", async () => {
    const root = uniqueRoot("qos");
    const { seen, next, end } = await observe(root);
    const bus = (): MqttBus => new MqttBus({ url: target.url, protocolVersion: target.protocolVersion });
    const timing = { deadAfterMs: 600 }; // keepalives every 200 ms
    const plugin = new Plugin({ id: "p", bus: bus(), root, logger: silentLogger, timing });
    plugin.operation("echo", { input: { any: true }, output: { any: true } }, (x) => x);
    const core = new Core({
      id: "c",
      bus: bus(),
      root,
      logger: silentLogger,
      timing,
      requires: { echo: {} },
    });
    await Promise.all([plugin.start(), core.start()]);
    await core.compliant({ timeoutMs: 10_000 });
    expect(await core.request("echo", 1)).toBe(1);
    await withTimeout(core.ping("p"), 5000, "a ping");
    await core.status("p");
    // A quiet connection gets keepalives (every third of deadAfterMs).
    await next("keepalive");
    await core.stop();
    await plugin.stop();
    await end();
    const qos = (kind: string): number[] => [...(seen.get(kind) ?? [])].sort();
    for (const kind of [
      "announce",
      "discover",
      "offer",
      "request",
      "confirm",
      "close",
      "close-ack",
      "presence",
    ])
      expect(qos(kind), kind).toEqual([1]);
    for (const kind of ["input", "output", "keepalive", "keepalive-request", "status-request", "status"])
      expect(qos(kind), kind).toEqual([0]);
  }, 30_000);
});
