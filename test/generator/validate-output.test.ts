/**
 * What `orbitalis validate` prints, line for line: one line when valid; when invalid a
 * heading, one line per error (JSON pointer, what was expected, what was found) and, when
 * no message was named and none matched, the closest message's errors and one line naming
 * the others. Wrong command lines and unreadable files: one problem line, the usage line,
 * exit 2.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../generator/cli.js";

const SMART_HOME = "examples/contracts/smart-home.asyncapi.yaml";
const PROTOCOL = "spec/orbitalis.asyncapi.yaml";
const USAGE =
  "usage: orbitalis validate <spec.yaml> <message.json | -> [--message Name] (orbitalis validate --help for more)";

/** A contract whose two messages share fields and differ by a `kind` discriminator. */
const JOBS = `asyncapi: 3.0.0
info: { title: Jobs, version: 1.0.0 }
channels:
  jobs: { address: null, messages: { Job: { $ref: "#/components/messages/Job" } } }
  done: { address: null, messages: { JobDone: { $ref: "#/components/messages/JobDone" } } }
operations:
  run_job: { action: receive, channel: { $ref: "#/channels/jobs" } }
  job_done: { action: send, channel: { $ref: "#/channels/done" } }
components:
  messages:
    Job:
      name: Job
      payload:
        type: object
        required: [kind, id, name]
        additionalProperties: false
        properties:
          kind: { const: job }
          id: { type: string }
          name: { type: string, minLength: 1, maxLength: 8 }
          ref: { type: string, format: uuid }
    JobDone:
      name: JobDone
      payload:
        type: object
        required: [kind, id, ok]
        additionalProperties: false
        properties:
          kind: { const: done }
          id: { type: string }
          ok: { type: boolean }
x-orbitalis:
  plugins:
    Worker: { operations: [run_job, job_done] }
`;

interface Run {
  code: number;
  out: string[];
  err: string[];
}

async function run(...args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["validate", ...args], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

let dir: string;
let jobs: string;
/** Writes a message file; returns its path. */
async function message(name: string, value: unknown): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, JSON.stringify(value));
  return file;
}

