/**
 * The plugin process: lends `greet` to any core on the broker.
 *
 *   node --import tsx examples/two-processes/plugin.ts   (MQTT_URL defaults to mqtt://127.0.0.1:1883)
 */
import { MqttBus, OperationError, Plugin } from "orbitalis";
import { GreetingSpec, PersonSpec, type Greeter } from "./contract.js";

const url = process.env.MQTT_URL ?? "mqtt://127.0.0.1:1883";
const plugin = new Plugin<Greeter>({ id: "greeter", bus: new MqttBus({ url }) });

plugin.operation("greet", { input: PersonSpec, output: GreetingSpec }, ({ name }, ctx) => {
  if (name === "nobody") throw new OperationError("UNKNOWN_PERSON", "who is that?", { name });
  console.log(`greeter: greeting ${name} for ${ctx.core}`);
  return { text: `Hello, ${name}!` };
});

plugin.on("connection", (c) => console.log(`greeter: serving ${c.remote}`));
await plugin.start();
console.log("greeter: ready");

// Stop gracefully on Ctrl-C or a service manager's SIGTERM: connected cores are told, work
// in flight finishes, and the process exits once the bus is closed.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void plugin.stop().then(() => console.log("greeter: stopped"));
  });
}
