/**
 * The hybrid orb: it lends operations like a plugin and requires others like a core, with
 * one id, one epoch, one presence and one liveness per remote.
 */
import type { Contract, DataArgs, InputOf, OperationName, OutputOf, Untyped } from "./contract.js";
import type { CoreOptions } from "./core-options.js";
import { ConfigError } from "../errors.js";
import { PluginRole } from "./plugin-role.js";
import type { OfferWhen } from "./plugin-serving.js";
import type { EmitOptions, OperationHandler, OperationOptions, PluginOptions } from "./plugin-options.js";
import { RequiringOrb } from "./requiring-orb.js";

export type { OfferWhen } from "./plugin-serving.js";

/** How a hybrid declares an operation: as a plugin does, plus when it is offered. */
export interface HybridOperationOptions extends OperationOptions {
  /** Default: the orb's `offerWhen`. */
  readonly offerWhen?: OfferWhen;
}

/** Options of {@link Orb}: a core's (`requires`) and a plugin's (limits on the cores it serves). */
export interface OrbHybridOptions<C extends Contract = Untyped>
  extends CoreOptions<C>, Omit<PluginOptions, "id" | "bus"> {
  /**
   * When its operations are offered, unless an operation says otherwise. `"always"`
   * (default): like a plain plugin, whether or not its own requirements are met -- two
   * hybrids that require each other can then both connect. `"compliant"`: only while its
   * requirements are met; when they stop being met, the connections that serve those
   * operations close gracefully, and they are announced again once met. Use it in a
   * pipeline, so the stages before learn that a stage after is gone.
   */
  readonly offerWhen?: OfferWhen;
}

/**
 * A hybrid orb: `requires` operations like a {@link Core} (and has a core's states,
 * `compliant()`, `request`, `execute`, `onOutput`) and lends operations like a
 * {@link Plugin} (`operation()`, `emit`). Its presence and status say `hybrid`; it never
 * connects to itself.
 *
 * ```ts
 * const clean = new Orb({ id: "clean", bus, requires: { summarize: {} }, offerWhen: "compliant" });
 * clean.operation("clean", { input: { any: true }, output: { any: true } }, async (text) =>
 *   clean.request("summarize", tidy(text)));
 * ```
 */
export class Orb<C extends Contract = Untyped> extends RequiringOrb<C> {
  protected readonly role = "hybrid" as const;
  /** The plugin role: offers, reservations, connections, handlers. */
  private readonly lends: PluginRole;

  /** @throws ConfigError naming the field when the configuration is invalid or contradictory. */
  constructor(options: OrbHybridOptions<C>) {
    super(options);
    const offerWhen = options.offerWhen ?? "always";
    if (offerWhen !== "always" && offerWhen !== "compliant")
      throw new ConfigError("offerWhen", `must be "always" or "compliant", not ${JSON.stringify(offerWhen)}`);
    this.lends = new PluginRole(this.host, {
      limits: options,
      offerWhen,
      ready: () => this.state === "compliant",
      declarable: () => this.state === "created" || this.state === "stopped",
    });
    this.attach(this.lends, "plugin");
  }

  /**
   * Handled once the call that changed compliance returned: that call may be inside Links
   * (a connection removed), and the plugin role's answer closes connections through Links.
   * @internal
   */
  protected override complianceChanged(compliant: boolean): void {
    queueMicrotask(() => this.lends.readinessChanged(compliant));
  }

  /**
   * Declares an operation (before `start()`), as on a {@link Plugin}; `options.offerWhen`
   * overrides the orb's.
   * @throws ConfigError for a bad name, spec or policy, a duplicate, or after start.
   */
  operation<K extends OperationName<C>>(
    name: K,
    options: HybridOperationOptions,
    handler: NoInfer<OperationHandler<InputOf<C, K>, OutputOf<C, K>>>,
  ): this {
    this.lends.declare(name, options, handler as OperationHandler);
    return this;
  }

  /**
   * Pushes `data` as output of `operation` to every connected core, as on a {@link Plugin}.
   * @throws InvalidPayloadError when the data does not match the output spec; ConfigError
   * for an unknown operation.
   */
  emit<K extends OperationName<C>>(
    operation: K,
    ...args: NoInfer<DataArgs<OutputOf<C, K>, [options?: EmitOptions]>>
  ): Promise<string[]> {
    const [data, options] = args as [unknown, EmitOptions?];
    return this.lends.serving.emit(operation, data, options);
  }
}
