/**
 * The core process: needs `greet`, waits for a plugin that lends it, then asks for a
 * greeting every second until it is stopped.
 *
 *   node --import tsx examples/two-processes/core.ts   (MQTT_URL defaults to mqtt://127.0.0.1:1883)
 */
import { Core, MqttBus, RemoteOperationError } from "orbitalis";
import { GreetingSpec, PersonSpec, type Greeter } from "./contract.js";

const url = process.env.MQTT_URL ?? "mqtt://127.0.0.1:1883";
const core = new Core<Greeter>({
  id: "front-desk",
  bus: new MqttBus({ url }),
  requires: { greet: { minimum: 1, inputs: [PersonSpec], outputs: [GreetingSpec] } },
});

core.on("state", (state) => console.log(`front-desk: ${state}`));
await core.start();
await core.compliant({ timeoutMs: 30_000 }); // throws, saying what is missing, if no greeter comes

const names = ["Ada", "Grace", "nobody"];
let turn = 0;
const timer = setInterval(() => {
  const name = names[turn++ % names.length]!;
  core.request("greet", { name }, { timeoutMs: 2000 }).then(
    (greeting) => console.log(`front-desk: ${greeting.text}`),
    (error: unknown) => {
      if (error instanceof RemoteOperationError) console.log(`front-desk: ${error.remoteCode} for ${name}`);
      else console.log(`front-desk: ${(error as Error).message}`);
    },
  );
}, 1000);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    clearInterval(timer);
    void core.stop().then(() => console.log("front-desk: stopped"));
  });
}
