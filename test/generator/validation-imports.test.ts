/**
 * Generated contract validators need no package but `orbitalis`: their ajv run-time
 * helpers and format checks come from `orbitalis/validation` (issue 18), so they load in a
 * project whose node_modules does not hoist ajv. `format` is checked, with the same
 * definitions at generation and at run time, and a format the validators cannot check is
 * refused at generation with the file, the line and the JSON pointer.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../generator/cli.js";
import { FORMAT_NAMES, formats } from "../../runtime/validation.js";

const FIXTURE = "test/generator/fixtures/validation/signup.asyncapi.yaml";

/** Module specifiers a file imports (static imports and exports, dynamic imports, requires). */
function specifiers(code: string): string[] {
  const found = [
    ...code.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*"([^"]+)"/gm),
    ...code.matchAll(/^\s*import\s*"([^"]+)"/gm),
    ...code.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g),
    ...code.matchAll(/\brequire\(\s*"([^"]+)"\s*\)/g),
  ];
  return found.map((m) => m[1]!);
}

const fromOrbitalis = (s: string): boolean =>
  s === "orbitalis" || s.startsWith("orbitalis/") || s.startsWith(".");

let dir: string;
beforeAll(async () => {
  await mkdir(".tmp", { recursive: true });
  dir = await mkdtemp(join(".tmp", "validation-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function generate(file: string): Promise<{ code: number; text: string; out: string }> {
  const out = join(dir, `out-${Math.random().toString(36).slice(2)}`);
  const lines: string[] = [];
  const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
  const code = await main(["generate", file, "--out", out, "--no-check-types"], io);
  return { code, text: lines.join("\n"), out };
}

describe("generated validators import only orbitalis", () => {
  it("a contract with minLength and format: validators.ts imports orbitalis/validation, never ajv", async () => {
    const warn = vi.spyOn(console, "warn");
    try {
      const result = await generate(FIXTURE);
      expect(result.code, result.text).toBe(0);
      const code = await readFile(join(result.out, "validators.ts"), "utf8");
      expect(specifiers(code)).toEqual(["orbitalis/validation"]);
      expect(code).not.toMatch(/"ajv[/"]|require\(/);
      expect(code).toMatch(/orbitalis_validation\.ucs2length/);
      expect(code).toMatch(/orbitalis_validation\.formats\["date-time"\]/);
      for (const file of await readdir(result.out)) {
        if (!file.endsWith(".ts")) continue;
        const text = await readFile(join(result.out, file), "utf8");
        expect(
          specifiers(text).filter((s) => !fromOrbitalis(s)),
          file,
        ).toEqual([]);
      }
      // Formats are checked now, not an annotation: nothing is said about them.
      expect(result.text).not.toMatch(/annotation/);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  }, 60_000);

  it("every committed generated/examples validators.ts imports only orbitalis", async () => {
    const examples = await readdir("generated/examples");
    expect(examples.length).toBeGreaterThan(0);
    for (const name of examples) {
      const file = join("generated/examples", name, "validators.ts");
      if (!existsSync(file)) continue;
      const found = specifiers(await readFile(file, "utf8"));
      expect(
        found.filter((s) => !fromOrbitalis(s)),
        file,
      ).toEqual([]);
    }
  });
});

describe("format is checked", () => {
  it("the generated validators refuse a bad email, date, uuid and date-time, and a short name", async () => {
    const result = await generate(FIXTURE);
    expect(result.code, result.text).toBe(0);
    // Loaded here with orbitalis/validation as the runtime's source (as tsconfig paths map it).
    const source = (await readFile(join(result.out, "validators.ts"), "utf8")).replace(
      '"orbitalis/validation"',
      JSON.stringify(pathToFileURL(resolve("runtime/validation.ts")).href),
    );
    const file = join(result.out, "validators-under-test.ts");
    await writeFile(file, source);
    const { validators } = (await import(pathToFileURL(resolve(file)).href)) as {
      validators: Record<string, ((data: unknown) => boolean) & { errors?: { message?: string }[] }>;
    };
    const [signup, receipt] = Object.values(validators);
    expect(signup!({ name: "Ada", email: "ada@example.org", born: "1815-12-10" })).toBe(true);
    expect(signup!({ name: "Ada", email: "not an email" })).toBe(false);
    expect(signup!.errors?.[0]?.message).toBe('must match format "email"');
    expect(signup!({ name: "Ada", email: "ada@example.org", born: "1815-13-45" })).toBe(false);
    expect(signup!({ name: "A", email: "ada@example.org" })).toBe(false);
    // minLength counts code points: one emoji is one character.
    expect(signup!({ name: "😀😀", email: "ada@example.org" })).toBe(true);
    expect(receipt!({ id: "6f1c1e0a-8a6b-4c55-9a57-2f0d3c3f3c11", at: "2026-01-01T12:00:00Z" })).toBe(true);
    expect(receipt!({ id: "nope", at: "2026-01-01T12:00:00Z" })).toBe(false);
    expect(receipt!({ id: "6f1c1e0a-8a6b-4c55-9a57-2f0d3c3f3c11", at: "yesterday" })).toBe(false);
  }, 60_000);

  it("orbitalis/validation names the formats it checks", () => {
    for (const name of ["date", "date-time", "time", "email", "uri", "uuid", "ipv4", "ipv6", "hostname"]) {
      expect(FORMAT_NAMES).toContain(name);
      expect(formats[name]).toBeDefined();
    }
    expect(Object.isFrozen(formats)).toBe(true);
    // Definition objects (a validate function and a compare) are frozen too.
    const definitions = Object.values(formats).filter((f) => typeof f === "object" && !(f instanceof RegExp));
    expect(definitions.length).toBeGreaterThan(0);
    for (const definition of definitions) expect(Object.isFrozen(definition)).toBe(true);
  });

  it("an unknown format is refused with the file, the line and the pointer, and nothing is written", async () => {
    const text = await readFile(FIXTURE, "utf8");
    const bad = join(dir, "phone.asyncapi.yaml");
    await writeFile(bad, text.replace("format: email", "format: phone"));
    const result = await generate(bad);
    expect(result.code, result.text).toBe(1);
    expect(result.text).toMatch(
      /phone\.asyncapi\.yaml:\d+ #\/\S*payload\/properties\/email\/format: format "phone" is not one Orbitalis checks \(.*email.*\)/,
    );
    // The line is where the format is written (the message's payload is a $ref within the
    // file), not the line of the $ref.
    const line = text.split("\n").findIndex((l) => l.includes("format: email")) + 1;
    expect(result.text).toContain(`phone.asyncapi.yaml:${line} #/`);
    expect(existsSync(result.out)).toBe(false);
  }, 60_000);

  it("a `format` key inside examples (data, not a keyword) is not taken for one", async () => {
    const text = await readFile(FIXTURE, "utf8");
    expect(text).toMatch(/format: not-a-keyword-here/);
    const result = await generate(FIXTURE);
    expect(result.code, result.text).toBe(0);
  }, 60_000);
});
