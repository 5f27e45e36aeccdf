/**
 * `orbitalis diff`: every rule of docs/contract-diff.md on a pair of contracts (or, for the
 * finer schema keywords, on a pair of schemas), the handshake verdicts checked against the
 * runtime's own matching (a core of one revision and a plugin of the other on a LocalHub),
 * the output formats, the exit statuses, and that every rule is documented and exercised.
 */
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return --
   the variants edit a parsed YAML document in place, as a person edits the file */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../generator/cli.js";
import { buildContractModel } from "../../generator/model/contract-model.js";
import type {
  ContractModel,
  DataModel,
  MessageModel,
  OperationModel,
} from "../../generator/model/contract-types.js";
import { exitStatus } from "../../generator/commands/diff.js";
import { diffContracts } from "../../generator/diff/contract-diff.js";
import { compareMessages } from "../../generator/diff/data-diff.js";
import { formatReport, reportJson } from "../../generator/diff/format.js";
import {
  allRuleIds,
  dataRule,
  dataVerdict,
  DATA_KINDS,
  type DataKindName,
  type Verdict,
} from "../../generator/diff/rules.js";
import { compareSchemas } from "../../generator/diff/schema-diff.js";
import { loadSpec } from "../../generator/load/load-spec.js";
import { Core, LocalHub, Plugin, silentLogger, type SchemaSpec } from "../../runtime/index.js";

// Each contract revision goes through the AsyncAPI parser (about a second on a busy machine).
vi.setConfig({ testTimeout: 120_000 });

/** Rule ids some test below produced and checked. */
const seen = new Set<string>();

function capture(): {
  io: { out: (l: string) => void; err: (l: string) => void };
  out: string[];
  err: string[];
} {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l) => out.push(l), err: (l) => err.push(l) }, out, err };
}

const ref = (to: string): { $ref: string } => ({ $ref: to });

/** The base revision: a thermostat, a color operation with a narrowing lamp, a core. */
function base(): Record<string, any> {
  return {
    asyncapi: "3.0.0",
    info: { title: "Thermostat", version: "1.0.0" },
    channels: {
      target: { address: null, messages: { Target: ref("#/components/messages/Target") } },
      query: { address: null, messages: { Query: ref("#/components/messages/Query") } },
      reading: { address: null, messages: { Reading: ref("#/components/messages/Reading") } },
      color: {
        address: null,
        messages: {
          ColorRgb: ref("#/components/messages/ColorRgb"),
          ColorHsv: ref("#/components/messages/ColorHsv"),
        },
      },
    },
    operations: {
      set_target: { action: "receive", channel: ref("#/channels/target") },
      read_temperature: {
        action: "receive",
        channel: ref("#/channels/query"),
        reply: { channel: ref("#/channels/reading") },
      },
      temperature_changed: { action: "send", channel: ref("#/channels/reading") },
      set_color: { action: "receive", channel: ref("#/channels/color") },
    },
    components: {
      messages: {
        // Closed: additionalProperties false.
        Target: {
          name: "Target",
          payload: {
            type: "object",
            properties: {
              celsius: { type: "number", minimum: 5, maximum: 30, description: "Degrees Celsius." },
              mode: { enum: ["heat", "cool"] },
            },
            required: ["celsius"],
            additionalProperties: false,
          },
        },
        Query: { name: "Query", summary: "No data." },
        // Open.
        Reading: {
          name: "Reading",
          payload: {
            type: "object",
            properties: {
              celsius: { type: "number", minimum: -50, maximum: 60 },
              target: { type: "number" },
              state: { enum: ["idle", "heating", "cooling"] },
            },
            required: ["celsius", "target"],
          },
        },
        ColorRgb: {
          name: "ColorRgb",
          payload: {
            type: "object",
            properties: {
              r: { type: "integer" },
              g: { type: "integer" },
              b: { type: "integer" },
              alpha: { type: "number" },
            },
            required: ["r", "g", "b"],
          },
        },
        ColorHsv: {
          name: "ColorHsv",
          payload: {
            type: "object",
            properties: { h: { type: "number" }, s: { type: "number" }, v: { type: "number" } },
            required: ["h", "s", "v"],
          },
        },
      },
    },
    "x-orbitalis": {
      plugins: {
        Thermostat: { operations: ["set_target", "read_temperature", "temperature_changed"], maxCores: 4 },
        Lamp: { operations: [{ name: "set_color", accepts: ["ColorRgb"] }] },
        Bulb: { operations: ["set_color"] },
      },
      cores: {
        Climate: {
          requires: {
            set_target: { minimum: 1 },
            read_temperature: { minimum: 1 },
            temperature_changed: { minimum: 0 },
            set_color: { minimum: 0 },
          },
        },
      },
    },
  };
}

type Edit = (doc: Record<string, any>) => void;

