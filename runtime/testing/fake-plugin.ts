/**
 * A fake plugin for the tests of a core: it lends the operations of one plugin type with
 * the contract's schemas, answers with handlers or fixed answers given per operation, and
 * records every input. `orbitalis generate` emits one subclass per plugin type
 * (`FakeThermostatPlugin` in `fakes.ts`), typed by the contract.
 * @packageDocumentation
 */
import { ConfigError, InvalidPayloadError, OperationError } from "../errors.js";
import { freezeValue } from "../bus/json-value.js";
import type { Contract, InputOf, OperationName, OutputOf } from "../orb/contract.js";
import { Plugin } from "../orb/plugin.js";
import type {
  OperationContext,
  OperationHandler,
  OperationPolicy,
  PluginOptions,
} from "../orb/plugin-options.js";
import { CompiledSpec, type SchemaSpec } from "../schema-spec.js";
import { CallLog, type FakeCall, type WaitForCallsOptions } from "./call-log.js";

/** A fake's handler of operation `K`: the input as the plugin type takes it, the output it returns. */
export type FakeHandler<Ops extends Contract, K extends OperationName<Ops>> = (
  input: InputOf<Ops, K>,
  ctx: OperationContext,
) => OutputOf<Ops, K> | Promise<OutputOf<Ops, K>>;

/** One call of any operation of `R`: a union discriminated by `operation`. */
export type FakeCallOf<Ops extends Contract, R extends OperationName<Ops>> = {
  [K in R]: FakeCall<K, InputOf<Ops, K>>;
}[R];

/** How one operation of a plugin type is declared (the generated fakes fill it in from the contract). */
export interface FakeOperation {
  /** The input the plugin type accepts (its narrowed messages, if it narrows them). */
  readonly input: SchemaSpec;
  /** The output it returns (`"none"`: nothing). */
  readonly output: SchemaSpec;
  /** The contract's per-operation limits (the user's `policy` goes over them). */
  readonly policy?: OperationPolicy;
  /** A `send` operation: the plugin pushes it with `emit`, it takes no input. */
  readonly push?: boolean;
}

/** A plugin type as a generated fake declares it. */
export interface FakeDeclaration<Ops extends Contract> {
  /** The plugin type's name (in error messages). */
  readonly type: string;
  /** The fake's default id. */
  readonly id: string;
  /** The contract's plugin options (`maxCores` ...): the user's go over them. */
  readonly defaults?: Omit<PluginOptions, "id" | "bus">;
  /** Every operation of the plugin type. */
  readonly operations: { readonly [K in OperationName<Ops>]: FakeOperation };
}

/**
 * Options of a fake plugin: the usual plugin options (`bus` required, `id` defaulting to
 * the fake's), and per operation a handler or an answer. An operation that has neither
 * answers nothing when its output is `none` (or may be empty), and otherwise fails the
 * call with `FAKE_NO_ANSWER` (the core gets a `RemoteOperationError` saying so).
 */
export interface FakePluginOptions<Ops extends Contract, R extends OperationName<Ops>> extends Omit<
  PluginOptions,
  "id"
> {
  /** Default: the plugin type's (`fake-thermostat`). */
  readonly id?: string;
  /**
   * Handlers by operation name, as a real plugin's (input, context) -> output. One that
   * throws fails the call: the core's `request` rejects with a `RemoteOperationError`
   * (`remoteCode` the `OperationError`'s code, or `HANDLER_ERROR`).
   */
  readonly handlers?: { readonly [K in R]?: FakeHandler<Ops, K> };
  /**
   * Fixed answers by operation name, used when the operation has no handler. Each is
   * checked against the operation's output schema when the fake is constructed.
   */
  readonly answers?: { readonly [K in R]?: OutputOf<Ops, K> };
  /** Per-operation limits, over the contract's. */
  readonly policy?: { readonly [K in OperationName<Ops>]?: OperationPolicy };
}

/**
 * A plugin of one plugin type of a contract, for tests: it declares every operation of
 * the type with the contract's schemas and limits (so a core connects to it as to the
 * real plugin), answers each input with the handler or answer given for its operation,
 * and records it in {@link FakePlugin.calls}. Push the type's `send` operations with the
 * typed `emit`.
 *
 * Use the generated subclasses (`new FakeThermostatPlugin({ bus, answers: { ... } })`, or
 * a whole system with `startClimateCoreWithFakes`), not this class directly.
 */
export class FakePlugin<
  Ops extends Contract,
  R extends OperationName<Ops> = OperationName<Ops>,
