/**
 * The rules of `orbitalis diff`: every kind of change it recognizes, with its verdict, and
 * the shape of a reported change. The model (docs/contract-diff.md): orbs built from the old
 * contract keep running while orbs built from the new one join, plugins first. Data changes
 * are judged by what they do to the set of values a message accepts: an input (core ->
 * plugin) must not narrow, or deployed cores send what new plugins reject; an output
 * (plugin -> core: replies and pushes) must not widen, or new plugins send what deployed
 * cores reject.
 */

/** What a change does to the set of values a schema accepts. */
export type Effect =
  /** Nothing a receiver can tell (the one approximation: see FIELD-ADDED). */
  | "none"
  /** Rejects values it accepted. */
  | "narrows"
  /** Accepts values it rejected. */
  | "widens"
  /** Both, or cannot be told apart (a changed pattern). */
  | "both"
  /** An annotation (a description, an example): no value changes verdict. */
  | "doc";

/** A reported change's verdict. */
export type Verdict = "breaking" | "compatible" | "doc";

/** Which way the data of a change flows: input (core -> plugin) or output (plugin -> core). */
export type Direction = "input" | "output";

/** A kind of change to a message (its schema, or its place in an operation's union). */
export interface DataKind {
  /** What the change does to the accepted values. */
  readonly effect: Effect;
  /** One line for the rules table. */
  readonly summary: string;
}

/**
 * Every data change kind. A change of kind K to an operation's input is rule
 * `DIFF-INPUT-K`, to its output `DIFF-OUTPUT-K`; the verdict follows from the effect
 * ({@link dataVerdict}).
 */
export const DATA_KINDS = {
  "FIELD-ADDED": {
    effect: "none",
    summary:
      "an optional property added to an open schema (assumed never sent, with another type, by deployed senders)",
  },
  "FIELD-ADDED-CLOSED": {
    effect: "widens",
    summary: "a property added to a closed schema (additionalProperties: false)",
  },
  "FIELD-REMOVED": {
    effect: "widens",
    summary: "a property removed from an open schema (it is no longer checked)",
  },
  "FIELD-REMOVED-CLOSED": {
    effect: "narrows",
    summary: "a property removed from a closed schema (it is now rejected)",
  },
  "REQUIRED-ADDED": { effect: "narrows", summary: "a property made required, or a required one added" },
  "REQUIRED-REMOVED": { effect: "widens", summary: "a property made optional, or a required one removed" },
  "TYPE-NARROWED": { effect: "narrows", summary: "fewer types (number -> integer, a type removed)" },
  "TYPE-WIDENED": { effect: "widens", summary: "more types (integer -> number, a type added)" },
  "TYPE-CHANGED": { effect: "both", summary: "another type (string -> number)" },
  "ENUM-NARROWED": { effect: "narrows", summary: "enum or const values removed, or an enum/const added" },
  "ENUM-WIDENED": { effect: "widens", summary: "enum values added, or the enum/const removed" },
  "BOUND-TIGHTENED": {
    effect: "narrows",
    summary: "a minimum raised, a maximum lowered (values, lengths, items, properties), multipleOf added",
  },
  "BOUND-RELAXED": { effect: "widens", summary: "a bound loosened or removed" },
  "ADDITIONAL-CLOSED": { effect: "narrows", summary: "additionalProperties: false added" },
  "ADDITIONAL-OPENED": { effect: "widens", summary: "additionalProperties: false removed" },
  "UNION-NARROWED": { effect: "narrows", summary: "an anyOf/oneOf branch removed" },
  "UNION-WIDENED": { effect: "widens", summary: "an anyOf/oneOf branch added" },
  "CONSTRAINT-ADDED": {
    effect: "narrows",
    summary: "another constraint added (pattern, format, not, allOf entry, uniqueItems, dependencies ...)",
  },
  "CONSTRAINT-REMOVED": { effect: "widens", summary: "such a constraint removed" },
  "CONSTRAINT-CHANGED": { effect: "both", summary: "such a constraint changed (a pattern, a format, a not)" },
  "PAYLOAD-ADDED": {
    effect: "both",
    summary: "a message without payload (no data) gets one",
  },
  "PAYLOAD-REMOVED": { effect: "both", summary: "a message's payload removed (no data now)" },
  "MESSAGE-ADDED": { effect: "widens", summary: "a message added to the operation's union" },
  "MESSAGE-ADDED-COVERED": {
    effect: "none",
    summary: "a message added whose every value an old message of the union accepts",
  },
  "MESSAGE-REMOVED": { effect: "narrows", summary: "a message removed from the union" },
  "MESSAGE-REMOVED-COVERED": {
    effect: "none",
    summary: "a message removed whose every value a new message of the union accepts",
  },
  "MESSAGE-RENAMED": { effect: "none", summary: "a message renamed, its payload unchanged" },
  ANNOTATION: {
    effect: "doc",
    summary: "description, title, examples, default ... (no data change; the fingerprint changes)",
  },
} as const satisfies Record<string, DataKind>;

