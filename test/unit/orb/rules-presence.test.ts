/**
 * Presence on a bus that retains (issue 19, mutation testing; see docs/mutation.md): a
 * stopped orb leaves no retained presence behind, a crashed one leaves its will (offline,
 * not graceful) as the retained presence for orbs that start later.
 */
import { describe, expect, it } from "vitest";
import { LocalHub, Plugin, silentLogger } from "../../../runtime/index.js";
import { presenceFilter, type PresenceMessage } from "../../../generated/protocol/index.js";
import { RawOrb } from "../../helpers/raw.js";
import { withTimeout } from "../../helpers/wait.js";

describe("retained presence", () => {
  it("a plugin that stops clears its retained presence", async () => {
    const hub = new LocalHub();
    const plugin = new Plugin({ id: "lamp", bus: hub.bus(), logger: silentLogger });
    await plugin.start();
    expect(hub.retainedCount).toBe(1); // its online presence
    await plugin.stop();
    expect(hub.retainedCount).toBe(0);
  });

  it("a plugin that crashes leaves its will, offline and not graceful, for those who come later", async () => {
    const hub = new LocalHub();
    const bus = hub.bus();
    const plugin = new Plugin({ id: "lamp", bus, logger: silentLogger });
    await plugin.start();
    hub.crash(bus);
    const late = await new RawOrb(hub.bus(), "late").listen(presenceFilter({ root: "orbitalis" }));
    const presence: PresenceMessage = await withTimeout(late.next("presence"), 2000, "the retained presence");
    expect(presence).toMatchObject({ from: "lamp", status: "offline", graceful: false });
    await plugin.stop().catch(() => undefined);
  });
});
