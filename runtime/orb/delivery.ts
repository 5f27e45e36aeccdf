/**
 * How each kind of message is delivered. Operation traffic, keepalives and status are
 * sent `reliable: false` (MQTT: `lossyQos`, QoS 0 by default): their loss ends in a
 * timeout or is made good by the next keepalive, and they are the messages whose latency
 * users feel. The handshake, closes and presence are always sent reliably: losing one
 * would strand a reservation, a connection or a peer's view of us.
 */
import type { MessageKind } from "../../generated/protocol/index.js";
import type { PublishOptions } from "../bus/bus.js";

const LOSSY: ReadonlySet<MessageKind> = new Set([
  "input",
  "output",
  "error",
  "keepalive",
  "keepalive-request",
  "status-request",
  "status",
]);
const UNRELIABLE: PublishOptions = Object.freeze({ reliable: false });

/** The publish options of a message of `kind` (undefined: the bus's reliable default). */
export function deliveryOf(kind: MessageKind): PublishOptions | undefined {
  return LOSSY.has(kind) ? UNRELIABLE : undefined;
}
