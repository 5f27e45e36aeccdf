/**
 * `orbitalis/validation`: what the validators that `orbitalis generate` precompiles (ajv
 * standalone code) need at run time, so that generated code imports only `orbitalis`
 * and works wherever `orbitalis` is installed, whatever the package manager's layout.
 *
 * ```ts
 * import { formats, ucs2length } from "orbitalis/validation";
 * ```
 *
 * The helpers are ajv's own run-time modules and the format checks are ajv-formats'
 * ("full" mode), both dependencies of `orbitalis`. The generator compiles contracts with
 * these same format definitions, so what it refuses and what the code checks agree. The
 * typings are written here, structurally, so that they do not pull ajv's into a user's
 * project.
 * @packageDocumentation
 */
import equalModule from "ajv/dist/runtime/equal.js";
import ucs2lengthModule from "ajv/dist/runtime/ucs2length.js";
import uriModule from "ajv/dist/runtime/uri.js";
import validationErrorModule from "ajv/dist/runtime/validation_error.js";
import { fullFormats } from "ajv-formats/dist/formats.js";

/**
 * ajv's run-time modules are CommonJS modules exporting `default`: under Node's ESM loader
 * a default import is `module.exports` itself, under bundlers it is the export. Either way
 * this returns the export.
 */
function defaultExport<T>(module: T | { readonly default: T }): T {
  return typeof module === "object" && module !== null && "default" in module ? module.default : module;
}

/**
 * Length of a string in Unicode code points (a surrogate pair counts once), as JSON
 * Schema's `minLength` and `maxLength` count.
 */
export const ucs2length: (text: string) => number = defaultExport(ucs2lengthModule);

/** Deep equality of JSON values, as `const`, `enum` and `uniqueItems` compare. */
export const equal: (a: unknown, b: unknown) => boolean =
  // ajv types it as fast-deep-equal's namespace (`import * as`); at run time it is the function.
  defaultExport(equalModule) as unknown as (a: unknown, b: unknown) => boolean;

/** The parts of a URI, as {@link uri} parses them. */
export interface UriComponents {
  scheme?: string;
  userinfo?: string;
  host?: string;
  port?: number | string;
  path?: string;
  query?: string;
  fragment?: string;
  reference?: string;
  error?: string;
}

/** URI parsing and resolution (fast-uri), as ajv's code resolves schema ids. */
export interface UriFunctions {
  /** Parses `uri` into its parts. */
  parse(uri: string): UriComponents;
  /** Writes parts back as a URI. */
  serialize(components: UriComponents): string;
  /** Resolves `relative` against `base`. */
  resolve(base: string, relative: string): string;
  /** Whether two URIs are the same once normalized. */
  equal(a: string, b: string): boolean;
}

/** URI helpers ajv's standalone code may call. */
export const uri: UriFunctions = defaultExport(uriModule);

/** A failed validation, as ajv reports one (the errors ajv found). */
export interface ValidationErrorLike extends Error {
  /** What ajv found, one entry per failed keyword. */
  readonly errors: readonly Readonly<Record<string, unknown>>[];
  /** Always true: this came from ajv. */
  readonly ajv: true;
  /** Always true: a validation failure, not a bug. */
  readonly validation: true;
}

/** The error class of ajv's asynchronous validators (`$async` schemas) reject with. */
export const ValidationError: new (
  errors: readonly Readonly<Record<string, unknown>>[],
) => ValidationErrorLike = defaultExport(validationErrorModule) as unknown as new (
  errors: readonly Readonly<Record<string, unknown>>[],
) => ValidationErrorLike;

/** A check of a string format: a pattern or a predicate, with an order for `formatMinimum` and the like. */
export interface StringFormatDefinition {
  /** Absent or `"string"`: the format applies to strings. */
  readonly type?: "string";
  /** The pattern (or its source) or the predicate a string must pass. */
  readonly validate: RegExp | string | ((data: string) => boolean);
  /** Orders two valid strings (dates, times). */
  readonly compare?: (a: string, b: string) => number | undefined;
  /** Always synchronous here. */
  readonly async?: false;
}

/** A check of a number format (`int32`, `int64`, `float`, `double`). */
export interface NumberFormatDefinition {
  /** The format applies to numbers. */
  readonly type: "number";
  /** The predicate a number must pass. */
  readonly validate: (data: number) => boolean;
  /** Orders two valid numbers. */
  readonly compare?: (a: number, b: number) => number | undefined;
  /** Always synchronous here. */
  readonly async?: false;
}

/**
 * One format check as ajv takes it: `true` (any value passes: `password`, `binary`), a
 * pattern, a predicate, or a definition.
 */
export type FormatCheck =
  true | RegExp | ((data: string) => boolean) | StringFormatDefinition | NumberFormatDefinition;

/**
 * The JSON Schema `format` values Orbitalis checks, with their checks: ajv-formats' "full"
 * set (`date`, `time`, `date-time`, `duration`, `uri`, `uri-reference`, `uri-template`,
 * `url`, `email`, `hostname`, `ipv4`, `ipv6`, `regex`, `uuid`, `json-pointer`,
 * `json-pointer-uri-fragment`, `relative-json-pointer`, `byte`, `int32`, `int64`, `float`,
 * `double`, `password`, `binary` and the rest it defines). A contract naming another format
 * is refused by the generator.
 */
export const formats: Readonly<Record<string, FormatCheck>> = Object.freeze(
  Object.fromEntries(
    // ajv-formats types its table with ajv's wider `Format` (which also allows asynchronous
    // checks and bare pattern strings); the full set holds only the shapes above. Each
    // definition object is a frozen copy: the runtime's ajv uses these, so nobody may
    // change a check for the whole process through them.
    Object.entries(fullFormats as unknown as Record<string, FormatCheck>).map(([name, check]) => [
      name,
      typeof check === "object" && !(check instanceof RegExp) ? Object.freeze({ ...check }) : check,
    ]),
  ),
);

/** The names of {@link formats}, sorted. */
export const FORMAT_NAMES: readonly string[] = Object.freeze(Object.keys(formats).sort());
