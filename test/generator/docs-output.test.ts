/**
 * What `orbitalis docs` writes for a contract: how each side uses an operation (a handler
 * for `receive`, `emit` and `onOutput` for `send`, never a handler for a send operation),
 * plugin options, per-operation policy and requirements in words (no raw JSON), hybrid
 * types, and field tables with every constraint, nested objects and arrays included.
 * Wrong command lines: one problem line, the usage line, exit 2.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../generator/cli.js";

const JOBS = `asyncapi: 3.0.0
info:
  title: Jobs
  version: 1.0.0
  description: Workers run jobs for a scheduler.
channels:
  jobs: { address: null, messages: { Job: { $ref: "#/components/messages/Job" } } }
  done: { address: null, messages: { JobDone: { $ref: "#/components/messages/JobDone" } } }
  steps: { address: null, messages: { Step: { $ref: "#/components/messages/Step" } } }
operations:
  run_job:
    action: receive
    summary: Run one job.
    channel: { $ref: "#/channels/jobs" }
  job_done:
    action: send
    summary: Pushed when a job ends.
    channel: { $ref: "#/channels/done" }
  run_step:
    action: receive
    summary: Run one step of a job.
    channel: { $ref: "#/channels/steps" }
    reply: { channel: { $ref: "#/channels/done" } }
components:
  messages:
    Job:
      name: Job
      payload:
        type: object
        required: [kind, id, name, tags, limits]
        additionalProperties: false
        properties:
          kind: { const: job }
          id: { type: string, format: uuid }
          name: { type: string, minLength: 1, maxLength: 64, pattern: "^[a-z][a-z0-9-]*$", description: The job's name. }
          priority: { type: integer, minimum: 0, maximum: 9, default: 5 }
          weight: { type: number, exclusiveMinimum: 0, exclusiveMaximum: 1, multipleOf: 0.01 }
          tags: { type: array, items: { type: string, maxLength: 16 }, minItems: 1, maxItems: 8, uniqueItems: true }
          limits:
            type: object
            additionalProperties: false
            required: [cpu]
            properties:
              cpu: { type: integer, minimum: 1 }
              memory: { type: string, enum: [small, large] }
          steps:
            type: array
            items:
              type: object
              required: [run]
              additionalProperties: false
              properties:
                run: { type: string }
                timeoutMs: { type: integer, minimum: 1 }
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
    Step:
      name: Step
      payload: { type: integer, minimum: 1 }
x-orbitalis:
  plugins:
    Worker:
      operations: [run_job, job_done]
      maxCores: 4
      block: [legacy-scheduler]
      prefer: [scheduler-1, scheduler-2]
      policy:
        run_job: { maxCores: 1, allow: [scheduler-1, scheduler-2] }
  cores:
    Scheduler:
      requires:
        run_job: { minimum: 2, maximum: 5, mandatory: [worker-a], prefer: [worker-b] }
        job_done: { minimum: 0, block: [worker-z] }
  hybrids:
    Stepper:
      description: Runs steps and has workers run whole jobs.
      operations: [run_step]
      maxCores: 2
      requires:
        run_job: { minimum: 1 }
      offerWhen: compliant
`;

let dir: string;
let md: string;

/** The table row whose first cell is `name` (cells trimmed). */
function row(markdown: string, name: string, after = ""): string[] {
  const start = after === "" ? 0 : markdown.indexOf(after);
  const line = markdown
    .slice(start)
    .split("\n")
    .find((l) => l.startsWith(`| ${name} `));
  if (line === undefined) throw new Error(`no row ${name}${after ? ` after ${after}` : ""}`);
  return line
    .slice(1, -1)
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

beforeAll(async () => {
  await mkdir(".tmp", { recursive: true });
  dir = await mkdtemp(join(".tmp", "docs-"));
  await writeFile(join(dir, "jobs.asyncapi.yaml"), JOBS);
  const out = join(dir, "jobs.md");
  const lines: string[] = [];
  const code = await main(["docs", join(dir, "jobs.asyncapi.yaml"), "--out", out], {
    out: (l) => lines.push(l),
    err: (l) => lines.push(l),
  });
  expect(code, lines.join("\n")).toBe(0);
  md = await readFile(out, "utf8");
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("orbitalis docs: operations", () => {
  it("a send operation is pushed with emit and received with onOutput; it has no handler", () => {
    expect(md).not.toContain("jobDone");
    const section = md.slice(md.indexOf("### `job_done`"), md.indexOf("### `run_step`"));
    expect(section).toContain('- **Plugin:** pushes it with `emit("job_done", data)` (no handler).');
    expect(section).toContain('- **Core:** receives it with `onOutput("job_done", (data, ctx) => ...)`.');
    expect(row(md, "`job_done`", "### Worker")[1]).toBe(
      'pushes it with `emit("job_done", data)` (no handler)',
    );
  });

  it("a receive operation has its camelCase handler; cores execute it, or request it when it answers", () => {
    const runJob = md.slice(md.indexOf("### `run_job`"), md.indexOf("### `job_done`"));
    expect(runJob).toContain("- **Plugin:** handles it with `runJob(input, ctx)`.");
    expect(runJob).toContain('- **Core:** calls it with `execute("run_job", data)`.');
    expect(md).toMatch(/### `run_step`[\s\S]*\*\*Core:\*\* calls it with `request\("run_step", data\)`/);
  });
});

describe("orbitalis docs: options in words, never raw JSON", () => {
  it("plugin options and per-operation policy", () => {
    const worker = md.slice(md.indexOf("### Worker"), md.indexOf("## Core types"));
    expect(worker).not.toMatch(/[{}]/);
    expect(worker).toContain(
      "- Serves at most 4 cores in total (connected or reserved), over all its operations.",
    );
    expect(worker).toContain("- Never serves cores `legacy-scheduler`.");
    expect(worker).toContain(
      "- Prefers cores `scheduler-1`, then `scheduler-2` when more cores ask than it can serve.",
    );
    expect(row(worker, "`run_job`")).toEqual([
      "`run_job`",
      "handles it with `runJob(input, ctx)`",
      "`Job`",
      "none",
      "at most 1 core; only cores `scheduler-1`, `scheduler-2`",
    ]);
  });

  it("a core's requirements: connections (minimum, maximum) and plugins (mandatory, allow, block, prefer)", () => {
    const scheduler = md.slice(md.indexOf("### Scheduler"), md.indexOf("## Hybrid types"));
    expect(scheduler).not.toMatch(/[{}]/);
    expect(row(scheduler, "`run_job`").slice(0, 3)).toEqual([
      "`run_job`",
      "2 to 5",
      "must include `worker-a`; prefers `worker-b`",
    ]);
    expect(row(scheduler, "`job_done`").slice(0, 3)).toEqual([
      "`job_done`",
      "optional (0 or more)",
      "never plugins `worker-z`",
    ]);
  });

  it("a hybrid type: what it lends, what it requires, when it offers", () => {
    const stepper = md.slice(md.indexOf("### Stepper"), md.indexOf("## Operations"));
    expect(stepper).toContain("Runs steps and has workers run whole jobs.");
    expect(stepper).toContain("It lends `run_step` like a plugin and requires `run_job` like a core.");
    expect(stepper).toContain("only while its requirements are met (`offerWhen: compliant`)");
    expect(stepper).toContain("- Serves at most 2 cores in total");
    expect(row(stepper, "`run_step`")[1]).toBe("handles it with `runStep(input, ctx)`");
    expect(row(stepper, "`run_job`", "What it requires").slice(0, 3)).toEqual([
      "`run_job`",
      "at least 1",
      "any",
    ]);
  });
});

describe("orbitalis docs: field tables with their constraints", () => {
  const job = (): string => md.slice(md.indexOf("### Job\n"), md.indexOf("### JobDone"));

  it("strings, numbers and arrays", () => {
    expect(row(job(), "`name`")).toEqual([
      "`name`",
      "string",
      "yes",
      "1 to 64 characters; matching `^[a-z][a-z0-9-]*$`",
      "The job's name.",
    ]);
    expect(row(job(), "`id`")[3]).toBe("format uuid");
    expect(row(job(), "`kind`").slice(1, 3)).toEqual(['"job"', "yes"]);
    expect(row(job(), "`priority`").slice(1, 4)).toEqual(["integer", "", "0 to 9; default `5`"]);
    expect(row(job(), "`weight`")[3]).toBe("above 0, below 1; a multiple of 0.01");
    expect(row(job(), "`tags`").slice(1, 4)).toEqual([
      "array of string",
      "yes",
      "1 to 8 items; no duplicates; each item: at most 16 characters",
    ]);
  });

  it("nested objects and arrays of objects have rows of their own; additionalProperties false is said", () => {
    expect(row(job(), "`limits`").slice(1, 4)).toEqual(["object", "yes", "no other fields"]);
    expect(row(job(), "`limits.cpu`").slice(1, 4)).toEqual(["integer", "yes", "at least 1"]);
    expect(row(job(), "`limits.memory`").slice(1, 3)).toEqual(['"small" or "large"', ""]);
    expect(row(job(), "`steps`").slice(1, 4)).toEqual(["array of object", "", "each item: no other fields"]);
    expect(row(job(), "`steps[].run`").slice(1, 3)).toEqual(["string", "yes"]);
    expect(row(job(), "`steps[].timeoutMs`")[3]).toBe("at least 1");
    expect(job()).toContain("\nNo other fields.\n");
  });

  it("a payload that is not an object: its type and constraints", () => {
    expect(md).toContain("### Step\n\nType: integer, at least 1.");
  });
});

describe("orbitalis docs: the protocol", () => {
  it("docs/protocol.md has the constraints column and the conditions", async () => {
    const protocol = await readFile("docs/protocol.md", "utf8");
    expect(row(protocol, "`timeoutMs`", "### input").slice(1, 4)).toEqual(["integer", "", "1 to 2147483647"]);
    expect(protocol).toContain("When `graceful` is true: `ackTo` is required.");
    expect(protocol).toContain("Never both `allow` and `block`.");
    expect(protocol).toContain("Type: string, 1 to 1024 characters, matching `^[^+#]+$(?!\\n)`.");
  });
});

describe("orbitalis docs on wrong input: one problem line, the usage line, exit 2", () => {
  const usage =
    "usage: orbitalis docs <spec.yaml> --out <file.md> [--check] (orbitalis docs --help for more)";
  async function run(...args: string[]): Promise<{ code: number; err: string[] }> {
    const err: string[] = [];
    const code = await main(["docs", ...args], { out: (l) => err.push(l), err: (l) => err.push(l) });
    return { code, err };
  }

  it("no spec, no --out, --out without a value, two specs", async () => {
    expect(await run()).toEqual({
      code: 2,
      err: ["orbitalis docs: give the spec to document (an AsyncAPI YAML or JSON file)", usage],
    });
    expect(await run("spec/orbitalis.asyncapi.yaml")).toEqual({
      code: 2,
      err: ["orbitalis docs: --out <file.md> is required: the Markdown file to write", usage],
    });
    expect(await run("spec/orbitalis.asyncapi.yaml", "--out")).toEqual({
      code: 2,
      err: ["orbitalis docs: --out needs a value", usage],
    });
    expect(await run("a.yaml", "b.yaml", "--out", "x.md")).toEqual({
      code: 2,
      err: ["orbitalis docs: one spec at a time; given: a.yaml b.yaml", usage],
    });
  });

  it("a directory where a file goes, a missing spec", async () => {
    expect(await run("examples/contracts/smart-home.asyncapi.yaml", "--out", dir)).toEqual({
      code: 2,
      err: [
        `orbitalis docs: --out ${dir} is a directory: give the Markdown file to write (e.g. ${join(dir, "smart-home.md")})`,
        usage,
      ],
    });
    expect(await run("spec", "--out", join(dir, "x.md"))).toEqual({
      code: 2,
      err: ["orbitalis docs: spec is a directory: give the spec file", usage],
    });
    const missing = join(dir, "missing.yaml");
    expect(await run(missing, "--out", join(dir, "x.md"))).toEqual({
      code: 2,
      err: [`orbitalis docs: no such file: ${missing} (the spec)`, usage],
    });
  });
});
