/**
 * Generated contract modules register validators compiled at generation time: orbs of a
 * contract compile no schema at run time, and the precompiled validators judge data as
 * the runtime's own would.
 */
import Ajv from "ajv";
import { afterEach, describe, expect, it, vi } from "vitest";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("precompiled validators", () => {
  it("a generated core and plugin exchange data without compiling a schema", async () => {
    const compile = vi.spyOn(Ajv.default.prototype, "compile");
    const { LocalHub, silentLogger } = await import("../../runtime/index.js");
    const { ClimateCore, ThermostatPlugin } = await import("../../generated/examples/thermostat/index.js");
    class Thermostat extends ThermostatPlugin {
      target = 18;
      setTarget({ celsius }: { celsius: number }): void {
        this.target = celsius;
      }
      readTemperature(): { celsius: number; target: number } {
        return { celsius: 19, target: this.target };
      }
    }
    const hub = new LocalHub();
    const plugin = new Thermostat({ id: "t1", bus: hub.bus(), logger: silentLogger });
    const core = new ClimateCore({ id: "c1", bus: hub.bus(), logger: silentLogger });
    await plugin.start();
    await core.start();
    await core.compliant({ timeoutMs: 5000 });
    await core.execute("set_target", { celsius: 21 });
    expect(await core.request("read_temperature")).toEqual({ celsius: 19, target: 21 });
    // Out of range: refused by the core before sending (the precompiled validator ran).
    await expect(core.execute("set_target", { celsius: 99 })).rejects.toThrow(/celsius.*must be <= 30/);
    await core.stop();
    await plugin.stop();
    expect(compile).not.toHaveBeenCalled();
  });

  it("registerValidators takes sha-256 fingerprints only", async () => {
    const { registerValidators, ConfigError } = await import("../../runtime/index.js");
    expect(() => registerValidators({ "not-a-fingerprint": () => true })).toThrow(ConfigError);
  });
});
