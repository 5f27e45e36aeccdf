import { afterAll, describe, expect, it } from "vitest";
import { runSmartHome } from "../../examples/smart-home.js";
import { MqttBus } from "../../runtime/index.js";
import { resolveMqtt } from "../helpers/brokers.js";
import { defineScenarios } from "../scenarios/scenarios.js";
import { uniqueRoot } from "../helpers/wait.js";

// The real Mosquitto (required in CI), or an embedded aedes outside CI when none answers.
const target = await resolveMqtt();
afterAll(() => target.stop());

defineScenarios(
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
    expect(out).toContain("home: not-compliant -> compliant");
    expect(out).toContain("home: lamp-x says it is on");
    expect(out.filter((l) => /^ {2}lamp-.: color/.test(l)).sort()).toEqual([
      "  lamp-x: color rgb(255, 160, 0)",
      "  lamp-y: color hsv(38, 1, 1)",
    ]);
    expect(out).toContain("  sent to lamp-x");
    expect(out).toContain("  sent to lamp-y");
    expect(out).toContain('request("get_status", to lamp-y) -> lamp-y is on');
    expect(out.at(-1)).toBe("home: stopping -> stopped");
  });
});
