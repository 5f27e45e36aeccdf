/**
 * A core: it needs operations, discovers plugins that lend them, connects within the
 * limits it configures, and uses them (execute, request, output sinks).
 */
import type { Contract, Untyped } from "./contract.js";
import type { CoreOptions } from "./core-options.js";
import { RequiringOrb } from "./requiring-orb.js";

export type { RequirementOptions } from "./requirements.js";
export type {
  CompliantOptions,
  CoreOptions,
  CoreState,
  ExecuteOptions,
  OutputContext,
  RequestOptions,
  Target,
} from "./core-options.js";

/**
 * A core. Configure what it `requires`, `start()` it, await `compliant()`, then use its
 * plugins with `execute`, `request` and `onOutput`.
 *
 * With a contract type (`new Core<Home>(...)`, see {@link Contract}) operation names,
 * inputs, results and output sinks are checked at compile time; without one they take any
 * name and `unknown` data.
 */
export class Core<C extends Contract = Untyped> extends RequiringOrb<C> {
  protected readonly role = "core" as const;

  /** @throws ConfigError naming the field when the configuration is invalid or contradictory. */
  constructor(options: CoreOptions<C>) {
    super(options);
  }
}
