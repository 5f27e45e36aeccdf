/**
 * Loads an AsyncAPI 3 document: validated by @asyncapi/parser (errors become a
 * ContractError naming the file and JSON pointer), and also kept as plain data for the
 * parts the generator reads directly (component schemas keep their names that way).
 * A contract may be split into several files: spec-files.ts reads and checks them, and
 * errors inside a referenced file name that file, relative to the main file as given.
 */
import { resolve } from "node:path";
import { Parser, type AsyncAPIDocumentInterface } from "@asyncapi/parser";
import { ContractError } from "orbitalis";
import {
  format,
  lineOf,
  locator,
  readMain,
  readReferences,
  type SpecFile,
  type SpecLocation,
} from "./spec-files.js";

export {
  contractFiles,
  lineOf,
  pointer,
  UnreadableFileError,
  type ContractFile,
  type SpecFile,
  type SpecLocation,
} from "./spec-files.js";

/** A parsed, validated AsyncAPI document. */
export interface LoadedSpec {
  /** Path it was read from. */
  readonly file: string;
  /** The parser's model. */
  readonly document: AsyncAPIDocumentInterface;
  /** The text of the file. */
  readonly text: string;
  /** The document as plain data (YAML or JSON), `$ref`s left as written. */
  readonly raw: Record<string, unknown>;
  /** Non-error diagnostics (warnings, infos) as `severity file#pointer: message`. */
  readonly notes: readonly string[];
  /** The main file first, then every file its `$ref`s reach, each once. */
  readonly files: readonly SpecFile[];
  /**
   * Where a path of the (resolved) document is written: through `$ref`s into the file
   * that holds it. A path that stays in the main file is located as {@link lineOf} does.
   */
  locate(path: readonly (string | number)[]): SpecLocation;
  /** {@link LoadedSpec.locate} formatted for errors: `file:line #/pointer`. */
  where(path: readonly (string | number)[]): string;
}

const SEVERITY = ["error", "warning", "info", "hint"] as const;

/**
 * Reads and validates an AsyncAPI 3 document, and the files its `$ref`s reach.
 * @throws ContractError when a file cannot be read, is not YAML/JSON, a `$ref` is broken
 * or remote, or the document has error diagnostics.
 */
export async function loadSpec(file: string): Promise<LoadedSpec> {
  const main = await readMain(file);
  const { text, data: raw } = main;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new ContractError(file, "the document must be a YAML or JSON object");
  }
  const version = (raw as { asyncapi?: unknown }).asyncapi;
  if (typeof version !== "string" || !version.startsWith("3.")) {
    throw new ContractError(
      `${file}#/asyncapi`,
      `expected an AsyncAPI 3.x document, found ${JSON.stringify(version)}`,
    );
  }
  const graph = await readReferences(main);
  if (graph.errors.length > 0) {
    throw new ContractError(file, `invalid AsyncAPI document:\n  ${graph.errors.join("\n  ")}`);
  }
  const files = graph.files;
  const byPath = new Map(files.map((f) => [f.path, f]));
  const parser = new Parser();
  // An absolute source: the parser then tells in which file a diagnostic is (relative paths lose it).
  const { document, diagnostics } = await parser.parse(text, { source: main.path });
  const errors: string[] = [];
  const notes: string[] = [];
  for (const d of diagnostics) {
    const source = (d.source === undefined ? undefined : byPath.get(resolve(d.source))) ?? main;
    const where = format({ file: source.name, line: lineOf(source.text, d.path), path: d.path });
    if ((d.severity as number) === 0) errors.push(`${where}: ${d.message}`);
    else notes.push(`${SEVERITY[d.severity] ?? "note"} ${where}: ${d.message}`);
  }
  if (errors.length > 0 || document === undefined) {
    throw new ContractError(file, `invalid AsyncAPI document:\n  ${errors.join("\n  ")}`);
  }
  return { file, text, document, raw: raw as Record<string, unknown>, notes, files, ...locator(files) };
}
