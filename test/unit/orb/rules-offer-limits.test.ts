/**
 * Two edges of offer choice that mutation testing found unchecked (issue 19; see
 * docs/mutation.md): a plugin that offered twice takes one slot, and a mandatory plugin
 * does not go past maximum when the slots are gone.
 */
import { describe, expect, it } from "vitest";
import { chooseOffers, type ChoiceView } from "../../../runtime/orb/offer-choice.js";
import { compileRequirement, type RequirementOptions } from "../../../runtime/orb/requirements.js";
import type { OfferMessage } from "../../../generated/protocol/index.js";

const offer = (from: string, id: string): OfferMessage => ({
  v: 1,
  kind: "offer",
  id,
  from,
  epoch: "e",
  ts: 0,
  re: "d1",
  replyTo: "r",
  keepaliveTo: "k",
  closeTo: "c",
  deadAfterMs: 6000,
  holdMs: 5000,
  operations: [{ name: "echo", input: { any: true }, output: { any: true } }],
});

function choose(options: RequirementOptions, offers: OfferMessage[], connected: string[] = []) {
  const view: ChoiceView = {
    acceptable: () => true,
    connected: () => connected.map((remote) => ({ remote })),
    pending: () => [],
    skip: () => undefined,
  };
  return chooseOffers(compileRequirement("echo", options), offers, view).map((o) => o.id);
}

describe("offer choice at its limits", () => {
  it("two offers from one plugin take one slot: its first offer", () => {
    expect(choose({ maximum: 2 }, [offer("a", "a1"), offer("a", "a2"), offer("b", "b1")])).toEqual([
      "a1",
      "b1",
    ]);
  });

  it("a mandatory plugin is not taken past maximum", () => {
    // One slot left (x holds the other); both mandatory plugins offer: only the first fits.
    expect(
      choose({ maximum: 2, mandatory: ["m1", "m2"] }, [offer("m1", "1"), offer("m2", "2")], ["x"]),
    ).toEqual(["1"]);
  });
});
