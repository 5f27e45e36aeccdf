/**
 * What every orb that requires operations has in public -- a {@link Core} and a hybrid
 * {@link Orb}: compliance (its state, `compliant()`, `missing()`) and the calls that use
 * the operations it is connected to (`execute`, `executeDistributed`, `request`,
 * `onOutput`). The work is the core role's; this class is its public face.
 */
import type { TimerHandle } from "../clock.js";
import { ComplianceTimeoutError, NotRunningError } from "../errors.js";
import { abortError, checkSignal, onAbort } from "./abort.js";
import type {
  CallableName,
  Contract,
  DataArgs,
  InputOf,
  OperationName,
  OutputOf,
  Untyped,
} from "./contract.js";
import type {
  CompliantOptions,
  CoreState,
  ExecuteOptions,
  OutputContext,
  RequestOptions,
} from "./core-options.js";
import { describeUnmet } from "./compliance.js";
import { CoreRole } from "./core-role.js";
import { checkTimeoutMs, type OrbOptions } from "./options.js";
import { Orbiter } from "./orbiter.js";

const TRANSITIONS: Readonly<Record<CoreState, readonly CoreState[]>> = {
  created: ["compliant", "not-compliant"],
  compliant: ["not-compliant", "stopping"],
  "not-compliant": ["compliant", "stopping"],
  stopping: ["stopped"],
  stopped: ["compliant", "not-compliant"],
};

/**
 * Base of {@link Core} and {@link Orb}: an orb with requirements. Not meant to be
 * subclassed outside Orbitalis.
 */
export abstract class RequiringOrb<C extends Contract = Untyped> extends Orbiter<CoreState> {
  protected readonly transitions = TRANSITIONS;
  protected readonly stoppingState = "stopping" as const;
  protected readonly stoppedState = "stopped" as const;
  /** The core role: discovery, offers, connections, compliance, calls. @internal */
  protected readonly uses: CoreRole;

  /** @throws ConfigError naming the field when the configuration is invalid or contradictory. */
  protected constructor(
    options: OrbOptions & { readonly requires: unknown; readonly maxPendingRequests?: number },
  ) {
    super(options, "created");
    this.uses = new CoreRole(this.host, options, { changed: () => this.evaluate() });
    this.attach(this.uses, "core");
  }

  protected get running(): boolean {
    return this.state === "compliant" || this.state === "not-compliant";
  }

  protected startedState(): CoreState {
    return this.isCompliant ? "compliant" : "not-compliant";
  }

  /** Whether every requirement is met. */
  get isCompliant(): boolean {
    return this.uses.compliance.met;
  }

  /** Answers dropped because they arrived after their request ended (timed out, aborted, closed). */
  get lateAnswersDropped(): number {
    return this.uses.calls.lateAnswers;
  }

  /** Re-evaluates compliance after the connections changed. */
  private evaluate(): void {
    if (!this.running) return;
    const before = this.state;
    this.setState(this.isCompliant ? "compliant" : "not-compliant");
    if (this.state !== before) this.complianceChanged(this.state === "compliant");
  }

  /** Compliance changed while running (a hybrid's plugin side follows it). @internal */
  protected complianceChanged(_compliant: boolean): void {}

