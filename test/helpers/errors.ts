/**
 * Assertions on thrown errors, shared by the configuration tests.
 */
import { ConfigError } from "orbitalis";
import { expect } from "vitest";

/** The ConfigError `fn` throws (fails when it throws nothing, or something else). */
export function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}
