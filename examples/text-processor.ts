/**
 * A text-processor plugin answering requests of an editor core with typed results, on its
 * contract (examples/contracts/text-processor.asyncapi.yaml).
 *
 *   npx tsx examples/text-processor.ts
 */
import { pathToFileURL } from "node:url";
import { LocalHub, OperationError, RemoteOperationError, type Bus } from "orbitalis";
import { EditorCore, TextProcessorPlugin } from "../generated/examples/text-processor/index.js";

/** The plugin: the generated class, with its two handlers. */
export class TextProcessor extends TextProcessorPlugin {
  lowercase(text: string): string {
    return text.toLowerCase();
  }

  wordCount(text: string): number {
    if (text.trim() === "")
      throw new OperationError("EMPTY_TEXT", "nothing to count", { length: text.length });
    return text.trim().split(/\s+/).length;
  }
}

/** Runs the example. */
export async function runTextProcessor(
  newBus: () => Bus,
  log: (line: string) => void = console.log,
): Promise<void> {
  const editor = new EditorCore({ id: "editor", bus: newBus() });
  const plugin = new TextProcessor({ id: "text-processor", bus: newBus() });
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