  /**
   * Resolves once the orb is compliant (at once if it is).
   * @throws ComplianceTimeoutError (a TimeoutError, `ERR_COMPLIANCE_TIMEOUT`) after `timeoutMs`
   * (default: wait forever), naming what is missing and why the plugins heard of were not
   * connected (`missing` holds the same as data); AbortError when `signal` aborts;
   * NotRunningError if it stops first.
   */
  async compliant(options: CompliantOptions = {}): Promise<void> {
    const timeoutMs = options.timeoutMs === undefined ? undefined : checkTimeoutMs(options.timeoutMs);
    const signal = checkSignal(options.signal);
    if (this.state === "compliant") return;
    if (signal?.aborted) throw abortError(signal, `${this.id}: compliant()`);
    if (this.state === "stopping" || this.state === "stopped") {
      throw new NotRunningError(`${this.id} is ${this.state}: start() it first`);
    }
    return new Promise((resolve, reject) => {
      let timer: TimerHandle | undefined;
      const off = this.on("state", (state) => {
        if (state === "compliant") {
          done();
          resolve();
        } else if (state === "stopped") {
          done();
          reject(new NotRunningError(`${this.id} stopped before becoming compliant`));
        }
      });
      const unwatch = onAbort(signal, () => {
        done();
        reject(abortError(signal!, `${this.id}: compliant()`));
      });
      // A start() that fails leaves the orb where it was: say so rather than wait forever.
      const failed = (error: Error): void => {
        done();
        reject(new NotRunningError(`${this.id} did not start: ${error.message}`, { cause: error }));
      };
      this.startWaiters.add(failed);
      const done = (): void => {
        off();
        unwatch();
        this.startWaiters.delete(failed);
        if (timer !== undefined) this.clock.clearTimeout(timer);
      };
      if (timeoutMs !== undefined) {
        timer = this.clock.setTimeout(() => {
          timer = undefined;
          done();
          const missing = this.uses.compliance.unmet();
          const lines = missing.flatMap(describeUnmet);
          reject(
            new ComplianceTimeoutError(
              `${this.id} not compliant within ${timeoutMs} ms: ${lines.join("; ")}`,
              missing,
            ),
          );
        }, timeoutMs);
      }
    });
  }

  /**
   * Human-readable list of unmet requirements, each with the plugins heard of and why each
   * is not connected (`get_status: 0/1 connections; lamp-x skipped: its output matches
   * none of requires.get_status.outputs; lamp-y runs but did not offer get_status: ...`).
   */
  missing(): string[] {
    return this.uses.compliance.missing();
  }

  /**
   * Registers a sink for outputs of `operation` that nobody awaits (pushed by plugins,
   * or answers to `execute`). Returns a function that removes it.
   */
  onOutput<K extends OperationName<C>>(
    operation: K,
    sink: NoInfer<(data: OutputOf<C, K>, ctx: OutputContext) => void>,
  ): () => void {
    return this.uses.calls.onOutput(operation, sink as (data: unknown, ctx: OutputContext) => void);
  }

  /**
   * Sends `data` as input of `operation` to `to` (a plugin id, `any` or `all`; default
   * `all`), only over open connections whose input accepts it. Outputs go to `onOutput`
   * sinks. Resolves with the plugin ids it was sent to. A push-only operation (input
   * `never` in the contract type) does not compile.
   * @throws NoConnectionError when no connection can take it (also at once, nothing sent,
   * for a push-only operation: every plugin declares its input `"none"`, or the requirement's
   * `inputs` are only `"none"`); InvalidPayloadError when the data matches no accepted
   * schema (nothing is sent).
   */
  execute<K extends CallableName<C>>(
    operation: K,
    ...args: NoInfer<DataArgs<InputOf<C, K>, [options?: ExecuteOptions]>>
  ): Promise<string[]> {
    const [data, options = {}] = args as [unknown, ExecuteOptions?];
    return this.uses.calls.execute(operation, data, options);
  }

  /**
   * Spreads `items` over the connections of `operation` that accept them, one item per
   * plugin in turn (round robin). Resolves with the plugin id each item went to.
   * @throws NoConnectionError / InvalidPayloadError as `execute`, before anything is sent.
   */
  executeDistributed<K extends CallableName<C>>(
    operation: K,
    items: NoInfer<readonly InputOf<C, K>[]>,
  ): Promise<string[]> {
    return this.uses.calls.executeDistributed(operation, items);
  }

  /**
   * Sends `data` to one plugin (`to`: an id or `any`, default `any`) and resolves with its
   * output (typed by the contract). An operation without input is called without data; a
   * push-only one (input `never` in the contract type) does not compile.
   * @throws RequestTimeoutError (no answer in time), RemoteOperationError (the handler
   * failed: `remoteCode` and `data` say how), ConnectionClosedError (the connection went
   * away), NoConnectionError (also at once for a push-only operation, as `execute`),
   * InvalidPayloadError (bad input, or an output that does not
   * match its schema), AbortError (`signal` aborted).
   */
  request<K extends CallableName<C>>(
    operation: K,
    ...args: NoInfer<DataArgs<InputOf<C, K>, [options?: RequestOptions]>>
  ): Promise<OutputOf<C, K>> {
    const [data, options = {}] = args as [unknown, RequestOptions?];
    return this.uses.calls.request(operation, data, options) as Promise<OutputOf<C, K>>;
  }
}
