/**
 * The hybrid orb of the README: a chain reader -> clean (a hybrid) -> summarize, in process.
 *
 *   npx tsx examples/hybrid.ts
 */
import { Core, LocalHub, Orb, Plugin } from "orbitalis";

const hub = new LocalHub();
const text = { schemas: [{ type: "string" }] };

const summarize = new Plugin({ id: "summarize", bus: hub.bus() });
summarize.operation("summarize", { input: text, output: text }, (s) => (s as string).split(".")[0]!);

// Lends `clean`, requires `summarize`; offers `clean` only while it has a summarizer.
const clean = new Orb({ id: "clean", bus: hub.bus(), requires: { summarize: {} }, offerWhen: "compliant" });
clean.operation("clean", { input: text, output: text }, (s) =>
  clean.request("summarize", (s as string).replace(/\s+/g, " ").trim()),
);

const reader = new Core({ id: "reader", bus: hub.bus(), requires: { clean: {} } });
await Promise.all([summarize.start(), clean.start(), reader.start()]);
await reader.compliant({ timeoutMs: 5000 });
console.log(await reader.request("clean", "  Orbs   find each other. Then they talk."));
await Promise.all([reader.stop(), clean.stop(), summarize.stop()]);
