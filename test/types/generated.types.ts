/**
 * Type tests of generated code (generated/examples), checked by `npm run typecheck`: a
 * wrong operation name, a wrong input, a misuse of a result, a wrong handler and a wrong
 * emitted output do not compile against the generated classes. Nothing here runs.
 */
import { expectTypeOf } from "vitest";
import { LocalHub, type OperationContext } from "orbitalis";
import {
  ClimateCore,
  ThermostatPlugin,
  type Contract,
  type Reading,
  type Target,
} from "../../generated/examples/thermostat/index.js";
import {
  HomeCore,
  LampRgbPlugin,
  type ColorRgb,
  type LampStatus,
} from "../../generated/examples/smart-home/index.js";

const hub = new LocalHub();

export async function generatedCore(): Promise<void> {
  const climate = new ClimateCore({ id: "climate", bus: hub.bus() });
  expectTypeOf(await climate.request("read_temperature")).toEqualTypeOf<Reading>();
  await climate.execute("set_target", { celsius: 21 });
  // @ts-expect-error a wrong operation name
  await climate.request("read_temprature");
  // @ts-expect-error a wrong input type
  await climate.execute("set_target", { fahrenheit: 70 });
  // @ts-expect-error an operation with input called without it
  await climate.execute("set_target");
  // @ts-expect-error a misuse of a result: a Reading is not a number
  const n: number = await climate.request("read_temperature");
  void n;
  climate.onOutput("temperature_changed", (reading) => expectTypeOf(reading).toEqualTypeOf<Reading>());
  // @ts-expect-error a sink for a wrong type
  climate.onOutput("temperature_changed", (_reading: string) => undefined);
  // Options add requirements or override the contract's, for operations of the contract only.
  new ClimateCore({ id: "c2", bus: hub.bus(), requires: { set_target: { mandatory: ["thermostat-1"] } } });
  // @ts-expect-error a requirement the contract does not have
  new ClimateCore({ id: "c3", bus: hub.bus(), requires: { set_humidity: {} } });
  expectTypeOf<Contract["set_target"]["input"]>().toEqualTypeOf<Target>();
}

export class GoodThermostat extends ThermostatPlugin {
  setTarget(target: Target, ctx: OperationContext): void {
    void target.celsius;
    void ctx.signal;
  }
  readTemperature(): Reading {
    return { celsius: 20, target: 21 };
  }
  async push(): Promise<void> {
    await this.emit("temperature_changed", { celsius: 20, target: 21 });
    // @ts-expect-error a wrong emitted output
    await this.emit("temperature_changed", { celsius: 20 });
    // @ts-expect-error emit of an operation the contract does not have
    await this.emit("humidity_changed", { celsius: 20, target: 21 });
  }
}

export class WrongHandlerOutput extends ThermostatPlugin {
  setTarget(): void {}
  // @ts-expect-error a handler returning the wrong output
  readTemperature(): { celsius: string } {
    return { celsius: "warm" };
  }
}

export class WrongHandlerInput extends ThermostatPlugin {
  // @ts-expect-error a handler taking the wrong input
  setTarget(_target: { fahrenheit: number }): void {}
  readTemperature(): Reading {
    return { celsius: 20, target: 21 };
  }
}

// @ts-expect-error a plugin type with a handler missing cannot be instantiated
export class MissingHandler extends ThermostatPlugin {
  setTarget(): void {}
}

export class RgbLamp extends LampRgbPlugin {
  turnOn(): void {}
  turnOff(): void {}
  getStatus(): LampStatus {
    return { lamp: this.id, status: "on" };
  }
  /** The RGB lamp's handler gets only RGB colors (its accepts narrows the input). */
  setColor(color: ColorRgb): void {
    expectTypeOf(color).toEqualTypeOf<ColorRgb>();
  }
}

export async function homeCore(): Promise<void> {
  const home = new HomeCore({ id: "home", bus: hub.bus() });
  await home.execute("set_color", { r: 1, g: 2, b: 3 });
  await home.execute("set_color", { h: 1, s: 0.5, v: 0.5 });
  // @ts-expect-error neither RGB nor HSV
  await home.execute("set_color", { r: 1, g: 2 });
}
