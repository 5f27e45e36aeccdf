/**
 * One stage of the pipeline, as its own process: a hybrid orb that lends its operation
 * and requires the next stage's. It offers its operation only while it is compliant
 * (`offerWhen: "compliant"`), so when a stage after it goes, the stages before it learn
 * it at once and stop sending work that cannot be done.
 *
 *   npx tsx examples/pipeline/stage.ts fetch|clean|summarize   (MQTT_URL, default mqtt://127.0.0.1:1883)
 */
import { MqttBus, OperationError, Orb } from "orbitalis";
import { DigestSpec, DocNameSpec, LIBRARY, SummarySpec, TextSpec, type Pipeline } from "./contract.js";

const stage = process.argv[2];
const url = process.env.MQTT_URL ?? "mqtt://127.0.0.1:1883";
const root = process.env.ORBITALIS_ROOT ?? "pipeline";
const common = {
  bus: new MqttBus({ url }),
  root,
  offerWhen: "compliant" as const,
  timing: { discoverIntervalMs: 500 },
};

let orb: Orb<Pipeline>;
if (stage === "fetch") {
  orb = new Orb<Pipeline>({
    ...common,
    id: "fetch",
    requires: { clean: { inputs: [TextSpec], outputs: [SummarySpec] } },
  });
  orb.operation("fetch", { input: DocNameSpec, output: DigestSpec }, async ({ doc }, ctx) => {
    const text = LIBRARY[doc];
    if (text === undefined) throw new OperationError("NO_SUCH_DOC", `no document ${doc}`);
    const { summary, words } = await orb.request("clean", text, { signal: ctx.signal });
    return { doc, summary, words };
  });
} else if (stage === "clean") {
  orb = new Orb<Pipeline>({
    ...common,
    id: "clean",
    requires: { summarize: { inputs: [TextSpec], outputs: [SummarySpec] } },
  });
  orb.operation("clean", { input: TextSpec, output: SummarySpec }, (text, ctx) =>
    orb.request("summarize", text.replace(/\s+/g, " ").trim(), { signal: ctx.signal }),
  );
} else if (stage === "summarize") {
  // The last stage requires nothing: it is always compliant.
  orb = new Orb<Pipeline>({ ...common, id: "summarize", requires: {} });
  orb.operation("summarize", { input: TextSpec, output: SummarySpec }, (text) => ({
    summary: text.split(/(?<=\.)\s/)[0] ?? "",
    words: text.split(" ").filter((w) => w.length > 0).length,
  }));
} else {
  console.error("usage: stage.ts fetch|clean|summarize");
  process.exit(2);
}

orb.on("state", (state) => console.log(`${orb.id}: ${state}`));
await orb.start();
console.log(`${orb.id}: ready`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void orb.stop()); // prints "stopping", then "stopped"
}
