import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario, loadScenarios, ScenarioError } from "../../conformance/scenario.js";

const SHIPPED = "spec/conformance/scenarios";

/** Writes `text` as scenarios/<name>.yaml in a new folder; returns the file. */
function scenarioFile(name: string, text: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), "kit-")), "scenarios");
  mkdirSync(dir);
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  return file;
}

const HEAD = `rule: HS-2
role: plugin
title: t
`;

async function loadError(name: string, text: string): Promise<string> {
  const file = scenarioFile(name, text);
  try {
    await loadScenario(file, `scenarios/${name}.yaml`);
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as Error).message;
  }
  throw new Error("loaded");
}

describe("scenario files", () => {
  it("the shipped scenarios all load, with unique ids, for both roles", async () => {
    const all = await loadScenarios(SHIPPED);
    expect(new Set(all.map((s) => s.id)).size).toBe(all.length);
    expect(all.filter((s) => s.role === "plugin").length).toBeGreaterThanOrEqual(15);
    expect(all.filter((s) => s.role === "core").length).toBeGreaterThanOrEqual(15);
    for (const s of all) expect(s.rule).toMatch(/^[A-Z]+-\d+$/);
  });

  it("reads a scenario: default peer, bare steps, the action's argument and fields", async () => {
    const file = scenarioFile(
      "ok",
      `id: ok\n${HEAD}steps:\n  - send: discover\n    fields: { operations: [] }\n    as: d\n  - kill\n  - expect: offer\n    where: { re: "\${d.id}" }\n`,
    );
    const s = await loadScenario(file, "scenarios/ok.yaml");
    expect(s.peers).toEqual([{ name: "kit", id: "kit-core", keepalive: true, autoAck: true }]);
    expect(s.steps.map((st) => [st.index, st.action, st.arg])).toEqual([
      [1, "send", "discover"],
      [2, "kill", true],
      [3, "expect", "offer"],
    ]);
  });

  it("reads a start step after the kit's own sends, and background commands", async () => {
    const file = scenarioFile(
      "late",
      `id: late\n${HEAD}steps:\n  - send: presence\n  - wait: 10\n  - start\n  - command: stop\n    background: true\n`,
    );
    const s = await loadScenario(file, "scenarios/late.yaml");
    expect(s.steps.map((st) => [st.action, st.arg])).toEqual([
      ["send", "presence"],
      ["wait", 10],
      ["start", true],
      ["command", "stop"],
    ]);
    expect(s.steps[3]!.fields).toEqual({ background: true });
  });

  it.each([
    [
      "an unknown action",
      `steps:\n  - send: discover\n  - expect: offer\n  - sned: discover\n`,
      'scenarios/bad.yaml: step 3: unknown action "sned"',
    ],
    [
      "an unknown field of a step",
      `steps:\n  - expect: offer\n    whre: {}\n`,
      'scenarios/bad.yaml: step 1: expect: unknown field "whre"',
    ],
    [
      "two actions in a step",
      `steps:\n  - expect: offer\n    kill: true\n`,
      "scenarios/bad.yaml: step 1: one action per step",
    ],
    [
      "a reference to nothing",
      `steps:\n  - expect: offer\n    where: { re: "\${offr.id}" }\n`,
      "scenarios/bad.yaml: step 1: unknown reference ${offr.id}",
    ],
    [
      "a reference to a later capture",
      `steps:\n  - expect: offer\n    where: { re: "\${o.id}" }\n  - expect: offer\n    as: o\n`,
      "step 1: unknown reference ${o.id}",
    ],
    [
      "after naming no capture",
      `steps:\n  - expect: offer\n    after: nothing\n`,
      'step 1: "after" must name a message captured',
    ],
    ["expectNone without for", `steps:\n  - expectNone: offer\n`, 'step 1: expectNone: needs "for"'],
    ["an unknown command", `steps:\n  - command: launch\n`, 'step 1: command: unknown command "launch"'],
    [
      "an unknown peer",
      `steps:\n  - send: discover\n    from: nobody\n`,
      'step 1: send: unknown peer "nobody"',
    ],
    [
      "a start after a check",
      `steps:\n  - send: presence\n  - expect: offer\n  - start\n`,
      'step 3: one "start" at most, before any step that needs the implementation',
    ],
    ["a second start", `steps:\n  - start\n  - start\n`, 'step 2: one "start" at most'],
    [
      "a background command with a result",
      `steps:\n  - command: stop\n    background: true\n    result: { ok: true }\n`,
      'step 1: command: a background command has no "result" or "as"',
    ],
    [
      "a negative bound",
      `steps:\n  - expect: offer\n    within: -1\n`,
      'step 1: expect: "within" must be a positive number',
    ],
  ])("names the file and the step for %s", async (_what, steps, message) => {
    expect(await loadError("bad", `id: bad\n${HEAD}${steps}`)).toContain(message);
  });

  it("names the file for errors outside the steps", async () => {
    expect(await loadError("x", `id: y\n${HEAD}steps: [kill]\n`)).toBe(
      'scenarios/x.yaml: id "y" differs from the file name "x"',
    );
    expect(await loadError("x", `id: x\nrule: R-1\nrole: hybrid\ntitle: t\nsteps: [kill]\n`)).toContain(
      "scenarios/x.yaml: role must be plugin or core",
    );
    expect(await loadError("x", `id: x\n${HEAD}buses: [local]\nsteps: [kill]\n`)).toContain(
      "buses must be a list of mqtt, nats, redis",
    );
    expect(await loadError("x", `id: x\n${HEAD}steps: [\n`)).toMatch(/^scenarios\/x\.yaml: not YAML/);
    expect(await loadError("x", `id: x\n${HEAD}steps: []\n`)).toContain('"steps" must be a non-empty list');
  });

  it("a folder without scenarios is an error", async () => {
    await expect(loadScenarios(mkdtempSync(join(tmpdir(), "kit-")))).rejects.toThrow(/no scenario files/);
  });
});
