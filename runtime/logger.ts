/**
 * Logging. Orbs log through a {@link Logger}; the default one prints warnings and errors
 * only, so an application is quiet unless something needs attention.
 *
 * The `logger` option of an orb takes either style of logger:
 * - console style, `(message, detail)`: `console`, or any object with `debug`, `info`,
 *   `warn`, `error`;
 * - structured style, `(fields, message)`: pino or bunyan (recognized by their `child()`
 *   and their level tables), or any logger wrapped with {@link structuredLogger}. Errors
 *   go in the `err` field (which pino and bunyan serialize with `code`, `stack` and
 *   `cause`) and their code also in `code`.
 * @packageDocumentation
 */
import { ConfigError } from "./errors.js";

/** Where an orb writes what it has to say, console style: `(message, detail?)`. */
export interface Logger {
  debug(message: string, detail?: unknown): void;
  info(message: string, detail?: unknown): void;
  warn(message: string, detail?: unknown): void;
  error(message: string, detail?: unknown): void;
}

/** A structured (pino or bunyan style) logger: `(fields, message)`. */
export interface StructuredLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** What an orb's `logger` option takes: a {@link Logger} (console included) or a pino or bunyan logger. */
export type LoggerOption = Logger | StructuredLogger;

type Level = "debug" | "info" | "warn" | "error";
const LEVELS: readonly Level[] = ["debug", "info", "warn", "error"];

/** The structured fields for `detail`: an error goes in `err` (with its code in `code`). */
function fields(detail: unknown): object {
  if (detail === undefined) return {};
  if (detail instanceof Error) {
    const code = (detail as { code?: unknown }).code;
    return code === undefined ? { err: detail } : { err: detail, code };
  }
  return { detail };
}

/**
 * Adapts a structured logger (pino, bunyan, or anything taking `(fields, message)`) to
 * the {@link Logger} an orb calls. Orbs detect pino and bunyan by themselves; use this for
 * other structured loggers.
 */
export function structuredLogger(target: StructuredLogger): Logger {
  const call = (level: Level) => (message: string, detail?: unknown) =>
    target[level](fields(detail), message);
  return { debug: call("debug"), info: call("info"), warn: call("warn"), error: call("error") };
}

/** Whether `value` is a pino or bunyan logger (both take `(fields, message)`). */
function isStructured(value: object): boolean {
  const v = value as { child?: unknown; levels?: { values?: unknown }; fields?: unknown; level?: unknown };
  if (typeof v.child !== "function") return false;
  const pino = typeof v.levels === "object" && v.levels !== null && typeof v.levels.values === "object";
  const bunyan = typeof v.fields === "object" && typeof v.level === "function";
  return pino || bunyan;
}

/**
 * The {@link Logger} for an orb's `logger` option: {@link quietLogger} when absent, a
 * structured adapter for pino and bunyan, the object itself otherwise (methods bound, so
 * `console` works).
 * @throws ConfigError when it is not an object with the four level methods.
 */
export function resolveLogger(option: LoggerOption | undefined): Logger {
  if (option === undefined) return quietLogger;
  if (option === null || typeof option !== "object")
    throw new ConfigError("logger", "must be an object with debug, info, warn and error methods");
  for (const level of LEVELS) {
    if (typeof (option as unknown as Record<Level, unknown>)[level] !== "function")
      throw new ConfigError(`logger.${level}`, "must be a function");
  }
  if (isStructured(option)) return structuredLogger(option as StructuredLogger);
  const target = option as Logger;
  return {
    debug: (message, detail) => log(target, "debug", message, detail),
    info: (message, detail) => log(target, "info", message, detail),
    warn: (message, detail) => log(target, "warn", message, detail),
    error: (message, detail) => log(target, "error", message, detail),
  };
}

function log(target: Logger, level: Level, message: string, detail: unknown): void {
  if (detail === undefined) target[level](message);
  else target[level](message, detail);
}

/** Default logger: warnings and errors to `console`, the rest dropped. */
export const quietLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (message, detail) => (detail === undefined ? console.warn(message) : console.warn(message, detail)),
  error: (message, detail) =>
    detail === undefined ? console.error(message) : console.error(message, detail),
};

/** A logger that drops everything (for tests that check errors through events). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
