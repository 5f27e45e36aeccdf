/**
 * The `start` command a scenario gives the implementation: the scenario's `start` fields
 * (templates resolved) over the kit's defaults, with the short timing that keeps a run
 * quick.
 */
import type { Scenario } from "./scenario.js";
import { substitute } from "./template.js";

/** Timing the implementation gets unless a scenario says otherwise (ms). */
export const KIT_TIMING = Object.freeze({
  deadAfterMs: 1500,
  holdMs: 1000,
  discoverIntervalMs: 500,
  gracefulCloseTimeoutMs: 1000,
  requestTimeoutMs: 2000,
  offerWindowMs: 200,
});

/** The operation a plugin declares when its scenario declares none: `echo`, anything in and out. */
const ECHO = { name: "echo", input: { any: true }, output: { any: true }, behaviour: "echo" };

type Obj = Record<string, unknown>;

/** The start command of `scenario` for the implementation `base` (id, bus, root). */
export function buildStart(
  scenario: Scenario,
  scope: Readonly<Obj>,
  base: { id: string; bus: string; root: string },
): Obj {
  const start = substitute(scenario.start, scope) as Obj;
  const timing = { ...KIT_TIMING, ...((start.timing ?? {}) as Obj) };
  const out: Obj = { cmd: "start", role: scenario.role, ...base, ...start, timing };
  if (scenario.role === "plugin") {
    const ops = (start.operations ?? [ECHO]) as Obj[];
    out.operations = ops.map((op) => ({ ...ECHO, ...op }));
  } else {
    out.requires = start.requires ?? { echo: {} };
  }
  return out;
}
