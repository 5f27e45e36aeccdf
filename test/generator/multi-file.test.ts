/**
 * Contracts split into several files (`$ref: ./schemas/common.yaml#/Reading`, JSON too, a
 * referenced file referencing others relative to itself): `orbitalis generate` produces the
 * same code as from one file, schemas named under components become shared types, and
 * every error in a referenced file names that file and the line there; a missing file is
 * named with the `$ref` that wants it, and a remote URL is refused.
 */
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../generator/cli.js";
import { loadSpec } from "../../generator/load/load-spec.js";

const WEATHER = "examples/contracts-multi/weather";
const STATION = "test/generator/fixtures/multi-file/station";

function capture(): { io: { out: (l: string) => void; err: (l: string) => void }; text: () => string } {
  const lines: string[] = [];
  return { io: { out: (l) => lines.push(l), err: (l) => lines.push(l) }, text: () => lines.join("\n") };
}

let dir: string;
beforeAll(async () => {
  // Inside the repository, so that "orbitalis" resolves (tsconfig paths) for the type check.
  await mkdir(".tmp", { recursive: true });
  dir = await mkdtemp(join(".tmp", "multi-file-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs `generate` on `file` into a fresh folder. */
async function generateInto(file: string, extra: string[] = ["--no-check-types"]) {
  const out = join(dir, `out-${Math.random().toString(36).slice(2)}`);
  const c = capture();
  const code = await main(["generate", file, "--out", out, ...extra], c.io);
  return { code, text: c.text(), out, wrote: existsSync(out) };
}

/** A copy of the contract folder `from` with `edits` made to its files (each `[file, from, to]`). */
async function variant(from: string, edits: [string, string, string][]): Promise<string> {
  const copy = await mkdtemp(join(dir, "contract-"));
  await cp(from, copy, { recursive: true });
  for (const [file, before, after] of edits) {
    const path = join(copy, file);
    const text = existsSync(path) ? await readFile(path, "utf8") : "";
    if (before !== "") expect(text, `${file} contains ${before}`).toContain(before);
    await writeFile(path, before === "" ? after : text.replace(before, after));
  }
  return copy;
}

/** The line (1-based) of the first line of `file` that contains `text`. */
async function lineWith(file: string, text: string): Promise<number> {
  const index = (await readFile(file, "utf8")).split("\n").findIndex((l) => l.includes(text));
  expect(index, `${file} has a line with ${text}`).toBeGreaterThanOrEqual(0);
  return index + 1;
}

describe("multi-file contracts: generation", () => {
  it("the weather example: schemas from a YAML and a JSON file, shared types, the code compiles", async () => {
    const result = await generateInto(`${WEATHER}/weather.asyncapi.yaml`, []);
    expect(result.code, result.text).toBe(0);
    expect(result.text).toMatch(/type-checking \d+ files/);
    const types = await readFile(join(result.out, "types.ts"), "utf8");
    // Named under components.schemas: shared types, also when nested in another file (place).
    expect(types).toMatch(/export interface Reading \{[^}]*celsius: number;[^}]*place: Place;/);
    expect(types).toMatch(/export interface Place \{[^}]*name: string;/);
    // Referenced only from common.yaml: inline.
    expect(types).not.toMatch(/Celsius/);
    // The nested schemas' constraints are in the wire schema (common.yaml#/Celsius, place.json).
    const schema = JSON.parse(await readFile(join(result.out, "schemas", "Reading.json"), "utf8")) as {
      properties: { celsius: { maximum: number }; place: { properties: { latitude: { maximum: number } } } };
    };
    expect(schema.properties.celsius.maximum).toBe(60);
    expect(schema.properties.place.properties.latitude.maximum).toBe(90);
    const index = await readFile(join(result.out, "index.ts"), "utf8");
    expect(index).toContain("export abstract class StationPlugin");
    expect(index).toContain("export class DashboardCore");
  }, 120_000);

  it("a message in another file, its schema in a JSON file that refers to a subfolder, each relative to itself", async () => {
    const result = await generateInto(`${STATION}/station.asyncapi.yaml`);
    expect(result.code, result.text).toBe(0);
    const types = await readFile(join(result.out, "types.ts"), "utf8");
    expect(types).toMatch(/export interface Status \{[^}]*battery: number;[^}]*online: boolean;/);
    const schema = JSON.parse(await readFile(join(result.out, "schemas", "Status.json"), "utf8")) as {
      properties: { battery: { maximum: number } };
    };
    expect(schema.properties.battery.maximum).toBe(100);
  }, 60_000);

  it("loadSpec lists every file the $refs reach, named from the main file's folder", async () => {
    const spec = await loadSpec(`${STATION}/station.asyncapi.yaml`);
    expect(spec.files.map((f) => f.name)).toEqual([
      `${STATION}/station.asyncapi.yaml`,
      `${STATION}/messages/station.yaml`,
      `${STATION}/schemas/status.json`,
      `${STATION}/schemas/units/percent.yaml`,
    ]);
    // A path through the $refs lands in the file that holds it.
    expect(spec.where(["channels", "status", "messages", "Status", "payload", "properties", "battery"])).toBe(
      `${STATION}/schemas/units/percent.yaml:1 #/Percent`,
    );
    // A path that stays in the main file is located there, as before.
    const line = await lineWith(`${STATION}/station.asyncapi.yaml`, "action: send");
    expect(spec.where(["operations", "status_changed", "action"])).toBe(
      `${STATION}/station.asyncapi.yaml:${line} #/operations/status_changed/action`,
    );
  }, 60_000);

  it("validate and docs read multi-file contracts too", async () => {
    const payload = join(dir, "reading.json");
    await writeFile(payload, JSON.stringify({ celsius: 21.5, place: { name: "Roof" } }));
    const ok = capture();
    expect(await main(["validate", `${WEATHER}/weather.asyncapi.yaml`, payload], ok.io)).toBe(0);
    expect(ok.text()).toBe("valid Reading payload");
    await writeFile(payload, JSON.stringify({ celsius: 21.5, place: { name: "Roof", latitude: 91 } }));
    const bad = capture();
    expect(
      await main(["validate", `${WEATHER}/weather.asyncapi.yaml`, payload, "--message", "Reading"], bad.io),
    ).toBe(1);
    expect(bad.text()).toMatch(/latitude/);
    const md = join(dir, "weather.md");
    const docs = capture();
    expect(await main(["docs", `${WEATHER}/weather.asyncapi.yaml`, "--out", md], docs.io), docs.text()).toBe(
      0,
    );
    // The fields of Reading, from common.yaml and place.json.
    expect(await readFile(md, "utf8")).toMatch(/`celsius`[\s\S]*`place`/);
  }, 60_000);
});

describe("multi-file contracts: errors name the file and the line where they are", () => {
  it("a $ref to a pointer that does not exist, inside the referenced file", async () => {
    const copy = await variant(WEATHER, [["schemas/common.yaml", '"#/Celsius"', '"#/Celsiuss"']]);
    const result = await generateInto(join(copy, "weather.asyncapi.yaml"));
    expect(result.code, result.text).toBe(1);
    const line = await lineWith(join(copy, "schemas/common.yaml"), "#/Celsiuss");
    expect(result.text).toContain(
      `${copy}/schemas/common.yaml:${line} #/Reading/properties/celsius/$ref: "#/Celsiuss" does not exist: ` +
        `${copy}/schemas/common.yaml has no #/Celsiuss`,
    );
    expect(result.text).not.toMatch(/weather\.asyncapi\.yaml:1 /);
    expect(result.wrote).toBe(false);
  }, 60_000);

  it("a $ref to a pointer that does not exist in another file (JSON, nested, in a subfolder)", async () => {
    const copy = await variant(STATION, [["schemas/status.json", "#/Percent", "#/Percents"]]);
    const result = await generateInto(join(copy, "station.asyncapi.yaml"));
    expect(result.code, result.text).toBe(1);
    const line = await lineWith(join(copy, "schemas/status.json"), "#/Percents");
    expect(result.text).toContain(
      `${copy}/schemas/status.json:${line} #/properties/battery/$ref: "units/percent.yaml#/Percents" does not exist: ` +
        `${copy}/schemas/units/percent.yaml has no #/Percents`,
    );
  }, 60_000);

  it("a bad schema in the referenced file (the parser's error), at its line there", async () => {
    const copy = await variant(WEATHER, [
      ["schemas/common.yaml", "type: number\n  minimum: -90", "type: numbr\n  minimum: -90"],
    ]);
    const result = await generateInto(join(copy, "weather.asyncapi.yaml"));
    expect(result.code, result.text).toBe(1);
    const line = await lineWith(join(copy, "schemas/common.yaml"), "numbr");
    expect(result.text).toContain(
      `${copy}/schemas/common.yaml:${line} #/Celsius/type: "type" property must be`,
    );
    expect(result.wrote).toBe(false);
  }, 60_000);

  it("a contract rule broken in the referenced file (a recursive schema), at its line there", async () => {
    const copy = await variant(WEATHER, [
      [
        "schemas/place.json",
        '"name": { "type": "string" },',
        '"name": { "type": "string" }, "near": { "$ref": "#" },',
      ],
    ]);
    const result = await generateInto(join(copy, "weather.asyncapi.yaml"));
    expect(result.code, result.text).toBe(1);
    // Reported where the payload's schema is: common.yaml#/Reading (which holds place.json's Place).
    const line = await lineWith(join(copy, "schemas/common.yaml"), "Reading:");
    expect(result.text).toContain(
      `${copy}/schemas/common.yaml:${line} #/Reading: a recursive schema (it contains itself) is not supported`,
    );
    expect(result.wrote).toBe(false);
  }, 60_000);

  it("a contract rule broken in a message from another file, at its line there", async () => {
    const copy = await variant(STATION, [["messages/station.yaml", "name: Status", "name: Contract"]]);
    const result = await generateInto(join(copy, "station.asyncapi.yaml"));
    expect(result.code, result.text).toBe(1);
    expect(result.text).toContain(
      `${copy}/messages/station.yaml:1 #/Status: message name "Contract" cannot be a type name (`,
    );
  }, 60_000);

  it("a missing file: named, with the file and line of the $ref that wants it", async () => {
    const copy = await variant(WEATHER, [["schemas/common.yaml", '"./place.json"', '"./nope.yaml"']]);
    const result = await generateInto(join(copy, "weather.asyncapi.yaml"));
    expect(result.code, result.text).toBe(1);
    const line = await lineWith(join(copy, "schemas/common.yaml"), "nope.yaml");
    expect(result.text).toContain(
      `${copy}/schemas/common.yaml:${line} #/Reading/properties/place/$ref: $ref "./nope.yaml": ${copy}/schemas/nope.yaml does not exist`,
    );
    expect(result.wrote).toBe(false);
  }, 60_000);

  it("a referenced file that is not YAML or JSON: named, with the $ref that wants it", async () => {
    const copy = await variant(WEATHER, [["schemas/place.json", "", '{ "type": "object", ']]);
    const result = await generateInto(join(copy, "weather.asyncapi.yaml"));
    expect(result.code, result.text).toBe(1);
    expect(result.text).toMatch(
      new RegExp(
        `${copy}/schemas/place\\.json: not valid YAML or JSON \\(referenced from ${copy}/[\\w./]+:\\d+ #/`,
      ),
    );
  }, 60_000);

  it("a remote URL is refused (no network at generation), with the file and line", async () => {
    const copy = await variant(WEATHER, [
      ["weather.asyncapi.yaml", '"./schemas/place.json"', '"https://schemas.example.com/place.json"'],
    ]);
    const result = await generateInto(join(copy, "weather.asyncapi.yaml"));
    expect(result.code, result.text).toBe(1);
    const line = await lineWith(join(copy, "weather.asyncapi.yaml"), "https://");
    expect(result.text).toContain(
      `${copy}/weather.asyncapi.yaml:${line} #/components/schemas/Place/$ref: $ref "https://schemas.example.com/place.json" is a remote URL`,
    );
    expect(result.wrote).toBe(false);
  }, 60_000);
});
