/**
 * The implementation under test, as a child process: started from a shell command, driven
 * with JSON lines on stdin, heard with JSON lines on stdout (conformance/ADAPTER.md).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

/** A JSON object the implementation printed on stdout (an answer or an unprompted event). */
export interface ImplementationEvent {
  readonly event: string;
  readonly [field: string]: unknown;
}

/** One event as received, with when (ms since the scenario started). */
export interface ReceivedEvent {
  readonly at: number;
  readonly event: ImplementationEvent;
}

/** Lines of stderr kept at most (the last ones win). */
const STDERR_LINES = 200;

/**
 * One run of the implementation command. Events are recorded in arrival order; waiters
 * are woken on each. Lines on stdout that are not JSON objects with `event` are kept as
 * protocol faults of the adapter (reported with the scenario).
 */
export class Implementation {
  readonly events: ReceivedEvent[] = [];
  readonly faults: string[] = [];
  readonly stderr: string[] = [];
  private child: ChildProcess | undefined;
  private exit: { code: number | null; signal: string | null } | undefined;
  private waiters = new Set<() => void>();

  /**
   * @param command shell command line that starts the adapter
   * @param clock milliseconds since the scenario started
   * @param onEvent called with every event as it arrives (transcript)
   */
  constructor(
    readonly command: string,
    private readonly clock: () => number,
    private readonly onEvent: (e: ReceivedEvent) => void = () => undefined,
  ) {}

  /** Whether the process runs. */
  get alive(): boolean {
    return this.child !== undefined && this.exit === undefined;
  }

  /** How the last process ended, if it did. */
  get exited(): { code: number | null; signal: string | null } | undefined {
    return this.exit;
  }

  /** Starts the process (a new one each call; the previous must have ended). */
  spawn(): void {
    this.exit = undefined;
    const child = spawn(this.command, { shell: true, stdio: ["pipe", "pipe", "pipe"], detached: true });
    this.child = child;
    child.stdin.on("error", () => undefined); // a dead child's stdin: its exit is what counts
    createInterface({ input: child.stdout }).on("line", (line) => this.line(line));
    createInterface({ input: child.stderr }).on("line", (line) => {
      this.stderr.push(line);
      if (this.stderr.length > STDERR_LINES) this.stderr.shift();
    });
    child.on("exit", (code, signal) => {
      if (this.child === child) this.exit = { code, signal };
      this.wake();
    });
    child.on("error", (error) => {
      this.faults.push(`cannot start ${JSON.stringify(this.command)}: ${error.message}`);
      if (this.child === child) this.exit = { code: null, signal: null };
      this.wake();
    });
  }

  private line(line: string): void {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      this.faults.push(`stdout line is not JSON: ${line.slice(0, 200)}`);
      return;
    }
    if (
      value === null ||
      typeof value !== "object" ||
      typeof (value as { event?: unknown }).event !== "string"
    ) {
      this.faults.push(`stdout line is not an event object: ${line.slice(0, 200)}`);
      return;
    }
    const received = { at: this.clock(), event: value as ImplementationEvent };
    this.events.push(received);
    this.onEvent(received);
    this.wake();
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Writes one command line. Returns false when the process is not running. */
  send(command: Record<string, unknown>): boolean {
    if (!this.alive || !this.child?.stdin?.writable) return false;
    this.child.stdin.write(`${JSON.stringify(command)}\n`);
    return true;
  }

  /**
   * Waits for the first event at index `from` or later that `accept` takes; resolves with
   * its index, or -1 after `ms` (or at once when the process ended and nothing matches).
   */
  waitFor(from: number, accept: (e: ImplementationEvent) => boolean, ms: number): Promise<number> {
    return new Promise((resolve) => {
      let next = from;
      const check = (): boolean => {
        for (; next < this.events.length; next++) if (accept(this.events[next]!.event)) return done(next);
        if (!this.alive) return done(-1);
        return false;
      };
      const done = (index: number): true => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(index);
        return true;
      };
      const timer = setTimeout(() => done(-1), ms);
      this.waiters.add(check);
      check();
    });
  }

  /** Kills the process group with SIGKILL and waits until it is gone (at most 5 s). */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || this.exit !== undefined) return;
    const gone = new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      setTimeout(resolve, 5000);
    });
    try {
      // detached: the shell and what it started share a process group; kill them all
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    } catch {
      child.kill("SIGKILL");
    }
    await gone;
  }
}
