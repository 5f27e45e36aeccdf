/**
 * The core process of the five-minute path: the generated ClimateCore sets a target and
 * follows the readings the thermostat pushes.
 *
 *   node --import tsx examples/thermostat/core.ts   (MQTT_URL defaults to mqtt://127.0.0.1:1883)
 */
import { MqttBus } from "orbitalis";
import { ClimateCore } from "../../generated/examples/thermostat/index.js";

const url = process.env.MQTT_URL ?? "mqtt://127.0.0.1:1883";
const climate = new ClimateCore({ id: "climate", bus: new MqttBus({ url }) });
climate.onOutput("temperature_changed", (reading, ctx) =>
  console.log(`climate: ${ctx.plugin} is at ${reading.celsius} °C (target ${reading.target} °C)`),
);
await climate.start();
await climate.compliant({ timeoutMs: 30_000 });

const now = await climate.request("read_temperature");
console.log(`climate: it is ${now.celsius} °C`);
await climate.execute("set_target", { celsius: 20 });

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void climate.stop().then(() => console.log("climate: stopped"));
  });
}
