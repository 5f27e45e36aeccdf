/**
 * Everything published under a scenario's root, in arrival order, as the kit saw it on its
 * bus: the implementation's messages, the scripted orbs' and anything else.
 */
import { mismatch, short, topicMatches } from "./template.js";

type Msg = Record<string, unknown>;

/** One message seen on the bus. */
export interface WireEntry {
  /** Ms since the scenario started. */
  readonly at: number;
  readonly topic: string;
  /** The decoded JSON object, or undefined when the payload was not a JSON object. */
  readonly message: Msg | undefined;
  /** The payload as text, when it was not a JSON object. */
  readonly text?: string;
}

/** What an expect looks for. */
export interface WireQuery {
  readonly kind: string; // "any" for every kind
  readonly accept: (m: Msg) => boolean; // who sent it (impl, a peer, anyone)
  readonly topic?: string; // exact topic or MQTT filter
  readonly where?: unknown;
}

/** The recorded traffic of one scenario, with waits on it. */
export class Wire {
  readonly entries: WireEntry[] = [];
  /** Entries an expect has matched (not matched again by a later expect). */
  private readonly consumed = new Set<number>();
  private waiters = new Set<() => void>();

  constructor(private readonly clock: () => number) {}

  /** Records a payload that arrived on `topic`; returns the entry. */
  record(topic: string, payload: Uint8Array): WireEntry | undefined {
    if (payload.length === 0) return undefined; // a retained message being cleared
    const text = Buffer.from(payload).toString("utf8");
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    const isObject = value !== null && typeof value === "object" && !Array.isArray(value);
    const entry: WireEntry = isObject
      ? { at: this.clock(), topic, message: value as Msg }
      : { at: this.clock(), topic, message: undefined, text };
    this.entries.push(entry);
    for (const w of [...this.waiters]) w();
    return entry;
  }

  /** Why entry `e` does not answer `q` (undefined: it does). */
  why(e: WireEntry, q: WireQuery): string | undefined {
    const m = e.message;
    if (m === undefined) return "not a JSON object";
    if (q.kind !== "any" && m.kind !== q.kind) return `kind ${short(m.kind)}`;
    if (!q.accept(m)) return `from ${short(m.from)}`;
    if (q.topic !== undefined && !topicMatches(q.topic, e.topic)) return `topic ${e.topic}`;
    return q.where === undefined ? undefined : mismatch(m, q.where);
  }

  /**
   * Waits for the first entry from index `from` on that answers `q` and no expect took
   * yet; marks it taken (when `take`) and resolves with its index, or -1 after `ms`.
   */
  waitFor(from: number, q: WireQuery, ms: number, take = true): Promise<number> {
    return new Promise((resolve) => {
      let next = from;
      const check = (): void => {
        for (; next < this.entries.length; next++) {
          if (this.consumed.has(next) || this.why(this.entries[next]!, q) !== undefined) continue;
          if (take) this.consumed.add(next);
          done(next);
          return;
        }
      };
      const done = (index: number): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(index);
      };
      const timer = setTimeout(() => done(-1), ms);
      this.waiters.add(check);
      check();
    });
  }

  /**
   * What arrived from index `from` on that was a near miss for `q` (same kind, or from the
   * same sender), each with why it did not match: for failure messages.
   */
  nearMisses(from: number, q: WireQuery, max = 4): string[] {
    const out: string[] = [];
    for (let i = from; i < this.entries.length && out.length < max; i++) {
      const e = this.entries[i]!;
      const m = e.message;
      if (m === undefined || !q.accept(m)) continue;
      if (q.kind !== "any" && m.kind !== q.kind && out.length >= max - 1) continue;
      out.push(`${String(m.kind)} on ${e.topic} (${this.why(e, q) ?? "taken by an earlier expect"})`);
    }
    return out;
  }
}
