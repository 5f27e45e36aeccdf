/**
 * A test of the climate core with no thermostat process and no broker: the generated
 * fakes stand in for the thermostat on an in-process bus.
 *
 *   npx vitest run examples/thermostat/core.test.ts
 */
import { OperationError } from "orbitalis";
import { expect, test } from "vitest";
import { startClimateCoreWithFakes } from "../../generated/examples/thermostat/fakes.js";

test("reads the temperature, then sets a target two degrees above it", async () => {
  await using sys = await startClimateCoreWithFakes({
    Thermostat: { answers: { read_temperature: { celsius: 18, target: 18 } } },
  });
  const thermostat = sys.fakes.Thermostat;

  const now = await sys.core.request("read_temperature");
  await sys.core.execute("set_target", { celsius: now.celsius + 2 });

  await thermostat.waitForCalls("set_target"); // execute resolves when sent, not when handled
  expect(thermostat.inputsOf("set_target")).toEqual([{ celsius: 20 }]);
  expect(thermostat.calls.map((c) => `${c.core} -> ${c.operation}`)).toEqual([
    "climate -> read_temperature",
    "climate -> set_target",
  ]);
});

test("a failing thermostat is an error the core sees", async () => {
  await using sys = await startClimateCoreWithFakes({
    Thermostat: {
      handlers: {
        read_temperature: () => {
          throw new OperationError("SENSOR_DOWN", "no reading");
        },
      },
    },
  });

  await expect(sys.core.request("read_temperature")).rejects.toMatchObject({ remoteCode: "SENSOR_DOWN" });
});

test("follows the readings the thermostat pushes", async () => {
  await using sys = await startClimateCoreWithFakes();
  const reading = new Promise((resolve) => sys.core.onOutput("temperature_changed", resolve));

  await sys.fakes.Thermostat.emit("temperature_changed", { celsius: 20.5, target: 21 });

  await expect(reading).resolves.toEqual({ celsius: 20.5, target: 21 });
});
