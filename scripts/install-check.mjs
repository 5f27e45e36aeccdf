// Install check: packs the runtime package as `npm publish` would, installs the tarball
// into an empty project as a user would, and checks what the user gets:
//   - no npm warnings (engines, install scripts, deprecations ...),
//   - at most MAX_PACKAGES packages and MAX_MB megabytes in node_modules,
//   - `import { Core, Plugin, LocalHub } from "orbitalis"` loads no broker client,
//   - `require("orbitalis")` works, and a core and a plugin talk over LocalHub,
//   - a strict tsconfig with skipLibCheck: false compiles a file using the package,
//   - LICENSE shipped, repository/homepage/bugs set, every source map carries its sources
//     and names only files inside its package (both packages),
//   - with two compilers, TypeScript latest (7 today: what `npm install typescript` gives)
//     and 5.9, each under (a) its own `tsc --init` defaults and (b) lib ES2023, types node,
//     strict, skipLibCheck: false: a file importing every export of every entry point
//     (orbitalis, orbitalis/protocol, orbitalis/validation ...) compiles, and so do the
//     code generated from the thermostat contract and a plugin extending it, which then run;
//   - in a project that does not hoist (npm's install-strategy=linked), the code generated
//     from a contract with minLength and formats compiles and runs: it imports only orbitalis.
// The only change made to a `tsc --init` tsconfig is the one a user must make: "type":
// "module" in package.json (the code uses import and top-level await, and under module
// nodenext a .ts file of a package without it is CommonJS).
// The toolchain package (@orbitalis/cli) is packed and installed too; its figures are
// reported, not limited. Needs the packages built (npm ci builds) and the npm registry.
//
//   node scripts/install-check.mjs [--json FILE] [--keep]
/* global process, console */
import { execFileSync, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const MAX_PACKAGES = 60;
const MAX_MB = 25;
const BROKER_CLIENTS = ["mqtt", "ioredis", "@nats-io"];
/** The compilers a user's project is checked with: what `npm install typescript` gives, and 5.9. */
const COMPILERS = [
  { name: "latest", spec: "typescript@latest" },
  { name: "5.9", spec: "typescript@~5.9" },
];

const { values: args } = parseArgs({
  options: { json: { type: "string" }, keep: { type: "boolean", default: false } },
});
const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const work = mkdtempSync(join(tmpdir(), "orbitalis-install-"));
const failures = [];
const report = {};

function say(text) {
  console.log(`install-check: ${text}`);
}

function check(ok, what) {
  say(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures.push(what);
}

function run(cmd, argv, cwd, env = {}) {
  const result = spawnSync(cmd, argv, {
    cwd,
    encoding: "utf8",
    // npm_config_loglevel: under `npm run -s check:install` (as CI runs it) npm hands
    // loglevel=silent down to every npm started here, which then prints no warning at all
    // and the "no npm warnings" checks would pass whatever npm had to say.
    env: {
      ...process.env,
      npm_config_audit: "false",
      npm_config_fund: "false",
      npm_config_loglevel: "warn",
      ...env,
    },
  });
  return { code: result.status ?? 1, out: `${result.stdout ?? ""}${result.stderr ?? ""}` };
}

/** Packages installed under `dir` (every folder with a package.json under node_modules, nested too). */
function countPackages(nodeModules) {
  let n = 0;
  if (!existsSync(nodeModules)) return 0;
  for (const entry of readdirSync(nodeModules)) {
    if (entry.startsWith(".")) continue;
    const path = join(nodeModules, entry);
    if (entry.startsWith("@")) {
      for (const scoped of readdirSync(path)) n += countPackage(join(path, scoped));
    } else n += countPackage(path);
  }
  return n;
}

function countPackage(path) {
  if (!existsSync(join(path, "package.json"))) return 0;
  return 1 + countPackages(join(path, "node_modules"));
}

/** Bytes of every file under `dir` (apparent size). */
function bytes(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += bytes(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

function files(dir, suffix) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...files(path, suffix));
    else if (entry.name.endsWith(suffix)) out.push(path);
  }
  return out;
}

/** A user's strict TypeScript project in `dir` (skipLibCheck off: our typings are checked too). */
function strictTsconfig(dir, extra) {
  const compilerOptions = {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    skipLibCheck: false,
    types: ["node"],
    ...extra.compilerOptions,
  };
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ ...extra, compilerOptions }));
}

