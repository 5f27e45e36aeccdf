import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { MESSAGE_KINDS, validateMessage } from "../../generated/protocol/index.js";
import { loadKnownAnswers, loadVectors, VECTORS_DIR } from "../helpers/conformance.js";

const vectors = loadVectors();
const PYTHON = "/usr/bin/python3";

describe("conformance vectors", () => {
  it("cover every message kind with at least one valid and two invalid examples", () => {
    for (const kind of MESSAGE_KINDS) {
      const mine = vectors.filter((v) => v.file.startsWith(`${kind}/`));
      expect(mine.filter((v) => v.valid).length, kind).toBeGreaterThanOrEqual(1);
      expect(mine.filter((v) => !v.valid).length, kind).toBeGreaterThanOrEqual(2);
      for (const v of mine) expect(v.description.length, v.file).toBeGreaterThan(5);
    }
  });

  it.each(vectors.map((v) => [v.file, v] as const))(
    "%s gets the expected verdict from the generated validators",
    (_f, v) => {
      const result = validateMessage(v.message);
      expect(result.ok, result.ok ? "valid" : result.errors.join("; ")).toBe(v.valid);
      if (!result.ok) expect(result.errors.length).toBeGreaterThan(0);
    },
  );

  it("the Python checker (python3-jsonschema, schemas read from the spec) reaches identical verdicts", async (ctx) => {
    const usable =
      existsSync(PYTHON) &&
      (await promisify(execFile)(PYTHON, ["-c", "import jsonschema, yaml"]).then(
        () => true,
        () => false,
      ));
    if (!usable) {
      // In CI the Python checker is part of the contract: .ci/run installs it, so its absence is a failure.
      if (process.env.CI === "true") throw new Error(`${PYTHON} with jsonschema and yaml is required in CI`);
      ctx.skip(
        "python3-jsonschema / python3-yaml not installed (apt-get install python3-jsonschema python3-yaml)",
      );
    }
    const { stdout } = await promisify(execFile)(
      PYTHON,
      [`${VECTORS_DIR}/check.py`, "spec/orbitalis.asyncapi.yaml", VECTORS_DIR],
      {
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const output = JSON.parse(stdout) as {
      results: { file: string; valid: boolean; errors: string[] }[];
      vectors: { file: string; group: string; name: string; ok: boolean; error: string | null }[];
    };
    const results = output.results;
    expect(results.map((r) => r.file).sort()).toEqual(vectors.map((v) => v.file).sort());
    const mismatches = results.flatMap((r) => {
      const v = vectors.find((x) => x.file === r.file)!;
      const ts = validateMessage(v.message).ok;
      return r.valid === v.valid && ts === v.valid
        ? []
        : [`${r.file}: expected ${v.valid}, python ${r.valid}, typescript ${ts}`];
    });
    expect(mismatches).toEqual([]);
    // Known-answer vectors (HMAC, fingerprints, matching), recomputed by Python's own RFC 8785 code.
    const known = output.vectors.map(({ file, group, name }) => ({ file, group, name }));
    expect(known).toEqual(loadKnownAnswers());
    expect(output.vectors.filter((v) => !v.ok)).toEqual([]);
  });
});
