/**
 * A scripted orb speaking raw protocol messages on a bus, to drive and observe the real
 * orbs message by message.
 */
import type { Bus } from "../../runtime/bus/bus.js";
import {
  closeTopic,
  discoverTopic,
  keepaliveTopic,
  offerTopic,
  replyTopic,
  type MessageByKind,
  type MessageKind,
  type OfferedOperation,
  type OfferMessage,
  type OrbitalisMessage,
} from "../../generated/protocol/index.js";
import { withTimeout } from "./wait.js";

type Fields<K extends MessageKind> = Omit<MessageByKind[K], "v" | "kind" | "id" | "from" | "epoch" | "ts">;

export class RawOrb {
  readonly received: { topic: string; message: OrbitalisMessage }[] = [];
  private waiters: (() => void)[] = [];
  private n = 0;

  /**
   * `id` and `epoch` may be changed between messages: one RawOrb then speaks as many
   * orbs (a flood of invented ids).
   */
  constructor(
    readonly bus: Bus,
    public id: string,
    public epoch = "rawEpoch1",
  ) {}

  /** Connects and listens on `filters`. */
  async listen(...filters: string[]): Promise<this> {
    await this.bus.connect();
    for (const f of filters) {
      await this.bus.subscribeValue(f, (topic, value) => {
        this.received.push({ topic, message: value as OrbitalisMessage });
        for (const w of this.waiters.splice(0)) w();
      });
    }
    return this;
  }

  /** Connects and listens where a plugin with this id hears its traffic, and on discover. */
  listenAsPlugin(root = "orbitalis"): Promise<this> {
    return this.listen(`${root}/plugin/${this.id}/#`, `${root}/orb/${this.id}/+`, discoverTopic({ root }));
  }

  /**
   * Offers `operations` (default: echo, any input and output) to `offerTo`, answering the
   * discover `re`, with this plugin's default topics.
   */
  offer(
    offerTo: string,
    re: string,
    options: { holdMs?: number; operations?: OfferedOperation[]; root?: string } = {},
  ): Promise<OfferMessage> {
    const root = options.root ?? "orbitalis";
    const operations = options.operations ?? [{ name: "echo", input: { any: true }, output: { any: true } }];
    return this.send(offerTo, "offer", {
      re,
      replyTo: replyTopic({ root, plugin: this.id }),
      keepaliveTo: keepaliveTopic({ root, orb: this.id }),
      closeTo: closeTopic({ root, orb: this.id }),
      deadAfterMs: 6000,
      holdMs: options.holdMs ?? 5000,
      operations: operations,
    });
  }

  /** Discovers `echo` (any input and output) as a core, with this orb's default topics. */
  discoverEcho(root = "orbitalis"): Promise<OrbitalisMessage> {
    return this.send(discoverTopic({ root }), "discover", {
      offerTo: offerTopic({ root, core: this.id }),
      keepaliveTo: keepaliveTopic({ root, orb: this.id }),
      closeTo: closeTopic({ root, orb: this.id }),
      deadAfterMs: 6000,
      operations: [{ name: "echo", inputs: [{ any: true }], outputs: [{ any: true }] }],
    });
  }

  /** Builds a message with this orb's envelope. */
  make<K extends MessageKind>(kind: K, fields: Fields<K>): MessageByKind[K] {
    return {
      v: 1,
      kind,
      id: `${this.id}-${++this.n}`,
      from: this.id,
      epoch: this.epoch,
      ts: Date.now(),
      ...fields,
    } as MessageByKind[K];
  }

  /** Publishes a message of `kind`; returns it. */
  async send<K extends MessageKind>(topic: string, kind: K, fields: Fields<K>): Promise<MessageByKind[K]> {
    const message = this.make(kind, fields);
    await this.bus.publishValue(topic, message);
    return message;
  }

  /** Messages of `kind` received so far (anything else heard on its filters, even not an object, is skipped). */
  all<K extends MessageKind>(kind: K): MessageByKind[K][] {
    return this.received
      .filter((r) => (r.message as { kind?: unknown } | null)?.kind === kind)
      .map((r) => r.message as MessageByKind[K]);
  }

  /** Resolves with the first message of `kind` (received now or later) matching `match`. */
  async next<K extends MessageKind>(
    kind: K,
    match: (m: MessageByKind[K]) => boolean = () => true,
    ms = 3000,
  ): Promise<MessageByKind[K]> {
    const find = (): MessageByKind[K] | undefined => this.all(kind).find(match);
    return withTimeout(
      new Promise<MessageByKind[K]>((resolve) => {
        const check = (): void => {
          const m = find();
          if (m) resolve(m);
          else this.waiters.push(check);
        };
        check();
      }),
      ms,
      `${this.id} to receive ${kind}`,
    );
  }
}
