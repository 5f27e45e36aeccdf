/**
 * The context every part of an orb shares: who the orb is (id, topic root), its time and
 * random sources, its logger and timing, whether it runs, and how it builds and publishes
 * messages and reports errors. Each part's host interface extends the part of it it uses
 * (`Pick<PartContext, ...>`), so a signature is written once, here.
 */
import type { Clock } from "../clock.js";
import type { Logger } from "../logger.js";
import type { MessageByKind, MessageKind, OrbitalisMessage } from "../../generated/protocol/index.js";
import type { MessageFields } from "./envelope.js";
import type { TimingOptions } from "./options.js";

export interface PartContext {
  /** The orb id. */
  readonly id: string;
  /** Topic root. */
  readonly root: string;
  readonly clock: Clock;
  /** Random source of timer jitter (`OrbOptions.random`). */
  readonly random: () => number;
  readonly logger: Logger;
  /** Effective timing. */
  readonly timing: TimingOptions;
  /** True between a completed start and the beginning of stop. */
  running(): boolean;
  /** @throws NotRunningError when the orb is not running. */
  assertRunning(): void;
  /** A message of `kind` with `fields` and a fresh envelope (the orb's `Envelope`). */
  message<K extends MessageKind>(kind: K, fields: MessageFields<K>): MessageByKind[K];
  /** Publishes; resolves when the bus took it. Counts as life towards `to`. */
  send(topic: string, message: OrbitalisMessage, to?: string): Promise<void>;
  /** Publishes without awaiting; a failure is reported. */
  post(topic: string, message: OrbitalisMessage, to?: string): void;
  /** Reports an error on the orb's `error` event (or its logger when nobody listens). */
  reportError(error: unknown, context: string): void;
}