beforeAll(async () => {
  await mkdir(".tmp", { recursive: true });
  dir = await mkdtemp(join(".tmp", "validate-"));
  jobs = join(dir, "jobs.asyncapi.yaml");
  await writeFile(jobs, JOBS);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("orbitalis validate on a contract", () => {
  it("a one-field error without --message: the closest message's error and the others, in three lines", async () => {
    const r = await run(SMART_HOME, await message("b300.json", { r: 1, g: 2, b: 300 }));
    expect(r.code).toBe(1);
    expect(r.out).toEqual([
      "invalid: matches no message of the contract; closest is ColorRgb payload (1 error):",
      "  /b: expected at most 255, found 300",
      "also checked against LampStatus (5 errors), ColorHsv (6 errors)",
    ]);
    expect(r.err).toEqual([]);
  }, 60_000);

  it("the same error with --message: the heading and one line per error", async () => {
    const r = await run(
      SMART_HOME,
      await message("b300.json", { r: 1, g: 2, b: 300 }),
      "--message",
      "ColorRgb",
    );
    expect(r.code).toBe(1);
    expect(r.out).toEqual(["invalid ColorRgb payload (1 error):", "  /b: expected at most 255, found 300"]);
  }, 60_000);

  it("a missing field and an unknown one, against a named message", async () => {
    const r = await run(
      SMART_HOME,
      await message("hs.json", { h: 10, s: 0.5, x: 1 }),
      "--message",
      "ColorHsv",
    );
    expect(r.code).toBe(1);
    expect(r.out).toEqual([
      "invalid ColorHsv payload (2 errors):",
      "  /v: expected number, 0 to 1 (required field), found nothing",
      "  /x: expected no other fields than h, s, v, found 1",
    ]);
  }, 60_000);

  it("valid: one line naming the message", async () => {
    const r = await run(SMART_HOME, await message("rgb.json", { r: 1, g: 2, b: 3 }));
    expect(r).toEqual({ code: 0, out: ["valid ColorRgb payload"], err: [] });
  }, 60_000);

  it("the closest message is the one whose discriminator (kind) it shares", async () => {
    // One error against Job (kind), one against JobDone (ok missing): the kind decides.
    const r = await run(jobs, await message("done.json", { kind: "done", id: "j1", name: "x" }));
    expect(r.code).toBe(1);
    expect(r.out).toEqual([
      "invalid: matches no message of the contract; closest is JobDone payload (2 errors):",
      "  /ok: expected boolean (required field), found nothing",
      '  /name: expected no other fields than kind, id, ok, found "x"',
      "also checked against Job (1 error)",
    ]);
  }, 60_000);

  it("formats are checked, as the generated validators check them", async () => {
    const r = await run(jobs, await message("ref.json", { kind: "job", id: "j1", name: "a", ref: "x" }));
    expect(r.out).toEqual([
      "invalid: matches no message of the contract; closest is Job payload (1 error):",
      '  /ref: expected format uuid, found "x"',
      "also checked against JobDone (4 errors)",
    ]);
  }, 60_000);
});

describe("orbitalis validate on the protocol spec", () => {
  it("a protocol message with a bad field: by its kind, one line per error", async () => {
    const r = await run(PROTOCOL, "spec/conformance/offer/invalid-holdMs-string.json");
    expect(r.code).toBe(1);
    expect(r.out).toEqual([
      "invalid offer message (1 error):",
      '  /holdMs: expected integer, found "5000"',
      "conformance vector (`holdMs` is a string): expects invalid; the verdict agrees",
    ]);
  }, 60_000);

  it("a condition (if/then) is said with the error it causes", async () => {
    const r = await run(PROTOCOL, "spec/conformance/close/invalid-graceful-without-ackTo.json");
    expect(r.out.slice(0, 2)).toEqual([
      "invalid close message (1 error):",
      "  /ackTo: expected Topic (required field when graceful is true), found nothing",
    ]);
  }, 60_000);

  it("an unknown kind: the closest kind's errors and the others on one line", async () => {
    const r = await run(PROTOCOL, "spec/conformance/keepalive/invalid-wrong-kind.json");
    expect(r.code).toBe(1);
    expect(r.out[0]).toBe('invalid: no message kind "heartbeat"; closest is keepalive message (1 error):');
    expect(r.out[1]).toBe('  /kind: expected "keepalive", found "heartbeat"');
    expect(r.out[2]).toMatch(/^also checked against .* and \d+ more$/);
    expect(r.out).toHaveLength(4); // and the vector's verdict
  }, 60_000);

  it("valid: one line naming the kind", async () => {
    const r = await run(PROTOCOL, "spec/conformance/offer/valid-basic.json");
    expect(r.code).toBe(0);
    expect(r.out[0]).toBe("valid offer message");
  }, 60_000);
});

describe("orbitalis validate on wrong input: one problem line, the usage line, exit 2", () => {
  it("an unreadable message file", async () => {
    const missing = join(dir, "missing.json");
    expect(await run(PROTOCOL, missing)).toEqual({
      code: 2,
      out: [],
      err: [`orbitalis validate: no such file: ${missing} (the message)`, USAGE],
    });
    expect(await run(PROTOCOL, dir)).toEqual({
      code: 2,
      out: [],
      err: [`orbitalis validate: ${dir} is a directory: give the message file`, USAGE],
    });
  });

  it("missing arguments, an unknown option, an option without its value", async () => {
    expect((await run()).err).toEqual([
      "orbitalis validate: give a spec and a message file (or - for standard input)",
      USAGE,
    ]);
    expect((await run(PROTOCOL)).err).toEqual([
      `orbitalis validate: give the message file to check against ${PROTOCOL} (or - for standard input)`,
      USAGE,
    ]);
    expect((await run(PROTOCOL, "a.json", "--frobnicate")).err).toEqual([
      "orbitalis validate: unknown option --frobnicate",
      USAGE,
    ]);
    expect((await run(PROTOCOL, "a.json", "--message")).err).toEqual([
      "orbitalis validate: --message needs a value",
      USAGE,
    ]);
    for (const args of [[], [PROTOCOL], [PROTOCOL, "a.json", "b.json"]])
      expect((await run(...args)).code).toBe(2);
  });

  it("a file that is not JSON, or the spec given where the message goes", async () => {
    const text = join(dir, "not.json");
    await writeFile(text, "{ nope");
    const notJson = await run(PROTOCOL, text);
    expect(notJson.code).toBe(2);
    expect(notJson.err).toHaveLength(1);
    expect(notJson.err[0]).toMatch(new RegExp(`^error: ${text} is not JSON: `));
    const swapped = await run("spec/conformance/offer/valid-basic.json", PROTOCOL);
    expect(swapped).toEqual({
      code: 2,
      out: [],
      err: [
        `error: ${PROTOCOL} looks like an AsyncAPI spec, not a JSON message: the spec comes first (orbitalis validate <spec.yaml> <message.json>)`,
      ],
    });
  });
});
