/**
 * What `missing()` and a compliance timeout report: each requirement of a core that is not
 * met, and every plugin the core heard of for it with the reason it is not connected
 * (data only; compliance.ts and candidates.ts fill it in).
 */
/**
 * Why a plugin a core heard of is not connected for an operation it requires:
 * - `not-allowed`, `input-mismatch`, `output-mismatch`, `unusable-schema`,
 *   `maximum-reached`: the core refused its announce or offer (as its `skipped` event said);
 * - `not-offered`: it announced the operation, or is known to run (its presence, an offer
 *   of another operation), but did not offer it to the core's discovers: it does not lend
 *   it, or refused the core on its side (its `skipped` event says why);
 * - `unavailable`: it answered the core's request with unavailable (its reason is quoted);
 * - `no-confirm`: it did not confirm the core's request within its `holdMs`;
 * - `connecting`: the core requested it and awaits its confirm;
 * - `disconnected`: it was connected and the connection closed (the reason is quoted).
 */
export type CandidateReason =
  | "not-allowed"
  | "input-mismatch"
  | "output-mismatch"
  | "unusable-schema"
  | "maximum-reached"
  | "not-offered"
  | "unavailable"
  | "no-confirm"
  | "connecting"
  | "disconnected";

/** A plugin a core heard of for an operation, and why it is not connected. */
export interface Candidate {
  /** The plugin's id. */
  readonly plugin: string;
  /** Why it is not connected (see {@link CandidateReason}). */
  readonly reason: CandidateReason;
  /** The same in words, starting with the plugin's id (as in the error's message). */
  readonly message: string;
}

/** A requirement of a core that is not met, and the plugins it heard of for it. */
export interface UnmetRequirement {
  /** The required operation. */
  readonly operation: string;
  /** Its open and closing connections. */
  readonly connected: number;
  /** Connections it needs (`requires.<operation>.minimum`). */
  readonly minimum: number;
  /** Its mandatory plugins that are not connected. */
  readonly absent: readonly string[];
  /** Plugins heard of and why each is not connected, most recently heard last. */
  readonly candidates: readonly Candidate[];
  /** Plugins known to run that did not offer it and are left out of `candidates` (too many to list). */
  readonly unlisted: number;
}
