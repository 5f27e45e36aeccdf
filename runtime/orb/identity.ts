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
  /** Epochs of other live instances of this orb's id reported since the latest start. */
  private readonly others = new Set<string>();
  /** Epochs whose `online` presence was answered with ours since the latest start. */
  private readonly answered = new Set<string>();
  /** Epochs whose late `offline` presence made us say `online` again since the latest start. */
  private readonly reclaimed = new Set<string>();
  /**
   * Whether a message of this instance came back to it since the latest start. The bus
   * delivers what was waiting for a new subscriber (a retained presence) before our own
   * first messages, so what comes from our id before that is older than this start.
   */
  private heardSelf = false;

  constructor(private readonly host: IdentityHost) {}

  /** A new start: nothing seen yet. */
  reset(): void {
    this.heardSelf = false;
    this.others.clear();
    this.answered.clear();
    this.reclaimed.clear();
  }

  /** Reports a duplicate id: a warning in the log and an `error` event. */
  report(error: DuplicateIdError): void {
    this.host.logger.warn(error.message);
    this.host.emitError(error);
  }

  /**
   * A message from this orb's own id under another epoch (spec rules ID-5 and ID-6):
   * - an `offline` presence is an old instance's goodbye or will: the broker may have just
   *   made that will the retained presence of our id, so we say `online` again (once);
   * - an `online` presence is answered with ours, once per epoch, so another live instance
   *   learns of us too (two instances must not answer each other without end);
   * - anything heard after our own messages came back means another live orb uses our id:
   *   reported once per instance. What came before (our previous instance's retained
   *   `online`, handed to us as we subscribed) is not evidence. No clocks are compared:
   *   another host's clock says nothing about ours.
   */
  sameId(message: OrbitalisMessage): void {
    const { id } = this.host;
    const epoch = this.host.epoch();
    if (message.epoch === epoch) {
      this.heardSelf = true;
      return;
    }
    const presence = message.kind === "presence" ? message : undefined;
    if (presence?.status === "offline") {
      if (this.host.running() && once(this.reclaimed, message.epoch)) this.host.announce();
      return;
    }
    if (presence && this.host.running() && once(this.answered, message.epoch)) this.host.announce();
    if (!this.heardSelf || !once(this.others, message.epoch)) return;
    this.report(
      new DuplicateIdError(
        id,
        epoch,
        message.epoch,
        `${id}: another live orb uses this id (epoch ${message.epoch}; this one is ${epoch}): give every orb its own id`,
      ),
    );
  }
}

/** Adds `value` to `set`; true when it was not there yet. */
function once(set: Set<string>, value: string): boolean {
  if (set.has(value)) return false;
  set.add(value);
  return true;
}
