/**
 * The spec's version means something (rules VER-5, VER-6): each released revision is kept
 * under spec/releases/; the spec's message schemas must equal those of the release named by
 * its `info.version` (a schema change without a version change fails here), successive
 * minor releases must be compatible extensions, and the changelog names every release.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { breakingChanges, firstDifference, wireContract } from "../../generator/model/spec-compat.js";

const SPEC = "spec/orbitalis.asyncapi.yaml";
const RELEASES = "spec/releases";
const RELEASE_FILE = /^orbitalis-(\d+)\.(\d+)\.(\d+)\.asyncapi\.yaml$/;

function load(path: string): Record<string, unknown> {
  return parse(readFileSync(path, "utf8")) as Record<string, unknown>;
}

function version(spec: Record<string, unknown>): string {
  return String((spec.info as Record<string, unknown>).version);
}

const releases = readdirSync(RELEASES)
  .flatMap((name) => {
    const m = RELEASE_FILE.exec(name);
    return m ? [{ name, parts: [Number(m[1]), Number(m[2]), Number(m[3])] as const }] : [];
  })
  .sort((x, y) => x.parts[0] - y.parts[0] || x.parts[1] - y.parts[1] || x.parts[2] - y.parts[2]);

describe("spec versions", () => {
  it("the spec's message schemas are those of the release its info.version names", () => {
    const spec = load(SPEC);
    const file = `${RELEASES}/orbitalis-${version(spec)}.asyncapi.yaml`;
    const release = releases.find((r) => `${RELEASES}/${r.name}` === file);
    expect(release, `${file} must exist: a new version is released by copying the spec there`).toBeDefined();
    const released = load(file);
    expect(version(released)).toBe(version(spec));
    const diff = firstDifference(wireContract(released), wireContract(spec));
    expect(
      diff,
      `the message schemas differ from release ${version(spec)} at ${diff}: a schema change needs a new version ` +
        `(bump info.version, copy the spec to spec/releases/, add a spec/CHANGELOG.md entry)`,
    ).toBeUndefined();
  });

  it("each minor release is a compatible extension of the one before it", () => {
    for (let i = 1; i < releases.length; i++) {
      const [before, after] = [releases[i - 1]!, releases[i]!];
      if (before.parts[0] !== after.parts[0]) continue;
      const breaking = breakingChanges(
        wireContract(load(`${RELEASES}/${before.name}`)),
        wireContract(load(`${RELEASES}/${after.name}`)),
      );
      expect(breaking, `${after.name} breaks ${before.name}`).toEqual([]);
    }
  });

  it("the changelog has an entry for every release", () => {
    const changelog = readFileSync("spec/CHANGELOG.md", "utf8");
    for (const r of releases) expect(changelog).toContain(`## ${r.parts.join(".")}`);
  });
});

describe("the compatibility check", () => {
  const base = {
    schemas: {
      Ping: {
        type: "object",
        required: ["v", "kind"],
        properties: { v: { const: 1 }, kind: { const: "ping" }, n: { type: "integer", maximum: 10 } },
      },
      Role: {
        anyOf: [
          { type: "string", enum: ["a", "b"] },
          { type: "string", pattern: "^[a-z]+$" },
        ],
      },
      Mode: { type: "string", enum: ["x", "y"] },
      Sig: { type: "object", additionalProperties: false, properties: { kid: { type: "string" } } },
    },
  };
  const changed = (edit: (s: typeof base.schemas) => void): unknown => {
    const copy = structuredClone(base);
    edit(copy.schemas);
    return copy;
  };

  it("accepts what a minor revision may add", () => {
    expect(breakingChanges(base, base)).toEqual([]);
    const added = changed((s) => {
      (s.Ping.properties as Record<string, unknown>).meta = { type: "object" };
      s.Role.anyOf[0]!.enum!.push("c");
      (s as Record<string, unknown>).Pong = { type: "object" };
    });
    expect(breakingChanges(base, added)).toEqual([]);
  });

  it("names every breaking change", () => {
    const broken = changed((s) => {
      s.Ping.required.push("n");
      delete (s.Ping.properties as Partial<typeof s.Ping.properties>).n;
      s.Mode.enum.push("z");
      s.Role.anyOf[0]!.enum = ["a"];
      s.Ping.properties.v = { const: 2 };
      (s.Sig.properties as Record<string, unknown>).alg = { type: "string" };
    });
    expect(breakingChanges(base, broken)).toEqual([
      '/schemas/Ping/required: "n" became required',
      "/schemas/Ping/properties/v/const: changed from 1 to 2",
      "/schemas/Ping/properties/n: removed",
      '/schemas/Role/anyOf/0/enum: value "b" removed',
      '/schemas/Mode/enum: value "z" added to a closed enum',
      "/schemas/Sig/properties/alg: added to a closed schema",
    ]);
    const tighter = changed((s) => {
      s.Ping.properties.n = { type: "integer", maximum: 5 };
      (s.Ping as Record<string, unknown>).maxProperties = 8;
    });
    expect(breakingChanges(base, tighter)).toEqual([
      "/schemas/Ping/properties/n/maximum: changed from 10 to 5",
      "/schemas/Ping/maxProperties: added (a new constraint)",
    ]);
  });
});
