/**
 * Type tests of generated code (generated/examples), checked by `npm run typecheck`: a
 * wrong operation name, a wrong input, a misuse of a result, a wrong handler and a wrong
 * emitted output do not compile against the generated classes, plugins, cores and hybrids
 * alike. Nothing here runs.
 */
import { expectTypeOf } from "vitest";
import { LocalHub, type OperationContext } from "orbitalis";
import {
  CleanOrb,
  FetchOrb,
  type ReaderCore,
  type Digest,
  type DocName,
  type Summary,
} from "../../generated/examples/pipeline/index.js";
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
  // A send operation takes no input at all: push-only, it cannot be called.
  expectTypeOf<Contract["temperature_changed"]["input"]>().toEqualTypeOf<never>();
  // @ts-expect-error request of a push-only operation
  await climate.request("temperature_changed");
  // @ts-expect-error execute of a push-only operation
  await climate.execute("temperature_changed");
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

/** An operation whose input message has no payload (Query): called without data, handled without it. */
export async function noPayloadInput(): Promise<void> {
  const climate = new ClimateCore({ id: "climate", bus: hub.bus() });
  expectTypeOf<Contract["read_temperature"]["input"]>().toEqualTypeOf<void>();
  await climate.request("read_temperature");
  await climate.request("read_temperature", undefined, { timeoutMs: 100 });
  // @ts-expect-error data for an operation whose input has no payload
  await climate.request("read_temperature", { celsius: 20 });
  // The handler's input says so: void (a handler may leave it out, as GoodThermostat does).
  expectTypeOf<Parameters<ThermostatPlugin["readTemperature"]>>().toEqualTypeOf<
    [input: void, ctx: OperationContext]
  >();
}

export class NoPayloadWithContext extends ThermostatPlugin {
  setTarget(): void {}
  readTemperature(_input: void, ctx: OperationContext): Reading {
    void ctx.meta;
    return { celsius: 20, target: 21 };
  }
}

export class NoPayloadTakingData extends ThermostatPlugin {
  setTarget(): void {}
  // @ts-expect-error a handler expecting data where the message has no payload
  readTemperature(target: Target): Reading {
    return { celsius: target.celsius, target: target.celsius };
  }
}

/** A generated hybrid: lends fetch (a typed handler), requires clean (typed calls). */
export class GoodFetcher extends FetchOrb {
  async fetch({ doc }: DocName, ctx: OperationContext): Promise<Digest> {
    const summary = await this.request("clean", doc, { signal: ctx.signal });
    expectTypeOf(summary).toEqualTypeOf<Summary>();
    // @ts-expect-error a wrong input for what it requires
    await this.request("clean", { text: doc });
    // @ts-expect-error an operation the contract does not have
    await this.request("tidy", doc);
    return { doc, ...summary };
  }
}

export class WrongFetchOutput extends FetchOrb {
  // @ts-expect-error a handler returning the wrong output (a Digest needs doc)
  fetch(): Summary {
    return { summary: "", words: 0 };
  }
}

export class WrongCleanInput extends CleanOrb {
  // @ts-expect-error a handler taking the wrong input (clean takes a Text, a string)
  clean(_text: number): Summary {
    return { summary: "", words: 0 };
  }
}

// @ts-expect-error a hybrid type with its handler missing cannot be instantiated
export class MissingClean extends CleanOrb {}

export function hybridOptions(): void {
  const bus = hub.bus();
  // The hybrid orb's options: the contract's offerWhen is a default, requirements add up.
  new GoodFetcher({ id: "f1", bus, offerWhen: "always", maxCores: 2, policy: { fetch: { maxCores: 1 } } });
  new GoodFetcher({ id: "f2", bus, requires: { summarize: { minimum: 0 } } });
  // @ts-expect-error offerWhen takes "always" or "compliant"
  new GoodFetcher({ id: "f3", bus, offerWhen: "sometimes" });
  // @ts-expect-error a requirement the contract does not have
  new GoodFetcher({ id: "f4", bus, requires: { tidy: {} } });
  // @ts-expect-error a policy for an operation it does not lend
  new GoodFetcher({ id: "f5", bus, policy: { clean: { maxCores: 1 } } });
  expectTypeOf<Parameters<ReaderCore["request"]>[0]>().toEqualTypeOf<"fetch" | "clean" | "summarize">();
}
