/**
 * MqttBus's flow control: publishes are handed to mqtt.js in publish order, with at most
 * `maxInflight` of them awaiting the broker's acknowledgement at once (the broker's
 * receive maximum under MQTT 5); the others wait here, in order. `close()` lets what is in
 * flight finish for a while, then drops what still waits.
 *
 * It knows nothing of mqtt.js: the adapter gives it a {@link OutboxLink} that sends one
 * message and says whether it can send now.
 * @packageDocumentation
 */
import type { MqttQos } from "./mqtt-options.js";

/** A publish waiting for an in-flight slot. */
export interface OutboxItem {
  readonly topic: string;
  readonly buffer: Buffer;
  readonly retain: boolean;
  readonly qos: MqttQos;
  /** Unset when the publisher was already answered (published during an outage). */
  readonly resolve: (() => void) | undefined;
  readonly reject: ((error: Error) => void) | undefined;
}

/** What the outbox needs of its adapter. */
export interface OutboxLink {
  /** Whether there is a client to send with (false before the first connect). */
  ready(): boolean;
  /** Hands one message to the client; `done` is called once it is acknowledged or failed. */
  send(item: OutboxItem, done: (error: Error | undefined) => void): void;
  /** A message the client failed to deliver (`item.reject`, if set, is for the adapter to call). */
  failed(item: OutboxItem, error: Error): void;
}

/** Publishes in order, at most `maxInflight` unacknowledged. */
export class MqttOutbox {
  readonly #link: OutboxLink;
  /** Publishes not yet handed to the client, from `#head` on. */
  #items: OutboxItem[] = [];
  #head = 0;
  #inflight = 0;
  #maxInflight = 20;
  /** Called when nothing waits and nothing is in flight (close waits for it). */
  #idle: (() => void) | undefined;

  constructor(link: OutboxLink) {
    this.#link = link;
  }

  /** How many publishes may await their acknowledgement at once (at least 1). */
  setMaxInflight(max: number): void {
    this.#maxInflight = Math.max(1, max);
  }

  /** True while publishes wait or are in flight. */
  get busy(): boolean {
    return this.#inflight > 0 || this.#head < this.#items.length;
  }

  /** Queues a publish and sends what the in-flight limit allows. */
  push(item: OutboxItem): void {
    this.#items.push(item);
    this.#pump();
  }

  /** Hands queued publishes to the client while fewer than `maxInflight` await their ack. */
  #pump(): void {
    if (!this.#link.ready()) return;
    const items = this.#items;
    while (this.#inflight < this.#maxInflight && this.#head < items.length) {
      const item = items[this.#head] as OutboxItem;
      items[this.#head++] = undefined as unknown as OutboxItem;
      this.#inflight++;
      this.#link.send(item, (error) => {
        this.#inflight--;
        if (error) this.#link.failed(item, error);
        else item.resolve?.();
        this.#pump();
      });
    }
    if (this.#head === items.length) {
      items.length = 0;
      this.#head = 0;
      if (this.#inflight === 0) this.#idle?.();
    }
  }

  /** Resolves once nothing waits or is in flight, or after `ms` milliseconds. */
  async settled(ms: number): Promise<void> {
    if (!this.busy) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.#idle = resolve;
      timer = setTimeout(resolve, ms);
    });
    clearTimeout(timer);
    this.#idle = undefined;
  }

  /** Drops every publish still waiting; their publishers get `error()`. */
  dropWaiting(error: () => Error): void {
    for (let i = this.#head; i < this.#items.length; i++) this.#items[i]?.reject?.(error());
    this.#items = [];
    this.#head = 0;
  }

  /** Forgets what the closed client had in flight (before a new session). */
  reset(): void {
    this.#inflight = 0;
  }
}
