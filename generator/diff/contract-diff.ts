/**
 * `orbitalis diff`'s comparison of two revisions of a contract: per operation (added,
 * removed, its action, its input and output data), per x-orbitalis type, and per
 * operation whether deployed and new orbs still connect (the handshake).
 */
import type { ContractModel, DataModel, OperationModel } from "../model/contract-types.js";
import { compareData } from "./data-diff.js";
import { compareExtension, lendersOf } from "./extension-diff.js";
import { compareHandshake, type Lender } from "./handshake.js";
import {
  dataRule,
  dataVerdict,
  FIXED_RULES,
  type DiffChange,
  type DiffReport,
  type Direction,
  type FixedRuleId,
  type OperationReport,
} from "./rules.js";

function opChange(rule: FixedRuleId, operation: string, change: string): DiffChange {
  return {
    verdict: FIXED_RULES[rule].verdict,
    operation,
    message: null,
    direction: null,
    path: `#/operations/${operation.replace(/~/g, "~0").replace(/\//g, "~1")}`,
    change,
    rule,
  };
}

/** The messages of one side, for a change text: `none`, `Target`, `ColorRgb | ColorHsv`. */
function names(data: DataModel): string {
  return data.none ? "none" : data.messages.map((m) => m.name).join(" | ");
}

/** A key of what an operation carries, to recognize a renamed operation. */
function shape(op: OperationModel): string {
  const side = (d: DataModel): string =>
    d.none
      ? "none"
      : d.messages
          .map((m) => m.fingerprint ?? "empty")
          .sort()
          .join(",");
  return `${op.action} ${side(op.input)} ${side(op.output)}`;
}

/** The data changes of one side of an operation in both revisions. */
function compareSide(before: OperationModel, after: OperationModel, direction: Direction): DiffChange[] {
  const [was, is] = direction === "input" ? [before.input, after.input] : [before.output, after.output];
  const name = after.name;
  if (was.none && is.none) return [];
  if (was.none || is.none) {
    const rule: FixedRuleId =
      direction === "input"
        ? is.none
          ? "DIFF-OP-INPUT-REMOVED"
          : "DIFF-OP-INPUT-ADDED"
        : is.none
          ? "DIFF-OP-OUTPUT-REMOVED"
          : "DIFF-OP-OUTPUT-ADDED";
    return [{ ...opChange(rule, name, `${direction} ${names(was)} -> ${names(is)}`), direction }];
  }
  return compareData(was, is).map((c) => ({
    verdict: dataVerdict(c.kind, direction),
    operation: name,
    message: c.message,
    direction,
    path: c.path,
    change: c.change,
    rule: dataRule(c.kind, direction),
  }));
}

/** The plugins of an operation a core may meet: any that takes all its messages, and each type that narrows them. */
function lenders(model: ContractModel, op: OperationModel): Lender[] {
  const out: Lender[] = [{ who: "plugins", input: op.input, output: op.output }];
  for (const type of lendersOf(model)) {
    const entry = type.operations.find((o) => o.operation.name === op.name);
    if (entry && entry.input.messages.length !== op.input.messages.length)
      out.push({
        who: `${type.name} ${type.kind}s (accepts ${names(entry.input).replace(/ \| /g, ", ")})`,
        input: entry.input,
        output: op.output,
      });
  }
  return out;
}

/**
 * Every change between two revisions of a contract, with its verdict, and the handshake of
 * every operation in both. `compatible` is false when any change is breaking; `connected`
 * is false when an operation is re-fingerprinted.
 */
export function diffContracts(before: ContractModel, after: ContractModel): DiffReport {
  const changes: DiffChange[] = [];
  const operations: OperationReport[] = [];
  const newOps = new Map(after.operations.map((o) => [o.name, o]));
  const oldOps = new Map(before.operations.map((o) => [o.name, o]));
  const added = after.operations.filter((o) => !oldOps.has(o.name));
  const removed = before.operations.filter((o) => !newOps.has(o.name));
  for (const was of before.operations) {
    const is = newOps.get(was.name);
    if (!is) {
      const rename = added.find((o) => shape(o) === shape(was));
      changes.push(
        opChange(
          "DIFF-OP-REMOVED",
          was.name,
          `operation removed${rename ? ` (likely renamed to ${rename.name}: same action and messages)` : ""}: deployed cores that use it lose it`,
        ),
      );
      operations.push({ name: was.name, status: "removed", handshake: null, notes: [] });
      continue;
    }
    const own: DiffChange[] = [];
    if (was.action !== is.action)
      own.push(opChange("DIFF-OP-ACTION-CHANGED", was.name, `action ${was.action} -> ${is.action}`));
    else own.push(...compareSide(was, is, "input"), ...compareSide(was, is, "output"));
    changes.push(...own);
    const { handshake, notes } = compareHandshake(was, is, lenders(before, was), lenders(after, is));
    operations.push({
      name: was.name,
      status: own.length > 0 || handshake !== "same" ? "changed" : "unchanged",
      handshake,
      notes,
    });
  }
  for (const is of added) {
    const rename = removed.find((o) => shape(o) === shape(is));
    changes.push(
      opChange(
        "DIFF-OP-ADDED",
        is.name,
        `operation added${rename ? ` (likely the new name of ${rename.name})` : ""}`,
      ),
    );
    operations.push({ name: is.name, status: "added", handshake: null, notes: [] });
  }
  changes.push(...compareExtension(before, after));
  return {
    old: before.file,
    new: after.file,
    compatible: !changes.some((c) => c.verdict === "breaking"),
    connected: !operations.some((o) => o.handshake === "re-fingerprinted"),
    changes,
    operations,
  };
}
