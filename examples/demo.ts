/**
 * `npm run demo`: Orbitalis live, in process on the embedded LocalBus (no server):
 * a smart home, a text processor and distributed prime checks; then, with --protocol,
 * the protocol tour read from the spec.
 */
import { LocalHub } from "orbitalis";
import { runPrimes } from "./primes.js";
import { runSmartHome } from "./smart-home.js";
import { runTextProcessor } from "./text-processor.js";

if (process.argv.includes("--protocol")) {
  const { loadSpec } = await import("../generator/load/load-spec.js");
  const { buildProtocolModel } = await import("../generator/model/protocol-model.js");
  const { describeProtocol } = await import("./protocol-tour.js");
  const model = buildProtocolModel(
    await loadSpec(new URL("../spec/orbitalis.asyncapi.yaml", import.meta.url).pathname),
  );
  console.log(describeProtocol(model).join("\n"));
} else {
  const hub = new LocalHub();
  const started = performance.now();
  console.log("== Smart home (generated plugin and core types, mandatory plugins, execute modes, pushes)");
  await runSmartHome({ newBus: () => hub.bus() });
  console.log("\n== Text processor (generated classes, typed results, handler error codes)");
  await runTextProcessor(() => hub.bus());
  console.log("\n== Primes (executeDistributed, output sinks)");
  await runPrimes(() => hub.bus());
  console.log(
    `\nDone in ${(performance.now() - started).toFixed(0)} ms. The protocol itself: npm run demo -- --protocol`,
  );
}
