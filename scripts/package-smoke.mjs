// Smoke test of the built package through its public entry points ("orbitalis" and
// "orbitalis/protocol", resolved through package.json exports) and its bin.
// Run after `npm run build` (npm ci builds through the prepare script): node scripts/package-smoke.mjs
/* global process, console */
import { execFileSync } from "node:child_process";
import { Core, LocalHub, Plugin } from "orbitalis";
import { MESSAGE_KINDS, validateMessage } from "orbitalis/protocol";

const hub = new LocalHub();
const plugin = new Plugin({ id: "upper", bus: hub.bus() }).operation(
  "upper",
  { input: { schemas: [{ type: "string" }] }, output: { schemas: [{ type: "string" }] } },
  (s) => s.toUpperCase(),
);
const core = new Core({ id: "smoke", bus: hub.bus(), requires: { upper: {} } });
await plugin.start();
await core.start();
await core.compliant({ timeoutMs: 5000 });
const answer = await core.request("upper", "built package");
await core.stop();
await plugin.stop();
if (answer !== "BUILT PACKAGE") throw new Error(`unexpected answer ${JSON.stringify(answer)}`);
if (MESSAGE_KINDS.length !== 17 || validateMessage({}).ok) throw new Error("orbitalis/protocol is broken");
const version = execFileSync(process.execPath, ["packages/cli/bin/orbitalis.js", "--version"], {
  encoding: "utf8",
}).trim();
console.log(`package smoke: request ok, ${MESSAGE_KINDS.length} message kinds, bin version ${version}`);
