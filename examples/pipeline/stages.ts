/**
 * The pipeline's stages, fetch -> clean -> summarize, on the classes generated from
 * examples/contracts/pipeline.asyncapi.yaml: `Fetcher` and `Cleaner` extend the generated
 * hybrids (`FetchOrb`, `CleanOrb`: they lend their step, require the next one, and offer
 * their step only while they have it), `Summarizer` the generated `SummarizePlugin`.
 * stage.ts runs one of them as a process; the tests run them in process too.
 */
import { OperationError, type OperationContext } from "orbitalis";
import {
  CleanOrb,
  FetchOrb,
  SummarizePlugin,
  type Digest,
  type DocName,
  type Summary,
} from "../../generated/examples/pipeline/index.js";

/** The documents `fetch` knows (a stand-in for the network). */
export const LIBRARY: Readonly<Record<string, string>> = {
  orbits:
    "  Orbs   find each other at run time.\n\nThey connect through a   handshake, and stay alive with heartbeats.  ",
  kernel: "A micro-kernel keeps the core small.   Plugins\tlend what it needs, within limits.",
  hybrid: "An orb may lend and require at once.  A pipeline is then a chain of such orbs.",
};

/** The first stage: a document by name, cleaned (and so summarized) by the next stages. */
export class Fetcher extends FetchOrb {
  async fetch({ doc }: DocName, ctx: OperationContext): Promise<Digest> {
    const text = LIBRARY[doc];
    if (text === undefined) throw new OperationError("NO_SUCH_DOC", `no document ${doc}`);
    const { summary, words } = await this.request("clean", text, { signal: ctx.signal });
    return { doc, summary, words };
  }
}

/** The middle stage: tidies the white space, then has the text summarized. */
export class Cleaner extends CleanOrb {
  clean(text: string, ctx: OperationContext): Promise<Summary> {
    return this.request("summarize", text.replace(/\s+/g, " ").trim(), { signal: ctx.signal });
  }
}

/** The last stage: the first sentence and the word count. It requires nothing. */
export class Summarizer extends SummarizePlugin {
  summarize(text: string): Summary {
    return {
      summary: text.split(/(?<=\.)\s/)[0] ?? "",
      words: text.split(" ").filter((w) => w.length > 0).length,
    };
  }
}
