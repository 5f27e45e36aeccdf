// The API report: what each entry point of the `orbitalis` package exports, as its
// declaration files say it, written to api/<entry>.api.md and committed, so that a
// change to the public surface shows up in review as a change to that file.
//
//   npm run api         writes the reports (after a deliberate change to the API)
//   npm run check:api   fails, with a diff, when a report is not what the code declares
//
// How: the runtime's declarations are emitted in memory (tsc's own declaration emit, with
// the options of packages/orbitalis/tsconfig.build.json), then, for each entry point of the
// package's "exports" map that has typings, every exported name is listed with its
// declaration, comments removed and formatted by prettier, values first, then types, each
// sorted by name. Below them each report lists what reviewers must see:
//   - types that a public declaration uses but no entry point exports (a user cannot name
//     a parameter's type): this list must be empty, both commands fail otherwise;
//   - exports without TSDoc;
//   - writable properties of exported classes (public mutable state).
// Names for the runtime's own use and its tests go in runtime/internal.ts, never in an
// entry point (docs/architecture.md, "Public API").
/* global process, console */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import * as prettier from "prettier";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkgDir = join(root, "packages", "orbitalis");
const reportDir = join(root, "api");
const check = process.argv.includes("--check");
/** Where the in-memory declarations live: a folder that does not exist on disk. */
const virtualOut = join(pkgDir, ".api-dist");

/** Emits the package's declaration files into a map (path -> text). */
function emitDeclarations() {
  const configPath = join(pkgDir, "tsconfig.build.json");
  const config = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: fail },
  );
  if (!config) fail(`cannot read ${configPath}`);
  const options = {
    ...config.options,
    outDir: virtualOut,
    declaration: true,
    emitDeclarationOnly: true,
    declarationMap: false,
    sourceMap: false,
    inlineSources: false,
    noEmit: false,
  };
  const program = ts.createProgram(config.fileNames, options);
  const files = new Map();
  const result = program.emit(undefined, (file, text) => files.set(resolve(file), text), undefined, true);
  // Type errors are the typecheck's to report; only what stops the declarations counts here.
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getSyntacticDiagnostics(),
    ...result.diagnostics,
  ];
  if (diagnostics.length > 0) fail(ts.formatDiagnosticsWithColorAndContext(diagnostics, host(ts.sys)));
  return files;
}

function host(sys) {
  return {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => sys.getCurrentDirectory(),
    getNewLine: () => "\n",
  };
}

function fail(message) {
  console.error(
    typeof message === "string" ? message : ts.flattenDiagnosticMessageText(message.messageText, "\n"),
  );
  process.exit(1);
}

/** A program over the emitted declarations (files of the map; everything else from disk). */
function declarationProgram(files, entryFiles) {
  const options = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    noEmit: true,
    strict: true,
    skipLibCheck: true,
    types: ["node"],
  };
  const base = ts.createCompilerHost(options);
  const compilerHost = {
    ...base,
    fileExists: (f) => files.has(resolve(f)) || base.fileExists(f),
    directoryExists: (d) => resolve(d).startsWith(virtualOut) || (base.directoryExists?.(d) ?? true),
    readFile: (f) => files.get(resolve(f)) ?? base.readFile(f),
    getSourceFile: (f, language) => {
      const text = files.get(resolve(f));
      return text !== undefined
        ? ts.createSourceFile(f, text, language, true)
        : base.getSourceFile(f, language);
    },
  };
  return ts.createProgram(entryFiles, options, compilerHost);
}

const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });

/** The node to print for a declaration: a variable's whole statement. */
function statementOf(decl) {
  if (ts.isVariableDeclaration(decl)) return decl.parent.parent;
  return decl;
}

/**
 * Declaration text without comments and without `export`/`declare` modifiers. A class is
 * printed without its private members (they are not API, and would make every internal
 * refactoring a change to the report); a private constructor stays (it says: no `new`).
 */
function declarationText(decl) {
  let node = statementOf(decl);
  if (ts.isClassDeclaration(node)) {
    node = ts.factory.updateClassDeclaration(
      node,
      node.modifiers,
      node.name,
      node.typeParameters,
      node.heritageClauses,
      node.members.filter((m) => ts.isConstructorDeclaration(m) || !isPrivate(m)),
    );
  }
  const text = printer.printNode(ts.EmitHint.Unspecified, node, decl.getSourceFile());
  return text.replace(/^(export\s+)?(default\s+)?(declare\s+)?/, "");
}

function isValue(symbol) {
  return (symbol.flags & ts.SymbolFlags.Value) !== 0;
}