> extends Plugin<Ops> {
  /** The plugin type's name. */
  readonly type: string;
  private readonly log: CallLog;

  /**
   * @throws ConfigError naming the field for an answer that does not match its operation's
   * output schema (with the schema's error), a handler or answer of an operation the type
   * does not answer, and the usual plugin option errors.
   */
  constructor(declaration: FakeDeclaration<Ops>, options: FakePluginOptions<Ops, R>) {
    const { handlers = {}, answers = {}, policy = {}, ...rest } = options;
    super({ ...declaration.defaults, ...rest, id: options.id ?? declaration.id });
    this.type = declaration.type;
    this.log = new CallLog(() => this.id, this.clock);
    const ops = declaration.operations as Readonly<Record<string, FakeOperation>>;
    const answering = Object.keys(ops).filter((name) => ops[name]!.push !== true);
    const table = { handlers, answers } as Record<"handlers" | "answers", Readonly<Record<string, unknown>>>;
    for (const field of ["handlers", "answers"] as const) {
      for (const name of Object.keys(table[field])) {
        if (!answering.includes(name)) {
          const why = ops[name] ? "is pushed with emit(), it takes no input" : "is not one of its operations";
          throw new ConfigError(
            `${field}.${name}`,
            `${name} ${why} (plugin type ${this.type} answers ${answering.join(", ") || "nothing"})`,
          );
        }
      }
    }
    for (const name of Object.keys(handlers)) {
      if (typeof (handlers as Record<string, unknown>)[name] !== "function")
        throw new ConfigError(`handlers.${name}`, "must be a function (input, ctx) => output");
    }
    for (const [name, op] of Object.entries(ops)) {
      const limits = (policy as Readonly<Record<string, OperationPolicy>>)[name];
      const declared = { input: op.input, output: op.output, policy: { ...op.policy, ...limits } };
      if (op.push === true) {
        this.operation(name as OperationName<Ops>, declared, () => {
          throw new OperationError(
            "PUSH_ONLY",
            `${name} is pushed by the plugin with emit(): it takes no input`,
          );
        });
        continue;
      }
      const output = CompiledSpec.fromUser(op.output, `${name}.output`, "none");
      const answer = Object.hasOwn(answers, name)
        ? { value: checkAnswer(name, this.type, (answers as Record<string, unknown>)[name], output) }
        : undefined;
      const handler = (handlers as Readonly<Record<string, OperationHandler>>)[name];
      const silent = output.check(undefined).ok;
      this.operation(name as OperationName<Ops>, declared, ((input: unknown, ctx: OperationContext) => {
        this.log.record({ core: ctx.core, operation: name, input, meta: ctx.meta });
        if (handler) return handler(input, ctx);
        if (answer) return answer.value;
        if (silent) return undefined;
        throw new OperationError(
          "FAKE_NO_ANSWER",
          `${this.id} (fake ${this.type}) has no handler and no answer for ${name}: give it handlers.${name} or answers.${name}`,
        );
      }) as never);
    }
  }

  /** Every call this fake got, oldest first (a union typed by operation). */
  get calls(): readonly FakeCallOf<Ops, R>[] {
    return this.log.all as readonly FakeCallOf<Ops, R>[];
  }

  /** The calls of one operation, oldest first. */
  callsOf<K extends R>(operation: K): readonly FakeCall<K, InputOf<Ops, K>>[] {
    return this.log.of(operation) as readonly FakeCall<K, InputOf<Ops, K>>[];
  }

  /** The inputs of one operation's calls, oldest first. */
  inputsOf<K extends R>(operation: K): InputOf<Ops, K>[] {
    return this.callsOf(operation).map((c) => c.input);
  }

  /**
   * Resolves with the calls of `operation` once it has had `count` (default 1), counting
   * those already recorded: await it after `execute`, which resolves when the input is
   * sent, not when it is handled.
   * @throws TimeoutError after `timeoutMs` (default 5000), saying which calls came.
   */
  waitForCalls<K extends R>(
    operation: K,
    options?: WaitForCallsOptions,
  ): Promise<readonly FakeCall<K, InputOf<Ops, K>>[]> {
    return this.log.waitFor(operation, options) as Promise<readonly FakeCall<K, InputOf<Ops, K>>[]>;
  }

  /** Forgets the calls recorded so far. */
  clearCalls(): void {
    this.log.clear();
  }
}

/** An answer, frozen, once it is JSON data that the operation's output spec accepts. */
function checkAnswer(name: string, type: string, value: unknown, output: CompiledSpec): unknown {
  const field = `answers.${name}`;
  let frozen: unknown = undefined;
  try {
    if (value !== undefined) frozen = freezeValue(value);
  } catch (error) {
    if (!(error instanceof InvalidPayloadError)) throw error;
    throw new ConfigError(field, error.message, { cause: error });
  }
  const check = output.check(frozen);
  if (!check.ok) {
    const schema = output.none ? "output none (it answers nothing)" : "output schema";
    throw new ConfigError(
      field,
      `not a valid answer of ${name} (fake ${type}): does not match its ${schema}: ${check.errors.join("; ")}`,
    );
  }
  return frozen;
}
