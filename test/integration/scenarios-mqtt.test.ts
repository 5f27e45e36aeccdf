import { afterAll, describe, it } from "vitest";
import { runSmartHome } from "../../examples/smart-home.js";
import { MqttBus } from "../../runtime/index.js";
import { resolveMqtt } from "../helpers/brokers.js";
import { defineScenarios } from "../scenarios/scenarios.js";
import { defineHybridScenarios } from "../scenarios/hybrids.js";
import { uniqueRoot } from "../helpers/wait.js";
import { expectSmartHomeStory } from "../helpers/smart-home.js";

// The real Mosquitto (required in CI), or an embedded aedes outside CI when none answers.
const target = await resolveMqtt();
afterAll(() => target.stop());

defineScenarios(
  `MQTT (${target.source})`,
  () => new MqttBus({ url: target.url, protocolVersion: target.protocolVersion }),
  10_000,
);

defineHybridScenarios(
  `MQTT (${target.source})`,
  () => new MqttBus({ url: target.url, protocolVersion: target.protocolVersion }),
  10_000,
);

describe("generated smart home over MQTT", () => {
  it("runs end to end: generated plugin and core types, colors by format, pushes, a graceful stop", async () => {
    const out: string[] = [];
    await runSmartHome({
      newBus: () => new MqttBus({ url: target.url, protocolVersion: target.protocolVersion }),
      log: (line) => out.push(line),
      root: uniqueRoot("home"),
    });
    expectSmartHomeStory(out);
  });
});
