/**
 * A plugin: it lends operations to cores, within the limits it configures.
 */
import type { Contract, DataArgs, InputOf, OperationName, OutputOf, Untyped } from "./contract.js";
import { Orbiter } from "./orbiter.js";
import { PluginRole } from "./plugin-role.js";
import type {
  EmitOptions,
  OperationHandler,
  OperationOptions,
  PluginOptions,
  PluginState,
} from "./plugin-options.js";

export { PLUGIN_ERROR_CODES } from "./plugin-codes.js";
export type {
  EmitOptions,
  OperationContext,
  OperationHandler,
  OperationOptions,
  OperationPolicy,
  PluginOptions,
  PluginState,
} from "./plugin-options.js";

const TRANSITIONS: Readonly<Record<PluginState, readonly PluginState[]>> = {
  created: ["running"],
  running: ["stopping"],
  stopping: ["stopped"],
  stopped: ["running"],
};

/**
 * A plugin. Declare operations with `operation()`, then `start()` it: it answers discovers
 * from cores, connects within its limits, and runs handlers for their inputs.
 *
 * With a contract type (`new Plugin<Home>(...)`, see {@link Contract}) operation names,
 * handler inputs and outputs and `emit` are checked at compile time; without one they take
 * any name and `unknown` data.
 */
export class Plugin<C extends Contract = Untyped> extends Orbiter<PluginState> {
  protected readonly role = "plugin" as const;
  protected readonly transitions = TRANSITIONS;
  protected readonly stoppingState = "stopping" as const;
  protected readonly stoppedState = "stopped" as const;
  /** The plugin role: offers, reservations, connections, handlers. */
  private readonly lends: PluginRole;

  /** @throws ConfigError naming the field when the configuration is invalid. */
  constructor(options: PluginOptions) {
    super(options, "created");
    this.lends = new PluginRole(this.host, {
      limits: options,
      offerWhen: "always",
      ready: () => true,
      declarable: () => this.state === "created" || this.state === "stopped",
    });
    this.attach(this.lends, "plugin");
  }

  protected get running(): boolean {
    return this.state === "running";
  }

  protected startedState(): PluginState {
    return "running";
  }

  /**
   * Declares an operation (before `start()`). The handler gets input already validated
   * against `input`; its return value is sent back as output, a throw as an error.
   * @throws ConfigError for a bad name, spec or policy, a duplicate, or after start.
   */
  operation<K extends OperationName<C>>(
    name: K,
    options: OperationOptions,
    handler: NoInfer<OperationHandler<InputOf<C, K>, OutputOf<C, K>>>,
  ): this {
    this.lends.declare(name, options, handler as OperationHandler);
    return this;
  }

  /**
   * Pushes `data` as output of `operation` to every connected core (periodic operations).
   * Resolves with the core ids it was sent to.
   * @throws InvalidPayloadError when the data does not match the operation's output spec
   * (or is not JSON data); ConfigError for an unknown operation.
   */
  emit<K extends OperationName<C>>(
    operation: K,
    ...args: NoInfer<DataArgs<OutputOf<C, K>, [options?: EmitOptions]>>
  ): Promise<string[]> {
    const [data, options] = args as [unknown, EmitOptions?];
    return this.lends.serving.emit(operation, data, options);
  }
}
