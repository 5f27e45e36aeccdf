/**
 * Smart home, on its contract (examples/contracts/smart-home.asyncapi.yaml): lamps of two
 * generated plugin types (colors in RGB or in HSV) and a home core of the generated core
 * type. Runs in process on the embedded LocalBus (pass an MQTT URL to run over a broker):
 *
 *   npx tsx examples/smart-home.ts [mqtt://127.0.0.1:1883]
 */
import { pathToFileURL } from "node:url";
import { LocalHub, MqttBus, type Bus, type OperationContext } from "orbitalis";
import {
  HomeCore,
  LampHsvPlugin,
  LampRgbPlugin,
  type ColorHsv,
  type ColorRgb,
  type LampStatus,
} from "../generated/examples/smart-home/index.js";

type Log = (line: string) => void;

/** A lamp that takes RGB colors and pushes its status when switched. */
export class RgbLamp extends LampRgbPlugin {
  private light: LampStatus["status"] = "off";

  constructor(
    id: string,
    bus: Bus,
    root: string,
    private readonly log: Log,
  ) {
    super({ id, bus, root });
  }

  async turnOn(_input: void, ctx: OperationContext): Promise<void> {
    this.light = "on";
    this.log(`  ${this.id}: on (asked by ${ctx.core})`);
    await this.emit("status_changed", { lamp: this.id, status: this.light });
  }

  async turnOff(_input: void, ctx: OperationContext): Promise<void> {
    this.light = "off";
    this.log(`  ${this.id}: off (asked by ${ctx.core})`);
    await this.emit("status_changed", { lamp: this.id, status: this.light });
  }

  getStatus(): LampStatus {
    return { lamp: this.id, status: this.light };
  }

  setColor(color: ColorRgb): void {
    this.log(`  ${this.id}: color rgb(${color.r}, ${color.g}, ${color.b})`);
  }
}

/** A lamp that takes HSV colors. */
export class HsvLamp extends LampHsvPlugin {
  private light: LampStatus["status"] = "off";

  constructor(
    id: string,
    bus: Bus,
    root: string,
    private readonly log: Log,
  ) {
    super({ id, bus, root });
  }

  turnOn(_input: void, ctx: OperationContext): void {
    this.light = "on";
    this.log(`  ${this.id}: on (asked by ${ctx.core})`);
  }

  turnOff(_input: void, ctx: OperationContext): void {
    this.light = "off";
    this.log(`  ${this.id}: off (asked by ${ctx.core})`);
  }

  getStatus(): LampStatus {
    return { lamp: this.id, status: this.light };
  }

  setColor(color: ColorHsv): void {
    this.log(`  ${this.id}: color hsv(${color.h}, ${color.s}, ${color.v})`);
  }
}

/** Options of {@link runSmartHome}. */
export interface SmartHomeOptions {
  /** Gives each orb its own bus client. */
  readonly newBus: () => Bus;
  readonly log?: Log;
  /** Topic root (tests give each run its own). */
  readonly root?: string;
}

/** Runs the story. */
export async function runSmartHome(options: SmartHomeOptions): Promise<void> {
  const { newBus, log = console.log, root = "orbitalis" } = options;
  // The contract says what Home requires; options add to it: lamp-x is mandatory here.
  const home = new HomeCore({
    id: "home",
    bus: newBus(),
    root,
    requires: { turn_on: { mandatory: ["lamp-x"] } },
  });
  home.on("state", (state, previous) => log(`home: ${previous} -> ${state}`));
  home.onOutput("status_changed", (s, ctx) => log(`home: ${ctx.plugin} says it is ${s.status}`));

  log("home starts before any lamp: it is not compliant yet");
  await home.start();
  const x = new RgbLamp("lamp-x", newBus(), root, log);
  const y = new HsvLamp("lamp-y", newBus(), root, log);
  log("lamp-y (HSV) and lamp-x (RGB) start; the home finds them through their announce");
  await y.start();
  await x.start();
  await home.compliant({ timeoutMs: 5000 });
  // Optional operations connect right after the required ones: wait for the push channel.
  while (home.connections({ operation: "status_changed" }).length === 0) {
    await new Promise<void>((resolve) => home.once("connection", () => resolve()));
  }

  log('execute("turn_on") to all:');
  const pushed = new Promise<void>((resolve) => home.onOutput("status_changed", () => resolve()));
  log(`  sent to ${(await home.execute("turn_on")).sort().join(", ")}`);
  await pushed;
  log("a color in RGB reaches only the RGB lamp, one in HSV only the HSV lamp:");
  log(`  sent to ${(await home.execute("set_color", { r: 255, g: 160, b: 0 })).join(", ")}`);
  log(`  sent to ${(await home.execute("set_color", { h: 38, s: 1, v: 1 })).join(", ")}`);
  for (const id of ["lamp-x", "lamp-y"]) {
    const status = await home.request("get_status", undefined, { to: id, timeoutMs: 2000 });
    log(`request("get_status", to ${id}) -> ${status.lamp} is ${status.status}`);
  }
  log("lamp-x stops gracefully: the home is no longer compliant");
  await x.stop();
  await home.stop();
  await y.stop();
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const url = process.argv[2];
  const hub = new LocalHub();
  await runSmartHome({ newBus: url ? () => new MqttBus({ url }) : () => hub.bus() });
}
