/**
 * Offer choice, a part of the core role: of the offers buffered for a requirement, which to
 * take -- the acceptable ones, mandatory plugins first, then preferred ones, then in order
 * of arrival, within the requirement's maximum, keeping the last free slots for mandatory
 * plugins not connected yet. Those left out for want of a slot are reported.
 */
import type { WireSchemaSpec } from "../schema-spec.js";
import type { OfferMessage } from "../../generated/protocol/index.js";
import type { CoreSkipReason } from "./compliance.js";
import { rank } from "./policy.js";
import type { Requirement } from "./requirements.js";

/** What offer choice reads of the core role. */
export interface ChoiceView {
  /** Whether an offered operation may be taken at all (before counting slots); reports why not. */
  acceptable(req: Requirement, offer: OfferMessage, input: WireSchemaSpec, output: WireSchemaSpec): boolean;
  /** Plugins connected for `operation`. */
  connected(operation: string): readonly { readonly remote: string }[];
  /** Plugins requested for `operation`, their confirm awaited. */
  pending(operation: string): readonly { readonly plugin: string }[];
  /** Reports a plugin not connected, and why. */
  skip(plugin: string, operation: string, reason: CoreSkipReason, message: string): void;
}

/** The offers to take for `req`: acceptable ones, mandatory then preferred first, within maximum. */
export function chooseOffers(
  req: Requirement,
  offers: readonly OfferMessage[],
  view: ChoiceView,
): OfferMessage[] {
  const candidates: { offer: OfferMessage; order: number }[] = [];
  offers.forEach((offer, order) => {
    const op = offer.operations.find((o) => o.name === req.name);
    if (op && view.acceptable(req, offer, op.input, op.output)) candidates.push({ offer, order });
  });
  if (candidates.length === 0) return [];
  const mandatory = (id: string): number => (req.mandatory.includes(id) ? 0 : 1);
  candidates.sort(
    (a, b) =>
      mandatory(a.offer.from) - mandatory(b.offer.from) ||
      rank(req.prefer, a.offer.from) - rank(req.prefer, b.offer.from) ||
      a.order - b.order,
  );
  const conns = view.connected(req.name);
  const connected = new Set(conns.map((c) => c.remote));
  const pending = view.pending(req.name);
  for (const p of pending) connected.add(p.plugin);
  let free = req.maximum === undefined ? Infinity : req.maximum - conns.length - pending.length;
  let mandatoryHeld = req.mandatory.filter((p) => !connected.has(p)).length;
  const picked = new Map<string, OfferMessage>();
  for (const { offer } of candidates) {
    if (picked.has(offer.from)) continue;
    const isMandatory = req.mandatory.includes(offer.from);
    // Keep room for mandatory plugins that are not connected yet.
    if (free <= 0 || (!isMandatory && free - mandatoryHeld <= 0)) {
      view.skip(
        offer.from,
        req.name,
        "maximum-reached",
        free <= 0
          ? `requires.${req.name}.maximum ${req.maximum} reached (connected or connecting)`
          : `the last free slots of requires.${req.name}.maximum ${req.maximum} are kept for mandatory ${req.mandatory.join(", ")}`,
      );
      continue;
    }
    if (isMandatory) mandatoryHeld--;
    free--;
    picked.set(offer.from, offer);
  }
  return [...picked.values()];
}
