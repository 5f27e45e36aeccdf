/**
 * Type-checks generated TypeScript in memory (ts-morph) before anything is written: the
 * files are placed where they will be written, so `orbitalis` resolves as it will for
 * the user (their installed package, or the tsconfig `paths` of the nearest tsconfig).
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { Project, ts } from "ts-morph";
import { ContractError } from "orbitalis";
import type { GeneratedFile } from "./write.js";

/** The nearest tsconfig.json at or above `dir`, if any. */
function nearestTsconfig(dir: string): string | undefined {
  let current = resolve(dir);
  for (;;) {
    const candidate = join(current, "tsconfig.json");
    if (existsSync(candidate)) return candidate;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/**
 * What a user's tsconfig may add to `strict` (`npx tsc --init` of TypeScript 5.9 and 7
 * turns both on): generated code must compile under them whatever the nearest tsconfig
 * says. (Module-syntax options such as verbatimModuleSyntax depend on the user's package
 * type, so they are left to that tsconfig.)
 */
const STRICTER: ts.CompilerOptions = {
  noEmit: true,
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
};

const STRICT: ts.CompilerOptions = {
  ...STRICTER,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  skipLibCheck: true,
};

/**
 * Compiles `files` as if written under `outDir`, with the nearest tsconfig's options
 * (module resolution and paths included) and at least {@link STRICTER}.
 * @throws ContractError listing the first errors when they do not compile.
 */
export function checkGenerated(outDir: string, files: readonly GeneratedFile[]): void {
  const tsconfig = nearestTsconfig(outDir);
  const project = tsconfig
    ? new Project({
        tsConfigFilePath: tsconfig,
        skipAddingFilesFromTsConfig: true,
        compilerOptions: STRICTER,
      })
    : new Project({ compilerOptions: STRICT });
  const sources = files
    .filter((f) => f.path.endsWith(".ts"))
    .map((f) => project.createSourceFile(join(resolve(outDir), f.path), f.content, { overwrite: true }));
  const diagnostics = project.getPreEmitDiagnostics().filter((d) => {
    const file = d.getSourceFile();
    return file !== undefined && sources.includes(file);
  });
  if (diagnostics.length === 0) return;
  const message = (d: (typeof diagnostics)[number]): string => {
    const text = d.getMessageText();
    return typeof text === "string" ? text : text.getMessageText();
  };
  const text = diagnostics
    .slice(0, 5)
    .map(
      (d) =>
        `  ${d.getSourceFile()?.getFilePath() ?? "?"}:${d.getLineNumber() ?? "?"} TS${d.getCode()}: ${message(d)}`,
    )
    .join("\n");
  const unresolved = diagnostics.some((d) => d.getCode() === 2307 && message(d).includes("'orbitalis'"));
  throw new ContractError(
    outDir,
    unresolved
      ? "the generated code imports the package orbitalis, which is not installed where it is written: npm install orbitalis (or pass --no-check-types)"
      : `the generated code does not compile (a generator bug: please report it with your contract):\n${text}`,
  );
}
