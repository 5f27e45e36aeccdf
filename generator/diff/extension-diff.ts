/**
 * Compares the `x-orbitalis` types of two revisions of a contract. What a plugin type lends
 * (and a hybrid type, the same way) is what deployed cores find: lending less, accepting
 * fewer messages or serving fewer cores breaks them. What a core type requires (and a
 * hybrid type) is what a deployment must provide for new cores to become compliant:
 * requiring more breaks deployments that provided only what the old revision asked for.
 */
import type { ContractModel, DataModel, OperationModel } from "../model/contract-types.js";
import { FIXED_RULES, type DiffChange, type FixedRuleId } from "./rules.js";

type Options = Readonly<Record<string, unknown>>;

/** What lends operations: a plugin type or a hybrid type. */
interface Lending {
  readonly kind: "plugin" | "hybrid";
  readonly name: string;
  readonly operations: readonly { readonly operation: OperationModel; readonly input: DataModel }[];
  readonly options: Options;
  readonly policy: Readonly<Record<string, Options>>;
  readonly offerWhen?: string | undefined;
}

/** What requires operations: a core type or a hybrid type. */
interface Requiring {
  readonly kind: "core" | "hybrid";
  readonly name: string;
  readonly requires: readonly { readonly operation: OperationModel; readonly options: Options }[];
}

/** The plugin and hybrid types of a contract, as lenders. */
export function lendersOf(model: ContractModel): Lending[] {
  return [
    ...model.plugins.map((p) => ({ kind: "plugin" as const, ...p })),
    ...model.hybrids.map((h) => ({ kind: "hybrid" as const, ...h })),
  ];
}

function requirersOf(model: ContractModel): Requiring[] {
  return [
    ...model.cores.map((c) => ({ kind: "core" as const, ...c })),
    ...model.hybrids.map((h) => ({ kind: "hybrid" as const, ...h })),
  ];
}

const SECTION = { plugin: "plugins", core: "cores", hybrid: "hybrids" } as const;

