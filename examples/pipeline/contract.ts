/**
 * The pipeline's contract, shared by its processes: fetch -> clean -> summarize. Each
 * stage lends one operation and requires the next stage's.
 */
import type { SchemaSpec } from "orbitalis";

const Text = { type: "string", maxLength: 100_000 } as const;
const DocName = {
  type: "object",
  properties: { doc: { type: "string", minLength: 1 } },
  required: ["doc"],
  additionalProperties: false,
} as const;
const Summary = {
  type: "object",
  properties: { summary: { type: "string" }, words: { type: "integer", minimum: 0 } },
  required: ["summary", "words"],
  additionalProperties: false,
} as const;
const Digest = {
  type: "object",
  properties: { doc: { type: "string" }, summary: { type: "string" }, words: { type: "integer" } },
  required: ["doc", "summary", "words"],
  additionalProperties: false,
} as const;

export const TextSpec: SchemaSpec = { schemas: [Text] };
export const DocNameSpec: SchemaSpec = { schemas: [DocName] };
export const SummarySpec: SchemaSpec = { schemas: [Summary] };
export const DigestSpec: SchemaSpec = { schemas: [Digest] };

/** The contract: operation name -> input and output types. */
export type Pipeline = {
  fetch: { input: { doc: string }; output: { doc: string; summary: string; words: number } };
  clean: { input: string; output: { summary: string; words: number } };
  summarize: { input: string; output: { summary: string; words: number } };
};

/** The documents `fetch` knows (a stand-in for the network). */
export const LIBRARY: Readonly<Record<string, string>> = {
  orbits:
    "  Orbs   find each other at run time.\n\nThey connect through a   handshake, and stay alive with heartbeats.  ",
  kernel: "A micro-kernel keeps the core small.   Plugins\tlend what it needs, within limits.",
  hybrid: "An orb may lend and require at once.  A pipeline is then a chain of such orbs.",
};
