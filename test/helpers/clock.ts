/**
 * Moving a ManualClock (or the event loop) until a condition holds, with a bound: a test
 * that waits this way fails with a message naming what it waited for, instead of looping
 * silently and failing on the next assertion.
 */
import type { ManualClock } from "../../runtime/index.js";

/** How far {@link advanceUntil} may go. */
export interface AdvanceOptions {
  /** Steps at most (default 50). */
  readonly maxSteps?: number;
  /** Milliseconds of clock time per step (default 1). */
  readonly stepMs?: number;
  /** What the condition means, for the failure message (default: the condition's source). */
  readonly what?: string;
}

/**
 * Advances `clock` (every clock of a list, each by `stepMs`, in turn) one step at a time
 * until `condition()` holds; checked before each step, so it returns at once when it
 * already holds. Rejects naming the condition when it does not hold after `maxSteps`.
 * Resolves with the number of steps taken.
 */
export async function advanceUntil(
  clock: ManualClock | readonly ManualClock[],
  condition: () => boolean,
  options: AdvanceOptions = {},
): Promise<number> {
  const { maxSteps = 50, stepMs = 1 } = options;
  const clocks = Array.isArray(clock) ? (clock as readonly ManualClock[]) : [clock as ManualClock];
  for (let step = 0; step < maxSteps; step++) {
    if (condition()) return step;
    for (const c of clocks) await c.advance(stepMs);
  }
  if (condition()) return maxSteps;
  throw new Error(
    `advanceUntil: ${options.what ?? condition.toString()} did not hold within ${maxSteps} steps of ${stepMs} ms`,
  );
}

/**
 * Lets the event loop turn (setImmediate) until `condition()` holds, at most `maxTurns`
 * times (default 5): for parts tested without a clock. Rejects naming the condition.
 */
export async function turnUntil(
  condition: () => boolean,
  options: { readonly maxTurns?: number; readonly what?: string } = {},
): Promise<number> {
  const { maxTurns = 5 } = options;
  for (let turn = 0; turn < maxTurns; turn++) {
    if (condition()) return turn;
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (condition()) return maxTurns;
  throw new Error(
    `turnUntil: ${options.what ?? condition.toString()} did not hold within ${maxTurns} turns of the event loop`,
  );
}
