/**
 * Generated code compiles in a project set up by `tsc --init`, not only under this
 * repository's options: TypeScript's own defaults for a new project (5.9's, the same as
 * 7's) turn on `exactOptionalPropertyTypes`, `noUncheckedIndexedAccess`,
 * `verbatimModuleSyntax`, `isolatedModules`, `module: nodenext` and more. Every example
 * contract and the hybrid fixture are generated in memory and compiled with the
 * TypeScript compiler API under those options; `orbitalis` resolves to the runtime's
 * sources, whose own diagnostics are not this test's concern (a user compiles its built
 * declarations with `skipLibCheck`).
 */
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import { buildContractModel } from "../../generator/model/contract-model.js";
import { emitContract } from "../../generator/emit/emit-contract.js";
import { loadSpec } from "../../generator/load/load-spec.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
/** Where the generated files are placed (in memory only): inside the repository, an ES module scope. */
const OUT = join(REPO, ".tmp", "strict-compile");
const CONTRACTS = [
  ...readdirSync(join(REPO, "examples", "contracts"))
    .filter((f) => f.endsWith(".asyncapi.yaml"))
    .map((f) => join("examples", "contracts", f)),
  join("test", "generator", "hybrid.asyncapi.yaml"),
];

/** What `tsc --init` writes into a new tsconfig.json, as compiler options. */
function tscInitOptions(): ts.CompilerOptions {
  // The function behind `tsc --init`: exported at run time, not declared in typescript.d.ts.
  const generate = (ts as unknown as { generateTSConfig?: (o: ts.CompilerOptions, nl: string) => string })
    .generateTSConfig;
  if (generate === undefined) throw new Error("this TypeScript has no generateTSConfig");
  const json = ts.parseConfigFileTextToJson("tsconfig.json", generate({}, "\n")) as {
    config: { compilerOptions: object };
  };
  const { options, errors } = ts.convertCompilerOptionsFromJson(json.config.compilerOptions, REPO);
  expect(errors).toEqual([]);
  return options;
}

let files: Map<string, string>;
let options: ts.CompilerOptions;
beforeAll(async () => {
  files = new Map();
  for (const contract of CONTRACTS) {
    const name = contract.replace(/^.*\//, "").replace(/\.asyncapi\.yaml$/, "");
    const emitted = await emitContract(buildContractModel(await loadSpec(contract)), contract);
    for (const f of emitted) if (f.path.endsWith(".ts")) files.set(join(OUT, name, f.path), f.content);
  }
  options = {
    ...tscInitOptions(),
    noEmit: true,
    declaration: false,
    declarationMap: false,
    sourceMap: false,
    paths: {
      orbitalis: [join(REPO, "runtime", "index.ts")],
      "orbitalis/protocol": [join(REPO, "generated", "protocol", "index.ts")],
      "orbitalis/testing": [join(REPO, "runtime", "testing", "index.ts")],
    },
  };
}, 120_000);

/** Compiles the generated files; returns the diagnostics in them, one line each. */
function compile(): string[] {
  const host = ts.createCompilerHost(options);
  const real = ts.createCompilerHost(options);
  host.fileExists = (f) => files.has(f) || real.fileExists(f);
  host.readFile = (f) => files.get(f) ?? real.readFile(f);
  host.directoryExists = (d) =>
    [...files.keys()].some((f) => f.startsWith(`${d}/`)) || (real.directoryExists?.(d) ?? false);
  host.getSourceFile = (f, language, ...rest) => {
    const text = files.get(f);
    return text === undefined
      ? real.getSourceFile(f, language, ...rest)
      : ts.createSourceFile(f, text, language, true);
  };
  const program = ts.createProgram([...files.keys()], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file !== undefined && files.has(d.file.fileName))
    .map((d) => {
      const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
      const where = `${d.file!.fileName.slice(OUT.length + 1)}:${line + 1}`;
      return `${where} TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`;
    });
}

describe("generated code under tsc --init's options", () => {
  it("tsc --init turns on exactOptionalPropertyTypes, noUncheckedIndexedAccess, verbatimModuleSyntax", () => {
    expect(options).toMatchObject({
      strict: true,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
      verbatimModuleSyntax: true,
      isolatedModules: true,
      module: ts.ModuleKind.NodeNext,
    });
  });

  it("every example contract and the hybrid fixture compile without an error", () => {
    expect([...files.keys()].map((f) => dirname(f).slice(OUT.length + 1))).toEqual(
      expect.arrayContaining(["pipeline", "thermostat", "smart-home", "hybrid"]),
    );
    expect(compile()).toEqual([]);
  }, 120_000);
});
