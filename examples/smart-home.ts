/**
 * Smart home: a core that controls lamps, lamp plugins that start and stop at any time.
 * Runs in process on the embedded LocalBus (pass an MQTT URL to run over a broker):
 *
 *   npx tsx examples/smart-home.ts [mqtt://127.0.0.1:1883]
 */
import { pathToFileURL } from "node:url";
import type { FromSchema } from "json-schema-to-ts";
import { Core, LocalHub, MqttBus, Plugin, type Bus } from "orbitalis";

/** Status a lamp reports. */
export const StatusSchema = {
  type: "object",
  properties: { lamp: { type: "string" }, status: { enum: ["on", "off"] } },
  required: ["lamp", "status"],
  additionalProperties: false,
} as const;

/** The lamps' contract: the status type comes from the schema itself. */
export type Lamps = {
  turn_on: { input: void; output: void };
  turn_off: { input: void; output: void };
  get_status: { input: void; output: FromSchema<typeof StatusSchema> };
};

/** A lamp plugin: turn_on, turn_off, get_status. */
export function lamp(id: string, bus: Bus, log: (line: string) => void): Plugin<Lamps> {
  let status: "on" | "off" = "off";
  const plugin = new Plugin<Lamps>({ id, bus, maxCores: 2 });
  plugin
    .operation(
      "turn_on",
      { input: { empty: true }, output: "none", policy: { maxCores: 2 } },
      (_data, ctx) => {
        status = "on";
        log(`  ${id}: on (asked by ${ctx.core})`);
      },
    )
    .operation("turn_off", { input: { empty: true }, output: "none" }, (_data, ctx) => {
      status = "off";
      log(`  ${id}: off (asked by ${ctx.core})`);
    })
    .operation("get_status", { input: { empty: true }, output: { schemas: [StatusSchema] } }, () => ({
      lamp: id,
      status,
    }));
  return plugin;
}

/** The home core: lamp-x is mandatory, any other lamp welcome. */
export function home(bus: Bus): Core<Lamps> {
  return new Core<Lamps>({
    id: "home",
    bus,
    requires: {
      turn_on: { minimum: 1, mandatory: ["lamp-x"], inputs: [{ empty: true }], outputs: ["none"] },
      turn_off: { minimum: 1, inputs: [{ empty: true }], outputs: ["none"] },
      get_status: { minimum: 0, inputs: [{ empty: true }], outputs: [{ schemas: [StatusSchema] }] },
    },
  });
}

/** Runs the story; `newBus` gives each orb its own bus client. */
export async function runSmartHome(
  newBus: () => Bus,
  log: (line: string) => void = console.log,
): Promise<void> {
  const core = home(newBus());
  core.on("state", (state, previous) => log(`home: ${previous} -> ${state}`));
  core.on("connection", (c) => log(`home: connected to ${c.remote} for ${c.operation}`));
  core.on("disconnection", (c, d) =>
    log(`home: ${c.remote}/${c.operation} closed (${d.reason}${d.graceful ? ", graceful" : ""})`),
  );

  log("home starts before any lamp: it is not compliant yet");
  await core.start();
  const x = lamp("lamp-x", newBus(), log);
  const y = lamp("lamp-y", newBus(), log);
  log("lamp-y and lamp-x start; the home finds them through their announce");
  await y.start();
  await x.start();
  await core.compliant({ timeoutMs: 5000 });

  log('execute("turn_on", all):');
  log(`  sent to ${(await core.execute("turn_on", undefined, { to: "all" })).join(", ")}`);
  log('execute("turn_off", to lamp-y):');
  await core.execute("turn_off", undefined, { to: "lamp-y" });
  for (const id of ["lamp-x", "lamp-y"]) {
    const status = await core.request("get_status", undefined, { to: id, timeoutMs: 2000 });
    log(`request("get_status", to ${id}) -> ${JSON.stringify(status)}`);
  }
  log("lamp-x stops gracefully: the home is no longer compliant");
  await x.stop();
  await core.stop();
  await y.stop();
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const url = process.argv[2];
  const hub = new LocalHub();
  await runSmartHome(url ? () => new MqttBus({ url }) : () => hub.bus());
}
