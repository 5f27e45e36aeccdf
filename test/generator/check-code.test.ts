/**
 * The generator's pre-write type check holds generated code to what `npx tsc --init`
 * turns on (exactOptionalPropertyTypes, noUncheckedIndexedAccess), whatever the tsconfig
 * nearest to where it is written says.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ContractError } from "orbitalis";
import { checkGenerated } from "../../generator/emit/check-code.js";

const dir = mkdtempSync(join(tmpdir(), "orbitalis-check-code-"));
// A lenient project: strict, and nothing more.
writeFileSync(
  join(dir, "tsconfig.json"),
  JSON.stringify({ compilerOptions: { strict: true, module: "nodenext", noEmit: true } }),
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (content: string) => [{ path: "index.ts", content }];

describe("checkGenerated", () => {
  it("passes code that compiles under tsc --init's options", () => {
    expect(() =>
      checkGenerated(
        dir,
        file("export const o: { a?: number } = {};\nexport const n: number = [1][0] ?? 0;\n"),
      ),
    ).not.toThrow();
  });

  it("refuses undefined given to an optional property (exactOptionalPropertyTypes), though the nearest tsconfig allows it", () => {
    const code = "const v: number | undefined = undefined;\nexport const o: { a?: number } = { a: v };\n";
    expect(() => checkGenerated(dir, file(code))).toThrow(ContractError);
    expect(() => checkGenerated(dir, file(code))).toThrow(/TS2375|TS2322/);
  });

  it("refuses an unchecked index read (noUncheckedIndexedAccess)", () => {
    expect(() => checkGenerated(dir, file("export const n: number = [1][0];\n"))).toThrow(/TS2322/);
  });
});
