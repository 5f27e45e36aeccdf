/**
 * The idle reaper: with `closeUnusedAfterMs` set, it looks at the connections every
 * quarter of that time and closes, gracefully, the open ones that carried no input or
 * output for that long and have no work in flight, when their role lets them go (a core
 * keeps what its compliance needs).
 */
import type { TimerHandle } from "../clock.js";
import type { PartContext } from "./context.js";
import type { Connection } from "./connection.js";

export interface IdleReaperHost extends Pick<PartContext, "id" | "clock" | "logger" | "running"> {
  /** Close connections idle this long (0: never). */
  readonly idleMs: number;
  connections(): Iterable<Connection>;
  mayClose(connection: Connection): boolean;
  close(connection: Connection): void;
}

export class IdleReaper {
  private timer: TimerHandle | undefined;

  constructor(private readonly host: IdleReaperHost) {}

  /** Starts looking (nothing happens when `idleMs` is 0). */
  start(): void {
    const idle = this.host.idleMs;
    if (idle <= 0 || this.timer !== undefined) return;
    const period = Math.max(1, Math.floor(idle / 4));
    this.timer = this.host.clock.setTimeout(() => {
      this.timer = undefined;
      if (!this.host.running()) return;
      this.sweep(idle);
      this.start();
    }, period);
  }

  /** Stops looking. */
  stop(): void {
    if (this.timer !== undefined) this.host.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private sweep(idle: number): void {
    const now = this.host.clock.now();
    for (const c of [...this.host.connections()]) {
      if (c.state === "open" && c.inFlight === 0 && now - c.lastUsed >= idle && this.host.mayClose(c)) {
        this.host.logger.info(`${this.host.id}: closing unused connection ${c.remote}/${c.operation}`);
        this.host.close(c);
      }
    }
  }
}