function pack(workspace) {
  const out = execFileSync("npm", ["pack", "--json", "--workspace", workspace, "--pack-destination", work], {
    cwd: repo,
    encoding: "utf8",
  });
  const [info] = JSON.parse(out.slice(out.indexOf("[")));
  return {
    file: join(work, info.filename),
    size: info.size,
    unpacked: info.unpackedSize,
    entries: info.entryCount,
  };
}

/** An empty project with `tarball` installed; returns what npm said and the figures. */
function installInto(name, ...tarballs) {
  const dir = join(work, name);
  execFileSync("mkdir", ["-p", dir]);
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: `try-${name}`, version: "1.0.0", private: true }),
  );
  const install = run("npm", ["install", ...tarballs], dir);
  const warnings = install.out.split("\n").filter((l) => /^npm (warn|WARN|error|ERR)/.test(l));
  const nm = join(dir, "node_modules");
  // On-disk size (what `du` shows: blocks, larger than the bytes of the files) when du exists.
  const du = existsSync(nm) ? run("du", ["-sk", nm], dir) : { code: 1, out: "" };
  const diskMegabytes = du.code === 0 ? (Number(du.out.split(/\s/)[0]) * 1024) / 1e6 : 0;
  return {
    dir,
    code: install.code,
    output: install.out,
    warnings,
    packages: countPackages(nm),
    megabytes: existsSync(nm) ? bytes(nm) / 1e6 : 0,
    diskMegabytes,
  };
}

/**
 * Source maps of the package at `pkgDir`: those naming a source outside the package (a
 * stack trace would name a file above the user's project) and those whose source is
 * neither inlined nor shipped.
 */
function sourceMapProblems(pkgDir) {
  const root = realpathSync(pkgDir);
  const maps = files(join(root, "dist"), ".map");
  const outside = [];
  const orphan = [];
  for (const m of maps) {
    const map = JSON.parse(readFileSync(m, "utf8"));
    map.sources.forEach((s, i) => {
      const path = resolve(dirname(m), map.sourceRoot ?? "", s);
      if (path !== root && !path.startsWith(root + sep)) outside.push(`${relative(root, m)}: ${s}`);
      if (typeof map.sourcesContent?.[i] !== "string" && !existsSync(path))
        orphan.push(`${relative(root, m)}: ${s}`);
    });
  }
  return { maps: maps.length, outside, orphan };
}

function checkSourceMaps(name, pkgDir) {
  const { maps, outside, orphan } = sourceMapProblems(pkgDir);
  check(
    maps > 0 && orphan.length === 0,
    `${name}: ${maps} source maps, each with its sources (${orphan.length} without${orphan.length ? `: ${orphan.slice(0, 3).join(", ")}` : ""})`,
  );
  check(
    outside.length === 0,
    `${name}: every source map names files inside the package (${outside.length} outside${outside.length ? `, e.g. ${outside.slice(0, 3).join(", ")}` : ""})`,
  );
}