interface Run {
  code: number;
  out: string;
  json: {
    compatible: boolean;
    connected: boolean;
    changes: {
      verdict: Verdict;
      operation: string | null;
      message: string | null;
      direction: string | null;
      path: string | null;
      change: string;
      rule: string;
      scope?: string;
    }[];
    operations: { name: string; status: string; handshake: string | null; notes: string[] }[];
  };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "orbitalis-diff-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Files by content, and models by file: the AsyncAPI parser is slow, each revision is loaded once. */
const files = new Map<string, Promise<string>>();
const models = new Map<string, Promise<ContractModel>>();

function write(doc: Record<string, any>): Promise<string> {
  const text = stringify(doc);
  let file = files.get(text);
  if (!file) {
    const path = join(dir, `c${files.size}.asyncapi.yaml`);
    file = writeFile(path, text).then(() => path);
    files.set(text, file);
  }
  return file;
}

function model(file: string): Promise<ContractModel> {
  let found = models.get(file);
  if (!found) {
    found = loadSpec(file).then(buildContractModel);
    models.set(file, found);
  }
  return found;
}

function variant(...edits: Edit[]): Record<string, any> {
  const doc = base();
  for (const edit of edits) edit(doc);
  return doc;
}

/**
 * What `orbitalis diff` prints and exits with for two files (the command's own formatting
 * and exit status; the command line itself is tested below); the rules it reports count as seen.
 */
async function diffFiles(oldFile: string, newFile: string, strict = false): Promise<Run> {
  const report = diffContracts(await model(oldFile), await model(newFile));
  const parsed = JSON.parse(reportJson(report, strict)) as Run["json"];
  for (const c of parsed.changes) seen.add(c.rule);
  return { code: exitStatus(report, strict), out: formatReport(report, strict).join("\n"), json: parsed };
}

/** Diffs the base (with `before` edits) against the base with `before` and then `after` edits. */
async function diff(after: Edit, before: Edit = () => undefined, strict = false): Promise<Run> {
  return diffFiles(await write(variant(before)), await write(variant(before, after)), strict);
}

/** The one change with this rule (there must be exactly one). */
function only(run: Run, rule: string): Run["json"]["changes"][number] {
  const found = run.json.changes.filter((c) => c.rule === rule);
  expect(found, `${rule} in ${JSON.stringify(run.json.changes, null, 1)}`).toHaveLength(1);
  return found[0]!;
}

const payload = (doc: Record<string, any>, message: string): Record<string, any> =>
  doc.components.messages[message].payload;

describe("the issue's classifications", () => {
  it("an optional field added to an input: compatible (open schema, and closed)", async () => {
    const open = await diff((d) => (payload(d, "ColorRgb").properties.label = { type: "string" }));
    expect(open.code, open.out).toBe(0);
    expect(only(open, "DIFF-INPUT-FIELD-ADDED")).toMatchObject({
      verdict: "compatible",
      operation: "set_color",
      message: "ColorRgb",
      direction: "input",
      path: "#/properties/label",
      change: "optional field added: label",
    });
    // A closed input takes the field from new cores; deployed cores never send it.
    const closed = await diff((d) => (payload(d, "Target").properties.fan = { type: "boolean" }));
    expect(closed.code, closed.out).toBe(0);
    expect(only(closed, "DIFF-INPUT-FIELD-ADDED-CLOSED").verdict).toBe("compatible");
  });

  it("a new operation: compatible, with no handshake", async () => {
    const run = await diff((d) => {
      d.operations.set_mode = { action: "receive", channel: ref("#/channels/target") };
    });
    expect(run.code, run.out).toBe(0);
    expect(only(run, "DIFF-OP-ADDED")).toMatchObject({ verdict: "compatible", operation: "set_mode" });
    expect(run.json.operations.find((o) => o.name === "set_mode")).toMatchObject({
      status: "added",
      handshake: null,
    });
  });

  it("a widened enum: compatible in an input, breaking in an output", async () => {
    const input = await diff((d) => payload(d, "Target").properties.mode.enum.push("auto"));
    expect(input.code, input.out).toBe(0);
    expect(only(input, "DIFF-INPUT-ENUM-WIDENED")).toMatchObject({
      verdict: "compatible",
      path: "#/properties/mode",
      change: 'enum values added: "auto"',
    });
    const output = await diff((d) => payload(d, "Reading").properties.state.enum.push("defrosting"));
    expect(output.code).toBe(1);
    expect(output.json.changes.map((c) => [c.rule, c.verdict])).toEqual([
      ["DIFF-OUTPUT-ENUM-WIDENED", "breaking"],
      ["DIFF-OUTPUT-ENUM-WIDENED", "breaking"],
    ]);
    // The Reading of both operations that carry it.
    expect(output.json.changes.map((c) => c.operation)).toEqual(["read_temperature", "temperature_changed"]);
  });

  it("a required field added to an input: breaking", async () => {
    const run = await diff((d) => {
      payload(d, "Target").properties.zone = { type: "string" };
      payload(d, "Target").required.push("zone");
    });
    expect(run.code).toBe(1);
    expect(only(run, "DIFF-INPUT-REQUIRED-ADDED")).toMatchObject({
      verdict: "breaking",
      path: "#/properties/zone",
      change: "required field added: zone",
    });
    expect(run.json.compatible).toBe(false);
  });

  it("a type narrowed in an input: breaking, on a table line", async () => {
    const run = await diff((d) => (payload(d, "Target").properties.celsius.type = "integer"));
    expect(run.code).toBe(1);
    expect(only(run, "DIFF-INPUT-TYPE-NARROWED").verdict).toBe("breaking");
    expect(run.out).toMatch(
      /^breaking +set_target input Target #\/properties\/celsius +type narrowed: number -> integer +DIFF-INPUT-TYPE-NARROWED$/m,
    );
    expect(run.out).toMatch(/^verdict +where +change +rule$/m);
    expect(run.out).toMatch(/^1 breaking, 0 compatible changes; handshake: set_target re-fingerprinted$/m);
  });

  it("an operation removed: breaking; a rename is a removal and an addition, named as a likely rename", async () => {
    const removed = await diff((d) => {
      delete d.operations.set_color;
      delete d["x-orbitalis"].plugins.Lamp;
      delete d["x-orbitalis"].plugins.Bulb;
      delete d["x-orbitalis"].cores.Climate.requires.set_color;
    });
    expect(removed.code).toBe(1);
    expect(only(removed, "DIFF-OP-REMOVED")).toMatchObject({ verdict: "breaking", operation: "set_color" });
    expect(removed.json.operations.find((o) => o.name === "set_color")?.status).toBe("removed");
    const renamed = await diff((d) => {
      d.operations.change_target = d.operations.set_target;
      delete d.operations.set_target;
      d["x-orbitalis"].plugins.Thermostat.operations[0] = "change_target";
      d["x-orbitalis"].cores.Climate.requires = {
        change_target: { minimum: 1 },
        ...d["x-orbitalis"].cores.Climate.requires,
      };
      delete d["x-orbitalis"].cores.Climate.requires.set_target;
    });
    expect(renamed.code).toBe(1);
    expect(only(renamed, "DIFF-OP-REMOVED")).toMatchObject({
      operation: "set_target",
      change: expect.stringContaining("likely renamed to change_target") as unknown,
    });
    expect(only(renamed, "DIFF-OP-ADDED").change).toMatch(/likely the new name of set_target/);
    // Thermostat no longer lending set_target is the removal itself, not reported again.
    expect(renamed.json.changes.map((c) => c.rule)).not.toContain("DIFF-PLUGIN-OP-DROPPED");
  });

  it("an output field removed, or made optional: breaking", async () => {
    const removed = await diff((d) => {
      delete payload(d, "Reading").properties.target;
      payload(d, "Reading").required = ["celsius"];
    });
    expect(removed.code).toBe(1);
    const change = removed.json.changes.find((c) => c.operation === "read_temperature")!;
    expect(change).toMatchObject({
      verdict: "breaking",
      rule: "DIFF-OUTPUT-REQUIRED-REMOVED",
      change: "required field removed: target",
    });
    const optional = await diff((d) => (payload(d, "Reading").required = ["celsius"]));
    expect(optional.code).toBe(1);
    expect(optional.json.changes[0]).toMatchObject({
      rule: "DIFF-OUTPUT-REQUIRED-REMOVED",
      change: "field made optional: target",
    });
  });
});

describe("fields: inputs must not narrow, outputs must not widen", () => {
  it("an optional field added to an open output: compatible; to a closed one: breaking", async () => {
    const open = await diff((d) => (payload(d, "Reading").properties.humidity = { type: "number" }));
    expect(open.code, open.out).toBe(0);
    expect(open.json.changes.every((c) => c.rule === "DIFF-OUTPUT-FIELD-ADDED")).toBe(true);
    expect(open.json.changes).toHaveLength(2);
    const closed = await diff(
      (d) => (payload(d, "Reading").properties.humidity = { type: "number" }),
      (d) => (payload(d, "Reading").additionalProperties = false),
    );
    expect(closed.code).toBe(1);
    expect(closed.json.changes.map((c) => [c.rule, c.verdict])).toEqual([
      ["DIFF-OUTPUT-FIELD-ADDED-CLOSED", "breaking"],
      ["DIFF-OUTPUT-FIELD-ADDED-CLOSED", "breaking"],
    ]);
  });

  it("an optional field removed: an open input compatible, an open output breaking (no longer checked)", async () => {
    const input = await diff((d) => delete payload(d, "ColorRgb").properties.alpha);
    expect(input.code, input.out).toBe(0);
    expect(only(input, "DIFF-INPUT-FIELD-REMOVED").verdict).toBe("compatible");
    const output = await diff((d) => delete payload(d, "Reading").properties.state);
    expect(output.code).toBe(1);
    expect(output.json.changes[0]).toMatchObject({ rule: "DIFF-OUTPUT-FIELD-REMOVED", verdict: "breaking" });
  });

  it("an optional field removed from a closed schema: an input breaking, an output compatible", async () => {
    const input = await diff((d) => delete payload(d, "Target").properties.mode);
    expect(input.code).toBe(1);
    expect(only(input, "DIFF-INPUT-FIELD-REMOVED-CLOSED").verdict).toBe("breaking");
    const output = await diff(
      (d) => delete payload(d, "Reading").properties.state,
      (d) => (payload(d, "Reading").additionalProperties = false),
    );
    expect(output.code, output.out).toBe(0);
    expect(output.json.changes[0]).toMatchObject({
      rule: "DIFF-OUTPUT-FIELD-REMOVED-CLOSED",
      verdict: "compatible",
    });
  });

  it("a field made optional in an input: compatible; made required in an output: compatible", async () => {
    const input = await diff((d) => (payload(d, "Target").required = []));
    expect(input.code, input.out).toBe(0);
    expect(only(input, "DIFF-INPUT-REQUIRED-REMOVED")).toMatchObject({
      change: "field made optional: celsius",
    });
    const output = await diff((d) => payload(d, "Reading").required.push("state"));
    expect(output.code, output.out).toBe(0);
    expect(output.json.changes[0]).toMatchObject({
      rule: "DIFF-OUTPUT-REQUIRED-ADDED",
      verdict: "compatible",
      change: "field made required: state",
    });
  });

  it("types: narrowed in an output compatible, widened in an input compatible and in an output breaking, changed breaking", async () => {
    const narrowed = await diff((d) => (payload(d, "Reading").properties.celsius.type = "integer"));
    expect(narrowed.code, narrowed.out).toBe(0);
    expect(narrowed.json.changes[0]!.rule).toBe("DIFF-OUTPUT-TYPE-NARROWED");
    const integer: Edit = (d) => {
      payload(d, "Target").properties.celsius.type = "integer";
      payload(d, "Reading").properties.celsius.type = "integer";
    };
    const widened = await diff((d) => {
      payload(d, "Target").properties.celsius.type = "number";
      payload(d, "Reading").properties.celsius.type = "number";
    }, integer);
    expect(widened.code).toBe(1);
    expect(only(widened, "DIFF-INPUT-TYPE-WIDENED").verdict).toBe("compatible");
    expect(
      widened.json.changes.filter((c) => c.rule === "DIFF-OUTPUT-TYPE-WIDENED").map((c) => c.verdict),
    ).toEqual(["breaking", "breaking"]);
    const changed = await diff((d) => (payload(d, "Target").properties.celsius = { type: "string" }));
    expect(changed.code).toBe(1);
    expect(changed.json.changes.find((c) => c.rule === "DIFF-INPUT-TYPE-CHANGED")?.verdict).toBe("breaking");
  });

  it("enums narrowed: an input breaking, an output compatible", async () => {
    const input = await diff((d) => (payload(d, "Target").properties.mode.enum = ["heat"]));
    expect(input.code).toBe(1);
    expect(only(input, "DIFF-INPUT-ENUM-NARROWED")).toMatchObject({ change: 'enum values removed: "cool"' });
    const output = await diff((d) => (payload(d, "Reading").properties.state.enum = ["idle", "heating"]));
    expect(output.code, output.out).toBe(0);
    expect(output.json.changes[0]!.rule).toBe("DIFF-OUTPUT-ENUM-NARROWED");
  });

  it("bounds: tightened breaks an input, relaxed breaks an output", async () => {
    const tightInput = await diff((d) => (payload(d, "Target").properties.celsius.maximum = 25));
    expect(tightInput.code).toBe(1);
    expect(only(tightInput, "DIFF-INPUT-BOUND-TIGHTENED").change).toBe("maximum lowered: 30 -> 25");
    const looseInput = await diff((d) => (payload(d, "Target").properties.celsius.maximum = 35));
    expect(looseInput.code, looseInput.out).toBe(0);
    expect(only(looseInput, "DIFF-INPUT-BOUND-RELAXED").change).toBe("maximum raised: 30 -> 35");
    const tightOutput = await diff((d) => (payload(d, "Reading").properties.celsius.minimum = -40));
    expect(tightOutput.code, tightOutput.out).toBe(0);
    expect(tightOutput.json.changes[0]!.rule).toBe("DIFF-OUTPUT-BOUND-TIGHTENED");
    const looseOutput = await diff((d) => delete payload(d, "Reading").properties.celsius.maximum);
    expect(looseOutput.code).toBe(1);
    expect(looseOutput.json.changes[0]).toMatchObject({
      rule: "DIFF-OUTPUT-BOUND-RELAXED",
      change: "maximum removed (was 60)",
    });
  });

  it("additionalProperties: closing breaks an input, opening breaks an output", async () => {
    const closeInput = await diff((d) => (payload(d, "ColorRgb").additionalProperties = false));
    expect(closeInput.code).toBe(1);
    expect(only(closeInput, "DIFF-INPUT-ADDITIONAL-CLOSED").path).toBe("#");
    const openInput = await diff((d) => delete payload(d, "Target").additionalProperties);
    expect(openInput.code, openInput.out).toBe(0);
    expect(only(openInput, "DIFF-INPUT-ADDITIONAL-OPENED").verdict).toBe("compatible");
    const closeOutput = await diff((d) => (payload(d, "Reading").additionalProperties = false));
    expect(closeOutput.code, closeOutput.out).toBe(0);
    expect(closeOutput.json.changes[0]!.rule).toBe("DIFF-OUTPUT-ADDITIONAL-CLOSED");
    const openOutput = await diff(
      (d) => delete payload(d, "Reading").additionalProperties,
      (d) => (payload(d, "Reading").additionalProperties = false),
    );
    expect(openOutput.code).toBe(1);
    expect(openOutput.json.changes[0]!.rule).toBe("DIFF-OUTPUT-ADDITIONAL-OPENED");
  });

  it("a description in a payload: a doc change, exit 0, but the operation is re-fingerprinted", async () => {
    const run = await diff((d) => (payload(d, "Target").properties.celsius.description = "In °C."));
    expect(run.code, run.out).toBe(0);
    expect(only(run, "DIFF-INPUT-ANNOTATION")).toMatchObject({
      verdict: "doc",
      path: "#/properties/celsius",
      change: "description changed",
    });
    const op = run.json.operations.find((o) => o.name === "set_target")!;
    expect(op.handshake).toBe("re-fingerprinted");
    expect(op.notes.join(" ")).toMatch(/only annotations changed/);
    expect(run.out).toMatch(
      /^0 breaking, 0 compatible, 1 doc changes; handshake: set_target re-fingerprinted$/m,
    );
    const output = await diff((d) => (payload(d, "Reading").properties.celsius.examples = [21.5]));
    expect(output.json.changes.map((c) => [c.rule, c.verdict])).toEqual([
      ["DIFF-OUTPUT-ANNOTATION", "doc"],
      ["DIFF-OUTPUT-ANNOTATION", "doc"],
    ]);
  });

  it("prose outside payloads (a message's summary, an operation's summary): no change at all", async () => {
    const run = await diff((d) => {
      d.components.messages.Target.summary = "Where to go.";
      d.operations.set_target.summary = "Set it.";
      d.info.description = "Revised.";
    });
    expect(run.code).toBe(0);
    expect(run.json.changes).toEqual([]);
    expect(run.json.operations.every((o) => o.handshake === "same" && o.status === "unchanged")).toBe(true);
    expect(run.out).toMatch(/^no changes; handshake: unchanged$/m);
  });
});

describe("messages of an operation (unions)", () => {
  const rgbOnly: Edit = (d) => {
    delete d.channels.color.messages.ColorHsv;
  };
  const hex: Edit = (d) => {
    d.components.messages.ColorHex = {
      name: "ColorHex",
      payload: { type: "object", properties: { hex: { type: "string" } }, required: ["hex"] },
    };
    d.channels.color.messages.ColorHex = ref("#/components/messages/ColorHex");
  };

  it("a message added to an input: compatible, and old and new orbs still share a schema", async () => {
    const run = await diff(hex);
    expect(run.code, run.out).toBe(0);
    expect(only(run, "DIFF-INPUT-MESSAGE-ADDED")).toMatchObject({ message: "ColorHex", path: null });
    const op = run.json.operations.find((o) => o.name === "set_color")!;
    expect(op).toMatchObject({ status: "changed", handshake: "shared" });
    expect(op.notes[0]).toMatch(/connect through ColorRgb, ColorHsv/);
    // --strict fails only on re-fingerprinted operations.
    expect((await diff(hex, undefined, true)).code).toBe(0);
  });

  it("a message removed from an input: breaking, unless a new message takes every value it took", async () => {
    const removed = await diff(rgbOnly);
    expect(removed.code).toBe(1);
    expect(only(removed, "DIFF-INPUT-MESSAGE-REMOVED")).toMatchObject({
      message: "ColorHsv",
      verdict: "breaking",
    });
    const covered = await diff((d) => {
      d.components.messages.ColorHsv2 = structuredClone(d.components.messages.ColorHsv);
      d.components.messages.ColorHsv2.name = "ColorHsv2";
      d.components.messages.ColorHsv2.payload.properties.note = { type: "string" };
      delete d.channels.color.messages.ColorHsv;
      d.channels.color.messages.ColorHsv2 = ref("#/components/messages/ColorHsv2");
    });
    expect(covered.code, covered.out).toBe(0);
    expect(only(covered, "DIFF-INPUT-MESSAGE-REMOVED-COVERED").change).toBe(
      "message removed: ColorHsv (ColorHsv2 accepts every ColorHsv)",
    );
  });

  it("a message added to an output: breaking, unless an old message accepts its every value", async () => {
    const fahrenheit: Edit = (d) => {
      d.components.messages.ReadingF = {
        name: "ReadingF",
        payload: { type: "object", properties: { fahrenheit: { type: "number" } }, required: ["fahrenheit"] },
      };
      d.channels.reading.messages.ReadingF = ref("#/components/messages/ReadingF");
    };
    const added = await diff(fahrenheit);
    expect(added.code).toBe(1);
    expect(added.json.changes.map((c) => [c.operation, c.rule, c.verdict])).toEqual([
      ["read_temperature", "DIFF-OUTPUT-MESSAGE-ADDED", "breaking"],
      ["temperature_changed", "DIFF-OUTPUT-MESSAGE-ADDED", "breaking"],
    ]);
    const covered = await diff((d) => {
      d.components.messages.Reading2 = structuredClone(d.components.messages.Reading);
      d.components.messages.Reading2.name = "Reading2";
      d.components.messages.Reading2.payload.properties.humidity = { type: "number" };
      d.channels.reading.messages.Reading2 = ref("#/components/messages/Reading2");
    });
    expect(covered.code, covered.out).toBe(0);
    expect(covered.json.changes[0]).toMatchObject({
      rule: "DIFF-OUTPUT-MESSAGE-ADDED-COVERED",
      change: "message added: Reading2 (every Reading2 is a valid Reading)",
    });
    const removed = await diff((d) => delete d.channels.reading.messages.ReadingF, fahrenheit);
    expect(removed.code, removed.out).toBe(0);
    expect(removed.json.changes[0]).toMatchObject({
      rule: "DIFF-OUTPUT-MESSAGE-REMOVED",
      verdict: "compatible",
    });
  });

  it("a message added to an input that an old one covers, and one removed from an output that a new one covers: compatible", async () => {
    const rgb2: Edit = (d) => {
      d.components.messages.ColorRgb2 = structuredClone(d.components.messages.ColorRgb);
      d.components.messages.ColorRgb2.name = "ColorRgb2";
      d.components.messages.ColorRgb2.payload.properties.label = { type: "string" };
      d.channels.color.messages.ColorRgb2 = ref("#/components/messages/ColorRgb2");
    };
    const input = await diff(rgb2);
    expect(input.code, input.out).toBe(0);
    expect(only(input, "DIFF-INPUT-MESSAGE-ADDED-COVERED").change).toBe(
      "message added: ColorRgb2 (every ColorRgb2 is a valid ColorRgb)",
    );
    const reading2: Edit = (d) => {
      d.components.messages.Reading2 = structuredClone(d.components.messages.Reading);
      d.components.messages.Reading2.name = "Reading2";
      d.components.messages.Reading2.payload.properties.humidity = { type: "number" };
      d.channels.reading.messages.Reading2 = ref("#/components/messages/Reading2");
    };
    const output = await diff((d) => delete d.channels.reading.messages.Reading2, reading2);
    expect(output.code, output.out).toBe(0);
    expect(output.json.changes[0]).toMatchObject({
      rule: "DIFF-OUTPUT-MESSAGE-REMOVED-COVERED",
      change: "message removed: Reading2 (Reading accepts every Reading2)",
    });
  });

  it("a message renamed with the same payload: compatible, and the fingerprints are the same", async () => {
    const run = await diff((d) => {
      d.components.messages.Target.name = "SetPoint";
    });
    expect(run.code, run.out).toBe(0);
    expect(only(run, "DIFF-INPUT-MESSAGE-RENAMED").change).toBe(
      "message renamed: Target -> SetPoint (same payload)",
    );
    expect(run.json.operations.find((o) => o.name === "set_target")?.handshake).toBe("same");
    const output = await diff((d) => (d.components.messages.Reading.name = "Sample"));
    expect(output.json.changes[0]!.rule).toBe("DIFF-OUTPUT-MESSAGE-RENAMED");
  });

  it("a message without payload given one: breaking (absent data is refused, data accepted)", async () => {
    const run = await diff((d) => {
      d.components.messages.Query.payload = { type: "object" };
    });
    expect(run.code).toBe(1);
    expect(only(run, "DIFF-INPUT-PAYLOAD-ADDED").verdict).toBe("breaking");
    expect(run.json.operations.find((o) => o.name === "read_temperature")?.handshake).toBe(
      "re-fingerprinted",
    );
    const removed = await diff(
      (d) => delete d.components.messages.Query.payload,
      (d) => (d.components.messages.Query.payload = { type: "object" }),
    );
    expect(only(removed, "DIFF-INPUT-PAYLOAD-REMOVED").verdict).toBe("breaking");
  });
});

describe("operations", () => {
  it("an action changed: breaking", async () => {
    const run = await diff((d) => (d.operations.temperature_changed.action = "receive"));
    expect(run.code).toBe(1);
    expect(only(run, "DIFF-OP-ACTION-CHANGED")).toMatchObject({
      operation: "temperature_changed",
      change: "action send -> receive",
      path: "#/operations/temperature_changed",
    });
  });

  it("a reply added or removed (output none <-> data): breaking", async () => {
    const added = await diff((d) => (d.operations.set_target.reply = { channel: ref("#/channels/reading") }));
    expect(added.code).toBe(1);
    expect(only(added, "DIFF-OP-OUTPUT-ADDED")).toMatchObject({
      change: "output none -> Reading",
      direction: "output",
    });
    expect(added.json.operations.find((o) => o.name === "set_target")?.handshake).toBe("re-fingerprinted");
    const removed = await diff((d) => delete d.operations.read_temperature.reply);
    expect(removed.code).toBe(1);
    expect(only(removed, "DIFF-OP-OUTPUT-REMOVED").change).toBe("output Reading -> none");
  });

  it("an input where there was none, and the reverse: breaking", async () => {
    const poke: Edit = (d) => {
      d.channels.poke = { address: null };
      d.operations.poke = { action: "receive", channel: ref("#/channels/poke") };
    };
    const added = await diff(
      (d) => (d.channels.poke.messages = { Query: ref("#/components/messages/Query") }),
      poke,
    );
    expect(added.code).toBe(1);
    expect(only(added, "DIFF-OP-INPUT-ADDED").change).toBe("input none -> Query");
    const removed = await diff(poke, (d) => {
      poke(d);
      d.channels.poke.messages = { Query: ref("#/components/messages/Query") };
    });
    expect(removed.code).toBe(1);
    expect(only(removed, "DIFF-OP-INPUT-REMOVED").change).toBe("input Query -> none");
  });
});

/** The runtime's own verdict: does a core of `coreSide` connect with a plugin of `pluginSide`? */
async function connectsAtRuntime(coreSide: OperationModel, pluginSide: OperationModel): Promise<boolean> {
  const name = coreSide.name;
  const spec = (data: DataModel): SchemaSpec => {
    if (data.none) return "none";
    const schemas = data.messages.flatMap((m) => (m.schema === undefined ? [] : [m.schema]));
    return { schemas, ...(schemas.length < data.messages.length ? { empty: true } : {}) };
  };
  const hub = new LocalHub();
  const plugin = new Plugin({ id: "p", bus: hub.bus(), logger: silentLogger });
  plugin.operation(name, { input: spec(pluginSide.input), output: spec(pluginSide.output) }, () => undefined);
  const core = new Core({
    id: "c",
    bus: hub.bus(),
    logger: silentLogger,
    requires: { [name]: { inputs: [spec(coreSide.input)], outputs: [spec(coreSide.output)] } },
  });
  const skipped = new Promise<boolean>((resolve) => plugin.on("skipped", () => resolve(false)));
  try {
    await plugin.start();
    await core.start();
    return await Promise.race([core.compliant({ timeoutMs: 5000 }).then(() => true), skipped]);
  } finally {
    await core.stop();
    await plugin.stop();
  }
}

describe("the handshake (SCH-3: schemas match by fingerprint)", () => {
  it("a compatible edit re-fingerprints: a warning and exit 0, an error and exit 1 with --strict", async () => {
    const edit: Edit = (d) => (payload(d, "Target").properties.fan = { type: "boolean" });
    const run = await diff(edit);
    expect(run.code).toBe(0);
    expect(run.json).toMatchObject({ compatible: true, connected: false });
    expect(run.out).toMatch(
      /^warning: set_target is re-fingerprinted \(SCH-3\): deployed cores and new plugins will not connect, nor new cores and deployed ones$/m,
    );
    expect(run.out).toMatch(/^ {2}remedy: keep the old message and add the changed one under a new name/m);
    const strict = await diff(edit, undefined, true);
    expect(strict.code).toBe(1);
    expect(strict.out).toMatch(/^error: set_target is re-fingerprinted/m);
    expect(strict.out).toMatch(/^not compatible under --strict: 1 re-fingerprinted operation$/m);
  });

  it("a plugin type narrowing an operation's messages is checked on its own", async () => {
    // The union still shares ColorHsv, but a Lamp (ColorRgb only) shares nothing with either side.
    const run = await diff((d) => (payload(d, "ColorRgb").properties.label = { type: "string" }));
    const op = run.json.operations.find((o) => o.name === "set_color")!;
    expect(op.handshake).toBe("re-fingerprinted");
    expect(op.notes.join("\n")).toMatch(/Lamp plugins \(accepts ColorRgb\) will not connect/);
    expect(op.notes.join("\n")).not.toMatch(/deployed cores and new plugins will not/);
  });

  it("agrees with the runtime: a core of one revision and a plugin of the other", async () => {
    const expand: Edit = (d) => {
      d.channels.target.messages.Target2 = ref("#/components/messages/Target2");
      d.components.messages.Target2 = structuredClone(d.components.messages.Target);
      d.components.messages.Target2.name = "Target2";
      d.components.messages.Target2.payload.properties.fan = { type: "boolean" };
    };
    const edit: Edit = (d) => (payload(d, "Target").properties.fan = { type: "boolean" });
    expect((await diff(expand)).json.operations.find((o) => o.name === "set_target")?.handshake).toBe(
      "shared",
    );
    expect((await diff(edit)).json.operations.find((o) => o.name === "set_target")?.handshake).toBe(
      "re-fingerprinted",
    );
    const target = async (...edits: Edit[]): Promise<OperationModel> =>
      (await model(await write(variant(...edits)))).operations.find((o) => o.name === "set_target")!;
    const [old, shared, moved] = [await target(), await target(expand), await target(edit)];
    expect(await connectsAtRuntime(old, shared)).toBe(true);
    expect(await connectsAtRuntime(shared, old)).toBe(true);
    expect(await connectsAtRuntime(old, moved)).toBe(false);
    expect(await connectsAtRuntime(moved, old)).toBe(false);
  });
});

describe("x-orbitalis: what plugin and hybrid types lend", () => {
  const x = (d: Record<string, any>): Record<string, any> => d["x-orbitalis"];

  it("a plugin type added: compatible; removed: breaking, with a likely rename", async () => {
    const added = await diff((d) => (x(d).plugins.Heater = { operations: ["set_target"] }));
    expect(added.code, added.out).toBe(0);
    expect(only(added, "DIFF-PLUGIN-TYPE-ADDED")).toMatchObject({
      scope: "plugin Heater",
      path: "#/x-orbitalis/plugins/Heater",
    });
    const renamed = await diff((d) => {
      x(d).plugins.Strip = x(d).plugins.Lamp;
      delete x(d).plugins.Lamp;
    });
    expect(renamed.code).toBe(1);
    expect(only(renamed, "DIFF-PLUGIN-TYPE-REMOVED").change).toMatch(
      /deployed cores lose it as a provider of set_color \(likely renamed to Strip/,
    );
  });

  it("an operation lent in addition: compatible; one no longer lent: breaking for the cores that require it", async () => {
    const added = await diff((d) => x(d).plugins.Lamp.operations.push("set_target"));
    expect(added.code, added.out).toBe(0);
    expect(only(added, "DIFF-PLUGIN-OP-ADDED")).toMatchObject({
      operation: "set_target",
      scope: "plugin Lamp",
    });
    const dropped = await diff((d) => x(d).plugins.Thermostat.operations.pop());
    expect(dropped.code).toBe(1);
    expect(only(dropped, "DIFF-PLUGIN-OP-DROPPED")).toMatchObject({
      operation: "temperature_changed",
      change:
        "Thermostat plugins no longer lend temperature_changed: deployed cores that require it lose them",
    });
  });

  it("accepts narrowed: breaking; widened: compatible", async () => {
    const narrowed = await diff(
      (d) => (x(d).plugins.Bulb.operations = [{ name: "set_color", accepts: ["ColorHsv"] }]),
    );
    expect(narrowed.code).toBe(1);
    expect(only(narrowed, "DIFF-PLUGIN-ACCEPTS-NARROWED")).toMatchObject({
      message: "ColorRgb",
      operation: "set_color",
    });
    const widened = await diff((d) => (x(d).plugins.Lamp.operations = ["set_color"]));
    expect(widened.code, widened.out).toBe(0);
    expect(only(widened, "DIFF-PLUGIN-ACCEPTS-WIDENED").message).toBe("ColorHsv");
  });

  it("limits tightened (maxCores, allow, block, per-operation policy): breaking; relaxed: compatible; prefer: compatible", async () => {
    const tight = await diff((d) => {
      x(d).plugins.Thermostat.maxCores = 2;
      x(d).plugins.Lamp.allow = ["home"];
      x(d).plugins.Bulb.block = ["garage"];
      x(d).plugins.Thermostat.policy = { set_target: { maxCores: 1 } };
    });
    expect(tight.code).toBe(1);
    expect(tight.json.changes.map((c) => [c.rule, c.path, c.change])).toEqual([
      [
        "DIFF-PLUGIN-LIMIT-TIGHTENED",
        "#/x-orbitalis/plugins/Thermostat/policy/set_target/maxCores",
        "maxCores unbounded -> 1: deployed cores calling set_target beyond 1 are not served",
      ],
      [
        "DIFF-PLUGIN-LIMIT-TIGHTENED",
        "#/x-orbitalis/plugins/Thermostat/maxCores",
        "maxCores 4 -> 2: deployed cores beyond 2 are not served",
      ],
      ["DIFF-PLUGIN-LIMIT-TIGHTENED", "#/x-orbitalis/plugins/Lamp/allow", "allow added: only cores home"],
      ["DIFF-PLUGIN-LIMIT-TIGHTENED", "#/x-orbitalis/plugins/Bulb/block", "now blocked: garage"],
    ]);
    const loose = await diff((d) => {
      delete x(d).plugins.Thermostat.maxCores;
      x(d).plugins.Lamp.prefer = ["home"];
    });
    expect(loose.code, loose.out).toBe(0);
    expect(only(loose, "DIFF-PLUGIN-LIMIT-RELAXED").change).toBe("maxCores 4 -> unbounded");
    expect(only(loose, "DIFF-PLUGIN-PREFER-CHANGED").verdict).toBe("compatible");
  });

  it("hybrid types: added compatible, removed breaking; what they lend and require is compared as plugins' and cores'", async () => {
    const relay: Edit = (d) =>
      (x(d).hybrids = {
        Relay: { operations: ["set_color"], requires: { temperature_changed: { minimum: 1 } } },
      });
    const added = await diff(relay);
    expect(added.code, added.out).toBe(0);
    expect(only(added, "DIFF-HYBRID-TYPE-ADDED").scope).toBe("hybrid Relay");
    const removed = await diff((d) => delete x(d).hybrids, relay);
    expect(removed.code).toBe(1);
    expect(only(removed, "DIFF-HYBRID-TYPE-REMOVED").verdict).toBe("breaking");
    const changed = await diff((d) => {
      x(d).hybrids.Relay.operations = ["set_target"];
      x(d).hybrids.Relay.requires.read_temperature = {};
      x(d).hybrids.Relay.offerWhen = "compliant";
    }, relay);
    expect(changed.code).toBe(1);
    expect(changed.json.changes.map((c) => [c.rule, c.scope, c.operation])).toEqual([
      ["DIFF-PLUGIN-OP-DROPPED", "hybrid Relay", "set_color"],
      ["DIFF-PLUGIN-OP-ADDED", "hybrid Relay", "set_target"],
      ["DIFF-PLUGIN-LIMIT-TIGHTENED", "hybrid Relay", null],
      ["DIFF-CORE-REQUIREMENT-ADDED", "hybrid Relay", "read_temperature"],
    ]);
  });
});

describe("x-orbitalis: what core and hybrid types require", () => {
  const requires = (d: Record<string, any>): Record<string, any> => d["x-orbitalis"].cores.Climate.requires;

  it("a core type added or removed: compatible (no deployed orb relies on a core type)", async () => {
    const added = await diff((d) => (d["x-orbitalis"].cores.Panel = { requires: { set_color: {} } }));
    expect(added.code, added.out).toBe(0);
    expect(only(added, "DIFF-CORE-TYPE-ADDED").scope).toBe("core Panel");
    const removed = await diff((d) => delete d["x-orbitalis"].cores.Climate);
    expect(removed.code, removed.out).toBe(0);
    expect(only(removed, "DIFF-CORE-TYPE-REMOVED").verdict).toBe("compatible");
  });

  it("a requirement added: breaking for new cores unless optional; removed: compatible", async () => {
    const needed = await diff(
      (d) => {
        d["x-orbitalis"].cores.Panel = { requires: { set_color: {} } };
        d["x-orbitalis"].cores.Panel.requires.set_target = { minimum: 0, mandatory: ["t1"] };
      },
      (d) => (d["x-orbitalis"].cores.Panel = { requires: { set_color: { minimum: 0 } } }),
    );
    expect(needed.code).toBe(1);
    expect(needed.json.changes.map((c) => [c.rule, c.operation])).toEqual([
      ["DIFF-CORE-LIMIT-TIGHTENED", "set_color"],
      ["DIFF-CORE-REQUIREMENT-ADDED", "set_target"],
    ]);
    expect(only(needed, "DIFF-CORE-REQUIREMENT-ADDED").change).toBe(
      "now requires set_target (minimum 0, mandatory t1): new Panel cores are not compliant without a plugin lending it",
    );
    const optional = await diff((d) => {
      delete requires(d).set_color;
    });
    expect(only(optional, "DIFF-CORE-REQUIREMENT-REMOVED").verdict).toBe("compatible");
    const back = await diff(
      (d) => (requires(d).set_color = { minimum: 0 }),
      (d) => delete requires(d).set_color,
    );
    expect(back.code, back.out).toBe(0);
    expect(only(back, "DIFF-CORE-OPTIONAL-REQUIREMENT-ADDED").change).toBe(
      "now requires set_color, optionally (minimum 0)",
    );
  });

  it("minimum raised, mandatory plugins added: breaking for new cores; lowered, maximum changed: compatible", async () => {
    const raised = await diff((d) => {
      requires(d).set_target.minimum = 2;
      requires(d).read_temperature.mandatory = ["t1"];
      requires(d).set_color.allow = ["lamp-1"];
    });
    expect(raised.code).toBe(1);
    expect(raised.json.changes.map((c) => c.change)).toEqual([
      "minimum raised 1 -> 2: new Climate cores need 2 plugins",
      "mandatory plugins added: t1: new Climate cores need them connected",
      "allow added: only plugins lamp-1",
    ]);
    const lowered = await diff((d) => {
      requires(d).set_target.minimum = 0;
      requires(d).set_target.maximum = 3;
    });
    expect(lowered.code, lowered.out).toBe(0);
    expect(lowered.json.changes.map((c) => [c.rule, c.change])).toEqual([
      [
        "DIFF-CORE-LIMIT-RELAXED",
        "maximum unbounded -> 3 (connections taken at most: compliance is unaffected)",
      ],
      ["DIFF-CORE-LIMIT-RELAXED", "minimum lowered 1 -> 0"],
    ]);
  });
});

describe("input and output of the command", () => {
  it("a contract split into files ($ref: ./schemas/common.yaml#/Reading) is compared through its references", async () => {
    const run = await diffFiles(
      "test/generator/fixtures/diff/multi-file/v1/weather.asyncapi.yaml",
      "test/generator/fixtures/diff/multi-file/v2/weather.asyncapi.yaml",
    );
    expect(run.code).toBe(1);
    expect(run.json.changes.map((c) => [c.verdict, c.operation, c.message, c.path, c.rule])).toEqual([
      ["breaking", "record", "Reading", "#/properties/station", "DIFF-INPUT-REQUIRED-ADDED"],
      ["compatible", "latest", "Reading", "#/properties/station", "DIFF-OUTPUT-REQUIRED-ADDED"],
    ]);
  });

  it("the example pair through the command line: the table, the warnings, the summary, --json", async () => {
    const [oldFile, newFile] = [
      "test/generator/fixtures/diff/thermostat-1.asyncapi.yaml",
      "test/generator/fixtures/diff/thermostat-2.asyncapi.yaml",
    ];
    const human = capture();
    expect(await main(["diff", oldFile, newFile], human.io)).toBe(1);
    const out = human.out.join("\n");
    expect(out).toMatch(
      /^breaking +read_temperature output Reading #\/properties\/humidity +field added to a closed schema: humidity +DIFF-OUTPUT-FIELD-ADDED-CLOSED$/m,
    );
    expect(out).toMatch(/^warning: read_temperature is re-fingerprinted \(SCH-3\)/m);
    expect(out).toMatch(
      /^2 breaking, 5 compatible changes; handshake: set_target shared, read_temperature re-fingerprinted, temperature_changed re-fingerprinted$/m,
    );
    expect(out).toMatch(/^not compatible: 2 breaking changes$/m);
    const json = capture();
    expect(await main(["diff", oldFile, newFile, "--json", "--strict"], json.io)).toBe(1);
    const report = JSON.parse(json.out.join("\n")) as Run["json"] & { strict: boolean };
    expect(report).toMatchObject({ compatible: false, connected: false, strict: true });
    expect(Object.keys(report.changes[0]!)).toEqual([
      "verdict",
      "operation",
      "message",
      "direction",
      "path",
      "change",
      "rule",
    ]);
    expect(report.operations.map((o) => [o.name, o.status, o.handshake])).toEqual([
      ["set_target", "changed", "shared"],
      ["read_temperature", "changed", "re-fingerprinted"],
      ["temperature_changed", "changed", "re-fingerprinted"],
      ["set_mode", "added", null],
    ]);
    // A data-compatible pair whose operations are re-fingerprinted: 0, and 1 under --strict.
    const moved = await write(variant((d) => (payload(d, "Target").properties.fan = { type: "boolean" })));
    const base0 = await write(variant());
    expect(await main(["diff", base0, moved], capture().io)).toBe(0);
    expect(await main(["diff", base0, moved, "--strict"], capture().io)).toBe(1);
  });

  it("the same contract twice: no changes, exit 0", async () => {
    const file = "test/generator/fixtures/diff/thermostat-1.asyncapi.yaml";
    const run = await diffFiles(file, file, true);
    expect(run.code).toBe(0);
    expect(run.json).toMatchObject({ compatible: true, connected: true, changes: [] });
    expect(run.out).toMatch(/^compatible$/m);
  });

  it("unusable input exits 2: a file that cannot be read, an invalid contract, a wrong command line", async () => {
    const good = "test/generator/fixtures/diff/thermostat-1.asyncapi.yaml";
    const missing = capture();
    expect(await main(["diff", good, join(dir, "no-such.yaml")], missing.io)).toBe(2);
    expect(missing.err.join("\n")).toMatch(/no-such\.yaml: cannot read the file/);
    const invalid = capture();
    const bad = await write(variant((d) => (d["x-orbitalis"].plugins.Lamp.operations = ["set_colour"])));
    expect(await main(["diff", bad, good], invalid.io)).toBe(2);
    expect(invalid.err.join("\n")).toMatch(/no operation "set_colour"/);
    const usage = capture();
    expect(await main(["diff", good], usage.io)).toBe(2);
    expect(usage.err.join("\n")).toMatch(/give the old and the new contract/);
    const option = capture();
    expect(await main(["diff", good, good, "--colour"], option.io)).toBe(2);
  });
});

describe("schema keywords (compareSchemas)", () => {
  /** Asserts `before -> after` gives `kind` at `path` with these verdicts, and counts both rules as seen. */
  function expectKind(
    before: unknown,
    after: unknown,
    kind: DataKindName,
    path: string,
    verdicts: { input: Verdict; output: Verdict },
  ): void {
    const changes = compareSchemas(before, after);
    expect(
      changes.map((c) => [c.kind, c.path]),
      JSON.stringify(changes),
    ).toContainEqual([kind, path]);
    expect({ input: dataVerdict(kind, "input"), output: dataVerdict(kind, "output") }).toEqual(verdicts);
    seen.add(dataRule(kind, "input")).add(dataRule(kind, "output"));
  }
  const NARROWS = { input: "breaking", output: "compatible" } as const;
  const WIDENS = { input: "compatible", output: "breaking" } as const;
  const BOTH = { input: "breaking", output: "breaking" } as const;

  it("types: number and integer, lists of types, none given", () => {
    expectKind({ type: "number" }, { type: "integer" }, "TYPE-NARROWED", "#", NARROWS);
    expectKind({ type: "string" }, { type: ["string", "null"] }, "TYPE-WIDENED", "#", WIDENS);
    expectKind({ type: "string" }, { type: "number" }, "TYPE-CHANGED", "#", BOTH);
    expectKind({}, { type: "object" }, "TYPE-NARROWED", "#", NARROWS);
    expect(compareSchemas({ type: "number" }, { type: ["number", "integer"] })).toEqual([]);
  });

  it("enum and const", () => {
    expectKind({ type: "string" }, { type: "string", enum: ["a"] }, "ENUM-NARROWED", "#", NARROWS);
    expectKind({ const: "a" }, { enum: ["a", "b"] }, "ENUM-WIDENED", "#", WIDENS);
    expectKind({ enum: ["a", "b"] }, {}, "ENUM-WIDENED", "#", WIDENS);
    expect(compareSchemas({ enum: ["a", "b"] }, { enum: ["b", "a"] })).toEqual([]);
  });

  it("bounds of numbers, strings, arrays and objects; multipleOf", () => {
    expectKind({ minLength: 1 }, { minLength: 2 }, "BOUND-TIGHTENED", "#", NARROWS);
    expectKind({ maxItems: 3 }, {}, "BOUND-RELAXED", "#", WIDENS);
    expectKind({}, { exclusiveMaximum: 10 }, "BOUND-TIGHTENED", "#", NARROWS);
    expectKind({ minProperties: 2 }, { minProperties: 1 }, "BOUND-RELAXED", "#", WIDENS);
    expectKind({ multipleOf: 0.5 }, { multipleOf: 1 }, "BOUND-TIGHTENED", "#", NARROWS);
    expectKind({ multipleOf: 1 }, { multipleOf: 0.5 }, "BOUND-RELAXED", "#", WIDENS);
    expectKind({ multipleOf: 2 }, { multipleOf: 3 }, "CONSTRAINT-CHANGED", "#", BOTH);
  });

  it("pattern, not, allOf, uniqueItems, dependencies, propertyNames, contains", () => {
    expectKind({ type: "string" }, { type: "string", pattern: "^a" }, "CONSTRAINT-ADDED", "#", NARROWS);
    expectKind({ pattern: "^a" }, {}, "CONSTRAINT-REMOVED", "#", WIDENS);
    expectKind({ pattern: "^a" }, { pattern: "^b" }, "CONSTRAINT-CHANGED", "#", BOTH);
    expectKind({ not: { type: "null" } }, { not: { type: "string" } }, "CONSTRAINT-CHANGED", "#", BOTH);
    expectKind(
      { allOf: [{ minimum: 0 }] },
      { allOf: [{ minimum: 0 }, { maximum: 9 }] },
      "CONSTRAINT-ADDED",
      "#/allOf/1",
      NARROWS,
    );
    expectKind({}, { uniqueItems: true }, "CONSTRAINT-ADDED", "#", NARROWS);
    expectKind(
      { dependencies: { a: ["b", "c"] } },
      { dependencies: { a: ["b"] } },
      "CONSTRAINT-REMOVED",
      "#/dependencies/a",
      WIDENS,
    );
    expectKind({}, { propertyNames: { maxLength: 8 } }, "CONSTRAINT-ADDED", "#/propertyNames", NARROWS);
    expectKind(
      { contains: { type: "string" } },
      { contains: { type: ["string", "number"] } },
      "TYPE-WIDENED",
      "#/contains",
      WIDENS,
    );
  });

  it("unions: a branch added or removed", () => {
    const a = { type: "string" };
    const b = { type: "integer" };
    expectKind({ anyOf: [a] }, { anyOf: [a, b] }, "UNION-WIDENED", "#/anyOf/1", WIDENS);
    expectKind({ oneOf: [a, b] }, { oneOf: [b] }, "UNION-NARROWED", "#/oneOf/0", NARROWS);
    // A branch changed is compared inside, wherever it moved.
    expect(
      compareSchemas(
        { anyOf: [a, { type: "integer", maximum: 3 }] },
        { anyOf: [{ type: "integer", maximum: 2 }, a] },
      ),
    ).toEqual([{ path: "#/anyOf/0", kind: "BOUND-TIGHTENED", change: "maximum lowered: 3 -> 2" }]);
  });

  it("fields: paths point into nested objects and arrays", () => {
    const before = { type: "array", items: { type: "object", properties: { at: { type: "string" } } } };
    const after = { type: "array", items: { type: "object", properties: { at: { type: "integer" } } } };
    expectKind(before, after, "TYPE-CHANGED", "#/items/properties/at", BOTH);
    expectKind(
      { properties: { a: {} }, required: ["a"] },
      { properties: {} },
      "REQUIRED-REMOVED",
      "#/properties/a",
      WIDENS,
    );
    expectKind(
      { properties: { a: {} } },
      { properties: {}, additionalProperties: false },
      "FIELD-REMOVED-CLOSED",
      "#/properties/a",
      NARROWS,
    );
    expectKind(
      { properties: {} },
      { properties: { b: {} }, required: ["b"] },
      "REQUIRED-ADDED",
      "#/properties/b",
      NARROWS,
    );
    expectKind({ properties: {} }, { properties: { b: {} } }, "FIELD-ADDED", "#/properties/b", {
      input: "compatible",
      output: "compatible",
    });
    expectKind(
      { additionalProperties: false },
      { properties: { b: {} } },
      "FIELD-ADDED-CLOSED",
      "#/properties/b",
      WIDENS,
    );
    expectKind({ properties: { b: {} } }, {}, "FIELD-REMOVED", "#/properties/b", WIDENS);
    expectKind({}, { additionalProperties: false }, "ADDITIONAL-CLOSED", "#", NARROWS);
    expectKind({ additionalProperties: false }, {}, "ADDITIONAL-OPENED", "#", WIDENS);
    expectKind(
      { additionalProperties: { type: "string" } },
      { additionalProperties: { type: "number" } },
      "TYPE-CHANGED",
      "#/additionalProperties",
      BOTH,
    );
  });

  it("a property named like an annotation is a field, not an annotation", () => {
    expect(
      compareSchemas(
        { properties: { description: { type: "string" } } },
        { properties: { description: { type: "number" } } },
      ),
    ).toEqual([
      {
        path: "#/properties/description",
        kind: "TYPE-CHANGED",
        change: "type changed: string -> number",
      },
    ]);
  });

  it("annotations: title, default, unknown keywords; format is not one", () => {
    expectKind({ title: "A" }, { title: "B" }, "ANNOTATION", "#", { input: "doc", output: "doc" });
    // Generated validators check formats: a format is a constraint.
    expectKind({ format: "date" }, { format: "date-time" }, "CONSTRAINT-CHANGED", "#", BOTH);
    expectKind({ type: "string" }, { type: "string", format: "email" }, "CONSTRAINT-ADDED", "#", NARROWS);
    expect(
      compareSchemas({ default: 1, "x-unit": "C" }, { default: 2, "x-unit": "F" }).map((c) => c.kind),
    ).toEqual(["ANNOTATION", "ANNOTATION"]);
  });

  it("boolean schemas", () => {
    expectKind(true, false, "CONSTRAINT-ADDED", "#", NARROWS);
    expectKind(false, { type: "string" }, "CONSTRAINT-REMOVED", "#", WIDENS);
    expectKind(true, { type: "string" }, "TYPE-NARROWED", "#", NARROWS);
  });

  it("payloads added to or removed from a message", () => {
    const message = (schema: Record<string, unknown> | undefined): MessageModel => ({
      name: "M",
      typeName: "M",
      schema,
      fingerprint: schema === undefined ? undefined : JSON.stringify(schema),
      description: undefined,
      named: new Map(),
      rootName: undefined,
    });
    for (const [before, after, kind] of [
      [undefined, { type: "object" }, "PAYLOAD-ADDED"],
      [{ type: "object" }, undefined, "PAYLOAD-REMOVED"],
    ] as const) {
      expect(compareMessages(message(before), message(after)).map((c) => c.kind)).toEqual([kind]);
      expect([dataVerdict(kind, "input"), dataVerdict(kind, "output")]).toEqual(["breaking", "breaking"]);
      seen.add(dataRule(kind, "input")).add(dataRule(kind, "output"));
    }
  });
});

describe("the rules are written down", () => {
  it("docs/contract-diff.md and --help name every rule", async () => {
    const docs = await readFile("docs/contract-diff.md", "utf8");
    const help = capture();
    expect(await main(["diff", "--help"], help.io)).toBe(0);
    const text = help.out.join("\n");
    for (const id of allRuleIds()) expect(docs, id).toContain(id);
    for (const kind of Object.keys(DATA_KINDS)) expect(text, kind).toMatch(new RegExp(`^  ${kind} `, "m"));
    expect(text).toMatch(/DIFF-OP-REMOVED +breaking/);
    const top = capture();
    await main(["--help"], top.io);
    expect(top.out.join("\n")).toMatch(/orbitalis diff <old\.asyncapi\.yaml> <new\.asyncapi\.yaml>/);
  });

  it("every rule was produced and checked by a test above", () => {
    expect(allRuleIds().filter((id) => !seen.has(id))).toEqual([]);
  });
});
