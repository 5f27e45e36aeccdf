/**
 * One stage of the pipeline, as its own process (the classes are in stages.ts). fetch and
 * clean are hybrids: each lends its step and requires the next one, and offers its step
 * only while it has the next one (`offerWhen: compliant` in the contract), so when a stage
 * after it goes, the stages before it learn it at once and stop sending work that cannot
 * be done. summarize, the last, is a plain plugin.
 *
 *   npx tsx examples/pipeline/stage.ts fetch|clean|summarize   (MQTT_URL, default mqtt://127.0.0.1:1883)
 */
import { MqttBus } from "orbitalis";
import { Cleaner, Fetcher, Summarizer } from "./stages.js";

const STAGES = { fetch: Fetcher, clean: Cleaner, summarize: Summarizer } as const;

const name = process.argv[2];
if (name !== "fetch" && name !== "clean" && name !== "summarize") {
  console.error("usage: stage.ts fetch|clean|summarize");
  process.exit(2);
}
const url = process.env.MQTT_URL ?? "mqtt://127.0.0.1:1883";
const root = process.env.ORBITALIS_ROOT ?? "pipeline";
const orb = new STAGES[name]({
  id: name,
  bus: new MqttBus({ url }),
  root,
  timing: { discoverIntervalMs: 500 },
});

orb.on("state", (state) => console.log(`${orb.id}: ${state}`));
await orb.start();
console.log(`${orb.id}: ready`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void orb.stop()); // prints "stopping", then "stopped"
}
