/**
 * The README is what a newcomer follows: its first example is the runnable one in
 * examples/two-processes (word for word), its links stay inside the repository, and it
 * keeps the two set-up commands of a fresh clone.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const readme = readFileSync(join(REPO, "README.md"), "utf8");

describe("README", () => {
  it.each(["contract.ts", "plugin.ts", "core.ts"])("shows examples/two-processes/%s as it is", (file) => {
    const source = readFileSync(join(REPO, "examples", "two-processes", file), "utf8").trim();
    expect(readme).toContain("```ts\n" + source + "\n```");
  });

  it.each(["plugin.ts", "core.ts", "core.test.ts"])(
    "shows examples/thermostat/%s as it is (the five-minute path, the fakes)",
    (file) => {
      const source = readFileSync(join(REPO, "examples", "thermostat", file), "utf8")
        .trim()
        // In the README the generated code is in the user's ./generated folder.
        .replace("../../generated/examples/thermostat/index.js", "./generated/index.js")
        .replace("../../generated/examples/thermostat/fakes.js", "./generated/fakes.js");
      expect(readme).toContain("```ts\n" + source + "\n```");
    },
  );

  it("shows examples/pipeline/local.ts as it is, after its header comment", () => {
    const source = readFileSync(join(REPO, "examples", "pipeline", "local.ts"), "utf8");
    const code = source.slice(source.indexOf("*/\n") + 3).trim();
    expect(readme).toContain("```ts\n" + code + "\n```");
  });

  it("shows examples/hybrid.ts as it is", () => {
    const source = readFileSync(join(REPO, "examples", "hybrid.ts"), "utf8").trim();
    expect(readme).toContain("```ts\n" + source + "\n```");
  });

  it("shows the thermostat contract as it is", () => {
    const contract = readFileSync(
      join(REPO, "examples", "contracts", "thermostat.asyncapi.yaml"),
      "utf8",
    ).trim();
    expect(readme).toContain("```yaml\n" + contract + "\n```");
  });

  it("carries no notes for its editors (HTML comments, headings with stray quotes)", () => {
    // The one kind allowed: the markers the benchmark writes its tables between.
    const comments = readme.replace(/<!-- bench:(begin|end) -->/g, "");
    expect(comments).not.toMatch(/<!--|-->/);
    expect(readme.split("\n").filter((l) => /^#+ .*"/.test(l))).toEqual([]);
  });

  it("starts with npm install orbitalis", () => {
    const firstCommand = /```sh\n([^\n]+)/.exec(readme)?.[1];
    expect(firstCommand).toBe("npm install orbitalis");
  });

  it("links only to files of the repository, and they exist", () => {
    const links = [...readme.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)].map((m) => m[1]!);
    const local = links.filter((l) => !/^[a-z]+:\/\//.test(l));
    expect(local.length).toBeGreaterThan(3);
    for (const link of local) {
      expect(link.startsWith("..") || link.startsWith("/"), link).toBe(false);
      expect(existsSync(join(REPO, link)), link).toBe(true);
    }
    expect(readme).not.toMatch(/shared\/|DESIGN\.md/);
  });

  it("keeps the two set-up commands of a fresh clone", () => {
    expect(readme).toContain("npm ci && npm run demo");
    expect(readme).toContain("npm ci && npm test");
  });
});
