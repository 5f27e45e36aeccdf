// npm run conformance: the conformance kit (orbitalis conformance) against this repository's
// TypeScript adapter, for both roles, over MQTT (ORBITALIS_MQTT_URL, default
// mqtt://127.0.0.1:1883). Reports go to .conformance/ (JSON and JUnit per role). Exits
// non-zero when a scenario of either role fails. Arguments are passed on to the kit
// (e.g. npm run conformance -- --only plugin-hs3-offers-what-it-serves).
// ORBITALIS_CONFORMANCE_IMPLEMENTATION replaces the adapter command.
/* global process, console */
import { spawnSync } from "node:child_process";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tsx = join(root, "node_modules", ".bin", "tsx");
const bus = process.env.ORBITALIS_MQTT_URL ?? "mqtt://127.0.0.1:1883";
// ORBITALIS_CONFORMANCE_IMPLEMENTATION: another adapter command (a mutated copy of the runtime ...)
const adapter =
  process.env.ORBITALIS_CONFORMANCE_IMPLEMENTATION ?? `"${tsx}" "${join(root, "conformance", "adapter.ts")}"`;
const extra = process.argv.slice(2);
const roles = extra.includes("--role") ? [undefined] : ["plugin", "core"];
let status = 0;
for (const role of roles) {
  const args = ["generator/cli.ts", "conformance", "--implementation", adapter, "--bus", bus];
  if (role) {
    args.push("--role", role, "--report", join(".conformance", `${role}.json`));
    args.push("--junit", join(".conformance", `${role}.xml`));
  }
  const only = extra.indexOf("--only");
  // --only names scenarios of one role: skip the role that has none of them
  if (role && only >= 0 && !extra[only + 1].split(",").some((id) => id.startsWith(`${role}-`))) continue;
  const run = spawnSync(tsx, [...args, ...extra], { cwd: root, stdio: "inherit" });
  if (run.status !== 0) status = run.status ?? 1;
  console.log("");
}
process.exit(status);
