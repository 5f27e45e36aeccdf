/**
 * What every orb is configured with: its options, the protocol timing and its defaults,
 * and the options of the waits (deadline, cancellation) and of `close()`.
 */
import type { ConnectionRole } from "./connection.js";
import type { Bus } from "../bus/bus.js";
import type { Clock } from "../clock.js";
import { ConfigError } from "../errors.js";
import { checkOrbId } from "../ids.js";
import type { LoggerOption } from "../logger.js";
import type { AuthOptions } from "./auth.js";

/** Protocol timing, in milliseconds (see the spec's timing defaults). */
export interface TimingOptions {
  /** A core re-sends discover this often (jittered) while a requirement can take connections. */
  readonly discoverIntervalMs: number;
  /** A plugin reserves offered slots this long. */
  readonly holdMs: number;
  /** A remote silent this long is dead; remotes send keepalives every third of it. */
  readonly deadAfterMs: number;
  /** A graceful close without ack in this time falls back to graceless. */
  readonly gracefulCloseTimeoutMs: number;
  /** Default timeout of `request()`, `status()`, `ping()`. */
  readonly requestTimeoutMs: number;
  /** Close connections idle this long (0: never). */
  readonly closeUnusedAfterMs: number;
  /** With preferences set, offers (core) or discovers (plugin) are collected this long before choosing. */
  readonly offerWindowMs: number;
}

/** Section 3 defaults. */
export const DEFAULT_TIMING: TimingOptions = Object.freeze({
  discoverIntervalMs: 2000,
  holdMs: 5000,
  deadAfterMs: 6000,
  gracefulCloseTimeoutMs: 5000,
  requestTimeoutMs: 10000,
  closeUnusedAfterMs: 0,
  offerWindowMs: 200,
});

/** Options every orb takes. */
export interface OrbOptions {
  /** Orb id, unique in the system: 1-128 of `A-Z a-z 0-9 . _ -`, starting with a letter or digit. */
  readonly id: string;
  /** The orb's own bus client (one per orb, so each orb has its own will). */
  readonly bus: Bus;
  /** Topic root shared by the system (default `orbitalis`). */
  readonly root?: string;
  /** Protocol timing overrides. */
  readonly timing?: Partial<TimingOptions>;
  /** Time source (tests pass a ManualClock). */
  readonly clock?: Clock;
  /**
   * Random source of every jitter the orb applies to its timers (the discover interval, the
   * keepalive interval): a function returning a number in [0, 1), as `Math.random` does
   * (the default). With a seeded one beside a ManualClock, an orb's timer schedule is
   * reproducible.
   */
  readonly random?: () => number;
  /**
   * Where the orb logs (default: warnings and errors to the console). Takes `console`, a
   * pino or bunyan logger, or any object with `debug`, `info`, `warn`, `error`.
   */
  readonly logger?: LoggerOption;
  /**
   * Message authentication (off by default): every message signed with a shared key, and
   * unsigned, wrongly signed, stale or replayed ones dropped and reported. Every orb of a
   * system needs it (with a common key) once one has it.
   */
  readonly auth?: AuthOptions;
}

/** Options of the waits that take a deadline and a cancellation signal. */
export interface WaitOptions {
  /** Give up after this many ms (default `timing.requestTimeoutMs`). */
  readonly timeoutMs?: number;
  /** Abort the wait: it rejects with an `AbortError` (the signal's reason as `cause`). */
  readonly signal?: AbortSignal;
}

/** Options of `close()`. */
export interface CloseOptions {
  /** Let in-flight work finish and wait for the remote's ack (default true). */
  readonly graceful?: boolean;
  /** Free text sent to the remote. */
  readonly reason?: string;
  /** Data handed to the remote's disconnection event. */
  readonly data?: unknown;
  /**
   * Close only the connections where this orb has this role: `core` (it uses the remote's
   * operations) or `plugin` (it serves them). Default: both (only a hybrid has both).
   */
  readonly role?: ConnectionRole;
}

/** Checks timing overrides against the known options and their ranges; returns the effective timing. */
export function checkTiming(timing: Partial<TimingOptions> | undefined): TimingOptions {
  const out: Record<string, number> = { ...DEFAULT_TIMING };
  for (const [key, value] of Object.entries(timing ?? {})) {
    if (!(key in DEFAULT_TIMING))
      throw new ConfigError(
        `timing.${key}`,
        `unknown timing option (known: ${Object.keys(DEFAULT_TIMING).join(", ")})`,
      );
    if (value === undefined) continue;
    const min = key === "closeUnusedAfterMs" ? 0 : 1;
    if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > 86_400_000) {
      throw new ConfigError(
        `timing.${key}`,
        `must be a number of milliseconds from ${min} to 86400000, found ${JSON.stringify(value)}`,
      );
    }
    out[key] = Math.round(value);
  }
  return out as unknown as TimingOptions;
}

/**
 * Checks a wait's `timeoutMs`: a number of ms from 1 to 2147483647 (the largest delay a
 * timer takes).
 * @throws ConfigError naming `timeoutMs` otherwise.
 */
export function checkTimeoutMs(value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 1 || value > 2_147_483_647) {
    throw new ConfigError(
      "timeoutMs",
      `must be a number of milliseconds from 1 to 2147483647, found ${String(value)}`,
    );
  }
  return value;
}

/** Checks a topic root: non-empty `/` levels, no wildcards. @throws ConfigError. */
export function checkRoot(root: unknown): string {
  if (typeof root !== "string" || root === "" || /[+#\0]/.test(root) || root.split("/").some((l) => l === ""))
    throw new ConfigError(
      "root",
      `${JSON.stringify(root)} is not a usable topic root (non-empty levels, no + or #)`,
    );
  return root;
}

/** Checks what every orb is given: its id, its bus, its topic root, its timing and its random source. @throws ConfigError. */
export function checkOrbOptions(options: OrbOptions): {
  id: string;
  bus: Bus;
  root: string;
  timing: TimingOptions;
  random: () => number;
} {
  if (options === null || typeof options !== "object")
    throw new ConfigError("options", "an options object is required");
  const id = checkOrbId("id", options.id);
  const bus = options.bus;
  if (!bus || typeof bus.publishValue !== "function" || typeof bus.subscribeValue !== "function") {
    throw new ConfigError("bus", "a Bus is required (e.g. new LocalHub().bus(), new MqttBus({ url }))");
  }
  const random = options.random ?? Math.random;
  if (typeof random !== "function")
    throw new ConfigError("random", "must be a function returning a number in [0, 1), as Math.random");
  return {
    id,
    bus,
    root: checkRoot(options.root ?? "orbitalis"),
    timing: checkTiming(options.timing),
    random,
  };
}
