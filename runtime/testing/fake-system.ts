/**
 * A core started against fake plugins on an in-process bus, in one call: what the
 * generated `startNameCoreWithFakes` functions run.
 * @packageDocumentation
 */
import { LocalHub } from "../bus/local-hub.js";
import { asError } from "../as-error.js";
import { ComplianceTimeoutError, ConfigError, TimeoutError } from "../errors.js";
import { checkTimeoutMs, type OrbOptions } from "../orb/options.js";
import type { RequirementOptions } from "../orb/requirements.js";
import type { FakeCall } from "./call-log.js";
import { planFakes, type FakeTypeInfo } from "./plan.js";

/** What the system needs of a core. */
export interface FakeSystemCore {
  /** The core's id. */
  readonly id: string;
  /** Its state (`compliant` once the system has started). */
  readonly state: string;
  /** Connects it to the hub. */
  start(): Promise<void>;
  /** Stops it (when the system stops). */
  stop(): Promise<void>;
  /** Resolves once compliant; rejects with a ComplianceTimeoutError after `timeoutMs`. */
  compliant(options: { readonly timeoutMs?: number }): Promise<void>;
}

/** What the system needs of a fake plugin. */
export interface FakeSystemPlugin {
  /** The fake's id. */
  readonly id: string;
  /** Its state. */
  readonly state: string;
  /** The calls it got, oldest first. */
  readonly calls: readonly FakeCall[];
  /** Connects it to the hub. */
  start(): Promise<void>;
  /** Stops it (when the system stops). */
  stop(): Promise<void>;
}

/** Options every orb of a system gets (each one's own options go over them). */
export type SharedOrbOptions = Omit<OrbOptions, "id" | "bus">;

/**
 * How the fakes of one plugin type are set up in a system: the fake's options without
 * `bus` and `id`, and `ids` to choose how many fakes of the type start and their ids
 * (default: as many as the core's requirements need, see {@link planFakes}).
 */
export type FakeSetup<O> = Omit<O, "bus" | "id"> & {
  /** Ids of the fakes of this type, one fake each (default `fake-<type>`, and `-2`, `-3` ... when more are needed). */
  readonly ids?: readonly string[];
};

/** Options of a system, besides the fakes' setups. */
export interface FakeSystemOptions<CoreOpts> {
  /** Options of the core (its `id` defaults to the core type's name, `requires` add to the contract's). */
  readonly core?: Partial<Omit<CoreOpts, "bus">>;
  /** Options for every orb: `logger`, `clock`, `timing`, `root`, `auth`. */
  readonly orbs?: SharedOrbOptions;
  /** The hub to run on (default: a new one). */
  readonly hub?: LocalHub;
  /** How long the core may take to become compliant (default 5000 ms). */
  readonly timeoutMs?: number;
}

/** A core type and the plugin types a system fakes for it, as a generated `startNameCoreWithFakes` gives them. */
export interface FakeSystemDesign<CoreT, Fakes> {
  /** The core under test. */
  readonly core: {
    /** The core type's name (in error messages). */
    readonly type: string;
    /** Default core id. */
    readonly id: string;
    /** The contract's requirements of the core type. */
    readonly requires: Readonly<Record<string, RequirementOptions | undefined>>;
    /** Makes the core from its options (`bus` and `id` set). */
    readonly create: (options: never) => CoreT;
  };
  /** The plugin types that lend what the core requires, by name. */
  readonly plugins: {
    readonly [T in keyof Fakes]: FakeTypeInfo & { readonly create: (options: never) => Fakes[T] };
  };
}

/**
 * A running core with its fakes. `await using sys = ...` stops them all when the scope
 * ends.
 */
export interface FakeSystem<
  CoreT,
  Fakes extends { readonly [T in keyof Fakes]: FakeSystemPlugin },
> extends AsyncDisposable {
  /** The core, compliant when the system was returned. */
  readonly core: CoreT;
  /** The first (usually the only) fake of each plugin type. */
  readonly fakes: Fakes;
  /** Every fake of each plugin type (several when a `minimum` asked for more). */
  readonly instances: { readonly [T in keyof Fakes]: readonly Fakes[T][] };
  /** The bus they share: add orbs of your own with `hub.bus()`. */
  readonly hub: LocalHub;
  /** Every call of every fake, in the order they came. */
  readonly calls: readonly Fakes[keyof Fakes]["calls"][number][];
  /** Stops the core, then the fakes (all of them, even when one fails to). Idempotent. */
  stop(): Promise<void>;
}

class RunningSystem<
  CoreT extends FakeSystemCore,
  Fakes extends { readonly [T in keyof Fakes]: FakeSystemPlugin },
