/**
 * Message authentication (the spec's optional extension): every message signed with a
 * shared key (HMAC-SHA256 over its RFC 8785 canonical JSON, the key named by id so keys can
 * rotate), and every message received checked -- signature, freshness (`ts` within the
 * replay window) and novelty (`from`, `epoch` and `id` not seen within the window): spec
 * rules AUTH-1..AUTH-5.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import canonicalize from "canonicalize";
import type { Clock } from "../clock.js";
import { ConfigError } from "../errors.js";
import type { OrbitalisMessage } from "../../generated/protocol/index.js";

/** Shared-key authentication of every message (off unless given). */
export interface AuthOptions {
  /**
   * Shared secrets by key id (`1-64` of `A-Z a-z 0-9 . _ -`), each at least 16 bytes.
   * Every key listed is accepted; add the new key everywhere, then switch `signWith`, then
   * remove the old one.
   */
  readonly keys: Readonly<Record<string, string | Uint8Array>>;
  /** The key id this orb signs with (default: the first of `keys`). */
  readonly signWith?: string;
  /**
   * How far a message's `ts` may be from this orb's clock, and how long its id is
   * remembered against replays (default 30,000 ms). Clocks must agree within it.
   */
  readonly replayWindowMs?: number;
}

/** Ids remembered against replays at most (the oldest go first). */
const MAX_SEEN = 100_000;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

export class Authenticator {
  private readonly keys = new Map<string, Buffer>();
  private readonly signWith: string;
  private readonly windowMs: number;
  /** `from\0epoch\0id` -> until when it is remembered, in arrival order. */
  private readonly seen = new Map<string, number>();

  /** @throws ConfigError naming the field when the options are invalid. */
  constructor(
    options: AuthOptions,
    private readonly clock: Clock,
  ) {
    if (
      options === null ||
      typeof options !== "object" ||
      options.keys === null ||
      typeof options.keys !== "object"
    )
      throw new ConfigError("auth.keys", "an object of shared keys by key id is required");
    for (const [kid, secret] of Object.entries(options.keys)) {
      if (!KEY_ID.test(kid))
        throw new ConfigError(`auth.keys.${kid}`, "a key id is 1-64 of A-Z a-z 0-9 . _ -");
      const bytes = typeof secret === "string" ? Buffer.from(secret, "utf8") : Buffer.from(secret);
      if (bytes.length < 16)
        throw new ConfigError(`auth.keys.${kid}`, "a shared key needs at least 16 bytes");
      this.keys.set(kid, bytes);
    }
    if (this.keys.size === 0) throw new ConfigError("auth.keys", "at least one key is required");
    this.signWith = options.signWith ?? this.keys.keys().next().value!;
    if (!this.keys.has(this.signWith))
      throw new ConfigError("auth.signWith", `${JSON.stringify(this.signWith)} is not one of auth.keys`);
    const window = options.replayWindowMs ?? 30_000;
    if (!Number.isInteger(window) || window < 1)
      throw new ConfigError(
        "auth.replayWindowMs",
        `must be a positive integer, found ${JSON.stringify(window)}`,
      );
    this.windowMs = window;
  }

  /** The message with its `sig`. */
  sign<M extends OrbitalisMessage>(message: M): M {
    return { ...message, sig: { kid: this.signWith, mac: this.mac(this.keys.get(this.signWith)!, message) } };
  }

  /** Why `message` must be dropped, or undefined when it is authentic, fresh and new. */
  check(message: OrbitalisMessage): string | undefined {
    const { sig, ...unsigned } = message;
    if (sig === undefined) return "it is not signed";
    const key = this.keys.get(sig.kid);
    if (!key) return `it is signed with an unknown key ${JSON.stringify(sig.kid)}`;
    let mac: string;
    try {
      mac = this.mac(key, unsigned);
    } catch (error) {
      // RFC 8785 takes I-JSON only: a number beyond the double range (1e400 parses as
      // Infinity) has no canonical form, so the message cannot be authentic.
      return `it has no canonical form (${(error as Error).message})`;
    }
    const expected = Buffer.from(mac);
    const given = Buffer.from(sig.mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given))
      return "its signature is wrong";
    // A will was signed when it was registered: it may be old; it only starts a grace period.
    const will = message.kind === "presence" && message.status === "offline" && message.graceful === false;
    if (will) return undefined;
    const now = this.clock.now();
    if (Math.abs(now - message.ts) > this.windowMs)
      return `its ts is ${now - message.ts} ms away from this orb's clock (replay window ${this.windowMs} ms)`;
    // Ids are unique per instance only (spec ENV-4): a restarted orb may count from zero.
    const id = `${message.from}\u0000${message.epoch}\u0000${message.id}`;
    if (this.seen.has(id)) return "it was received before (a replay)";
    this.remember(id, now, message.ts);
    return undefined;
  }

  /**
   * Remembers an id until the window has passed after the later of its arrival and its
   * `ts` (spec AUTH-5): a message stamped ahead of this clock stays fresh that much longer,
   * so it must be remembered that much longer too. Once an entry expires, a replay of it
   * is stale anyway.
   */
  private remember(id: string, now: number, ts: number): void {
    this.seen.set(id, Math.max(now, ts) + this.windowMs);
    // Forget what expired (oldest first) and never keep more than MAX_SEEN; an expired
    // entry behind a live one waits for a later pass, harmlessly.
    for (const [k, until] of this.seen) {
      if (until >= now && this.seen.size <= MAX_SEEN) break;
      this.seen.delete(k);
    }
  }

  private mac(key: Buffer, message: OrbitalisMessage): string {
    return createHmac("sha256", key).update(canonicalize(message)!).digest("base64url");
  }
}
