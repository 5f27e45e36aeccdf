/**
 * A scripted orb: the other side of a scenario. It sends what the steps say, filling in the
 * envelope and the topics of its own, and keeps up the routine of a live orb by itself:
 * answering keepalive-requests, sending keepalives while connected, acknowledging graceful
 * closes (each can be turned off, or all at once with `silence`).
 */
import { randomBytes } from "node:crypto";
import { fingerprint, type JsonSchema } from "orbitalis";
import type { PeerSpec, Role } from "./scenario.js";

type Msg = Record<string, unknown>;

/** Publishes a message value on a topic (the kit's bus). */
export type Publish = (topic: string, message: Msg, retain?: boolean) => Promise<void>;

/** A scripted orb of the kit. */
export class ScriptedPeer {
  readonly name: string;
  readonly id: string;
  epoch: string;
  readonly role: Role;
  /** Whether it still answers and keeps alive (false after `silence`). */
  private live: boolean;
  private readonly autoAck: boolean;
  private counter = 0;
  /** The implementation's keepaliveTo and deadAfterMs, from its discover or offer. */
  private implKeepaliveTo: string | undefined;
  private implDeadAfterMs = 1500;
  /** Operations connected with the implementation. */
  private readonly connected = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    spec: PeerSpec,
    role: Role,
    readonly root: string,
    private readonly implId: string,
    private readonly publish: Publish,
  ) {
    this.name = spec.name;
    this.id = spec.id;
    this.epoch = spec.epoch ?? randomBytes(6).toString("hex");
    this.role = role;
    this.live = spec.keepalive;
    this.autoAck = spec.autoAck;
  }

  /** The default topics of this orb (the spec's channel addresses), for templates. */
  get topics(): Record<string, string> {
    const r = this.root;
    return {
      offerTo: `${r}/core/${this.id}/offer`,
      responseTo: `${r}/core/${this.id}/response`,
      replyTo: `${r}/plugin/${this.id}/reply`,
      keepaliveTo: `${r}/orb/${this.id}/keepalive`,
      closeTo: `${r}/orb/${this.id}/close`,
      statusReplyTo: `${r}/orb/${this.id}/status-reply`,
      presence: `${r}/presence/${this.id}`,
    };
  }

  /** What templates see of this orb: id, epoch, role and its topics. */
  scope(): Msg {
    return { id: this.id, epoch: this.epoch, role: this.role, ...this.topics };
  }

  /** The envelope for a message of `kind` from this orb. */
  envelope(kind: string): Msg {
    return {
      v: 1,
      kind,
      id: `${this.epoch}-${++this.counter}`,
      from: this.id,
      epoch: this.epoch,
      ts: Date.now(),
    };
  }

  /** The fields a message of `kind` gets by default (its topics and timing), before the step's own. */
  defaults(kind: string, fields: Msg): Msg {
    const t = this.topics;
    const op = typeof fields.operation === "string" ? fields.operation : "echo";
    switch (kind) {
      case "discover":
        return { offerTo: t.offerTo, keepaliveTo: t.keepaliveTo, closeTo: t.closeTo, deadAfterMs: 3000 };
      case "offer":
        return {
          replyTo: t.replyTo,
          keepaliveTo: t.keepaliveTo,
          closeTo: t.closeTo,
          deadAfterMs: 3000,
          holdMs: 1000,
        };
      case "request":
        return {
          responseTo: t.responseTo,
          outputTopic: `${this.root}/core/${this.id}/op/${op}/out/${this.implId}`,
        };
      case "confirm":
        return { inputTopic: `${this.root}/plugin/${this.id}/op/${op}/in/${this.implId}` };
      case "keepalive-request":
        return { replyTo: t.keepaliveTo };
      case "status-request":
        return { replyTo: t.statusReplyTo };
      case "presence":
        return { role: this.role, status: "online" };
      case "close":
        return fields.graceful === true ? { ackTo: t.closeTo } : {};
      default:
        return {};
    }
  }

  /** The topic a message of `kind` goes to when the step does not say. */
  defaultTopic(kind: string): string | undefined {
    const r = this.root;
    if (kind === "discover") return `${r}/discover`;
    if (kind === "announce") return `${r}/announce`;
    if (kind === "presence") return this.topics.presence;
    if (kind === "status-request") return `${r}/orb/${this.implId}/status`;
    return undefined;
  }

  /** Stops every automatic answer and keepalive (the orb goes silent, as if dead). */
  silence(): void {
    this.live = false;
    this.schedule();
  }

  /**
   * Sees every message on the wire (its own included) and keeps its routine: connections,
   * keepalives, answers to keepalive-requests and graceful closes from the implementation.
   */
  observe(topic: string, m: Msg): void {
    const fromImpl = m.from === this.implId;
    const fromMe = m.from === this.id && m.epoch === this.epoch;
    const t = this.topics;
    if (fromImpl && (m.kind === "discover" || (m.kind === "offer" && topic === t.offerTo))) {
      if (typeof m.keepaliveTo === "string") this.implKeepaliveTo = m.keepaliveTo;
      if (typeof m.deadAfterMs === "number") this.implDeadAfterMs = m.deadAfterMs;
    }
    if (m.kind === "confirm" && ((fromImpl && topic === t.responseTo) || fromMe)) {
      this.connected.add(String(m.operation));
    } else if (m.kind === "close" && (fromMe || (fromImpl && topic === t.closeTo))) {
      if (m.graceful !== true || fromMe) this.disconnect(m.operations);
      if (fromImpl && m.graceful === true && this.autoAck && this.live && typeof m.ackTo === "string") {
        this.disconnect(m.operations);
        void this.send(m.ackTo, "close-ack", { re: m.id });
      }
    } else if (m.kind === "keepalive-request" && fromImpl && topic === t.keepaliveTo && this.live) {
      void this.send(String(m.replyTo), "keepalive", { re: m.id });
    }
    this.schedule();
  }

  private disconnect(operations: unknown): void {
    if (Array.isArray(operations)) for (const op of operations) this.connected.delete(String(op));
    else this.connected.clear();
  }

  /** Keepalives every third of the implementation's deadAfterMs while connected and live. */
  private schedule(): void {
    const want = this.live && this.connected.size > 0 && this.implKeepaliveTo !== undefined;
    if (want && this.timer === undefined) {
      this.timer = setInterval(
        () => {
          if (this.implKeepaliveTo) void this.send(this.implKeepaliveTo, "keepalive", {});
        },
        Math.max(50, Math.floor(this.implDeadAfterMs / 3)),
      );
    } else if (!want && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** Sends a message of `kind` with `fields` (envelope and nothing else added). */
  send(topic: string, kind: string, fields: Msg): Promise<void> {
    return this.publish(topic, { ...this.envelope(kind), ...fields }).catch(() => undefined);
  }

  /** Stops its timers. */
  dispose(): void {
    this.live = false;
    this.connected.clear();
    this.schedule();
  }
}

/**
 * `fields` with the fingerprint filled in where a schema entry of an operation (`input`,
 * `output`, `inputs`, `outputs`) has a `schema` and no `fingerprint`, so scenarios write
 * schemas and not hashes.
 */
export function withFingerprints(fields: Msg): Msg {
  const fill = (spec: unknown): unknown => {
    if (spec === null || typeof spec !== "object" || !Array.isArray((spec as Msg).schemas)) return spec;
    const schemas = ((spec as Msg).schemas as unknown[]).map((entry) => {
      const e = entry as Msg;
      if (e === null || typeof e !== "object" || e.schema === undefined || e.fingerprint !== undefined)
        return entry;
      return { fingerprint: fingerprint(e.schema as JsonSchema), schema: e.schema };
    });
    return { ...(spec as Msg), schemas };
  };
  if (!Array.isArray(fields.operations)) return fields;
  const operations = (fields.operations as unknown[]).map((op) => {
    if (op === null || typeof op !== "object") return op;
    const o = { ...(op as Msg) };
    for (const key of ["input", "output"]) if (key in o) o[key] = fill(o[key]);
    for (const key of ["inputs", "outputs"])
      if (Array.isArray(o[key])) o[key] = (o[key] as unknown[]).map(fill);
    return o;
  });
  return { ...fields, operations };
}
