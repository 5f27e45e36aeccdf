/**
 * Retained presence (issue finding 5): an orb that stops for good clears its retained
 * presence, on the LocalBus and on Mosquitto, so the broker does not keep one per orb id
 * ever started; the will of a killed orb expires on an MQTT 5 broker.
 */
import { afterAll, describe, expect, it } from "vitest";
import { LocalHub, MqttBus, Plugin, silentLogger, type Bus } from "../../runtime/index.js";
import { mqttClientOptions } from "../../runtime/bus/mqtt-options.js";
import { resolveMqtt } from "../helpers/brokers.js";
import { Inbox, uniqueRoot } from "../helpers/wait.js";

const target = await resolveMqtt();
afterAll(() => target.stop());

/** The retained messages a fresh subscriber gets under `root/presence/+` (then a marker, published after). */
async function retainedPresences(newBus: () => Bus, root: string): Promise<string[]> {
  const sub = newBus();
  const pub = newBus();
  await Promise.all([sub.connect(), pub.connect()]);
  const inbox = new Inbox();
  await sub.subscribe(`${root}/presence/+`, inbox.handler);
  await sub.subscribe(`${root}/marker`, inbox.handler);
  await pub.publish(`${root}/marker`, new TextEncoder().encode("end"));
  await inbox.until(() => inbox.texts.includes("end"), 10_000, "the marker");
  await Promise.all([sub.close(), pub.close()]);
  return inbox.topics.filter((t) => t.includes("/presence/"));
}

describe.each([
  ["LocalBus", () => new LocalHub()],
  ["MQTT", () => undefined],
])("retained presence on %s", (name, makeHub) => {
  it("is there while the orb runs and gone once it stopped", async () => {
    const hub = makeHub();
    const newBus = (): Bus =>
      hub ? hub.bus() : new MqttBus({ url: target.url, protocolVersion: target.protocolVersion });
    const root = uniqueRoot("p");
    const plugin = new Plugin({ id: "lamp", bus: newBus(), root, logger: silentLogger });
    plugin.operation("echo", {}, () => undefined);
    await plugin.start();
    expect(await retainedPresences(newBus, root)).toEqual([`${root}/presence/lamp`]);
    await plugin.stop();
    expect(await retainedPresences(newBus, root), name).toEqual([]);
  });
});

describe("the will", () => {
  it("asks an MQTT 5 broker to drop it after a while; MQTT 3.1.1 cannot", () => {
    const will = { topic: "t", payload: new Uint8Array([1]), retain: true, expirySeconds: 300 };
    expect(mqttClientOptions({ url: "mqtt://x" }, will, 1).will?.properties).toEqual({
      messageExpiryInterval: 300,
    });
    expect(
      mqttClientOptions({ url: "mqtt://x", protocolVersion: 4 }, will, 1).will?.properties,
    ).toBeUndefined();
  });
});
