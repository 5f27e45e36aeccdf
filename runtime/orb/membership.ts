/**
 * An orb's membership of the bus: connecting with its will (an offline presence the broker
 * publishes if the orb dies), subscribing to what it listens on, saying `online` and, when
 * it stops for good, `offline`; and following the bus's status (a reconnected bus hears
 * `online` again: the broker may have published the will during the drop).
 */
import type { Bus, BusStatus, Subscription } from "../bus/bus.js";
import { InvalidMessageError } from "../errors.js";
import { presenceFilter, presenceTopic, type PresenceMessage } from "../../generated/protocol/index.js";
import type { OrbRole } from "./connection.js";
import type { PartContext } from "./context.js";

/** How long a broker keeps a retained will (MQTT 5): long enough for every peer to hear it. */
const WILL_EXPIRY_SECONDS = 300;

export interface MembershipHost extends Pick<
  PartContext,
  "id" | "root" | "running" | "message" | "reportError"
> {
  readonly bus: Bus;
  role(): OrbRole;
  /** A decoded inbound value (not yet validated). */
  receive(topic: string, value: unknown): void;
  /** The bus status changed (after the membership did its part). */
  busStatus(status: BusStatus, error?: Error): void;
  emitError(error: Error): void;
}

export class Membership {
  private subscriptions: Subscription[] = [];
  private stopWatch: (() => void) | undefined;

  constructor(private readonly host: MembershipHost) {}

  /**
   * Connects (registering the will), subscribes to `filters` besides the orb's own topics
   * and presences, and says `online`. On failure the caller leaves.
   */
  async join(filters: readonly string[]): Promise<void> {
    const { bus, root, id } = this.host;
    const will = this.presence("offline", false);
    await bus.connect({
      will: {
        topic: presenceTopic({ root, orb: id }),
        payload: new TextEncoder().encode(JSON.stringify(will)),
        retain: true,
        expirySeconds: WILL_EXPIRY_SECONDS,
      },
    });
    this.stopWatch = bus.onStatus((status, error) => this.onStatus(status, error));
    const all = new Set([`${root}/orb/${id}/+`, presenceFilter({ root }), ...filters]);
    const onInvalid = (topic: string, error: Error): void =>
      this.host.emitError(
        new InvalidMessageError(`dropped a message on ${topic} that is not JSON`, [error.message]),
      );
    this.subscriptions = await Promise.all(
      [...all].map((f) => bus.subscribeValue(f, (t, v) => this.host.receive(t, v), onInvalid)),
    );
    await this.publish(this.presence("online"));
  }

  /** Says `online` again (another instance of our id must learn of us). */
  announce(): void {
    this.publish(this.presence("online")).catch((e: unknown) =>
      this.host.reportError(e, "could not publish online presence"),
    );
  }

  /**
   * Says the orb is gone for good: a graceful offline presence to everyone listening, then
   * its retained presence cleared (an empty retained message), so the broker does not keep
   * one presence per orb id ever started.
   */
  async offline(): Promise<void> {
    const { bus, root, id } = this.host;
    const topic = presenceTopic({ root, orb: id });
    await bus.publishValue(topic, this.presence("offline", true));
    if (bus.capabilities.retain) await bus.publish(topic, new Uint8Array(0), { retain: true });
  }

  /** Unsubscribes and closes the bus. Never throws. */
  async leave(): Promise<void> {
    this.stopWatch?.();
    this.stopWatch = undefined;
    const subs = this.subscriptions;
    this.subscriptions = [];
    await Promise.all(subs.map((s) => s.unsubscribe().catch(() => undefined)));
    await this.host.bus
      .close()
      .catch((error: unknown) => this.host.reportError(error, "could not close the bus"));
  }

  private onStatus(status: BusStatus, error?: Error): void {
    if (status === "reconnected" && this.host.running()) this.announce();
    this.host.busStatus(status, error);
  }

  private presence(status: "online" | "offline", graceful?: boolean): PresenceMessage {
    const role = this.host.role();
    const fields = graceful === undefined ? { role, status } : { role, status, graceful };
    return this.host.message("presence", fields);
  }

  private publish(message: PresenceMessage): Promise<void> {
    const { bus, root, id } = this.host;
    return bus.publishValue(presenceTopic({ root, orb: id }), message, { retain: bus.capabilities.retain });
  }
}
