/**
 * Loads an AsyncAPI 3 document: validated by @asyncapi/parser (errors become a
 * ContractError naming the file and JSON pointer), and also kept as plain data for the
 * parts the generator reads directly (component schemas keep their names that way).
 */
import { readFile } from "node:fs/promises";
import { Parser, type AsyncAPIDocumentInterface } from "@asyncapi/parser";
import { parse as parseYaml, LineCounter, parseDocument } from "yaml";
import { ContractError } from "orbitalis";

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
}

const SEVERITY = ["error", "warning", "info", "hint"] as const;

/** Line (1-based) of a JSON pointer path in a YAML/JSON text, when it can be found. */
export function lineOf(text: string, path: readonly (string | number)[]): number | undefined {
  try {
    const counter = new LineCounter();
    const doc = parseDocument(text, { lineCounter: counter });
    for (let depth = path.length; depth >= 0; depth--) {
      const node = doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return counter.linePos(node.range[0]).line;
    }
  } catch {
    // A text the YAML library cannot read has no lines to point at; the parser's own message stands.
  }
  return undefined;
}

/** Formats a JSON pointer from path segments. */
export function pointer(path: readonly (string | number)[]): string {
  return "#/" + path.map((p) => String(p).replace(/~/g, "~0").replace(/\//g, "~1")).join("/");
}

/** The spec or contract file cannot be read at all (a usage problem: the CLI exits 2). */
export class UnreadableFileError extends ContractError {}

/**
 * Reads and validates an AsyncAPI 3 document.
 * @throws ContractError when the file cannot be read, is not YAML/JSON, or has error diagnostics.
 */
export async function loadSpec(file: string): Promise<LoadedSpec> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new UnreadableFileError(file, `cannot read the file (${(error as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ContractError(file, `not valid YAML or JSON: ${(error as Error).message}`);
  }
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
  const parser = new Parser();
  const { document, diagnostics } = await parser.parse(text, { source: file });
  const errors: string[] = [];
  const notes: string[] = [];
  for (const d of diagnostics) {
    const line = lineOf(text, d.path);
    const where = `${file}${line === undefined ? "" : `:${line}`} ${pointer(d.path)}`;
    if ((d.severity as number) === 0) errors.push(`${where}: ${d.message}`);
    else notes.push(`${SEVERITY[d.severity] ?? "note"} ${where}: ${d.message}`);
  }
  if (errors.length > 0 || document === undefined) {
    throw new ContractError(file, `invalid AsyncAPI document:\n  ${errors.join("\n  ")}`);
  }
  return { file, text, document, raw: raw as Record<string, unknown>, notes };
}
