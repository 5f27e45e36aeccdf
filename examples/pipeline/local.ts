/**
 * The pipeline in one process, on a LocalHub: the generated ReaderCore reads through the
 * stages of stages.ts (two generated hybrids and a plugin). When the last stage stops, the
 * hybrids stop offering (offerWhen: compliant, from the contract) and the reader learns it;
 * when it is back, the chain heals.
 *
 *   npx tsx examples/pipeline/local.ts
 */
import { LocalHub } from "orbitalis";
import { ReaderCore } from "../../generated/examples/pipeline/index.js";
import { Cleaner, Fetcher, Summarizer } from "./stages.js";

const hub = new LocalHub();
const summarize = new Summarizer({ id: "summarize", bus: hub.bus() });
const clean = new Cleaner({ id: "clean", bus: hub.bus() });
const fetch = new Fetcher({ id: "fetch", bus: hub.bus() });
const reader = new ReaderCore({ id: "reader", bus: hub.bus() });
for (const orb of [clean, fetch, reader]) orb.on("state", (state) => console.log(`${orb.id}: ${state}`));

try {
  await Promise.all([summarize.start(), clean.start(), fetch.start(), reader.start()]);
  await reader.compliant({ timeoutMs: 5000 });
  const read = async (doc: string): Promise<void> => {
    const digest = await reader.request("fetch", { doc });
    console.log(`reader: ${digest.doc}: "${digest.summary}" (${digest.words} words)`);
  };
  await read("kernel");

  console.log("stopping summarize");
  const broken = new Promise<void>((resolve) => {
    const off = reader.on("state", (state) => state === "not-compliant" && (off(), resolve()));
  });
  await summarize.stop();
  await broken; // clean stops offering, so fetch does, so the reader has no fetch left
  console.log("starting summarize");
  await summarize.start();
  await reader.compliant({ timeoutMs: 5000 });
  await read("hybrid");
} finally {
  // Also when something above fails: running orbs would keep the process alive.
  await Promise.all([reader.stop(), fetch.stop(), clean.stop(), summarize.stop()]);
}
