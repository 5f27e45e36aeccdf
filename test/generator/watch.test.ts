/**
 * `orbitalis generate --watch` as a user runs it: a CLI process on a contract split into
 * files, edited while it runs. Each edit (of the contract or of a file it references)
 * brings one run that names the changed file and prints its result; a broken contract
 * prints the error and the watch goes on; a new `$ref` (to a file that exists, or not yet)
 * is watched from the next run on; SIGINT ends it with exit 0.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../generator/cli.js";
import { withTimeout } from "../helpers/wait.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const children: ChildProcess[] = [];
let dir: string;

beforeAll(async () => {
  await mkdir(join(REPO, ".tmp"), { recursive: true });
  dir = await mkdtemp(join(".tmp", "watch-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});

/** A running `orbitalis` process and what it printed; `next` awaits output in order. */
class Cli {
  readonly child: ChildProcess;
  output = "";
  /** Where `next` looks from: the end of the last match. */
  private cursor = 0;
  private readonly listeners = new Set<() => void>();

  constructor(args: string[]) {
    this.child = spawn(process.execPath, ["--import", "tsx", "generator/cli.ts", ...args], {
      cwd: REPO,
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(this.child);
    const take = (d: Buffer): void => {
      this.output += d.toString();
      for (const listener of [...this.listeners]) listener();
    };
    this.child.stdout?.on("data", take);
    this.child.stderr?.on("data", take);
  }

  /** Resolves with the first match of `pattern` printed after the previous match (and moves past it). */
  next(pattern: RegExp, ms = 30_000): Promise<RegExpExecArray> {
    const find = (): RegExpExecArray | undefined => {
      const m = new RegExp(pattern.source, pattern.flags.replace("g", "")).exec(
        this.output.slice(this.cursor),
      );
      if (!m) return undefined;
      this.cursor += m.index + m[0].length;
      return m;
    };
    let listener: (() => void) | undefined;
    const found = new Promise<RegExpExecArray>((resolve) => {
      const now = find();
      if (now) return resolve(now);
      listener = () => {
        const m = find();
        if (m) resolve(m);
      };
      this.listeners.add(listener);
    });
    return withTimeout(
      found,
      ms,
      `${String(pattern)} (printed after the last match: ${JSON.stringify(this.output.slice(this.cursor))})`,
    ).finally(() => {
      if (listener) this.listeners.delete(listener);
    });
  }

  /** Sends `signal` and resolves with the exit code. */
  stop(signal: NodeJS.Signals, ms = 15_000): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => {
      if (this.child.exitCode !== null) resolve(this.child.exitCode);
      else this.child.once("exit", (code) => resolve(code));
    });
    this.child.kill(signal);
    return withTimeout(exited, ms, `exit after ${signal} (printed: ${JSON.stringify(this.output)})`);
  }
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("orbitalis generate --watch", () => {
  it("regenerates on every change of the contract or a referenced file, survives errors, stops on SIGINT", async () => {
    const contract = join(dir, "weather");
    await cp("examples/contracts-multi/weather", contract, { recursive: true });
    const main_ = join(contract, "weather.asyncapi.yaml");
    const common = join(contract, "schemas", "common.yaml");
    const out = join(dir, "out");
    const done = new RegExp(`${escape(out)}: (\\d+) written, (\\d+) unchanged`);
    // Printed when a run (and the update of the watched files after it) is over.
    const ready = /waiting for changes \(Ctrl-C to stop\)\n/;
    const cli = new Cli(["generate", main_, "--out", out, "--watch", "--no-check-types"]);

    // The files it watches, then the first generation.
    await cli.next(
      new RegExp(
        `watching ${escape(main_)}, ${escape(common)}, ${escape(join(contract, "schemas", "place.json"))}\\n`,
      ),
    );
    const first = await cli.next(done);
    expect(first[1]).not.toBe("0");
    expect(first[2]).toBe("0");
    await cli.next(ready);

    // A referenced file changes, in a burst of writes as editors make: one run, naming it.
    const original = await readFile(common, "utf8");
    const edited = original.replace(
      "humidity: { type: number",
      "pressure: { type: number }\n    humidity: { type: number",
    );
    expect(edited).not.toBe(original);
    await writeFile(common, "");
    await writeFile(common, edited.slice(0, 40));
    await writeFile(common, edited);
    await cli.next(new RegExp(`changed: ${escape(common)}\\n`));
    const second = await cli.next(done);
    expect(Number(second[1])).toBeGreaterThan(0);
    expect(await readFile(join(out, "types.ts"), "utf8")).toMatch(/pressure\?: number;/);
    await cli.next(ready);

    // The contract breaks: the error, and the watch goes on.
    const text = await readFile(main_, "utf8");
    await writeFile(
      main_,
      text.replace('"./schemas/common.yaml#/Reading"', '"./schemas/common.yaml#/Readin"'),
    );
    await cli.next(new RegExp(`changed: ${escape(main_)}\\n`));
    await cli.next(
      /error: [^]*?"\.\/schemas\/common\.yaml#\/Readin" does not exist: .*common\.yaml has no #\/Readin/,
    );
    expect(cli.child.exitCode).toBeNull();
    await cli.next(ready);

    // Fixed: generated again.
    await writeFile(main_, text);
    await cli.next(new RegExp(`changed: ${escape(main_)}\\n`));
    await cli.next(done);
    await cli.next(ready);

    // A new $ref, to a file that does not exist yet: the error, and that file is watched for.
    const wind = join(contract, "schemas", "wind.yaml");
    await writeFile(
      common,
      edited.replace("\n  required:", '\n    wind: { $ref: "./wind.yaml#/Wind" }\n  required:'),
    );
    await cli.next(new RegExp(`changed: ${escape(common)}\\n`));
    await cli.next(new RegExp(`error: [^]*?\\$ref "\\./wind\\.yaml#/Wind": ${escape(wind)} does not exist`));
    await cli.next(new RegExp(`now also watching ${escape(wind)} \\(missing\\)`));
    await cli.next(ready);

    // Creating it brings a generation that uses it; from then on it is watched as any other.
    await writeFile(wind, "Wind:\n  type: object\n  properties:\n    speed: { type: number }\n");
    await cli.next(new RegExp(`changed: ${escape(wind)}\\n`));
    expect(Number((await cli.next(done))[1])).toBeGreaterThan(0);
    expect(await readFile(join(out, "types.ts"), "utf8")).toMatch(/speed\?: number;/);
    await cli.next(new RegExp(`now also watching ${escape(wind)}\\n`));
    await cli.next(ready);
    await writeFile(
      wind,
      "Wind:\n  type: object\n  properties:\n    speed: { type: number }\n    gust: { type: number }\n",
    );
    await cli.next(new RegExp(`changed: ${escape(wind)}\\n`));
    expect(Number((await cli.next(done))[1])).toBeGreaterThan(0);
    expect(await readFile(join(out, "types.ts"), "utf8")).toMatch(/gust\?: number;/);
    await cli.next(ready);

    // One run per change, none for nothing: six changes above.
    expect(cli.output.match(/^changed: /gm)).toHaveLength(6);

    // SIGINT: a clean exit.
    expect(await cli.stop("SIGINT")).toBe(0);
    expect(cli.output).toMatch(/stopped watching\n$/);
    expect(cli.output).not.toMatch(/\n\s+at /); // no stack trace
  }, 180_000);

  it("--watch with --check is a usage error", async () => {
    const lines: string[] = [];
    const code = await main(
      [
        "generate",
        "examples/contracts-multi/weather/weather.asyncapi.yaml",
        "--out",
        join(dir, "x"),
        "--watch",
        "--check",
      ],
      { out: (l) => lines.push(l), err: (l) => lines.push(l) },
    );
    expect(code).toBe(2);
    expect(lines.join("\n")).toMatch(/--watch writes: it cannot be combined with --check/);
  });
});
