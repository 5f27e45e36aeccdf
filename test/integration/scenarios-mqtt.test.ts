import { afterAll } from "vitest";
import { MqttBus } from "../../runtime/index.js";
import { resolveMqtt } from "../helpers/brokers.js";
import { defineScenarios } from "../scenarios/scenarios.js";

// The real Mosquitto (required in CI), or an embedded aedes outside CI when none answers.
const target = await resolveMqtt();
afterAll(() => target.stop());

defineScenarios(
  `MQTT (${target.source})`,
  () => new MqttBus({ url: target.url, protocolVersion: target.protocolVersion }),
  10_000,
);
