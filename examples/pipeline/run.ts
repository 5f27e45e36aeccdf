/**
 * Runs the three-stage pipeline (fetch -> clean -> summarize), each stage in its own
 * process, with a reader core that requires `fetch`; every orb is of a class generated
 * from examples/contracts/pipeline.asyncapi.yaml. Midway it kills the middle stage
 * (SIGKILL: no goodbye, the broker publishes its will), shows the reader learning that
 * the pipeline is broken, restarts the stage, and shows the pipeline working again.
 *
 *   npx tsx examples/pipeline/run.ts   (MQTT_URL, default mqtt://127.0.0.1:1883)
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { MqttBus, NoConnectionError } from "orbitalis";
import { ReaderCore } from "../../generated/examples/pipeline/index.js";

const url = process.env.MQTT_URL ?? "mqtt://127.0.0.1:1883";
const root = `pipeline-${process.pid}`;
const STAGE = fileURLToPath(new URL("./stage.ts", import.meta.url));

/** Starts a stage process; resolves once its orb is running. */
function startStage(name: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", STAGE, name], {
    env: { ...process.env, MQTT_URL: url, ORBITALIS_ROOT: root },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      for (const line of d.toString().trim().split("\n")) {
        console.log(`  | ${line}`);
        if (line === `${name}: ready`) resolve(child);
      }
    });
    child.once("exit", (code) => reject(new Error(`stage ${name} exited with ${code}`)));
  });
}

// The generated core: it requires fetch, with the contract's schemas.
const reader = new ReaderCore({
  id: "reader",
  bus: new MqttBus({ url }),
  root,
  timing: { discoverIntervalMs: 500 },
});
reader.on("state", (state) => console.log(`reader: ${state}`));

const stages = new Map<string, ChildProcess>();
const read = async (doc: string): Promise<void> => {
  const digest = await reader.request("fetch", { doc }, { timeoutMs: 5000 });
  console.log(`reader: ${digest.doc}: "${digest.summary}" (${digest.words} words)`);
};
const inState = (state: "compliant" | "not-compliant"): Promise<void> =>
  new Promise((resolve) => {
    if (reader.state === state) return resolve();
    const off = reader.on("state", (s) => s === state && (off(), resolve()));
  });

try {
  await reader.start();
  // Start from the end: each stage becomes compliant when the one after it is there.
  for (const name of ["summarize", "clean", "fetch"]) stages.set(name, await startStage(name));
  await reader.compliant({ timeoutMs: 30_000 });
  await read("orbits");
  await read("kernel");

  console.log("pipeline: killing clean (SIGKILL)");
  const killedAt = performance.now();
  stages.get("clean")!.kill("SIGKILL");
  await inState("not-compliant");
  console.log(
    `pipeline: reader not compliant ${(performance.now() - killedAt).toFixed(0)} ms after the kill`,
  );
  await read("hybrid").catch((error: unknown) => {
    if (!(error instanceof NoConnectionError)) throw error;
    console.log(`reader: hybrid: not now (${error.message})`);
  });

  console.log("pipeline: restarting clean");
  stages.set("clean", await startStage("clean"));
  const readyAt = performance.now();
  await reader.compliant({ timeoutMs: 30_000 });
  console.log(
    `pipeline: reader compliant ${(performance.now() - readyAt).toFixed(0)} ms after clean was back`,
  );
  await read("hybrid");
} finally {
  await reader.stop();
  await Promise.all(
    [...stages.values()].map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once("exit", () => resolve());
          c.kill("SIGTERM");
        }),
    ),
  );
  console.log("pipeline: done");
}
