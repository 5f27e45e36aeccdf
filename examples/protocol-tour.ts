/**
 * Prints the Orbitalis protocol as the spec defines it: every message kind in the order a
 * connection's life uses them, with its channel address and direction.
 *
 *   npx tsx examples/protocol-tour.ts
 */
import { loadSpec } from "../generator/load/load-spec.js";
import { buildProtocolModel, type ProtocolModel } from "../generator/model/protocol-model.js";

/** The order a connection's life uses the kinds in (handshake, work, liveness, termination). */
const LIFE = [
  "announce",
  "discover",
  "offer",
  "request",
  "reject",
  "confirm",
  "unavailable",
  "input",
  "output",
  "error",
  "keepalive",
  "keepalive-request",
  "status-request",
  "status",
  "presence",
  "close",
  "close-ack",
];

function side(operationId: string): string {
  const m = /^(core|plugin|orb)(Send|Receive)/.exec(operationId);
  return m ? (m[1] === "orb" ? "any orb" : `${m[1]}`) : operationId;
}

/** Lines describing the protocol, in life order. */
export function describeProtocol(model: ProtocolModel, root = model.defaultRoot): string[] {
  const lines = [`${model.title} ${model.version}: ${model.messages.length} message kinds`, ""];
  const kinds = [
    ...LIFE.filter((k) => model.messages.some((m) => m.kind === k)),
    ...model.messages.map((m) => m.kind).filter((k) => !LIFE.includes(k)),
  ];
  kinds.forEach((kind, i) => {
    const message = model.messages.find((m) => m.kind === kind)!;
    const channel = model.channels.find((c) => c.name === message.channels[0])!;
    const from = [...new Set(channel.senders.map(side))].join("/");
    const to = [...new Set(channel.receivers.map(side))].join("/");
    lines.push(
      `${String(i + 1).padStart(2)}. ${kind.padEnd(18)} ${`${from} -> ${to}`.padEnd(22)} ${channel.address.replace("{root}", root)}`,
      `    ${message.summary}`,
    );
  });
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const model = buildProtocolModel(
    await loadSpec(new URL("../spec/orbitalis.asyncapi.yaml", import.meta.url).pathname),
  );
  console.log(describeProtocol(model).join("\n"));
}