/** A TypeScript compiler installed in its own folder: its version, tsc, and its `tsc --init` tsconfig. */
function installCompiler({ name, spec }) {
  const dir = join(work, `tsc-${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: `tsc-${name}`, private: true }));
  const install = run("npm", ["install", spec], dir);
  if (install.code !== 0) throw new Error(`npm install ${spec} failed:\n${install.out}`);
  const pkg = join(dir, "node_modules", "typescript");
  const version = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8")).version;
  const tsc = join(pkg, "bin", "tsc");
  const initDir = join(dir, "init");
  mkdirSync(initDir);
  const init = run(process.execPath, [tsc, "--init"], initDir);
  if (init.code !== 0) throw new Error(`tsc ${version} --init failed:\n${init.out}`);
  return { name, version, dir, tsc, initTsconfig: readFileSync(join(initDir, "tsconfig.json"), "utf8") };
}

/** The two tsconfigs every project is compiled under, as [name, text of tsconfig.json]. */
function tsconfigs(compiler) {
  const strictEs2023 = {
    compilerOptions: {
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      lib: ["ES2023"],
      types: ["node"],
      strict: true,
      skipLibCheck: false,
    },
  };
  return [
    [`tsc --init of ${compiler.version}`, compiler.initTsconfig],
    ["lib ES2023, types node, strict, skipLibCheck false", JSON.stringify(strictEs2023, null, 2)],
  ];
}

/**
 * A project folder using the node_modules of `installed` (a symlink), an ES module package
 * (the one change a user must make), with `files` copied in (name -> text or a path to copy).
 */
function project(name, installed, tsconfig, contents) {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  symlinkSync(join(installed, "node_modules"), join(dir, "node_modules"), "dir");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, private: true, type: "module" }));
  writeFileSync(join(dir, "tsconfig.json"), tsconfig);
  for (const [file, content] of Object.entries(contents)) {
    if (typeof content === "string") writeFileSync(join(dir, file), content);
    else cpSync(content.copy, join(dir, file), { recursive: true });
  }
  return dir;
}

/** Every export of every entry point (package.json "exports" with types) of the package at `pkgDir`. */
function publicExports(compiler, pkgDir) {
  const script = join(work, "exports.cjs");
  writeFileSync(
    script,
    `const ts = require(${JSON.stringify(join(compiler.dir, "node_modules", "typescript"))});\n` +
      `const path = require("node:path");\nconst pkg = process.argv[2];\n` +
      `const manifest = require(path.join(pkg, "package.json"));\nconst out = {};\n` +
      `for (const [key, value] of Object.entries(manifest.exports)) {\n` +
      `  if (typeof value !== "object" || value === null || typeof value.types !== "string") continue;\n` +
      `  const file = path.join(pkg, value.types);\n` +
      `  const program = ts.createProgram([file], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, noEmit: true });\n` +
      `  const symbol = program.getTypeChecker().getSymbolAtLocation(program.getSourceFile(file));\n` +
      `  const names = symbol ? program.getTypeChecker().getExportsOfModule(symbol).map((s) => s.getName()) : [];\n` +
      `  out[key === "." ? manifest.name : manifest.name + key.slice(1)] = names.sort();\n}\n` +
      `console.log(JSON.stringify(out));\n`,
  );
  const listed = run(process.execPath, [script, pkgDir], work);
  if (listed.code !== 0) throw new Error(`listing the exports of ${pkgDir} failed:\n${listed.out}`);
  return JSON.parse(listed.out.trim().split("\n").pop());
}

/** Compiles the project in `dir` with `compiler`; returns the exit status and what tsc said. */
function compile(compiler, dir) {
  return run(process.execPath, [compiler.tsc, "-p", "."], dir);
}

try {
  say(`working in ${work}`);
  const runtime = pack("packages/orbitalis");
  const cli = pack("packages/cli");
  report.tarballs = { orbitalis: runtime, cli };
  say(
    `packed orbitalis: ${(runtime.size / 1e3).toFixed(0)} kB (${runtime.entries} files, ${(runtime.unpacked / 1e6).toFixed(2)} MB unpacked)`,
  );

  // ---- the runtime, as `npm install orbitalis` -------------------------------------------
  const user = installInto("runtime", runtime.file);
  report.runtime = {
    packages: user.packages,
    megabytes: Number(user.megabytes.toFixed(2)),
    diskMegabytes: Number(user.diskMegabytes.toFixed(2)),
    warnings: user.warnings,
  };
  check(user.code === 0, `npm install orbitalis succeeds${user.code === 0 ? "" : `:\n${user.output}`}`);
  check(
    user.warnings.length === 0,
    `no npm warnings${user.warnings.length ? `:\n  ${user.warnings.join("\n  ")}` : ""}`,
  );
  check(user.packages <= MAX_PACKAGES, `${user.packages} packages (at most ${MAX_PACKAGES})`);
  const size = Math.max(user.megabytes, user.diskMegabytes);
  check(
    size <= MAX_MB,
    `${user.megabytes.toFixed(1)} MB of files, ${user.diskMegabytes.toFixed(1)} MB on disk in node_modules (at most ${MAX_MB} MB)`,
  );

  const pkgDir = join(user.dir, "node_modules", "orbitalis");
  const manifest = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  check(existsSync(join(pkgDir, "LICENSE")), "LICENSE shipped");
  const shippedReadme = existsSync(join(pkgDir, "README.md"))
    ? readFileSync(join(pkgDir, "README.md"), "utf8")
    : "";
  const relative = [...shippedReadme.matchAll(/\]\((?![a-z]+:\/\/|#)([^)\s]+)\)/g)].map((m) => m[1]);
  check(
    shippedReadme.startsWith("# Orbitalis") && relative.length === 0,
    `README shipped, with no link to a file the package lacks${relative.length ? `: ${relative.join(", ")}` : ""}`,
  );
  check(
    Boolean(manifest.repository?.url && manifest.homepage && manifest.bugs?.url),
    "repository, homepage and bugs set",
  );
  checkSourceMaps("orbitalis", pkgDir);

  // What `import` loads: a resolve hook reports every module URL to the main thread.
  writeFileSync(
    join(user.dir, "hooks.mjs"),
    `let port;\nexport function initialize(data) { port = data.port; }\n` +
      `export async function resolve(specifier, context, next) {\n  const r = await next(specifier, context);\n  port.postMessage(r.url);\n  return r;\n}\n`,
  );
  writeFileSync(
    join(user.dir, "import-check.mjs"),
    `import { register } from "node:module";\nimport { MessageChannel } from "node:worker_threads";\n` +
      `const { port1, port2 } = new MessageChannel();\nconst loaded = [];\nport1.on("message", (url) => loaded.push(url));\n` +
      `register("./hooks.mjs", import.meta.url, { data: { port: port2 }, transferList: [port2] });\n` +
      `const { Core, Plugin, LocalHub } = await import("orbitalis");\n` +
      `const hub = new LocalHub();\n` +
      `const p = new Plugin({ id: "p", bus: hub.bus() }).operation("up", { input: { any: true }, output: { any: true } }, (s) => String(s).toUpperCase());\n` +
      `const c = new Core({ id: "c", bus: hub.bus(), requires: { up: {} } });\n` +
      `await p.start(); await c.start(); await c.compliant({ timeoutMs: 5000 });\n` +
      `const answer = await c.request("up", "ok");\nawait c.stop(); await p.stop();\n` +
      `await new Promise((r) => setTimeout(r, 50));\nport1.close();\n` +
      `console.log(JSON.stringify({ answer, loaded: loaded.filter((u) => u.includes("/node_modules/")) }));\n`,
  );
  const imported = run(process.execPath, ["import-check.mjs"], user.dir);
  let loaded = [];
  let answer;
  try {
    ({ loaded, answer } = JSON.parse(imported.out.trim().split("\n").pop()));
  } catch {
    /* reported below */
  }
  check(
    imported.code === 0 && answer === "OK",
    `import { Core, Plugin, LocalHub } works (a request over LocalHub answered ${JSON.stringify(answer)})${imported.code === 0 ? "" : `:\n${imported.out}`}`,
  );
  const clients = loaded.filter((u) => BROKER_CLIENTS.some((c) => u.includes(`/node_modules/${c}/`)));
  report.runtime.importLoads = loaded
    .map((u) => u.replace(/^.*\/node_modules\//, ""))
    .filter((u, i, a) => a.indexOf(u) === i);
  check(
    clients.length === 0,
    `that import loads no broker client${clients.length ? `: ${clients.join(", ")}` : ""}`,
  );

  writeFileSync(
    join(user.dir, "require-check.cjs"),
    `const o = require("orbitalis");\nif (typeof o.Core !== "function" || typeof o.MqttBus !== "function") process.exit(1);\nconsole.log("ok");\n`,
  );
  const required = run(process.execPath, ["require-check.cjs"], user.dir);
  check(
    required.code === 0 && !/warning/i.test(required.out),
    `require("orbitalis") works${required.code === 0 ? "" : `:\n${required.out}`}`,
  );

  // A user's strict TypeScript project (skipLibCheck off: our typings are checked too).
  const ts = run("npm", ["install", "--no-save", "typescript@~5.9", "@types/node@20"], user.dir);
  check(ts.code === 0, "typescript and @types/node install");
  strictTsconfig(user.dir, { compilerOptions: { noEmit: true }, files: ["local.mts", "buses.mts"] });
  writeFileSync(
    join(user.dir, "local.mts"),
    `import { Core, Plugin, LocalHub, type SchemaSpec } from "orbitalis";\n` +
      `type Ops = { up: { input: string; output: string } };\n` +
      `const spec: SchemaSpec = { schemas: [{ type: "string" }] };\n` +
      `const hub = new LocalHub();\n` +
      `new Plugin<Ops>({ id: "p", bus: hub.bus() }).operation("up", { input: spec, output: spec }, (s) => s.toUpperCase());\n` +
      `const core = new Core<Ops>({ id: "c", bus: hub.bus(), requires: { up: {} } });\n` +
      `export const answer: Promise<string> = core.request("up", "x");\n`,
  );
  writeFileSync(
    join(user.dir, "buses.mts"),
    `import { MqttBus, NatsBus, RedisBus, type Bus } from "orbitalis";\n` +
      `export const buses: Bus[] = [new MqttBus({ url: "mqtt://127.0.0.1:1883" }), new NatsBus(), new RedisBus()];\n`,
  );
  const tsc = run(
    process.execPath,
    [join(user.dir, "node_modules", "typescript", "bin", "tsc"), "-p", "."],
    user.dir,
  );
  check(
    tsc.code === 0,
    `strict tsconfig (skipLibCheck: false) compiles${tsc.code === 0 ? "" : `:\n${tsc.out}`}`,
  );

  // Bus clients that are not installed: a clear error naming the package.
  writeFileSync(
    join(user.dir, "missing-client.mjs"),
    `import { NatsBus } from "orbitalis";\n` +
      `try { await new NatsBus({ onError: () => {} }).connect(); console.log("connected?"); }\n` +
      `catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }\n`,
  );
  const missing = run(process.execPath, ["missing-client.mjs"], user.dir);
  let missingError = {};
  try {
    missingError = JSON.parse(missing.out.trim().split("\n").pop());
  } catch {
    /* reported below */
  }
  check(
    missingError.code === "ERR_BUS_CLIENT_MISSING" &&
      /npm install @nats-io\/transport-node/.test(missingError.message),
    `NatsBus without its client says what to install (${missingError.message ?? missing.out.trim()})`,
  );

  // ---- a user's TypeScript: two compilers, two tsconfigs, every export ---------------------
  const compilers = COMPILERS.map(installCompiler);
  report.compilers = Object.fromEntries(compilers.map((c) => [c.name, c.version]));
  say(`compilers: ${compilers.map((c) => `${c.name} = typescript ${c.version}`).join(", ")}`);
  const lister = compilers.find((c) => c.name === "5.9") ?? compilers[0];
  const exportsByEntry = publicExports(lister, pkgDir);
  report.runtime.exports = Object.fromEntries(Object.entries(exportsByEntry).map(([k, v]) => [k, v.length]));
  const entries = Object.keys(exportsByEntry);
  check(
    ["orbitalis", "orbitalis/protocol", "orbitalis/validation"].every((e) => exportsByEntry[e]?.length > 0),
    `entry points with typings: ${entries.map((e) => `${e} (${exportsByEntry[e].length} exports)`).join(", ")}`,
  );
  const everyExport = {};
  entries.forEach((entry, i) => {
    const names = exportsByEntry[entry].join(", ");
    everyExport[`exports-${i}.ts`] = `import type { ${names} } from "${entry}";\nexport type { ${names} };\n`;
  });
  for (const compiler of compilers) {
    tsconfigs(compiler).forEach(([config, tsconfig], i) => {
      const dir = project(`exports-${compiler.name}-${i}`, user.dir, tsconfig, everyExport);
      const built = compile(compiler, dir);
      check(
        built.code === 0,
        `typescript ${compiler.version}, ${config}: a file importing every export of ${entries.join(", ")} compiles${built.code === 0 ? "" : `:\n${built.out}`}`,
      );
    });
  }
  writeFileSync(
    join(user.dir, "entries-check.mjs"),
    `const loaded = [];\nfor (const entry of ${JSON.stringify(entries)}) loaded.push(Object.keys(await import(entry)).length);\n` +
      `console.log(JSON.stringify(loaded));\n`,
  );
  const entriesLoaded = run(process.execPath, ["entries-check.mjs"], user.dir);
  check(
    entriesLoaded.code === 0,
    `every entry point loads under node (${entriesLoaded.code === 0 ? entriesLoaded.out.trim() : entriesLoaded.out})`,
  );

  // ---- the toolchain, reported ------------------------------------------------------------
  // What the CLI brings (measured for issue 18; every direct dependency is used at run time):
  // - @asyncapi/parser: about 180 of the packages and 28 MB, most of them Spectral (its
  //   validator) and Spectral's polyfills, @scarf/scarf among them. A published package
  //   cannot override its dependencies' dependencies for its users (npm `overrides` apply
  //   only to the root project), and every import of the parser installs the same tree:
  //   only replacing the parser would take them out.
  // - prettier: the generator formats what it writes, and json-schema-to-typescript
  //   depends on it anyway.
  // - ts-morph (the pre-write type check): 10 packages, 15 MB, with a TypeScript of its
  //   own. `typescript` alone could do that check, but weighs 23 MB by itself; a user's own
  //   compiler cannot be relied on for it (TypeScript 7 has no such JavaScript API).
  // Until both are published, the CLI's dependency on orbitalis is met by the tarball.
  const tools = installInto("cli", runtime.file, cli.file);
  report.cli = {
    packages: tools.packages,
    megabytes: Number(tools.megabytes.toFixed(2)),
    diskMegabytes: Number(tools.diskMegabytes.toFixed(2)),
    warnings: tools.warnings,
  };
  say(
    `@orbitalis/cli (with orbitalis): ${tools.packages} packages, ${tools.megabytes.toFixed(1)} MB of files, ${tools.diskMegabytes.toFixed(1)} MB on disk, ${tools.warnings.length} npm warning lines`,
  );
  for (const w of tools.warnings) say(`  cli: ${w}`);
  // @asyncapi/parser validates with Spectral, whose core depends on @scarf/scarf (an
  // install-time analytics script): reported, so that a change of the parser shows here.
  report.cli.scarf = existsSync(join(tools.dir, "node_modules", "@scarf", "scarf"));
  report.cli.scarfNotice = tools.warnings.some((w) => w.includes("@scarf/scarf"));
  say(
    `@orbitalis/cli: @scarf/scarf is ${report.cli.scarf ? "" : "not "}installed; npm ${report.cli.scarfNotice ? "names" : "does not name"} its install script`,
  );
  const version = run(join(tools.dir, "node_modules", ".bin", "orbitalis"), ["--version"], tools.dir);
  check(
    version.code === 0 && /^\d+\.\d+\.\d+/.test(version.out.trim()),
    `npx orbitalis --version runs (${version.out.trim()})`,
  );
  const vector = join(repo, "spec", "conformance", "discover", "valid-basic.json");
  writeFileSync(
    join(tools.dir, "message.json"),
    JSON.stringify(JSON.parse(readFileSync(vector, "utf8")).message),
  );
  const validate = run(
    join(tools.dir, "node_modules", ".bin", "orbitalis"),
    [
      "validate",
      join("node_modules", "@orbitalis", "cli", "spec", "orbitalis.asyncapi.yaml"),
      "message.json",
    ],
    tools.dir,
  );
  check(
    validate.code === 0,
    `npx orbitalis validate <the shipped spec> <a discover> exits 0${validate.code === 0 ? "" : `:\n${validate.out}`}`,
  );

  // The five-minute path in the user's project: generate from a contract, extend, compile, run.
  writeFileSync(
    join(tools.dir, "thermostat.asyncapi.yaml"),
    readFileSync(join(repo, "examples", "contracts", "thermostat.asyncapi.yaml")),
  );
  run("npm", ["pkg", "set", "type=module"], tools.dir);
  const generated = run(
    join(tools.dir, "node_modules", ".bin", "orbitalis"),
    ["generate", "thermostat.asyncapi.yaml", "--out", "generated"],
    tools.dir,
  );
  check(
    generated.code === 0,
    `npx orbitalis generate <contract> --out generated (type-checked) exits 0${generated.code === 0 ? "" : `:\n${generated.out}`}`,
  );
  run("npm", ["install", "--no-save", "typescript@~5.9", "@types/node@20"], tools.dir);
  strictTsconfig(tools.dir, { compilerOptions: { outDir: "dist" }, include: ["generated", "main.ts"] });
  const thermostatMain =
    `import { LocalHub } from "orbitalis";\n` +
    `import { ClimateCore, ThermostatPlugin, type Reading, type Target } from "./generated/index.js";\n` +
    `class Thermostat extends ThermostatPlugin {\n  target = 18;\n` +
    `  setTarget(t: Target): void { this.target = t.celsius; }\n` +
    `  readTemperature(): Reading { return { celsius: 19, target: this.target }; }\n}\n` +
    `const hub = new LocalHub();\nconst plugin = new Thermostat({ id: "t1", bus: hub.bus() });\n` +
    `const core = new ClimateCore({ id: "c1", bus: hub.bus() });\n` +
    `await plugin.start(); await core.start(); await core.compliant({ timeoutMs: 5000 });\n` +
    `await core.execute("set_target", { celsius: 21 });\nconst r = await core.request("read_temperature");\n` +
    `console.log(JSON.stringify(r));\nawait core.stop(); await plugin.stop();\n`;
  writeFileSync(join(tools.dir, "main.ts"), thermostatMain);
  const built = run(
    process.execPath,
    [join(tools.dir, "node_modules", "typescript", "bin", "tsc"), "-p", "."],
    tools.dir,
  );
  check(
    built.code === 0,
    `the generated code and a plugin extending it compile (strict, skipLibCheck: false)${built.code === 0 ? "" : `:\n${built.out}`}`,
  );
  const ran = run(process.execPath, ["dist/main.js"], tools.dir);
  check(
    ran.out.trim() === '{"celsius":19,"target":21}',
    `and run: a core sets and reads the generated plugin (${ran.out.trim()})`,
  );
  checkSourceMaps("@orbitalis/cli", join(tools.dir, "node_modules", "@orbitalis", "cli"));

  // The same generated code and plugin under both compilers and both tsconfigs, then run.
  for (const compiler of compilers) {
    tsconfigs(compiler).forEach(([config, tsconfig], i) => {
      const dir = project(`thermostat-${compiler.name}-${i}`, tools.dir, tsconfig, {
        generated: { copy: join(tools.dir, "generated") },
        "main.ts": thermostatMain,
      });
      const compiled = compile(compiler, dir);
      check(
        compiled.code === 0,
        `typescript ${compiler.version}, ${config}: the generated thermostat code and a plugin extending it compile${compiled.code === 0 ? "" : `:\n${compiled.out}`}`,
      );
      if (compiled.code !== 0) return;
      const output = run(process.execPath, ["main.js"], dir);
      check(output.out.trim() === '{"celsius":19,"target":21}', `  and run (${output.out.trim()})`);
    });
  }

  // ---- a layout that does not hoist: npm's install-strategy=linked ------------------------
  // Only the project's own dependencies are visible at its top level (as with pnpm): code
  // that imports a dependency of orbitalis (ajv) fails there with ERR_MODULE_NOT_FOUND.
  const linked = join(work, "linked");
  mkdirSync(linked);
  writeFileSync(
    join(linked, "package.json"),
    JSON.stringify({ name: "try-linked", private: true, type: "module" }),
  );
  writeFileSync(join(linked, ".npmrc"), "install-strategy=linked\n");
  const linkedInstall = run("npm", ["install", runtime.file, cli.file], linked);
  check(
    linkedInstall.code === 0,
    `npm install (install-strategy=linked) orbitalis and @orbitalis/cli succeeds${linkedInstall.code === 0 ? "" : `:\n${linkedInstall.out}`}`,
  );
  check(
    existsSync(join(linked, "node_modules", "orbitalis")) && !existsSync(join(linked, "node_modules", "ajv")),
    "  there, orbitalis is at the top level of node_modules and its dependency ajv is not",
  );
  cpSync(
    join(repo, "test", "generator", "fixtures", "validation", "signup.asyncapi.yaml"),
    join(linked, "signup.asyncapi.yaml"),
  );
  const linkedGenerated = run(
    join(linked, "node_modules", ".bin", "orbitalis"),
    ["generate", "signup.asyncapi.yaml", "--out", "generated"],
    linked,
  );
  check(
    linkedGenerated.code === 0,
    `  npx orbitalis generate <a contract with minLength and format> exits 0${linkedGenerated.code === 0 ? "" : `:\n${linkedGenerated.out}`}`,
  );
  const generatedImports = readdirSync(join(linked, "generated"))
    .filter((f) => f.endsWith(".ts"))
    .flatMap((f) =>
      [
        ...readFileSync(join(linked, "generated", f), "utf8").matchAll(
          /\bfrom\s*"([^"]+)"|require\("([^"]+)"\)/g,
        ),
      ].map((m) => `${f}: ${m[1] ?? m[2]}`),
    )
    .filter((i) => !/: (orbitalis(\/[\w-]+)?|\.\/.*)$/.test(i));
  check(
    generatedImports.length === 0,
    `  the generated code imports only orbitalis${generatedImports.length ? `, not ${generatedImports.join(", ")}` : ""}`,
  );
  writeFileSync(
    join(linked, "main.ts"),
    `import { LocalHub } from "orbitalis";\n` +
      `import { FrontendCore, RegistryPlugin, type Receipt, type Signup } from "./generated/index.js";\n` +
      `class Registry extends RegistryPlugin {\n` +
      `  signUp(s: Signup): Receipt { return { id: "6f1c1e0a-8a6b-4c55-9a57-2f0d3c3f3c11", at: \`\${s.born ?? "2026-01-01"}T00:00:00Z\` }; }\n}\n` +
      `const hub = new LocalHub();\nconst plugin = new Registry({ id: "r1", bus: hub.bus() });\n` +
      `const core = new FrontendCore({ id: "f1", bus: hub.bus() });\n` +
      `await plugin.start(); await core.start(); await core.compliant({ timeoutMs: 5000 });\n` +
      `const ok = await core.request("sign_up", { name: "Ada", email: "ada@example.org", born: "1815-12-10" });\n` +
      `const refused: string[] = [];\n` +
      `for (const bad of [{ name: "A", email: "ada@example.org" }, { name: "Ada", email: "not an email" }]) {\n` +
      `  await core.request("sign_up", bad).then(() => refused.push("accepted"), (e: unknown) => refused.push(String(e)));\n}\n` +
      `console.log(JSON.stringify({ ok: ok.at, refused }));\nawait core.stop(); await plugin.stop();\n`,
  );
  const latest = compilers[0];
  writeFileSync(join(linked, "tsconfig.json"), latest.initTsconfig);
  const linkedCompiled = compile(latest, linked);
  check(
    linkedCompiled.code === 0,
    `  it compiles (typescript ${latest.version}, tsc --init)${linkedCompiled.code === 0 ? "" : `:\n${linkedCompiled.out}`}`,
  );
  const linkedRan = run(process.execPath, ["main.js"], linked);
  let linkedResult = {};
  try {
    linkedResult = JSON.parse(linkedRan.out.trim().split("\n").pop());
  } catch {
    /* reported below */
  }
  check(
    linkedRan.code === 0 &&
      linkedResult.ok === "1815-12-10T00:00:00Z" &&
      /fewer than 2 characters/.test(linkedResult.refused?.[0]) &&
      /must match format \\?"email/.test(linkedResult.refused?.[1]),
    `  and runs under node: minLength and format checked (${linkedRan.code === 0 ? linkedRan.out.trim() : linkedRan.out})`,
  );
} catch (error) {
  failures.push(String(error?.stack ?? error));
  console.error(error);
} finally {
  report.failures = failures;
  if (args.json) writeFileSync(args.json, `${JSON.stringify(report, null, 2)}\n`);
  if (args.keep) say(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

if (failures.length > 0) {
  say(`${failures.length} check(s) failed`);
  process.exit(1);
}
say("all checks passed");
