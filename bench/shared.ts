/** What the benchmark scenarios share: the measured operation's data, and statistics. */

/** The input (and output) schema of the measured operations (also compiled by the ajv baseline). */
export const TICK_SCHEMA: Record<string, unknown> = {
  type: "object",
  properties: { seq: { type: "integer" }, body: { type: "string" } },
  required: ["seq", "body"],
  additionalProperties: false,
};

/** {@link TICK_SCHEMA} as a schema spec. */
export const TICK = { schemas: [TICK_SCHEMA] };

const BODY = "x".repeat(64);

/** The data of message `seq`: what every contender sends. */
export function payload(seq: number): { seq: number; body: string } {
  return { seq, body: BODY };
}

/** The `p`th percentile of an ascending array (NaN when empty). */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}
