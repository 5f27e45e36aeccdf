/**
 * The plugin process of the five-minute path: the generated ThermostatPlugin with its two
 * handlers, pushing temperature_changed while it heats or cools.
 *
 *   node --import tsx examples/thermostat/plugin.ts   (MQTT_URL defaults to mqtt://127.0.0.1:1883)
 */
import { MqttBus } from "orbitalis";
import { ThermostatPlugin, type Reading, type Target } from "../../generated/examples/thermostat/index.js";

class Thermostat extends ThermostatPlugin {
  private celsius = 18;
  private target = 18;

  setTarget({ celsius }: Target): void {
    console.log(`thermostat: target ${celsius} °C`);
    this.target = celsius;
  }

  readTemperature(): Reading {
    return { celsius: this.celsius, target: this.target };
  }

  /** Moves half a degree towards the target; pushes the new reading to connected cores. */
  async step(): Promise<void> {
    if (this.celsius === this.target) return;
    this.celsius += this.celsius < this.target ? 0.5 : -0.5;
    await this.emit("temperature_changed", this.readTemperature());
  }
}

const url = process.env.MQTT_URL ?? "mqtt://127.0.0.1:1883";
const thermostat = new Thermostat({ id: "thermostat-1", bus: new MqttBus({ url }) });
await thermostat.start();
console.log("thermostat: ready");
const timer = setInterval(() => void thermostat.step(), 200);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    clearInterval(timer);
    void thermostat.stop().then(() => console.log("thermostat: stopped"));
  });
}
