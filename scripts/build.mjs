// Builds the two packages of this repository from the shared sources:
//   packages/orbitalis  (the runtime: runtime/ + generated/protocol/)
//   packages/cli        (the toolchain: generator/ and the conformance kit, conformance/, plus the
//                        spec, the conformance scenarios and the templates it reads)
// and copies what each ships besides code (LICENSE, README, spec, templates).
// Run by `npm run build` and, through `prepare`, by `npm ci`.
/* global process, console */
import { execFileSync } from "node:child_process";
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
const runtime = join(root, "packages", "orbitalis");
const cli = join(root, "packages", "cli");

function step(text) {
  console.log(`build: ${text}`);
}

/**
 * The README as the package ships it: links to files of the repository become links to
 * the repository's web pages, since those files are not in the package.
 */
function packagedReadme(pkg) {
  const manifest = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8"));
  const web = manifest.repository.url.replace(/^git\+/, "").replace(/\.git$/, "");
  const text = readFileSync(join(root, "README.md"), "utf8");
  return text.replace(/\]\((?![a-z]+:\/\/|#)([^)\s]+)\)/g, (_m, path) => `](${web}/blob/main/${path})`);
}

/**
 * Source maps whose sources stay inside the package. tsc writes each source as a path
 * relative to the map, and since the sources live at the repository's top level
 * (rootDir ../..), that path climbs out of the package (`../../../../../runtime/orb/x.ts`):
 * in a user's node_modules it names a file above the project, and stack traces
 * (`node --enable-source-maps`) and debuggers point there. Each source becomes the
 * path the .ts file would have inside dist/ (beside its .js: `x.ts`); its text is in the
 * map (`inlineSources`), so debuggers show it without the file.
 */
function packageSourceMaps(pkg) {
  const dist = join(pkg, "dist");
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".map")) rewrite(path);
    }
  };
  const rewrite = (file) => {
    const map = JSON.parse(readFileSync(file, "utf8"));
    const base = resolve(dirname(file), map.sourceRoot ?? "");
    map.sources = map.sources.map((source, i) => {
      if (typeof map.sourcesContent?.[i] !== "string") {
        throw new Error(`${file}: no inlined text for ${source} (inlineSources must stay on)`);
      }
      const fromRoot = relative(root, resolve(base, source));
      if (fromRoot.startsWith("..")) throw new Error(`${file}: source ${source} is outside the repository`);
      return relative(dirname(file), join(dist, fromRoot)).split(sep).join("/");
    });
    map.sourceRoot = "";
    writeFileSync(file, JSON.stringify(map));
  };
  walk(dist);
}

for (const pkg of [runtime, cli]) rmSync(join(pkg, "dist"), { recursive: true, force: true });

// The runtime first: the CLI compiles against its declarations (node_modules/orbitalis).
step("packages/orbitalis (tsc)");
execFileSync(process.execPath, [tsc, "-p", join(runtime, "tsconfig.build.json")], { stdio: "inherit" });
packageSourceMaps(runtime);
cpSync(join(root, "LICENSE"), join(runtime, "LICENSE"));
writeFileSync(join(runtime, "README.md"), packagedReadme(runtime));

step("packages/cli (tsc)");
execFileSync(process.execPath, [tsc, "-p", join(cli, "tsconfig.build.json")], { stdio: "inherit" });
packageSourceMaps(cli);
cpSync(join(root, "LICENSE"), join(cli, "LICENSE"));
for (const dir of ["spec", "templates"]) rmSync(join(cli, dir), { recursive: true, force: true });
cpSync(join(root, "templates"), join(cli, "templates"), { recursive: true });
// The adapter protocol, the scenario format and the TypeScript adapter, as the example an
// implementer in another language reads.
rmSync(join(cli, "conformance"), { recursive: true, force: true });
for (const file of ["ADAPTER.md", "SCENARIOS.md", "adapter.ts"])
  cpSync(join(root, "conformance", file), join(cli, "conformance", file));
for (const file of ["orbitalis.asyncapi.yaml", "x-orbitalis.schema.json"])
  cpSync(join(root, "spec", file), join(cli, "spec", file));
// The scenarios of `orbitalis conformance` (its default --scenarios folder).
cpSync(join(root, "spec", "conformance", "scenarios"), join(cli, "spec", "conformance", "scenarios"), {
  recursive: true,
});
step("done");
