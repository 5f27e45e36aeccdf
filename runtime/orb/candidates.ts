/**
 * What a core heard of plugins, per required operation, and why each is not connected: its
 * announce or offer refused (schemas, lists, maximum), no offer after an announce, a request
 * answered `unavailable` or never confirmed, a connection that closed. Beside them, the
 * plugins it knows to run (from their presence, their offers) that never offered an
 * operation it still needs: a plugin refuses a discover without a word (spec HS-3), so
 * that is all a core can say of them. Bounded: a few notes per operation, a list of
 * running plugins.
 */
import type { Candidate, CandidateReason } from "./unmet.js";
import type { PresenceMessage } from "../../generated/protocol/index.js";

/** Notes kept per operation (the oldest goes first). */
const NOTES_PER_OPERATION = 16;
/** Plugins known to run, at most (the longest unheard of goes first). */
const RUNNING = 1024;
/** Running plugins that did not offer an operation listed per operation (the rest are counted). */
const LISTED_RUNNING = 8;

interface Note {
  readonly reason: CandidateReason;
  /** The sentence (empty for an announce: it depends on what came since, see `discoversBefore`). */
  readonly message: string;
  /** For an announce: the discovers sent before it (see {@link Candidates.announced}). */
  readonly discoversBefore?: number;
}

export class Candidates {
  private readonly notes = new Map<string, Map<string, Note>>();
  /**
   * Plugins known to run: id -> its epoch and, once its announce was heard, the operations
   * it lends (a plugin that does not lend an operation is no candidate for it).
   */
  private readonly running = new Map<string, { readonly epoch: string; lends?: Set<string> }>();
  /** Discovers sent since the orb started. */
  private discovers = 0;

  /** Why `plugin` is not connected for `operation` now (replaces what was noted before). */
  note(operation: string, plugin: string, reason: CandidateReason, message: string): void {
    this.put(operation, plugin, { reason, message });
  }

  /** The core requested `plugin`'s offer of `operation` and awaits its confirm. */
  connecting(operation: string, plugin: string): void {
    this.note(
      operation,
      plugin,
      "connecting",
      `${plugin} offered ${operation}; requested, awaiting its confirm`,
    );
  }

  /** `plugin` did not confirm the core's request within the offer's `holdMs`. */
  noConfirm(operation: string, plugin: string, holdMs: number): void {
    const message = `${plugin} offered ${operation} but did not confirm the request within its holdMs (${holdMs} ms)`;
    this.note(operation, plugin, "no-confirm", message);
  }

  /** `plugin` answered the core's request with `unavailable` (and why, if it said). */
  unavailable(operation: string, plugin: string, reason: string | undefined): void {
    const why = reason === undefined ? "" : ` (${reason})`;
    this.note(
      operation,
      plugin,
      "unavailable",
      `${plugin} answered the request for ${operation} with unavailable${why}`,
    );
  }

  /** The connection with `plugin` for `operation` closed (for `reason`). */
  disconnected(operation: string, plugin: string, reason: string): void {
    this.note(
      operation,
      plugin,
      "disconnected",
      `${plugin} was connected; the connection closed (${reason})`,
    );
  }

  /** `plugin` announced `operation` and the core may take it: an offer should follow its next discover. */
  announced(operation: string, plugin: string): void {
    this.put(operation, plugin, { reason: "not-offered", message: "", discoversBefore: this.discovers });
  }

  /** The core sent a discover. */
  discovered(): void {
    this.discovers++;
  }

  /** Another orb's presence: a plugin or hybrid online runs; one offline is gone. */
  presence(message: PresenceMessage): void {
    if (message.status === "offline") this.offline(message.from, message.epoch);
    else if (message.role !== "core") this.runs(message.from, message.epoch);
  }

  /**
   * `plugin` (instance `epoch`) runs: its online presence, an announce (with the operations
   * it `lends`) or an offer came.
   */
  runs(plugin: string, epoch: string, lends?: readonly string[]): void {
    const known = this.running.get(plugin);
    const entry = known?.epoch === epoch ? known : { epoch };
    // A hybrid announces the operations it offers only while compliant later: add them up.
    if (lends) entry.lends = new Set([...(entry.lends ?? []), ...lends]);
    this.running.delete(plugin);
    this.running.set(plugin, entry);
    if (this.running.size > RUNNING) this.running.delete(this.running.keys().next().value as string);
  }

  /** `plugin`'s instance `epoch` said it went offline: no longer a candidate, unless a note says otherwise. */
  offline(plugin: string, epoch: string): void {
    if (this.running.get(plugin)?.epoch !== epoch) return;
    this.running.delete(plugin);
    for (const notes of this.notes.values())
      if (notes.get(plugin)?.reason === "not-offered") notes.delete(plugin);
  }

  /** `plugin` is connected for `operation`: forget why it was not. */
  connected(operation: string, plugin: string): void {
    this.notes.get(operation)?.delete(plugin);
  }

  /** A new start: nothing heard yet. */
  reset(): void {
    this.notes.clear();
    this.running.clear();
    this.discovers = 0;
  }

  /**
   * The plugins heard of for `operation` and why each is not connected, leaving out those in
   * `connected`; then running plugins that did not offer it (at most a few, `unlisted`
   * counts the others), with the reason `refused` gives for one when the core knows it.
   */
  of(
    operation: string,
    connected: ReadonlySet<string>,
    refused: (plugin: string) => Pick<Candidate, "reason" | "message"> | undefined = () => undefined,
  ): { candidates: Candidate[]; unlisted: number } {
    const candidates: Candidate[] = [];
    const notes = this.notes.get(operation) ?? new Map<string, Note>();
    for (const [plugin, note] of notes) {
      if (connected.has(plugin)) continue;
      candidates.push({ plugin, reason: note.reason, message: this.describe(operation, plugin, note) });
    }
    let listed = 0;
    let unlisted = 0;
    for (const [plugin, { lends }] of this.running) {
      if (connected.has(plugin) || notes.has(plugin) || lends?.has(operation) === false) continue;
      if (listed++ >= LISTED_RUNNING) {
        unlisted++;
        continue;
      }
      const refusal = refused(plugin);
      if (refusal) {
        candidates.push({ plugin, ...refusal });
        continue;
      }
      candidates.push({
        plugin,
        reason: "not-offered",
        message:
          `${plugin} runs but did not offer ${operation}: it does not lend it, or refused this core ` +
          `(schemas, allow/block, maxCores: see its \`skipped\` event)`,
      });
    }
    return { candidates, unlisted };
  }

  private describe(operation: string, plugin: string, note: Note): string {
    if (note.discoversBefore === undefined) return note.message;
    if (note.discoversBefore >= this.discovers) return `${plugin} announced ${operation}; no discover since`;
    // Its schemas passed the core's check, and the plugin matches them the same way (SCH-3).
    return (
      `${plugin} announced ${operation} but did not offer it: its schemas match, so its own limits keep ` +
      `this core out (maxCores, allow/block, offerWhen: see its \`skipped\` event)`
    );
  }

  private put(operation: string, plugin: string, note: Note): void {
    let notes = this.notes.get(operation);
    if (!notes) this.notes.set(operation, (notes = new Map<string, Note>()));
    notes.delete(plugin);
    notes.set(plugin, note);
    if (notes.size > NOTES_PER_OPERATION) notes.delete(notes.keys().next().value as string);
  }
}
