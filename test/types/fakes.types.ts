/**
 * Type tests of the generated test doubles (generated/examples/<name>/fakes.ts), checked
 * by `npm run typecheck`: handlers, answers, recorded calls, pushes and setups are typed by
 * the contract, and a wrong one does not compile. Nothing here runs.
 */
import { expectTypeOf } from "vitest";
import { LocalHub, type OperationContext } from "orbitalis";
import type { FakeCall } from "orbitalis/testing";
import type { ClimateCore, Reading, Target } from "../../generated/examples/thermostat/index.js";
import {
  FakeThermostatPlugin,
  startClimateCoreWithFakes,
} from "../../generated/examples/thermostat/fakes.js";
import type { ColorHsv, ColorRgb } from "../../generated/examples/smart-home/index.js";
import { FakeLampRgbPlugin, startHomeCoreWithFakes } from "../../generated/examples/smart-home/fakes.js";

const hub = new LocalHub();

export function fakeOptions(): void {
  new FakeThermostatPlugin({
    bus: hub.bus(),
    handlers: {
      set_target: (target, ctx) => {
        expectTypeOf(target).toEqualTypeOf<Target>();
        expectTypeOf(ctx).toEqualTypeOf<OperationContext>();
      },
      read_temperature: () => Promise.resolve({ celsius: 20, target: 21 }),
    },
    answers: { read_temperature: { celsius: 20, target: 21 } },
  });
  new FakeThermostatPlugin({
    bus: hub.bus(),
    // @ts-expect-error a handler taking the wrong input type
    handlers: { set_target: (_target: { fahrenheit: number }) => undefined },
  });
  new FakeThermostatPlugin({
    bus: hub.bus(),
    // @ts-expect-error a handler returning the wrong output
    handlers: { read_temperature: () => ({ celsius: "warm" }) },
  });
  new FakeThermostatPlugin({
    bus: hub.bus(),
    // @ts-expect-error an answer of the wrong type
    answers: { read_temperature: { celsius: 20 } },
  });
  new FakeThermostatPlugin({
    bus: hub.bus(),
    // @ts-expect-error a pushed operation takes no handler
    handlers: { temperature_changed: () => ({ celsius: 20, target: 21 }) },
  });
  new FakeThermostatPlugin({
    bus: hub.bus(),
    // @ts-expect-error an operation the plugin type does not have
    answers: { set_humidity: 40 },
  });
  // The RGB lamp's fake gets only RGB colors (its accepts narrows the input).
  new FakeLampRgbPlugin({
    bus: hub.bus(),
    handlers: {
      set_color: (color) => {
        expectTypeOf(color).toEqualTypeOf<ColorRgb>();
      },
    },
  });
  new FakeLampRgbPlugin({
    bus: hub.bus(),
    // @ts-expect-error an HSV color handler on the RGB lamp
    handlers: { set_color: (_color: ColorHsv) => undefined },
  });
}

export async function recordedCalls(fake: FakeThermostatPlugin): Promise<void> {
  expectTypeOf(fake.callsOf("set_target")).toEqualTypeOf<readonly FakeCall<"set_target", Target>[]>();
  expectTypeOf(fake.inputsOf("set_target")).toEqualTypeOf<Target[]>();
  expectTypeOf((await fake.waitForCalls("set_target"))[0]!.input).toEqualTypeOf<Target>();
  for (const call of fake.calls) {
    if (call.operation === "set_target") expectTypeOf(call.input).toEqualTypeOf<Target>();
  }
  // @ts-expect-error an operation the plugin type does not have
  fake.callsOf("set_humidity");
  await fake.emit("temperature_changed", { celsius: 20, target: 21 });
  // @ts-expect-error a wrong pushed output
  await fake.emit("temperature_changed", { celsius: 20 });
}

export async function systems(): Promise<void> {
  await using sys = await startClimateCoreWithFakes({
    Thermostat: { answers: { read_temperature: { celsius: 20, target: 21 } }, ids: ["t-1"] },
  });
  expectTypeOf(sys.core).toEqualTypeOf<ClimateCore>();
  expectTypeOf(sys.fakes.Thermostat).toEqualTypeOf<FakeThermostatPlugin>();
  expectTypeOf(sys.instances.Thermostat).toEqualTypeOf<readonly FakeThermostatPlugin[]>();
  expectTypeOf(await sys.core.request("read_temperature")).toEqualTypeOf<Reading>();
  // @ts-expect-error a plugin type the core is not faked with
  await startClimateCoreWithFakes({ Lamp: {} });
  // @ts-expect-error a handler taking the wrong input type, in a system
  await startClimateCoreWithFakes({ Thermostat: { handlers: { set_target: (_t: string) => undefined } } });
  // @ts-expect-error the bus is the system's
  await startClimateCoreWithFakes({ Thermostat: { bus: hub.bus() } });
  // @ts-expect-error a core requirement the contract does not have
  await startClimateCoreWithFakes({}, { core: { requires: { set_humidity: {} } } });
  await using home = await startHomeCoreWithFakes();
  expectTypeOf(home.fakes.LampRgb).toEqualTypeOf<FakeLampRgbPlugin>();
}
