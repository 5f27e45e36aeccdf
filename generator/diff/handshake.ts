/**
 * Whether orbs of two revisions of an operation still connect. Orbitalis matches schema
 * specs by fingerprint (SCH-3): a core and a plugin connect for an operation when their
 * input specs match and their output specs match. The specs are built as generated code
 * builds them (a message with payload is a schema, one without is `empty`, no message is
 * `"none"`) and matched by the runtime's own `CompiledSpec.matches`.
 */
import { CompiledSpec, type WireSchemaSpec } from "orbitalis";
import type { DataModel, OperationModel } from "../model/contract-types.js";
import { compareData } from "./data-diff.js";
import type { Handshake } from "./rules.js";
import { canonical } from "./schema-keywords.js";

/** The wire spec generated code sends for one side of an operation. */
export function wireSpec(data: DataModel): WireSchemaSpec {
  if (data.none) return "none";
  const withPayload = data.messages.filter((m) => m.schema !== undefined);
  const spec: {
    schemas?: { fingerprint: string; schema: Record<string, unknown> | boolean }[];
    empty?: true;
  } = {};
  if (withPayload.length > 0)
    spec.schemas = withPayload.map((m) => ({
      fingerprint: m.fingerprint!,
      schema: m.schema as Record<string, unknown> | boolean,
    }));
  if (withPayload.length < data.messages.length) spec.empty = true;
  return spec;
}

/** A plugin of an operation as a core sees it: its input (possibly narrowed by `accepts`) and output. */
export interface Lender {
  /** Who, in a note: `plugins` (any taking all its messages), `Lamp plugins (accepts ColorRgb)`. */
  readonly who: string;
  readonly input: DataModel;
  readonly output: DataModel;
}

/** Whether a core requiring `core` and a plugin serving as `plugin` connect (SCH-3, HS-3). */
function connects(core: OperationModel, plugin: Lender): boolean {
  const match = (a: DataModel, b: DataModel): boolean =>
    CompiledSpec.fromWire(wireSpec(a)).matches(CompiledSpec.fromWire(wireSpec(b)));
  return match(plugin.input, core.input) && match(plugin.output, core.output);
}

function sameSpec(a: DataModel, b: DataModel): boolean {
  const key = (d: DataModel): string => {
    const wire = wireSpec(d);
    if (wire === "none") return "none";
    return canonical({
      fp: (wire.schemas ?? []).map((s) => s.fingerprint).sort(),
      empty: wire.empty === true,
    });
  };
  return key(a) === key(b);
}

/** Whether the two sides differ only in annotations (descriptions, examples, formats ...). */
function annotationsOnly(before: OperationModel, after: OperationModel): boolean {
  const side = (a: DataModel, b: DataModel): boolean =>
    a.none === b.none && (a.none || compareData(a, b).every((c) => c.kind === "ANNOTATION"));
  return side(before.input, after.input) && side(before.output, after.output);
}

/** Handshake verdict of an operation in both revisions, and notes when it is re-fingerprinted. */
export function compareHandshake(
  before: OperationModel,
  after: OperationModel,
  oldLenders: readonly Lender[],
  newLenders: readonly Lender[],
): { handshake: Handshake; notes: string[] } {
  if (sameSpec(before.input, after.input) && sameSpec(before.output, after.output))
    return { handshake: "same", notes: [] };
  const notes: string[] = [];
  for (const lender of newLenders) {
    const deployed = oldLenders.find((l) => l.who === lender.who);
    const either = deployed !== undefined && !connects(before, lender) && !connects(after, deployed);
    if (either)
      notes.push(`deployed cores and new ${lender.who} will not connect, nor new cores and deployed ones`);
    else if (!connects(before, lender)) notes.push(`deployed cores will not connect to new ${lender.who}`);
  }
  for (const lender of oldLenders) {
    const fresh = newLenders.find((l) => l.who === lender.who);
    if (fresh !== undefined && !connects(before, fresh) && !connects(after, lender)) continue; // said above
    if (!connects(after, lender)) notes.push(`new cores will not connect to deployed ${lender.who}`);
  }
  if (notes.length === 0) {
    const through = (a: DataModel, b: DataModel): string[] =>
      a.messages.filter((m) => b.messages.some((n) => n.fingerprint === m.fingerprint)).map((m) => m.name);
    const shared = [
      ...new Set([...through(before.input, after.input), ...through(before.output, after.output)]),
    ];
    return {
      handshake: "shared",
      notes: [`deployed and new orbs connect${shared.length > 0 ? ` through ${shared.join(", ")}` : ""}`],
    };
  }
  const sides = [
    ...(sameSpec(before.input, after.input) ? [] : ["input"]),
    ...(sameSpec(before.output, after.output) ? [] : ["output"]),
  ];
  notes.push(
    annotationsOnly(before, after)
      ? "only annotations changed (descriptions, examples ...), but the fingerprint covers them: revert them, or upgrade cores and plugins together"
      : `remedy: keep the old message and add the changed one under a new name (both in the ${sides.join(" and ")}: expand); once every orb runs that revision, remove the old one (contract). Or upgrade cores and plugins together`,
  );
  return { handshake: "re-fingerprinted", notes };
}
