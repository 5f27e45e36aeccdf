/**
 * The far side of a networked benchmark, in its own process (started by `bench/remote.ts`
 * with `fork`): Orbitalis plugins, a raw mqtt.js or NATS responder, or Moleculer nodes.
 * Every kind answers requests by echoing them and counts one-way messages; the parent
 * talks to it over the IPC channel:
 *
 *   parent -> peer: { type: "expect", count }   reset the one-way counter, ack with "expecting"
 *   peer -> parent: { type: "ready" } once serving; { type: "received", count } when the
 *                   counter reaches the expected count, or when asked with { type: "report" }
 *
 * Usage (by the parent): peer.ts <json PeerSpec>
 */
import { connect as natsConnect } from "@nats-io/transport-node";
import { ServiceBroker } from "moleculer";
import { connectAsync } from "mqtt";
import { MqttBus, NatsBus, Plugin, silentLogger, type Bus } from "./orbitalis.js";
import { TICK } from "./shared.js";

/** What the peer process runs. */
export type PeerSpec =
  | { kind: "orbitalis"; transport: "mqtt" | "nats"; url: string; root: string; plugins: number }
  | { kind: "raw-mqtt"; url: string; prefix: string }
  | { kind: "raw-nats"; url: string; prefix: string }
  | { kind: "moleculer"; transport: "mqtt" | "nats"; url: string; namespace: string; nodes: number };

type ParentMessage = { type: "expect"; count: number } | { type: "report" };

const spec = JSON.parse(process.argv[2] ?? "null") as PeerSpec | null;
if (!spec) throw new Error("usage: peer.ts <json PeerSpec>");

let received = 0;
let expected = Infinity;
const send = (message: object): void => {
  process.send?.(message);
};
/** Counts one one-way message; tells the parent when the expected count is reached. */
const tick = (): void => {
  if (++received === expected) send({ type: "received", count: received });
};
process.on("message", (m: ParentMessage) => {
  if (m.type === "expect") {
    received = 0;
    expected = m.count;
    send({ type: "expecting" });
  } else send({ type: "received", count: received });
});
// The parent going away ends this process (no orphan holding broker connections).
process.on("disconnect", () => process.exit(0));
// SIGTERM ends it through exit (which writes a --cpu-prof profile); SIGKILL is the crash.
process.on("SIGTERM", () => process.exit(0));

async function orbitalis(s: Extract<PeerSpec, { kind: "orbitalis" }>): Promise<void> {
  const newBus = (): Bus =>
    s.transport === "nats" ? new NatsBus({ servers: s.url }) : new MqttBus({ url: s.url });
  const plugins: Plugin[] = [];
  for (let i = 0; i < s.plugins; i++) {
    const p = new Plugin({ id: `worker-${i}`, bus: newBus(), root: s.root, logger: silentLogger });
    p.operation("work", { input: TICK, output: TICK }, (x) => x);
    p.operation("tick", { input: TICK, output: "none" }, tick);
    plugins.push(p);
  }
  await Promise.all(plugins.map((p) => p.start()));
}

async function rawMqtt(s: Extract<PeerSpec, { kind: "raw-mqtt" }>): Promise<void> {
  const client = await connectAsync(s.url, { protocolVersion: 5 });
  client.on("message", (topic, payload) => {
    if (topic === `${s.prefix}/req`) client.publish(`${s.prefix}/res`, payload, { qos: 0 });
    else tick();
  });
  await client.subscribeAsync([`${s.prefix}/req`, `${s.prefix}/tick`], { qos: 0 });
}

async function rawNats(s: Extract<PeerSpec, { kind: "raw-nats" }>): Promise<void> {
  const nc = await natsConnect({ servers: s.url });
  nc.subscribe(`${s.prefix}.req`, {
    callback: (_e, m) => {
      m.respond(m.data);
    },
  });
  nc.subscribe(`${s.prefix}.tick`, { callback: () => tick() });
  await nc.flush();
}

async function moleculer(s: Extract<PeerSpec, { kind: "moleculer" }>): Promise<void> {
  const brokers: ServiceBroker[] = [];
  for (let i = 0; i < s.nodes; i++) {
    const broker = new ServiceBroker({
      nodeID: `${s.namespace}-node-${i}`,
      namespace: s.namespace,
      transporter: s.url,
      logger: false,
    });
    // "work" on every node (the request and one-way runs use node 0); "work-<i>" names
    // the node for the compliance run (waitForServices of every one).
    broker.createService({
      name: "work",
      actions: { echo: (ctx) => ctx.params as unknown },
      events: { tick: () => tick() },
    });
    broker.createService({ name: `work-${i}` });
    brokers.push(broker);
  }
  await Promise.all(brokers.map((b) => b.start()));
}

switch (spec.kind) {
  case "orbitalis":
    await orbitalis(spec);
    break;
  case "raw-mqtt":
    await rawMqtt(spec);
    break;
  case "raw-nats":
    await rawNats(spec);
    break;
  case "moleculer":
    await moleculer(spec);
    break;
}
send({ type: "ready" });
