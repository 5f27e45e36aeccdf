/**
 * One id, one live orb: reports a second live instance of an id, whether it is this
 * orb's own (a message from our id under another epoch) or a connected remote's (found by
 * {@link Links} when the instance it knows answers a probe). A warning in the log and a
 * `DuplicateIdError` on the `error` event, once per instance.
 */
import { DuplicateIdError } from "../errors.js";
import type { PartContext } from "./context.js";
import type { OrbitalisMessage } from "../../generated/protocol/index.js";

export interface IdentityHost extends Pick<PartContext, "id" | "logger" | "running"> {
  epoch(): string;
  /** Hands `error` to the orb's `error` listeners, if any (it is logged already). */
  notify(error: Error): void;
  /** Says `online` again, so another instance of our id learns of us. */
  announce(): void;
}

export class Identity {
  /** Epochs of other live instances of this orb's id reported since the latest start. */
  private readonly others = new Set<string>();
  /** Epochs whose `online` presence was answered with ours since the latest start. */
  private readonly answered = new Set<string>();
  /**
   * Epochs whose `online` presence came while this orb was starting (not running yet): it
   * answers them once it runs. Two instances that start together hear each other's first
   * `online` before their own comes back; without an answer later, neither would learn of
   * the other.
   */
  private readonly unanswered = new Set<string>();
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
    this.unanswered.clear();
    this.reclaimed.clear();
  }

  /** The orb runs: answers (once) the `online` presences of our id that came while it started. */
  started(): void {
    let owed = false;
    for (const epoch of this.unanswered) if (once(this.answered, epoch)) owed = true;
    this.unanswered.clear();
    if (owed) this.host.announce();
  }

  /** Another live instance of this orb's id seen since the latest start (its epoch), if any. */
  twin(): string | undefined {
    return this.others.values().next().value;
  }

  /**
   * Reports a duplicate id: a warning in the log, and the error to `error` listeners (none
   * listening: the warning is the one report, not a second one with a stack).
   */
  report(error: DuplicateIdError): void {
    this.host.logger.warn(error.message);
    this.host.notify(error);
  }

  /**
   * A message from this orb's own id under another epoch (spec rules ID-5 and ID-6):
   * - an `offline` presence is an old instance's goodbye or will: the broker may have just
   *   made that will the retained presence of our id, so we say `online` again (once);
   * - an `online` presence is answered with ours, once per epoch (once running, for one heard
   *   while starting), so another live instance learns of us too (two instances must not
   *   answer each other without end);
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
      // That instance is gone: it is no twin any more (traffic for a connection this orb
      // does not hold is then a half-open connection again, reported as such), and should
      // it come back under the same epoch it is answered again.
      this.others.delete(message.epoch);
      this.answered.delete(message.epoch);
      if (this.host.running() && once(this.reclaimed, message.epoch)) this.host.announce();
      return;
    }
    if (presence && this.host.running()) {
      if (once(this.answered, message.epoch)) this.host.announce();
    } else if (presence && this.unanswered.size < MAX_UNANSWERED) this.unanswered.add(message.epoch);
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

/** Presences of our id answered once started, at most (a start hears few). */
const MAX_UNANSWERED = 16;
/**
 * Epochs remembered per set, at most: a duplicate in a crash loop comes back under a new
 * epoch each time, and the oldest are forgotten first (one more report or announce, at
 * worst).
 */
const MAX_REMEMBERED = 64;

/** Adds `value` to `set` (bounded, oldest out); true when it was not there yet. */
function once(set: Set<string>, value: string): boolean {
  if (set.has(value)) return false;
  if (set.size >= MAX_REMEMBERED) set.delete(set.values().next().value!);
  set.add(value);
  return true;
}
