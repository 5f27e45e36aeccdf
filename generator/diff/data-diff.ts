/**
 * Compares what one side of an operation carries in two revisions: a union of messages
 * (DataModel), paired by name, then by payload fingerprint (a rename), and what is left
 * over is an added or removed message. Kinds only; verdicts come from rules.ts.
 */
import type { DataModel, MessageModel } from "../model/contract-types.js";
import { DATA_KINDS, type DataKindName } from "./rules.js";
import { compareSchemas, type SchemaChange } from "./schema-diff.js";

/** One change to an operation's input or output. */
export interface DataChange {
  /** The message (its new name, or its old one when removed). */
  readonly message: string;
  /** JSON pointer into the payload, or null for the message as a whole. */
  readonly path: string | null;
  readonly kind: DataKindName;
  readonly change: string;
}

/** The changes between two messages' payloads (a message without payload: no data). */
export function compareMessages(before: MessageModel, after: MessageModel): SchemaChange[] {
  if (before.fingerprint === after.fingerprint) return [];
  if (before.schema === undefined)
    return [{ path: "#", kind: "PAYLOAD-ADDED", change: "payload added (the message carried no data)" }];
  if (after.schema === undefined)
    return [{ path: "#", kind: "PAYLOAD-REMOVED", change: "payload removed (the message carries no data)" }];
  return compareSchemas(before.schema, after.schema);
}

/**
 * Whether every value `before` accepts, `after` accepts too, as far as the rules can tell
 * (no change that narrows).
 */
function acceptsAllOf(after: MessageModel, before: MessageModel): boolean {
  return compareMessages(before, after).every((c) => {
    const effect: string = DATA_KINDS[c.kind].effect;
    return effect !== "narrows" && effect !== "both";
  });
}

/**
 * Every change from `before` to `after` (neither `none`: operations compare that). A
 * message left over is covered when a message of the other revision accepts all its
 * values: an added one by an old one (an output may grow so), a removed one by a new one
 * (an input may shrink so).
 */
export function compareData(before: DataModel, after: DataModel): DataChange[] {
  const out: DataChange[] = [];
  const oldLeft = [...before.messages];
  const newLeft = [...after.messages];
  const take = <T>(list: T[], found: (x: T) => boolean): T | undefined => {
    const i = list.findIndex(found);
    return i < 0 ? undefined : list.splice(i, 1)[0];
  };
  // Same name: the message's payload changed, or not.
  for (const message of [...newLeft]) {
    const old = take(oldLeft, (m) => m.name === message.name);
    if (old === undefined) continue;
    take(newLeft, (m) => m === message);
    for (const c of compareMessages(old, message)) out.push({ message: message.name, ...c });
  }
  // Same payload under another name: a rename, invisible on the wire.
  for (const message of [...newLeft]) {
    const old = take(oldLeft, (m) => m.fingerprint === message.fingerprint);
    if (old === undefined) continue;
    take(newLeft, (m) => m === message);
    out.push({
      message: message.name,
      path: null,
      kind: "MESSAGE-RENAMED",
      change: `message renamed: ${old.name} -> ${message.name} (same payload)`,
    });
  }
  for (const message of newLeft) {
    const cover = before.messages.find((old) => acceptsAllOf(old, message));
    out.push(
      cover
        ? {
            message: message.name,
            path: null,
            kind: "MESSAGE-ADDED-COVERED",
            change: `message added: ${message.name} (every ${message.name} is a valid ${cover.name})`,
          }
        : {
            message: message.name,
            path: null,
            kind: "MESSAGE-ADDED",
            change: `message added: ${message.name}`,
          },
    );
  }
  for (const message of oldLeft) {
    const cover = after.messages.find((m) => acceptsAllOf(m, message));
    out.push(
      cover
        ? {
            message: message.name,
            path: null,
            kind: "MESSAGE-REMOVED-COVERED",
            change: `message removed: ${message.name} (${cover.name} accepts every ${message.name})`,
          }
        : {
            message: message.name,
            path: null,
            kind: "MESSAGE-REMOVED",
            change: `message removed: ${message.name}`,
          },
    );
  }
  return out;
}
