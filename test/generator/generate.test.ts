import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../generator/cli.js";

function capture(): { io: { out: (l: string) => void; err: (l: string) => void }; text: () => string } {
  const lines: string[] = [];
  return { io: { out: (l) => lines.push(l), err: (l) => lines.push(l) }, text: () => lines.join("\n") };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "orbitalis-gen-"));
  await cp("spec/orbitalis.asyncapi.yaml", join(dir, "a", "orbitalis.asyncapi.yaml"));
  await cp("generated/protocol", join(dir, "protocol"), { recursive: true });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("orbitalis generate-protocol", () => {
  it("--check passes when generated/ matches the spec", async () => {
    const c = capture();
    const code = await main(
      [
        "generate-protocol",
        "--spec",
        join(dir, "a", "orbitalis.asyncapi.yaml"),
        "--out",
        join(dir, "protocol"),
        "--check",
      ],
      c.io,
    );
    expect(c.text()).toMatch(/is in sync/);
    expect(code).toBe(0);
  }, 60_000);

  it("--check fails and names the stale files when one schema changes without regenerating", async () => {
    const spec = await readFile(join(dir, "a", "orbitalis.asyncapi.yaml"), "utf8");
    const changed = spec.replace(/(Reason:\n(?:.*\n){2}\s+maxLength: )1024/, "$11000");
    expect(changed).not.toBe(spec);
    await mkdir(join(dir, "b"));
    await writeFile(join(dir, "b", "orbitalis.asyncapi.yaml"), changed);
    const c = capture();
    const code = await main(
      [
        "generate-protocol",
        "--spec",
        join(dir, "b", "orbitalis.asyncapi.yaml"),
        "--out",
        join(dir, "protocol"),
        "--check",
      ],
      c.io,
    );
    expect(code).toBe(1);
    expect(c.text()).toMatch(/out of date: .*validators\.ts/);
    expect(c.text()).toMatch(/not in sync/);
  }, 60_000);

  it("regenerates: writes only what changed and removes files it no longer produces", async () => {
    await writeFile(join(dir, "protocol", "leftover.ts"), "// old\n");
    const c = capture();
    const code = await main(
      [
        "generate-protocol",
        "--spec",
        join(dir, "b", "orbitalis.asyncapi.yaml"),
        "--out",
        join(dir, "protocol"),
      ],
      c.io,
    );
    expect(code).toBe(0);
    expect(c.text()).toMatch(/removed .*leftover\.ts/);
    const validators = await readFile(join(dir, "protocol", "validators.ts"), "utf8");
    expect(validators).toMatch(/^\/\/ @generated .*do not edit/);
    expect(validators).toContain("1000");
  }, 60_000);

  it("reports a broken spec with the file and the place", async () => {
    await writeFile(
      join(dir, "broken.yaml"),
      "asyncapi: 3.0.0\ninfo:\n  title: x\nchannels:\n  a:\n    address: 42\n",
    );
    const c = capture();
    const code = await main(
      ["generate-protocol", "--spec", join(dir, "broken.yaml"), "--out", join(dir, "nowhere"), "--check"],
      c.io,
    );
    expect(code).toBe(1);
    expect(c.text()).toMatch(/broken\.yaml/);
    expect(c.text()).toMatch(/#\/info|#\/channels/);
  }, 60_000);
});

describe("orbitalis CLI", () => {
  it("prints help and version", async () => {
    const help = capture();
    expect(await main(["--help"], help.io)).toBe(0);
    expect(help.text()).toMatch(/Usage:/);
    const version = capture();
    expect(await main(["--version"], version.io)).toBe(0);
    const pkg = JSON.parse(await readFile("package.json", "utf8")) as { version: string };
    expect(version.text()).toBe(pkg.version);
    const unknown = capture();
    expect(await main(["frobnicate"], unknown.io)).toBe(2);
    expect(unknown.text()).toMatch(/unknown command "frobnicate"/);
  });

  it("validate: 0 for a valid message, 1 with reasons for an invalid one", async () => {
    const vector = JSON.parse(await readFile("spec/conformance/offer/valid-basic.json", "utf8")) as {
      message: Record<string, unknown>;
    };
    await writeFile(join(dir, "offer.json"), JSON.stringify(vector.message));
    const good = capture();
    expect(await main(["validate", "spec/orbitalis.asyncapi.yaml", join(dir, "offer.json")], good.io)).toBe(
      0,
    );
    expect(good.text()).toBe("valid offer message");
    await writeFile(join(dir, "bad-offer.json"), JSON.stringify({ ...vector.message, holdMs: "soon" }));
    const bad = capture();
    expect(
      await main(["validate", "spec/orbitalis.asyncapi.yaml", join(dir, "bad-offer.json")], bad.io),
    ).toBe(1);
    expect(bad.text()).toMatch(/invalid message[\s\S]*\/holdMs/);
  }, 60_000);
});
