import { LocalHub } from "../../../runtime/index.js";
import { defineHybridScenarios } from "../../scenarios/hybrids.js";

const hub = new LocalHub();
defineHybridScenarios("LocalBus", () => hub.bus());