> implements FakeSystem<CoreT, Fakes> {
  readonly fakes: Fakes;
  private stopping: Promise<void> | undefined;

  constructor(
    readonly core: CoreT,
    readonly instances: { readonly [T in keyof Fakes]: readonly Fakes[T][] },
    readonly hub: LocalHub,
  ) {
    const entries = Object.entries(instances as Readonly<Record<string, readonly FakeSystemPlugin[]>>);
    this.fakes = Object.freeze(Object.fromEntries(entries.map(([t, list]) => [t, list[0]]))) as Fakes;
  }

  private all(): FakeSystemPlugin[] {
    return (Object.values(this.instances) as FakeSystemPlugin[][]).flat();
  }

  get calls(): readonly Fakes[keyof Fakes]["calls"][number][] {
    return this.all()
      .flatMap((f) => f.calls)
      .sort((a, b) => a.seq - b.seq);
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      // Every orb stops even when one fails to; the first failure is reported.
      const settled = [
        ...(await Promise.allSettled([this.core.stop()])),
        ...(await Promise.allSettled(this.all().map((f) => f.stop()))),
      ];
      const failed = settled.find((r) => r.status === "rejected");
      if (failed) throw asError(failed.reason);
    })();
    return this.stopping;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}

/**
 * Starts a core against fakes on a LocalHub and resolves once the core is compliant: one
 * fake per plugin type of `design` (more where a requirement's `minimum` or `mandatory`
 * ids need them, see {@link planFakes}), each made with its type's setup.
 * @throws ConfigError (before anything starts) for a setup of a plugin type the design
 * does not have, or a fake's or the core's bad option (a wrong answer ...);
 * ComplianceTimeoutError when the core is not compliant within `timeoutMs`, naming what it
 * is missing and the fakes started (everything is stopped again).
 */
export async function startWithFakes<
  CoreT extends FakeSystemCore,
  Fakes extends { readonly [T in keyof Fakes]: FakeSystemPlugin },
>(
  design: FakeSystemDesign<CoreT, Fakes>,
  setups: { readonly [T in keyof Fakes]?: { readonly ids?: readonly string[] } } = {},
  options: FakeSystemOptions<object> = {},
): Promise<FakeSystem<CoreT, Fakes>> {
  const types = design.plugins as Readonly<
    Record<string, FakeTypeInfo & { create: (o: unknown) => unknown }>
  >;
  const given = setups as Readonly<Record<string, { readonly ids?: readonly string[] } | undefined>>;
  for (const type of Object.keys(given)) {
    if (!Object.hasOwn(types, type))
      throw new ConfigError(
        type,
        `core type ${design.core.type} is faked with plugin types ${Object.keys(types).join(", ") || "(none)"}, not ${type}`,
      );
  }
  const timeoutMs = checkTimeoutMs(options.timeoutMs ?? 5000);
  const coreOptions = (options.core ?? {}) as { readonly requires?: Record<string, RequirementOptions> };
  const requires: Record<string, RequirementOptions | undefined> = { ...design.core.requires };
  for (const [name, extra] of Object.entries(coreOptions.requires ?? {}))
    requires[name] = { ...requires[name], ...extra };
  const ids = planFakes(
    requires,
    types,
    Object.fromEntries(Object.keys(types).map((t) => [t, given[t]?.ids])),
  );

  const hub = options.hub ?? new LocalHub();
  const shared = options.orbs ?? {};
  const instances: Record<string, FakeSystemPlugin[]> = {};
  for (const [type, info] of Object.entries(types)) {
    const { ids: _ids, ...setup } = given[type] ?? {};
    instances[type] = ids[type]!.map(
      (id) => info.create({ ...shared, ...setup, bus: hub.bus(), id }) as FakeSystemPlugin,
    );
  }
  const core = (design.core.create as (o: unknown) => CoreT)({
    ...shared,
    id: design.core.id,
    ...coreOptions,
    bus: hub.bus(),
  });
  const system = new RunningSystem<CoreT, Fakes>(
    core,
    instances as unknown as { readonly [T in keyof Fakes]: readonly Fakes[T][] },
    hub,
  );
  try {
    await Promise.all(Object.values(instances).flatMap((list) => list.map((f) => f.start())));
    await core.start();
    await core.compliant({ timeoutMs });
  } catch (error) {
    await system.stop().catch(() => undefined);
    if (!(error instanceof TimeoutError)) throw asError(error);
    const started = Object.entries(instances)
      .map(([type, list]) => `${list.map((f) => f.id).join(", ")} (${type})`)
      .join("; ");
    const message = `${error.message} [fakes started: ${started || "none"}]`;
    throw error instanceof ComplianceTimeoutError
      ? new ComplianceTimeoutError(message, error.missing)
      : new TimeoutError(message);
  }
  return system;
}
