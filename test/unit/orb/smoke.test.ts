import { afterEach, describe, expect, it } from "vitest";
import { Core, LocalHub, Plugin, silentLogger } from "../../../runtime/index.js";
import { Orbs } from "../../helpers/orbs.js";

const orbs = new Orbs();
afterEach(() => orbs.stopAll());

describe("smoke", () => {
  it("connects a core and a plugin and runs a request", async () => {
    const hub = new LocalHub();
    const plugin = orbs.add(new Plugin({ id: "upper", bus: hub.bus(), logger: silentLogger }));
    plugin.operation(
      "upper",
      { input: { schemas: [{ type: "string" }] }, output: { schemas: [{ type: "string" }] } },
      (s) => String(s).toUpperCase(),
    );
    const core = orbs.add(
      new Core({ id: "core", bus: hub.bus(), logger: silentLogger, requires: { upper: {} } }),
    );
    await plugin.start();
    await core.start();
    await core.compliant({ timeoutMs: 2000 });
    expect(await core.request("upper", "abc")).toBe("ABC");
    expect(core.connections()).toHaveLength(1);
    expect(plugin.connections()[0]?.remote).toBe("core");
  });
});
