/**
 * The public API of DESIGN.md section 7, used as written there (outside acceptance tests
 * rely on these names): a lamp plugin on the LocalBus, a home core over Mosquitto.
 */
import { afterAll, describe, expect, it } from "vitest";
import * as orbitalis from "../../runtime/index.js";
import { Core, LocalHub, MqttBus, Plugin, silentLogger } from "../../runtime/index.js";
import { resolveMqtt } from "../helpers/brokers.js";
import { uniqueRoot } from "../helpers/wait.js";

const target = await resolveMqtt();
afterAll(() => target.stop());

const StatusSchema = {
  type: "object",
  properties: { lamp: { type: "string" }, status: { enum: ["on", "off"] } },
  required: ["lamp", "status"],
};

describe("public API (DESIGN.md section 7)", () => {
  it("exports every named class and error", () => {
    for (const name of [
      "Core",
      "Plugin",
      "LocalHub",
      "LocalBus",
      "MqttBus",
      "NatsBus",
      "RedisBus",
      "OrbitalisError",
      "RequestTimeoutError",
      "NoConnectionError",
      "RemoteOperationError",
      "InvalidPayloadError",
      "ConfigError",
      "BusError",
      "ConnectionClosedError",
      "ManualClock",
    ]) {
      expect(typeof (orbitalis as Record<string, unknown>)[name], name).toBe("function");
    }
  });

  it("runs the section 7 example: lamp on MQTT, home over Mosquitto", async () => {
    const root = uniqueRoot("api");
    const mqtt = (): MqttBus => new MqttBus({ url: target.url, protocolVersion: target.protocolVersion });
    const lamp = new Plugin({
      id: "lamp-x",
      bus: mqtt(),
      root,
      maxCores: 2,
      allow: [],
      prefer: [],
      logger: silentLogger,
    });
    const turnedOn: string[] = [];
    lamp.operation(
      "turn_on",
      { input: { empty: true }, output: "none", policy: { maxCores: 1 } },
      async (_data, ctx) => {
        turnedOn.push(`${ctx.core}/${ctx.operation}/${ctx.connection.remote}`);
        await Promise.resolve();
      },
    );
    lamp.operation(
      "get_status",
      { input: { empty: true }, output: { schemas: [StatusSchema] } },
      // An async handler, as in the design's example.
      () => Promise.resolve({ lamp: "lamp-x", status: "on" }),
    );
    await lamp.start();

    const home = new Core({
      id: "home",
      bus: mqtt(),
      root,
      logger: silentLogger,
      requires: {
        turn_on: { minimum: 1, mandatory: ["lamp-x"], inputs: [{ empty: true }], outputs: ["none"] },
        get_status: { minimum: 1, outputs: [{ schemas: [StatusSchema] }] },
      },
    });
    const sunk: unknown[] = [];
    let pushed!: () => void;
    const pushedOnce = new Promise<void>((r) => (pushed = r));
    home.onOutput("get_status", (data, ctx) => {
      sunk.push({ data, plugin: ctx.plugin });
      pushed();
    });
    const states: string[] = [];
    home.on("state", (state, previous) => states.push(`${previous}->${state}`));
    const errors: Error[] = [];
    home.on("error", (e) => errors.push(e));
    await home.start();
    await home.compliant({ timeoutMs: 5000 });
    expect(home.state).toBe("compliant");

    await lamp.emit("get_status", { lamp: "lamp-x", status: "off" });
    await pushedOnce;
    expect(sunk).toEqual([{ data: { lamp: "lamp-x", status: "off" }, plugin: "lamp-x" }]);

    expect(await home.execute("turn_on", undefined, { to: "lamp-x" })).toEqual(["lamp-x"]);
    expect(await home.execute("turn_on", undefined, { to: "any" })).toEqual(["lamp-x"]);
    expect(await home.execute("turn_on", undefined, { to: "all" })).toEqual(["lamp-x"]);
    expect(await home.executeDistributed("turn_on", [undefined, undefined])).toEqual(["lamp-x", "lamp-x"]);
    const status = await home.request("get_status", undefined, { to: "lamp-x", timeoutMs: 1000 });
    expect(status).toEqual({ lamp: "lamp-x", status: "on" });
    const conns = home.connections({ operation: "turn_on" });
    expect(conns).toEqual([
      expect.objectContaining({
        remote: "lamp-x",
        operation: "turn_on",
        input: { empty: true },
        output: "none",
      }),
    ]);

    await home.close("lamp-x", "turn_on", { graceful: true });
    expect(home.connections({ operation: "turn_on" })).toEqual([]);
    expect(home.state).toBe("not-compliant");
    await home.stop();
    await lamp.stop();
    expect(home.state).toBe("stopped");
    expect(lamp.state).toBe("stopped");
    expect(states).toEqual([
      "created->not-compliant",
      "not-compliant->compliant",
      "compliant->not-compliant",
      "not-compliant->stopping",
      "stopping->stopped",
    ]);
    expect(errors).toEqual([]);
    expect(turnedOn.length).toBeGreaterThanOrEqual(5);
  }, 30_000);

  it("a LocalHub example runs with no server", async () => {
    const hub = new LocalHub();
    const lamp = new Plugin({ id: "lamp-x", bus: hub.bus() });
    lamp.operation("get_status", { input: { empty: true }, output: { schemas: [StatusSchema] } }, () => ({
      lamp: "lamp-x",
      status: "on",
    }));
    const home = new Core({
      id: "home",
      bus: hub.bus(),
      requires: { get_status: { outputs: [{ schemas: [StatusSchema] }] } },
    });
    await lamp.start();
    await home.start();
    await home.compliant({ timeoutMs: 5000 });
    expect(await home.request("get_status")).toEqual({ lamp: "lamp-x", status: "on" });
    await home.stop();
    await lamp.stop();
  });
});