function hasTsDoc(decl) {
  const node = statementOf(decl);
  return ts.getJSDocCommentsAndTags(node).length > 0 || /\/\*\*/.test(leadingComments(node));
}

function leadingComments(node) {
  const sf = node.getSourceFile();
  const ranges = ts.getLeadingCommentRanges(sf.text, node.pos) ?? [];
  return ranges.map((r) => sf.text.slice(r.pos, r.end)).join("\n");
}

function isPrivate(node) {
  return (
    (ts.getCombinedModifierFlags(node) & ts.ModifierFlags.Private) !== 0 ||
    (node.name !== undefined && ts.isPrivateIdentifier(node.name))
  );
}

/**
 * Declarations of the package's own files that `decl` uses by name, outside private
 * members, and outside protected ones unless `withProtected` (an extension point).
 */
function referencedSymbols(checker, decl, own, withProtected) {
  const found = new Set();
  const visit = (node) => {
    if (node !== decl && isPrivate(node)) return;
    if (
      !withProtected &&
      ts.isClassElement(node) &&
      ts.getCombinedModifierFlags(node) & ts.ModifierFlags.Protected
    )
      return;
    let name;
    if (ts.isTypeReferenceNode(node)) name = node.typeName;
    else if (ts.isExpressionWithTypeArguments(node)) name = node.expression;
    else if (ts.isTypeQueryNode(node)) name = node.exprName;
    if (name !== undefined) {
      let symbol = checker.getSymbolAtLocation(ts.isQualifiedName(name) ? name.left : name);
      if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
      if (
        symbol &&
        !(symbol.flags & ts.SymbolFlags.TypeParameter) &&
        symbol.declarations?.some((d) => own(d.getSourceFile().fileName))
      ) {
        found.add(symbol);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(statementOf(decl));
  return found;
}

/** `class X`: its properties that users can assign (not readonly, not private/protected). */
function writableProperties(decl) {
  if (!ts.isClassDeclaration(decl)) return [];
  const out = [];
  for (const member of decl.members) {
    const flags = ts.getCombinedModifierFlags(member);
    if (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue;
    if (member.name && ts.isPrivateIdentifier(member.name)) continue;
    if (ts.isPropertyDeclaration(member) && !(flags & ts.ModifierFlags.Readonly)) {
      out.push(
        `${decl.name?.text}.${member.name.getText()}${flags & ts.ModifierFlags.Static ? " (static)" : ""}`,
      );
    } else if (ts.isSetAccessorDeclaration(member)) {
      out.push(`${decl.name?.text}.${member.name.getText()} (setter)`);
    }
  }
  return out;
}

function entryPoints() {
  const manifest = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  const out = [];
  for (const [key, value] of Object.entries(manifest.exports)) {
    if (typeof value !== "object" || value === null || typeof value.types !== "string") continue;
    const name = key === "." ? manifest.name : manifest.name + key.slice(1);
    const file = resolve(virtualOut, relative("dist", value.types));
    out.push({ name, file, report: join(reportDir, `${name.replaceAll("/", "-")}.api.md`) });
  }
  return out;
}

async function reports() {
  const files = emitDeclarations();
  const entries = entryPoints();
  for (const entry of entries)
    if (!files.has(entry.file)) fail(`${entry.name}: no declarations at ${entry.file}`);
  const program = declarationProgram(
    files,
    entries.map((e) => e.file),
  );
  const checker = program.getTypeChecker();
  const own = (fileName) => files.has(resolve(fileName));
  const resolveAlias = (s) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);

  const exportsOf = new Map();
  const exported = new Set();
  const valueExports = new Set();
  for (const entry of entries) {
    const module = checker.getSymbolAtLocation(program.getSourceFile(entry.file));
    const symbols = module ? checker.getExportsOfModule(module) : [];
    exportsOf.set(entry, symbols);
    for (const s of symbols) {
      exported.add(resolveAlias(s));
      if (isValue(resolveAlias(s)) && !checker.getTypeOnlyAliasDeclaration(s))
        valueExports.add(resolveAlias(s));
    }
  }

  const prettierConfig = (await prettier.resolveConfig(join(reportDir, "x.md"))) ?? {};
  const out = new Map();
  let unexported = 0;
  for (const entry of entries) {
    const items = [];
    const missing = new Map();
    const undocumented = [];
    const writable = [];
    for (const symbol of exportsOf.get(entry)) {
      const name = symbol.getName();
      const target = resolveAlias(symbol);
      const decls = (target.declarations ?? []).filter((d) => !ts.isSourceFile(d));
      const texts = decls.map(declarationText);
      const declaredAs = target.getName();
      if (declaredAs !== name) texts.push(`export { ${declaredAs} as ${name} };`);
      // A class exported with `export type` is a type to users (no value at run time).
      const value = isValue(target) && !checker.getTypeOnlyAliasDeclaration(symbol);
      items.push({ name, value, text: texts.join("\n") });
      if (decls.length > 0 && !decls.some(hasTsDoc)) undocumented.push(name);
      for (const d of decls) {
        writable.push(...writableProperties(d));
        // An abstract class exported as a value (BaseBus) is made to be extended: its
        // protected members are API. Other classes' protected members are shared inside
        // the runtime only (their classes are not to be subclassed).
        const extensionPoint =
          ts.isClassDeclaration(d) &&
          (ts.getCombinedModifierFlags(d) & ts.ModifierFlags.Abstract) !== 0 &&
          valueExports.has(target);
        for (const used of referencedSymbols(checker, d, own, extensionPoint)) {
          if (exported.has(used)) continue;
          const where = relative(virtualOut, used.declarations[0].getSourceFile().fileName);
          const key = `${used.getName()} (${where})`;
          missing.set(key, [...(missing.get(key) ?? []), name]);
        }
      }
    }
    unexported += missing.size;
    const section = (title, list) =>
      `## ${title}\n\n` + (list.length === 0 ? "None.\n" : list.map((l) => `- ${l}`).join("\n") + "\n");
    const code = (list) => "```ts\n" + list.map((i) => i.text).join("\n\n") + "\n```\n";
    const byName = (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    const values = items.filter((i) => i.value).sort(byName);
    const types = items.filter((i) => !i.value).sort(byName);
    const text =
      `# API report: \`${entry.name}\`\n\n` +
      `<!-- Written by \`npm run api\` (scripts/api-report.mjs) from the declaration files; do not edit. ` +
      `CI runs \`npm run check:api\`, which fails when this file is not what the code declares. -->\n\n` +
      `${items.length} exports: ${values.length} values (classes, functions, constants), ${types.length} types only.\n\n` +
      `## Values\n\n${values.length ? code(values) : "None.\n"}\n## Types\n\n${types.length ? code(types) : "None.\n"}\n` +
      section(
        "Used by a public declaration but not exported (must stay empty)",
        [...missing].map(
          ([k, by]) => `\`${k}\`, used by ${[...new Set(by)].map((n) => `\`${n}\``).join(", ")}`,
        ),
      ) +
      "\n" +
      section(
        "Exports without TSDoc",
        undocumented.sort().map((n) => `\`${n}\``),
      ) +
      "\n" +
      section(
        "Writable properties of exported classes",
        [...new Set(writable)].sort().map((n) => `\`${n}\``),
      );
    out.set(entry.report, await prettier.format(text, { ...prettierConfig, parser: "markdown" }));
  }
  return { out, unexported };
}

const started = Date.now();
const { out, unexported } = await reports();
let stale = 0;
if (check) {
  const scratch = mkdtempSync(join(tmpdir(), "orbitalis-api-"));
  try {
    for (const [file, text] of out) {
      let current;
      try {
        current = readFileSync(file, "utf8");
      } catch {
        current = "";
      }
      if (current === text) continue;
      stale++;
      const expected = join(scratch, relative(root, file));
      mkdirSync(dirname(expected), { recursive: true });
      writeFileSync(expected, text);
      const diff = spawnSync(
        "git",
        ["diff", "--no-index", "--no-color", "--", relative(root, file), relative(root, expected)],
        { cwd: root, encoding: "utf8" },
      );
      console.error(`${relative(root, file)} is not what the code declares (- committed, + declared):`);
      console.error(diff.stdout || diff.stderr || "(no diff tool; compare with `npm run api`)");
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  if (stale > 0) {
    console.error(
      `check:api: the public API changed. If that is intended, run \`npm run api\` and commit api/ with the change.`,
    );
  }
} else {
  mkdirSync(reportDir, { recursive: true });
  for (const [file, text] of out) writeFileSync(file, text);
}
if (unexported > 0) {
  console.error(
    `api: ${unexported} type(s) used by public declarations are not exported (see the reports' lists)`,
  );
}
console.log(
  `api: ${out.size} entry points, ${check ? (stale ? `${stale} differ from their reports` : "all match their reports") : "reports written to api/"} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
);
if (stale > 0 || unexported > 0) process.exit(1);
