import { describe, expect, it } from "vitest";
import { Core, LocalHub, Plugin, silentLogger } from "../../../runtime/index.js";
import { Orbs } from "../../helpers/orbs.js";
import { uniqueRoot } from "../../helpers/wait.js";
import { defineHybridScenarios } from "../../scenarios/hybrids.js";

const hub = new LocalHub();
defineHybridScenarios("LocalBus", () => hub.bus());

describe("plain cores and plugins on the wire", () => {
  it("send none of the hybrid fields: their traffic is what it was before hybrids", async () => {
    const root = uniqueRoot("plain");
    const seen: Record<string, unknown>[] = [];
    const tap = hub.bus();
    await tap.connect();
    await tap.subscribeValue(`${root}/#`, (_t, v) => void seen.push(v as Record<string, unknown>));
    const orbs = new Orbs();
    try {
      const plugin = orbs.add(new Plugin({ id: "p", bus: hub.bus(), root, logger: silentLogger }));
      plugin.operation("echo", { input: { any: true }, output: { any: true } }, (x) => x);
      const core = orbs.add(
        new Core({ id: "c", bus: hub.bus(), root, logger: silentLogger, requires: { echo: {} } }),
      );
      await Promise.all([plugin.start(), core.start()]);
      await core.compliant({ timeoutMs: 5000 });
      await core.request("echo", 1);
      const status = await core.status("p");
      await plugin.status("c");
      await core.close("p", "echo");
      await plugin.stop();
      await core.stop();
      expect(status.role).toBe("plugin");
      const kinds = new Set(seen.map((m) => m.kind));
      for (const kind of [
        "presence",
        "status",
        "close",
        "close-ack",
        "discover",
        "offer",
        "confirm",
        "output",
      ])
        expect(kinds, kind).toContain(kind);
      for (const m of seen) {
        expect(m.role === undefined || m.role === "core" || m.role === "plugin", JSON.stringify(m)).toBe(
          true,
        );
        if (m.kind === "close") expect(m).not.toHaveProperty("role");
        expect(m).not.toHaveProperty("offers");
        expect(m).not.toHaveProperty("requires");
        for (const c of (m.connections as object[] | undefined) ?? []) expect(c).not.toHaveProperty("role");
      }
    } finally {
      await orbs.stopAll();
      await tap.close();
    }
  });
});
