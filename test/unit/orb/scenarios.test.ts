import { LocalHub } from "../../../runtime/index.js";
import { defineScenarios } from "../../scenarios/scenarios.js";

const hub = new LocalHub();
defineScenarios("LocalBus", () => hub.bus());
