/**
 * One id, one live orb: reports a second live instance of an id, whether it is this
 * orb's own (a message from our id under another epoch) or a connected remote's (found by
 * {@link Links} when the instance it knows answers a probe). A warning in the log and a
 * `DuplicateIdError` on the `error` event, once per instance.
 */
import { DuplicateIdError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { OrbitalisMessage } from "../../generated/protocol/index.js";

export interface IdentityHost {
  readonly id: string;
  readonly logger: Logger;
  epoch(): string;
  running(): boolean;
  emitError(error: Error): void;
  /** Says `online` again, so another instance of our id learns of us. */
  announce(): void;
}

export class Identity {
  /** Epochs of other live instances of this orb's id seen since the latest start. */
  private readonly others = new Set<string>();

  constructor(private readonly host: IdentityHost) {}

  /** A new start: nothing seen yet. */
  reset(): void {
    this.others.clear();
  }

  /** Reports a duplicate id: a warning in the log and an `error` event. */
  report(error: DuplicateIdError): void {
    this.host.logger.warn(error.message);
    this.host.emitError(error);
  }

  /**
   * A message from this orb's own id. Under another epoch (other than an offline presence,
   * an old instance's goodbye or will) another live orb uses our id: reported once per
   * instance; its `online` presence is answered with ours.
   */
  sameId(message: OrbitalisMessage): void {
    const { id } = this.host;
    const epoch = this.host.epoch();
    if (message.epoch === epoch || (message.kind === "presence" && message.status === "offline")) return;
    if (this.others.has(message.epoch)) return;
    this.others.add(message.epoch);
    this.report(
      new DuplicateIdError(
        id,
        epoch,
        message.epoch,
        `${id}: another live orb uses this id (epoch ${message.epoch}; this one is ${epoch}): give every orb its own id`,
      ),
    );
    if (message.kind === "presence" && this.host.running()) this.host.announce();
  }
}
