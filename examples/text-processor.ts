/**
 * A text-processor plugin answering requests of an editor core with typed results.
 *
 *   npx tsx examples/text-processor.ts
 */
import { pathToFileURL } from "node:url";
import { Core, LocalHub, Plugin, RemoteOperationError, type Bus } from "../runtime/index.js";

const Text = { type: "string", maxLength: 1_000_000 } as const;
const Count = { type: "integer", minimum: 0 } as const;

/** The plugin: lowercase and word_count. */
export function textProcessor(bus: Bus): Plugin {
  return new Plugin({ id: "text-processor", bus })
    .operation("lowercase", { input: { schemas: [Text] }, output: { schemas: [Text] } }, (s: string) =>
      s.toLowerCase(),
    )
    .operation("word_count", { input: { schemas: [Text] }, output: { schemas: [Count] } }, (s: string) => {
      if (s.trim() === "") throw new Error("nothing to count");
      return s.trim().split(/\s+/).length;
    });
}

/** Runs the example. */
export async function runTextProcessor(
  newBus: () => Bus,
  log: (line: string) => void = console.log,
): Promise<void> {
  const editor = new Core({
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
  log(`lowercase -> ${await editor.request<string>("lowercase", text)}`);
  log(`word_count -> ${await editor.request<number>("word_count", text)}`);
  try {
    await editor.request("word_count", "   ");
  } catch (error) {
    if (error instanceof RemoteOperationError)
      log(`word_count of blanks -> ${error.code}/${error.remoteCode}: ${error.message}`);
  }
  await Promise.all([editor.stop(), plugin.stop()]);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const hub = new LocalHub();
  await runTextProcessor(() => hub.bus());
}
