/**
 * A text-processor plugin answering requests of an editor core with typed results.
 * The contract type is written by hand: both sides check names and data against it.
 *
 *   npx tsx examples/text-processor.ts
 */
import { pathToFileURL } from "node:url";
import { Core, LocalHub, OperationError, Plugin, RemoteOperationError, type Bus } from "orbitalis";

const Text = { type: "string", maxLength: 1_000_000 } as const;
const Count = { type: "integer", minimum: 0 } as const;

/** What the text processor does, for both sides. */
export type TextContract = {
  lowercase: { input: string; output: string };
  word_count: { input: string; output: number };
};

/** The plugin: lowercase and word_count. */
export function textProcessor(bus: Bus): Plugin<TextContract> {
  return new Plugin<TextContract>({ id: "text-processor", bus })
    .operation("lowercase", { input: { schemas: [Text] }, output: { schemas: [Text] } }, (s) =>
      s.toLowerCase(),
    )
    .operation("word_count", { input: { schemas: [Text] }, output: { schemas: [Count] } }, (s) => {
      if (s.trim() === "") throw new OperationError("EMPTY_TEXT", "nothing to count", { length: s.length });
      return s.trim().split(/\s+/).length;
    });
}

/** Runs the example. */
export async function runTextProcessor(
  newBus: () => Bus,
  log: (line: string) => void = console.log,
): Promise<void> {
  const editor = new Core<TextContract>({
    id: "editor",
    bus: newBus(),
    requires: {
      lowercase: { inputs: [{ schemas: [Text] }], outputs: [{ schemas: [Text] }] },
      word_count: { inputs: [{ schemas: [Text] }], outputs: [{ schemas: [Count] }] },
    },
  });
  const plugin = textProcessor(newBus());
  await Promise.all([editor.start(), plugin.start()]);
  await editor.compliant({ timeoutMs: 5000 });
  const text = "Orbitalis Finds Plugins At Run Time";
  const lower: string = await editor.request("lowercase", text);
  const words: number = await editor.request("word_count", text);
  log(`lowercase -> ${lower}`);
  log(`word_count -> ${words}`);
  try {
    await editor.request("word_count", "   ");
  } catch (error) {
    if (error instanceof RemoteOperationError)
      log(
        `word_count of blanks -> ${error.code}/${error.remoteCode} ${JSON.stringify(error.data)}: ${error.message}`,
      );
  }
  await Promise.all([editor.stop(), plugin.stop()]);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const hub = new LocalHub();
  await runTextProcessor(() => hub.bus());
}
