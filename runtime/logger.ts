/**
 * Logging. Orbs log through a {@link Logger}; the default one prints warnings and errors
 * only, so an application is quiet unless something needs attention.
 * @packageDocumentation
 */

/** Where an orb writes what it has to say. */
export interface Logger {
  debug(message: string, detail?: unknown): void;
  info(message: string, detail?: unknown): void;
  warn(message: string, detail?: unknown): void;
  error(message: string, detail?: unknown): void;
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
