/**
 * Type tests of the typed runtime, checked by `npm run typecheck` (tsc). Every
 * `@ts-expect-error` line must fail to compile: if a typing got looser, tsc reports the
 * directive as unused and the check fails. Nothing here runs.
 */
import type { FromSchema } from "json-schema-to-ts";
import { expectTypeOf } from "vitest";
import {
  Core,
  LocalHub,
  Orb,
  Plugin,
  type ConnectionInfo,
  type CoreState,
  type DisconnectionDetail,
  type OperationContext,
  type CallableName,
  type CompliantOptions,
  type SkipDetail,
  type Untyped,
} from "orbitalis";

type Status = { lamp: string; status: "on" | "off" };

type Home = {
  turn_on: { input: void; output: void };
  get_status: { input: void; output: Status };
  set_level: { input: number; output: void };
  describe: { input: { lang: "en" | "it" }; output: string };
  /** Push-only: plugins emit it, nobody sends it input. */
  status_changed: { input: never; output: Status };
};

const hub = new LocalHub();
/** A value typed `never`: passes for any input type, so only the operation name can be refused. */
declare const nothing: never;

export async function typedCore(core: Core<Home>): Promise<void> {
  // Results are typed by the contract.
  expectTypeOf(await core.request("get_status")).toEqualTypeOf<Status>();
  expectTypeOf(await core.request("describe", { lang: "en" })).toEqualTypeOf<string>();
  expectTypeOf(await core.request("turn_on")).toEqualTypeOf<void>();
  // @ts-expect-error a misspelled operation does not compile
  await core.request("get_stauts");
  // @ts-expect-error a wrong use of the result does not compile
  const wrong: number = await core.request("get_status");
  void wrong;
  // @ts-expect-error a wrong input does not compile
  await core.request("set_level", "high");
  // @ts-expect-error an operation with input cannot be called without it
  await core.request("set_level");
  // @ts-expect-error nor with a wrong shape
  await core.request("describe", { lang: "fr" });
  // Options follow the data; an operation without input is called without data.
  await core.request("set_level", 3, { to: "lamp-x", timeoutMs: 100, signal: AbortSignal.timeout(100) });
  await core.request("get_status", undefined, { to: "any" });

  // execute and executeDistributed.
  await core.execute("turn_on");
  await core.execute("set_level", 1, { to: "all" });
  // @ts-expect-error execute of a misspelled operation
  await core.execute("turn_onn");
  // @ts-expect-error execute with a wrong input
  await core.execute("set_level", true);
  await core.executeDistributed("set_level", [1, 2, 3]);
  // @ts-expect-error executeDistributed with wrong items
  await core.executeDistributed("set_level", ["a"]);

  // A push-only operation (input never) is received with onOutput, never called.
  // @ts-expect-error request of a push-only operation does not compile
  await core.request("status_changed");
  // @ts-expect-error not even with data
  await core.request("status_changed", undefined);
  // @ts-expect-error nor with a value typed never: the name itself is refused
  await core.request("status_changed", nothing);
  // @ts-expect-error execute of a push-only operation does not compile
  await core.execute("status_changed");
  // @ts-expect-error nor with a value typed never
  await core.execute("status_changed", nothing);
  // @ts-expect-error executeDistributed of a push-only operation does not compile
  await core.executeDistributed("status_changed", []);
  core.onOutput("status_changed", (status) => expectTypeOf(status).toEqualTypeOf<Status>());
  expectTypeOf<CallableName<Home>>().toEqualTypeOf<"turn_on" | "get_status" | "set_level" | "describe">();
  expectTypeOf<CallableName<Untyped>>().toEqualTypeOf<string>();

  // Output sinks get the output type.
  core.onOutput("get_status", (status, ctx) => {
    expectTypeOf(status).toEqualTypeOf<Status>();
    expectTypeOf(ctx.plugin).toEqualTypeOf<string>();
  });
  // @ts-expect-error a sink for a wrong type
  core.onOutput("get_status", (_status: number) => undefined);
  // @ts-expect-error a sink for an operation the contract does not have
  core.onOutput("get_stats", () => undefined);

  // Events: exact names, typed arguments.
  core.on("state", (state, previous) => {
    expectTypeOf(state).toEqualTypeOf<CoreState>();
    expectTypeOf(previous).toEqualTypeOf<CoreState>();
  });
  core.on("disconnection", (connection, detail) => {
    expectTypeOf(connection).toEqualTypeOf<ConnectionInfo>();
    expectTypeOf(detail).toEqualTypeOf<DisconnectionDetail>();
  });
  core.on("skipped", (detail) => expectTypeOf(detail).toEqualTypeOf<SkipDetail>());
  // @ts-expect-error a misspelled event name does not compile
  core.on("conection", () => undefined);
}

export function typedCoreOptions(): void {
  new Core<Home>({ id: "home", bus: hub.bus(), requires: { get_status: { minimum: 1 }, turn_on: {} } });
  // @ts-expect-error a requirement the contract does not have
  new Core<Home>({ id: "home", bus: hub.bus(), requires: { get_stauts: {} } });
}

