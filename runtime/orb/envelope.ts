/**
 * The envelope every message an orb sends carries: protocol version, kind, a message id
 * unique for the orb's start, the sender's id and epoch, and the time.
 */
import type { Clock } from "../clock.js";
import { MessageIds } from "../ids.js";
import {
  PROTOCOL_REVISION,
  PROTOCOL_VERSION,
  type MessageByKind,
  type MessageKind,
  type OrbitalisMessage,
} from "../../generated/protocol/index.js";

/** The envelope fields: filled in by {@link Envelope.message}, never by the sender. */
type EnvelopeField = "v" | "kind" | "id" | "from" | "epoch" | "ts";

/** Fields of a message of kind `K` that the sender fills in (all but the envelope). */
export type MessageFields<K extends MessageKind> = Omit<MessageByKind[K], EnvelopeField>;

/**
 * Kinds that state the sender's protocol revision (`rev`, spec rule VER-4): presence and
 * status for anyone who watches, discover and offer so that both sides of every connection
 * learn the other's revision before it exists.
 */
const STATES_REVISION: ReadonlySet<MessageKind> = new Set<MessageKind>([
  "presence",
  "status",
  "discover",
  "offer",
]);

export class Envelope {
  private currentEpoch = "";
  private ids = new MessageIds("init");

  constructor(
    private readonly from: string,
    private readonly clock: Clock,
    /** Signs each message (message authentication), when configured. */
    private readonly sign?: <M extends OrbitalisMessage>(message: M) => M,
  ) {}

  /** Epoch of the current (or latest) start; empty before the first start. */
  get epoch(): string {
    return this.currentEpoch;
  }

  /** A new start: a new epoch, message ids counted from zero under it. */
  restart(epoch: string): void {
    this.currentEpoch = epoch;
    this.ids = new MessageIds(epoch);
  }

  /** A message of `kind` with `fields` and a fresh envelope. */
  message<K extends MessageKind>(kind: K, fields: MessageFields<K>): MessageByKind[K] {
    const message = {
      v: PROTOCOL_VERSION,
      kind,
      id: this.ids.next(),
      from: this.from,
      epoch: this.currentEpoch,
      ts: this.clock.now(),
      ...fields,
    } as MessageByKind[K];
    if (STATES_REVISION.has(kind)) (message as { rev?: string }).rev = PROTOCOL_REVISION;
    return this.sign ? this.sign(message) : message;
  }
}
