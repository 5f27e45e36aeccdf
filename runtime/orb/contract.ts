/**
 * Contract types: what each operation takes and gives, checked at compile time.
 *
 * A contract maps operation names to their data types. Give it as the type parameter of
 * `Core`, `Plugin` (and the generated classes do it for you):
 *
 * ```ts
 * type Home = {
 *   turn_on: { input: void; output: void };                   // called without data
 *   get_status: { input: void; output: { lamp: string; status: "on" | "off" } };
 *   set_level: { input: number; output: void };
 * };
 * const home = new Core<Home>({ id: "home", bus, requires: { get_status: {} } });
 * const status = await home.request("get_status");  // { lamp: string; status: "on" | "off" }
 * ```
 *
 * An operation that plugins only push (with `emit`) takes no input: give it `input: never`
 * (`temperature_changed: { input: never; output: Reading }`). `onOutput` takes it;
 * `request`, `execute` and `executeDistributed` do not compile for it.
 *
 * Without a contract every operation name is accepted and data is `unknown`.
 * @packageDocumentation
 */

/**
 * The data types of one operation. `input`: what a core sends (`void`, or left out, for an
 * operation called without data; `never` for a push-only operation, which takes no input at
 * all: its plugins push outputs with `emit`, declared with input spec `"none"`). `output`:
 * what the plugin's handler returns and what `request` resolves with (`void`, or left out,
 * when it returns nothing).
 */
export interface OperationTypes {
  readonly input?: unknown;
  readonly output?: unknown;
}

/** The contract of an orb that has none: any operation name, `unknown` data. */
export interface Untyped {
  [operation: string]: { input: unknown; output: unknown };
}

/**
 * A contract: operation names mapped to their {@link OperationTypes}. A `type` alias or an
 * `interface` both work.
 */
export type Contract = object;

/** Operation names of contract `C`. */
export type OperationName<C> = Extract<keyof C, string>;

/**
 * Names of the operations of contract `C` a core can send input to (`request`, `execute`,
 * `executeDistributed`): all but the push-only ones, whose input type is `never`.
 */
export type CallableName<C> = {
  [K in OperationName<C>]: [InputOf<C, K>] extends [never] ? never : K;
}[OperationName<C>];

/** Input type of operation `K` of contract `C` (`undefined` when it declares none). */
export type InputOf<C, K extends keyof C> = C[K] extends { input: infer I } ? I : undefined;

/** Output type of operation `K` of contract `C` (`undefined` when it declares none). */
export type OutputOf<C, K extends keyof C> = C[K] extends { output: infer O } ? O : undefined;

/**
 * The data argument followed by `Rest`: optional when the data may be `undefined` (an
 * operation without input, or an untyped one), required otherwise.
 */
export type DataArgs<T, Rest extends unknown[] = []> = undefined extends T
  ? [data?: T, ...Rest]
  : [data: T, ...Rest];