function pointer(...segments: string[]): string {
  return ["#", ...segments.map((s) => s.replace(/~/g, "~0").replace(/\//g, "~1"))].join("/");
}

/** A change of a fixed rule. */
function fixed(
  rule: FixedRuleId,
  scope: string,
  path: string,
  change: string,
  operation: string | null = null,
  message: string | null = null,
): DiffChange {
  return {
    verdict: FIXED_RULES[rule].verdict,
    operation,
    message,
    direction: null,
    path,
    change,
    rule,
    scope,
  };
}

const list = (value: unknown): string[] | undefined => (Array.isArray(value) ? value.map(String) : undefined);

/**
 * The limits of lending (maxCores, allow, block, prefer) or of requiring (the same lists,
 * minimum, maximum, mandatory), compared. `more` names who a tightening hurts.
 */
function compareLimits(
  before: Options,
  after: Options,
  side: "lend" | "require",
  scope: string,
  base: string[],
  operation: string | null,
  more: string,
): DiffChange[] {
  const out: DiffChange[] = [];
  const tight: FixedRuleId = side === "lend" ? "DIFF-PLUGIN-LIMIT-TIGHTENED" : "DIFF-CORE-LIMIT-TIGHTENED";
  const loose: FixedRuleId = side === "lend" ? "DIFF-PLUGIN-LIMIT-RELAXED" : "DIFF-CORE-LIMIT-RELAXED";
  const at = (key: string): string => pointer(...base, key);
  const push = (rule: FixedRuleId, key: string, change: string): void => {
    out.push(fixed(rule, scope, at(key), change, operation));
  };
  // Counts: maxCores (lend) or maximum (require), where absent is unbounded.
  const capKey = side === "lend" ? "maxCores" : "maximum";
  const [capWas, capIs] = [before[capKey] as number | undefined, after[capKey] as number | undefined];
  if (capWas !== capIs) {
    const text = `${capKey} ${capWas ?? "unbounded"} -> ${capIs ?? "unbounded"}`;
    if (side === "require")
      push(loose, capKey, `${text} (connections taken at most: compliance is unaffected)`);
    else if (capIs !== undefined && (capWas === undefined || capIs < capWas))
      push(tight, capKey, `${text}: ${more} beyond ${capIs} are not served`);
    else push(loose, capKey, text);
  }
  if (side === "require") {
    const [minWas, minIs] = [
      (before.minimum as number | undefined) ?? 1,
      (after.minimum as number | undefined) ?? 1,
    ];
    if (minIs > minWas)
      push(tight, "minimum", `minimum raised ${minWas} -> ${minIs}: ${more} need ${minIs} plugins`);
    else if (minIs < minWas) push(loose, "minimum", `minimum lowered ${minWas} -> ${minIs}`);
    const [was, is] = [list(before.mandatory) ?? [], list(after.mandatory) ?? []];
    const added = is.filter((n) => !was.includes(n));
    const removed = was.filter((n) => !is.includes(n));
    if (added.length > 0)
      push(tight, "mandatory", `mandatory plugins added: ${added.join(", ")}: ${more} need them connected`);
    if (removed.length > 0) push(loose, "mandatory", `mandatory plugins removed: ${removed.join(", ")}`);
  }
  const whom = side === "lend" ? "cores" : "plugins";
  const [allowWas, allowIs] = [list(before.allow), list(after.allow)];
  if (allowIs !== undefined && allowWas === undefined)
    push(tight, "allow", `allow added: only ${whom} ${allowIs.join(", ")}`);
  else if (allowIs === undefined && allowWas !== undefined)
    push(loose, "allow", "allow removed: any of the " + whom);
  else if (allowIs !== undefined && allowWas !== undefined) {
    const removed = allowWas.filter((n) => !allowIs.includes(n));
    const added = allowIs.filter((n) => !allowWas.includes(n));
    if (removed.length > 0) push(tight, "allow", `no longer allowed: ${removed.join(", ")}`);
    if (added.length > 0) push(loose, "allow", `now allowed: ${added.join(", ")}`);
  }
  const [blockWas, blockIs] = [list(before.block) ?? [], list(after.block) ?? []];
  const blocked = blockIs.filter((n) => !blockWas.includes(n));
  const unblocked = blockWas.filter((n) => !blockIs.includes(n));
  if (blocked.length > 0) push(tight, "block", `now blocked: ${blocked.join(", ")}`);
  if (unblocked.length > 0) push(loose, "block", `no longer blocked: ${unblocked.join(", ")}`);
  if (JSON.stringify(before.prefer ?? []) !== JSON.stringify(after.prefer ?? []))
    push(
      side === "lend" ? "DIFF-PLUGIN-PREFER-CHANGED" : loose,
      "prefer",
      "prefer changed (an order, not a limit)",
    );
  return out;
}

/** Message names of an operation's union in both revisions, paired by name, then by fingerprint. */
function pairMessages(before: DataModel, after: DataModel): [string, string][] {
  const pairs: [string, string][] = [];
  const left = [...after.messages];
  for (const m of before.messages) {
    const i = left.findIndex((n) => n.name === m.name);
    const j = i >= 0 ? i : left.findIndex((n) => n.fingerprint === m.fingerprint);
    if (j >= 0) pairs.push([m.name, left.splice(j, 1)[0]!.name]);
  }
  return pairs;
}

/** `operations`: the operations of the new revision (one removed from the contract is reported as such). */
function compareLending(before: Lending, after: Lending, operations: ReadonlySet<string>): DiffChange[] {
  const out: DiffChange[] = [];
  const scope = `${after.kind} ${after.name}`;
  const base = ["x-orbitalis", SECTION[after.kind], after.name];
  const who = `${after.name} ${after.kind}s`;
  const newOps = new Map(after.operations.map((o) => [o.operation.name, o]));
  const oldOps = new Map(before.operations.map((o) => [o.operation.name, o]));
  for (const [name, was] of oldOps) {
    const is = newOps.get(name);
    if (!is) {
      if (!operations.has(name)) continue;
      out.push(
        fixed(
          "DIFF-PLUGIN-OP-DROPPED",
          scope,
          pointer(...base, "operations"),
          `${who} no longer lend ${name}: deployed cores that require it lose them`,
          name,
        ),
      );
      continue;
    }
    // Messages in the operation in both revisions: does this type take fewer, or more, of them?
    for (const [oldName, newName] of pairMessages(was.operation.input, is.operation.input)) {
      const took = was.input.messages.some((m) => m.name === oldName);
      const takes = is.input.messages.some((m) => m.name === newName);
      if (took && !takes)
        out.push(
          fixed(
            "DIFF-PLUGIN-ACCEPTS-NARROWED",
            scope,
            pointer(...base, "operations"),
            `${who} no longer accept ${newName} for ${name}: deployed cores sending it find fewer plugins`,
            name,
            newName,
          ),
        );
      else if (!took && takes)
        out.push(
          fixed(
            "DIFF-PLUGIN-ACCEPTS-WIDENED",
            scope,
            pointer(...base, "operations"),
            `${who} now accept ${newName} for ${name}`,
            name,
            newName,
          ),
        );
    }
    out.push(
      ...compareLimits(
        before.policy[name] ?? {},
        after.policy[name] ?? {},
        "lend",
        scope,
        [...base, "policy", name],
        name,
        `deployed cores calling ${name}`,
      ),
    );
  }
  for (const name of newOps.keys())
    if (!oldOps.has(name))
      out.push(
        fixed("DIFF-PLUGIN-OP-ADDED", scope, pointer(...base, "operations"), `${who} now lend ${name}`, name),
      );
  out.push(...compareLimits(before.options, after.options, "lend", scope, base, null, "deployed cores"));
  if ((before.offerWhen ?? "always") !== (after.offerWhen ?? "always")) {
    const tightened = after.offerWhen === "compliant";
    out.push(
      fixed(
        tightened ? "DIFF-PLUGIN-LIMIT-TIGHTENED" : "DIFF-PLUGIN-LIMIT-RELAXED",
        scope,
        pointer(...base, "offerWhen"),
        `offerWhen ${before.offerWhen ?? "always"} -> ${after.offerWhen ?? "always"}${tightened ? ": deployed cores lose it while its own requirements are unmet" : ""}`,
      ),
    );
  }
  return out;
}

function compareRequiring(before: Requiring, after: Requiring): DiffChange[] {
  const out: DiffChange[] = [];
  const scope = `${after.kind} ${after.name}`;
  const base = ["x-orbitalis", SECTION[after.kind], after.name, "requires"];
  const who = `new ${after.name} ${after.kind}s`;
  const oldReqs = new Map(before.requires.map((r) => [r.operation.name, r.options]));
  for (const { operation, options } of after.requires) {
    const name = operation.name;
    const was = oldReqs.get(name);
    if (was === undefined) {
      const minimum = (options.minimum as number | undefined) ?? 1;
      const mandatory = list(options.mandatory) ?? [];
      const needed = minimum >= 1 || mandatory.length > 0;
      out.push(
        fixed(
          needed ? "DIFF-CORE-REQUIREMENT-ADDED" : "DIFF-CORE-OPTIONAL-REQUIREMENT-ADDED",
          scope,
          pointer(...base, name),
          needed
            ? `now requires ${name} (minimum ${minimum}${mandatory.length > 0 ? `, mandatory ${mandatory.join(", ")}` : ""}): ${who} are not compliant without a plugin lending it`
            : `now requires ${name}, optionally (minimum 0)`,
          name,
        ),
      );
      continue;
    }
    out.push(...compareLimits(was, options, "require", scope, [...base, name], name, who));
  }
  const kept = new Set(after.requires.map((r) => r.operation.name));
  for (const name of oldReqs.keys())
    if (!kept.has(name))
      out.push(
        fixed(
          "DIFF-CORE-REQUIREMENT-REMOVED",
          scope,
          pointer(...base, name),
          `no longer requires ${name}`,
          name,
        ),
      );
  return out;
}

const lent = (t: Lending): string =>
  t.operations
    .map((o) => o.operation.name)
    .sort()
    .join(",");

/** Every change to the x-orbitalis types between two revisions. */
export function compareExtension(before: ContractModel, after: ContractModel): DiffChange[] {
  const out: DiffChange[] = [];
  const oldLending = lendersOf(before);
  const newLending = lendersOf(after);
  const key = (t: { kind: string; name: string }): string => `${t.kind} ${t.name}`;
  for (const was of oldLending) {
    const is = newLending.find((t) => key(t) === key(was));
    if (is) out.push(...compareLending(was, is, new Set(after.operations.map((o) => o.name))));
    else {
      const renamed = newLending.find(
        (t) => t.kind === was.kind && lent(t) === lent(was) && !oldLending.some((o) => key(o) === key(t)),
      );
      out.push(
        fixed(
          was.kind === "plugin" ? "DIFF-PLUGIN-TYPE-REMOVED" : "DIFF-HYBRID-TYPE-REMOVED",
          key(was),
          pointer("x-orbitalis", SECTION[was.kind], was.name),
          `${was.kind} type removed: deployed cores lose it as a provider of ${lent(was).replace(/,/g, ", ")}${renamed ? ` (likely renamed to ${renamed.name}: it lends the same operations)` : ""}`,
        ),
      );
    }
  }
  for (const is of newLending)
    if (!oldLending.some((t) => key(t) === key(is)))
      out.push(
        fixed(
          is.kind === "plugin" ? "DIFF-PLUGIN-TYPE-ADDED" : "DIFF-HYBRID-TYPE-ADDED",
          key(is),
          pointer("x-orbitalis", SECTION[is.kind], is.name),
          `${is.kind} type added`,
        ),
      );
  const oldRequiring = requirersOf(before);
  const newRequiring = requirersOf(after);
  for (const was of oldRequiring) {
    const is = newRequiring.find((t) => key(t) === key(was));
    if (is) out.push(...compareRequiring(was, is));
    else if (was.kind === "core")
      out.push(
        fixed(
          "DIFF-CORE-TYPE-REMOVED",
          key(was),
          pointer("x-orbitalis", "cores", was.name),
          "core type removed (deployed plugins do not depend on it; its generated class is gone)",
        ),
      );
  }
  for (const is of newRequiring)
    if (is.kind === "core" && !oldRequiring.some((t) => key(t) === key(is)))
      out.push(
        fixed("DIFF-CORE-TYPE-ADDED", key(is), pointer("x-orbitalis", "cores", is.name), "core type added"),
      );
  return out;
}
