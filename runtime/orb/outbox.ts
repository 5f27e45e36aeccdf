/**
 * Sending: every message an orb publishes leaves through here, with the delivery its kind
 * asks for (reliable or not), counted as a sign of life towards the remote it is for.
 */
import type { Bus } from "../bus/bus.js";
import type { OrbitalisMessage } from "../../generated/protocol/index.js";
import { asError } from "../as-error.js";
import type { PartContext } from "./context.js";
import { deliveryOf } from "./delivery.js";
import type { PeerLiveness } from "./liveness.js";

export interface OutboxHost extends Pick<PartContext, "id" | "logger" | "running" | "reportError"> {
  readonly bus: Bus;
  readonly peers: PeerLiveness;
}

export class Outbox {
  constructor(private readonly host: OutboxHost) {}

  /** Publishes a message; resolves when the bus took it. Counts as life towards `to`. */
  send(topic: string, message: OrbitalisMessage, to?: string): Promise<void> {
    if (to !== undefined) this.host.peers.sent(to, message.ts); // its envelope's time: one clock read less
    // Not `async` (one promise per message, the bus's); a bus that throws still rejects.
    try {
      return this.host.bus.publishValue(topic, message, deliveryOf(message.kind));
    } catch (error) {
      return Promise.reject(asError(error));
    }
  }

  /** Publishes without awaiting; a failure becomes an `error` event. */
  post(topic: string, message: OrbitalisMessage, to?: string): void {
    this.send(topic, message, to).catch((error: unknown) => {
      const host = this.host;
      // Once stopped, a late message that finds the bus closed is expected, not an error.
      if (!host.running() && (error as { code?: string }).code === "ERR_BUS_CLOSED") {
        host.logger.debug(`${host.id}: ${message.kind} to ${topic} not sent: the bus is closed`);
        return;
      }
      host.reportError(error, `could not publish ${message.kind} to ${topic}`);
    });
  }
}