/** A data change kind's name. */
export type DataKindName = keyof typeof DATA_KINDS;

/**
 * The verdict of a data change: an input must not narrow (deployed cores keep sending what
 * they sent), an output must not widen (deployed cores keep accepting what new plugins send).
 */
export function dataVerdict(kind: DataKindName, direction: Direction): Verdict {
  const effect: Effect = DATA_KINDS[kind].effect;
  if (effect === "doc") return "doc";
  if (effect === "none") return "compatible";
  if (effect === "both") return "breaking";
  return (effect === "narrows") === (direction === "input") ? "breaking" : "compatible";
}

/** The rule id of a data change. */
export function dataRule(kind: DataKindName, direction: Direction): string {
  return `DIFF-${direction.toUpperCase()}-${kind}`;
}

/** A rule that is not about a message's data: operations and x-orbitalis. */
export interface FixedRule {
  readonly verdict: Verdict;
  /** One line for the rules table: the change, and whom it breaks. */
  readonly summary: string;
}

/** Rules of operations and of x-orbitalis types, by id. */
export const FIXED_RULES = {
  "DIFF-OP-ADDED": { verdict: "compatible", summary: "a new operation (deployed orbs do not use it)" },
  "DIFF-OP-REMOVED": {
    verdict: "breaking",
    summary:
      "an operation removed or renamed (a rename is a removal and an addition): deployed cores lose it",
  },
  "DIFF-OP-ACTION-CHANGED": { verdict: "breaking", summary: "receive <-> send" },
  "DIFF-OP-INPUT-ADDED": { verdict: "breaking", summary: "an input where there was none (none <-> data)" },
  "DIFF-OP-INPUT-REMOVED": { verdict: "breaking", summary: "no input where there was one" },
  "DIFF-OP-OUTPUT-ADDED": {
    verdict: "breaking",
    summary: "an output (a reply) where there was none: deployed cores expect none",
  },
  "DIFF-OP-OUTPUT-REMOVED": {
    verdict: "breaking",
    summary: "no output where there was one: deployed cores wait for it",
  },
  "DIFF-PLUGIN-TYPE-ADDED": { verdict: "compatible", summary: "a new plugin type" },
  "DIFF-PLUGIN-TYPE-REMOVED": {
    verdict: "breaking",
    summary: "a plugin type removed: deployed cores lose it as a provider of its operations",
  },
  "DIFF-PLUGIN-OP-ADDED": { verdict: "compatible", summary: "a plugin type lends one more operation" },
  "DIFF-PLUGIN-OP-DROPPED": {
    verdict: "breaking",
    summary: "a plugin type no longer lends an operation: deployed cores that require it lose a provider",
  },
  "DIFF-PLUGIN-ACCEPTS-NARROWED": {
    verdict: "breaking",
    summary: "a plugin type accepts fewer of an operation's messages: deployed cores sending them find fewer",
  },
  "DIFF-PLUGIN-ACCEPTS-WIDENED": { verdict: "compatible", summary: "a plugin type accepts more messages" },
  "DIFF-PLUGIN-LIMIT-TIGHTENED": {
    verdict: "breaking",
    summary:
      "maxCores lowered or added, allow narrowed or added, block widened: some deployed cores unserved",
  },
  "DIFF-PLUGIN-LIMIT-RELAXED": { verdict: "compatible", summary: "the same limits loosened or removed" },
  "DIFF-PLUGIN-PREFER-CHANGED": { verdict: "compatible", summary: "prefer changed (an order, not a limit)" },
  "DIFF-HYBRID-TYPE-ADDED": { verdict: "compatible", summary: "a new hybrid type" },
  "DIFF-HYBRID-TYPE-REMOVED": {
    verdict: "breaking",
    summary: "a hybrid type removed: deployed cores lose it as a provider of what it lent",
  },
  "DIFF-CORE-TYPE-ADDED": { verdict: "compatible", summary: "a new core type" },
  "DIFF-CORE-TYPE-REMOVED": {
    verdict: "compatible",
    summary: "a core type removed (no deployed orb relies on a core type; its generated class is gone)",
  },
  "DIFF-CORE-REQUIREMENT-ADDED": {
    verdict: "breaking",
    summary: "a new requirement (minimum >= 1, or mandatory plugins): new cores need a plugin for it",
  },
  "DIFF-CORE-OPTIONAL-REQUIREMENT-ADDED": {
    verdict: "compatible",
    summary: "a new requirement with minimum 0 and no mandatory plugins",
  },
  "DIFF-CORE-REQUIREMENT-REMOVED": { verdict: "compatible", summary: "a requirement removed" },
  "DIFF-CORE-LIMIT-TIGHTENED": {
    verdict: "breaking",
    summary: "minimum raised, mandatory plugins added, allow narrowed or added, block widened",
  },
  "DIFF-CORE-LIMIT-RELAXED": {
    verdict: "compatible",
    summary: "the same loosened, maximum changed, prefer changed",
  },
} as const satisfies Record<string, FixedRule>;

