/**
 * `npm run bench`: every benchmark, baselines measured side by side in the same run.
 */
import { runBusBench } from "./bus.js";
import { runOrbBench } from "./orbs.js";

console.log("# Bus: one-way throughput and latency, 1 KiB messages, next to raw mqtt.js");
await runBusBench();
console.log("\n# Orbs: compliance time and keepalive traffic");
await runOrbBench();
process.exit(0);
