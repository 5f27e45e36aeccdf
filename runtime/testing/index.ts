/**
 * Test doubles for the tests of a core (`orbitalis/testing`): fake plugins that answer
 * with handlers or fixed answers and record every call, and a core started against them
 * on an in-process bus in one call. `orbitalis generate` emits typed ones per contract in
 * `fakes.ts`:
 *
 * ```ts
 * import { startClimateCoreWithFakes } from "./generated/fakes.js";
 *
 * await using sys = await startClimateCoreWithFakes({
 *   Thermostat: { answers: { read_temperature: { celsius: 19, target: 21 } } },
 * });
 * await sys.core.execute("set_target", { celsius: 22 });
 * const [call] = await sys.fakes.Thermostat.waitForCalls("set_target");
 * ```
 * @packageDocumentation
 */
export type { FakeCall, WaitForCallsOptions } from "./call-log.js";
export {
  FakePlugin,
  type FakeCallOf,
  type FakeDeclaration,
  type FakeHandler,
  type FakeOperation,
  type FakePluginOptions,
} from "./fake-plugin.js";
export {
  startWithFakes,
  type FakeSetup,
  type FakeSystem,
  type FakeSystemCore,
  type FakeSystemDesign,
  type FakeSystemOptions,
  type FakeSystemPlugin,
  type SharedOrbOptions,
} from "./fake-system.js";
export { planFakes, type FakeTypeInfo } from "./plan.js";