/** An operation or x-orbitalis rule id. */
export type FixedRuleId = keyof typeof FIXED_RULES;

/** Every rule id, data rules in both directions. */
export function allRuleIds(): string[] {
  const data = Object.keys(DATA_KINDS) as DataKindName[];
  return [
    ...data.map((k) => dataRule(k, "input")),
    ...data.map((k) => dataRule(k, "output")),
    ...Object.keys(FIXED_RULES),
  ];
}

/** One reported change. */
export interface DiffChange {
  readonly verdict: Verdict;
  /** The operation it is about (null for x-orbitalis types as a whole). */
  readonly operation: string | null;
  /** The message it is about, when one. */
  readonly message: string | null;
  /** Which way its data flows, for data changes. */
  readonly direction: Direction | null;
  /**
   * A JSON pointer: into the message's payload schema for a payload change (`#` is the
   * payload itself), into the contract document otherwise; null for a whole message.
   */
  readonly path: string | null;
  /** What changed, in words. */
  readonly change: string;
  /** The rule's id (docs/contract-diff.md). */
  readonly rule: string;
  /** Where, in words, for x-orbitalis changes (`plugin Thermostat`, `core Climate`). */
  readonly scope?: string;
}

/**
 * Whether two revisions of an operation still connect (SCH-3, matching by fingerprint):
 * `same` fingerprints; a `shared` fingerprint on both sides (deployed and new orbs connect);
 * `re-fingerprinted` (some deployed and new orbs will not connect).
 */
export type Handshake = "same" | "shared" | "re-fingerprinted";

/** An operation of either revision. */
export interface OperationReport {
  readonly name: string;
  /** Whether it is in both revisions, or only in one. */
  readonly status: "unchanged" | "changed" | "added" | "removed";
  /** For an operation in both revisions; null otherwise. */
  readonly handshake: Handshake | null;
  /** Why it is re-fingerprinted, which orbs will not connect, and the remedy. */
  readonly notes: readonly string[];
}

/** What `orbitalis diff` finds between two revisions of a contract. */
export interface DiffReport {
  /** Paths of the two revisions, as given. */
  readonly old: string;
  readonly new: string;
  /** No breaking change. */
  readonly compatible: boolean;
  /** No operation in both revisions is re-fingerprinted (deployed and new orbs connect). */
  readonly connected: boolean;
  readonly changes: readonly DiffChange[];
  readonly operations: readonly OperationReport[];
}
