// npm run conformance: the conformance kit (orbitalis conformance) against this repository's
// TypeScript adapter, for both roles, over MQTT (ORBITALIS_MQTT_URL, default
// mqtt://127.0.0.1:1883), or over the buses `--buses mqtt,nats,redis` names. Reports go to
// .conformance/ (JSON and JUnit per role and bus). Exits non-zero when a scenario fails. Arguments are passed on to the kit
// (e.g. npm run conformance -- --only plugin-hs3-offers-what-it-serves).
// ORBITALIS_CONFORMANCE_IMPLEMENTATION replaces the adapter command.
/* global process, console */
import { spawnSync } from "node:child_process";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tsx = join(root, "node_modules", ".bin", "tsx");
// --buses mqtt,nats,redis: the buses to run on (default mqtt), each at its usual address or
// ORBITALIS_MQTT_URL / ORBITALIS_NATS_URL / ORBITALIS_REDIS_URL.
const URLS = {
  mqtt: process.env.ORBITALIS_MQTT_URL ?? "mqtt://127.0.0.1:1883",
  nats: process.env.ORBITALIS_NATS_URL ?? "nats://127.0.0.1:4222",
  redis: process.env.ORBITALIS_REDIS_URL ?? "redis://127.0.0.1:6379",
};
// ORBITALIS_CONFORMANCE_IMPLEMENTATION: another adapter command (a mutated copy of the runtime ...)
const adapter =
  process.env.ORBITALIS_CONFORMANCE_IMPLEMENTATION ?? `"${tsx}" "${join(root, "conformance", "adapter.ts")}"`;
const extra = process.argv.slice(2);
const busesAt = extra.indexOf("--buses");
const buses = busesAt >= 0 ? extra.splice(busesAt, 2)[1].split(",") : ["mqtt"];
for (const name of buses) {
  if (!(name in URLS)) {
    console.error(`--buses: unknown bus ${JSON.stringify(name)} (mqtt, nats or redis)`);
    process.exit(2);
  }
}
const roles = extra.includes("--role") ? [undefined] : ["plugin", "core"];
let status = 0;
for (const busName of buses) {
  const bus = URLS[busName];
  for (const role of roles) {
    const args = ["generator/cli.ts", "conformance", "--implementation", adapter, "--bus", bus];
    if (role) {
      const base = join(".conformance", buses.length > 1 ? `${role}-${busName}` : role);
      args.push("--role", role, "--report", `${base}.json`, "--junit", `${base}.xml`);
    }
    const only = extra.indexOf("--only");
    // --only names scenarios of one role: skip the role that has none of them
    if (role && only >= 0 && !extra[only + 1].split(",").some((id) => id.startsWith(`${role}-`))) continue;
    const run = spawnSync(tsx, [...args, ...extra], { cwd: root, stdio: "inherit" });
    if (run.status !== 0) status = run.status ?? 1;
    console.log("");
  }
}
process.exit(status);