export async function typedPlugin(): Promise<void> {
  const plugin = new Plugin<Home>({ id: "lamp-x", bus: hub.bus() });
  plugin.operation("get_status", { output: { any: true } }, () => ({ lamp: "lamp-x", status: "on" }));
  plugin.operation("set_level", { input: { any: true } }, (level, ctx) => {
    expectTypeOf(level).toEqualTypeOf<number>();
    expectTypeOf(ctx).toEqualTypeOf<OperationContext>();
    expectTypeOf(ctx.signal).toEqualTypeOf<AbortSignal>();
  });
  plugin.operation("describe", { input: { any: true } }, ({ lang }) =>
    Promise.resolve(lang === "en" ? "lamp" : "lampada"),
  );
  // @ts-expect-error a handler returning a wrong output does not compile
  plugin.operation("get_status", {}, () => ({ lamp: "lamp-x", status: "dim" }));
  // @ts-expect-error a handler taking a wrong input does not compile
  plugin.operation("set_level", {}, (_level: string) => undefined);
  // @ts-expect-error an operation the contract does not have
  plugin.operation("turn_of", {}, () => undefined);

  await plugin.emit("get_status", { lamp: "lamp-x", status: "off" });
  // A push-only operation is declared with input "none" and pushed with emit.
  plugin.operation("status_changed", { input: "none", output: { any: true } }, () => {
    throw new Error("pushed only");
  });
  await plugin.emit("status_changed", { lamp: "lamp-x", status: "on" });
  // @ts-expect-error a wrong emitted output does not compile
  await plugin.emit("get_status", { lamp: "lamp-x" });
  // @ts-expect-error emit of an operation the contract does not have
  await plugin.emit("get_statuss", { lamp: "lamp-x", status: "off" });
}

export async function untyped(): Promise<void> {
  // Without a contract: any operation, unknown data.
  const core = new Core({ id: "c", bus: hub.bus(), requires: { anything: {} } });
  expectTypeOf(await core.request("anything", { any: "data" })).toBeUnknown();
  await core.execute("whatever");
  const plugin = new Plugin({ id: "p", bus: hub.bus() });
  plugin.operation("anything", {}, (data) => {
    expectTypeOf(data).toBeUnknown();
    return 1;
  });
}

/** A contract from `as const` JSON Schemas, with json-schema-to-ts: no code generation. */
const LevelSchema = { type: "integer", minimum: 0, maximum: 100 } as const;
const ReadingSchema = {
  type: "object",
  properties: { celsius: { type: "number" }, at: { type: "string" } },
  required: ["celsius", "at"],
  additionalProperties: false,
} as const;
type Thermo = {
  set_target: { input: FromSchema<typeof LevelSchema>; output: void };
  read: { input: void; output: FromSchema<typeof ReadingSchema> };
};

export async function fromSchemas(core: Core<Thermo>): Promise<void> {
  const reading = await core.request("read");
  expectTypeOf(reading).toEqualTypeOf<{ celsius: number; at: string }>();
  // @ts-expect-error FromSchema types the input: a string is not an integer
  await core.request("set_target", "20");
  const plugin = new Plugin<Thermo>({ id: "thermo", bus: hub.bus() });
  // The same `as const` schemas declare the operations at run time.
  plugin.operation("set_target", { input: { schemas: [LevelSchema] } }, (level) => {
    expectTypeOf(level).toEqualTypeOf<number>();
  });
  plugin.operation("read", { input: { empty: true }, output: { schemas: [ReadingSchema] } }, () => ({
    celsius: 20.5,
    at: new Date(0).toISOString(),
  }));
}

export async function disposal(): Promise<void> {
  await using core = new Core({ id: "scoped", bus: hub.bus(), requires: {} });
  await using bus = hub.bus();
  await core.start();
  await bus.connect();
}

/** A hybrid is typed like both a core and a plugin. */
export async function typedHybrid(): Promise<void> {
  type Chain = {
    clean: { input: string; output: { summary: string } };
    summarize: { input: string; output: { summary: string } };
    progress: { input: never; output: number };
  };
  const hybridHub = new LocalHub();
  const orb = new Orb<Chain>({
    id: "clean",
    bus: hybridHub.bus(),
    requires: { summarize: {} },
    offerWhen: "compliant",
    maxCores: 2,
  });
  orb.operation("clean", { input: { any: true }, output: { any: true } }, async (text) => {
    expectTypeOf(text).toEqualTypeOf<string>();
    const out = await orb.request("summarize", text.trim());
    expectTypeOf(out).toEqualTypeOf<{ summary: string }>();
    return out;
  });
  // @ts-expect-error a handler returning the wrong output
  orb.operation("clean", {}, () => 42);
  // @ts-expect-error a request of an operation the contract does not have
  await orb.request("translate", "x");
  // @ts-expect-error a wrong input
  await orb.request("summarize", 42);
  // @ts-expect-error a push-only operation cannot be requested on a hybrid either
  await orb.request("progress", nothing);
  orb.onOutput("progress", (n) => expectTypeOf(n).toEqualTypeOf<number>());
  // @ts-expect-error a requirement the contract does not have
  new Orb<Chain>({ id: "x", bus: hybridHub.bus(), requires: { translate: {} } });
  // @ts-expect-error offerWhen takes "always" or "compliant"
  new Orb({ id: "y", bus: hybridHub.bus(), requires: {}, offerWhen: "sometimes" });
  await orb.emit("clean", { summary: "s" });
  // @ts-expect-error a wrong emitted output
  await orb.emit("clean", "s");
  expectTypeOf(orb.state).toEqualTypeOf<CoreState>();
}

/** The parameter type of `compliant()` is public (a wrapper can pass it on). */
export function waitCompliant(core: Core<Home>, options: CompliantOptions): Promise<void> {
  expectTypeOf<Parameters<Core<Home>["compliant"]>[0]>().toEqualTypeOf<CompliantOptions | undefined>();
  return core.compliant(options);
}
