// npm run conformance:mutants -- does the conformance kit find real faults? Breaks one rule of
// the runtime at a time (each mutant below, in a copy of the repository under the system's
// temp folder), runs every scenario of both roles against the broken runtime through the
// TypeScript adapter over MQTT, and prints which scenarios caught each mutant. Exits 1 when a
// mutant is caught by no scenario, or when a mutant no longer applies (the code it breaks
// changed: update it here). Not part of CI: it runs the whole kit once per mutant (about
// two minutes each). Writes .conformance/mutants.json.
/* global process, console */
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bus = process.env.ORBITALIS_MQTT_URL ?? "mqtt://127.0.0.1:1883";

/** One rule broken on purpose: `find` (which must occur exactly once) becomes `replace`. */
const MUTANTS = [
  {
    id: "will-grace",
    rule: "PRES-6",
    what: "a will closes a connection at once, without the grace in which the peer may answer",
    file: "runtime/orb/liveness.ts",
    find: "}, this.willGraceMs());",
    replace: "}, 0);",
  },
  {
    id: "reservation-expiry",
    rule: "HS-4",
    what: "a reservation outlives the offer's holdMs",
    file: "runtime/orb/reservations.ts",
    find: "}, this.timing.holdMs);",
    replace: "}, this.timing.holdMs * 1000);",
  },
  {
    id: "close-ack",
    rule: "TERM-2",
    what: "a graceful close is never acknowledged",
    file: "runtime/orb/termination.ts",
    find: "if (message.ackTo !== undefined)",
    replace: 'if (message.ackTo === "never")',
  },
  {
    id: "keepalive-answer",
    rule: "LIVE-4",
    what: "a keepalive-request is not answered",
    file: "runtime/orb/queries.ts",
    find: '"keepalive-request": (m) => host.post(m.replyTo, host.message("keepalive", { re: m.id }), m.from),',
    replace: '"keepalive-request": () => undefined,',
  },
  {
    id: "epoch-check",
    rule: "ID-2",
    what: "a message from another epoch of a connected remote counts as from the known instance",
    file: "runtime/orb/links.ts",
    find: "if (message.epoch === peer.epoch) {",
    replace: "if (message.epoch === peer.epoch || message.epoch !== peer.epoch) {",
  },
];

const only = process.argv.slice(2);
const chosen = only.length > 0 ? MUTANTS.filter((m) => only.includes(m.id)) : MUTANTS;
if (chosen.length === 0) {
  console.error(`unknown mutant ${only.join(", ")}; known: ${MUTANTS.map((m) => m.id).join(", ")}`);
  process.exit(2);
}

/** A copy of what the kit and the adapter need, sharing node_modules. */
function copyRepository() {
  const dir = mkdtempSync(join(tmpdir(), "orbitalis-mutant-"));
  for (const part of ["runtime", "generated", "generator", "conformance", "spec", "templates"])
    cpSync(join(root, part), join(dir, part), { recursive: true });
  for (const file of ["package.json", "tsconfig.json"]) cpSync(join(root, file), join(dir, file));
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

const tsx = join(root, "node_modules", ".bin", "tsx");
const results = [];
let status = 0;
for (const mutant of chosen) {
  const dir = copyRepository();
  try {
    const path = join(dir, mutant.file);
    const source = readFileSync(path, "utf8");
    const count = source.split(mutant.find).length - 1;
    if (count !== 1) {
      console.error(
        `${mutant.id}: "${mutant.find}" occurs ${count} times in ${mutant.file}: update this mutant`,
      );
      results.push({ ...mutant, applied: false, caughtBy: [] });
      status = 1;
      continue;
    }
    writeFileSync(path, source.replace(mutant.find, mutant.replace));
    console.log(`\n== mutant ${mutant.id} (${mutant.rule}): ${mutant.what}`);
    const caughtBy = [];
    for (const role of ["plugin", "core"]) {
      const report = join(dir, `${role}.json`);
      spawnSync(
        tsx,
        [
          "generator/cli.ts",
          "conformance",
          "--implementation",
          `"${tsx}" conformance/adapter.ts`,
          "--role",
          role,
          "--bus",
          bus,
          "--report",
          report,
        ],
        { cwd: dir, stdio: ["ignore", "ignore", "inherit"] },
      );
      if (!existsSync(report)) {
        console.error(`${mutant.id}: the kit wrote no report for role ${role}`);
        status = 1;
        continue;
      }
      const { scenarios } = JSON.parse(readFileSync(report, "utf8"));
      const failed = scenarios.filter((s) => s.status === "failed");
      for (const s of failed) caughtBy.push(`${s.id} (${s.rule})`);
      console.log(`  role ${role}: ${failed.length} of ${scenarios.length} scenarios failed`);
    }
    console.log(caughtBy.length > 0 ? `caught by: ${caughtBy.join(", ")}` : "NOT CAUGHT by any scenario");
    if (caughtBy.length === 0) status = 1;
    results.push({ ...mutant, applied: true, caughtBy });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

mkdirSync(join(root, ".conformance"), { recursive: true });
writeFileSync(join(root, ".conformance", "mutants.json"), `${JSON.stringify(results, null, 2)}\n`);
console.log("\n| mutant | rule | caught by |\n|---|---|---|");
for (const r of results)
  console.log(
    `| ${r.id} | ${r.rule} | ${r.applied ? r.caughtBy.join(", ") || "NOT CAUGHT" : "did not apply"} |`,
  );
process.exit(status);
