/**
 * The files of a contract: the main file and every file its `$ref`s reach (YAML or JSON,
 * each `$ref` relative to the file that holds it), read and checked before the AsyncAPI
 * parser runs, so that a broken `$ref` is reported where it is written (file and line),
 * a missing file by the path it names, and a remote URL is refused (generation never goes
 * to the network); and where a path of the resolved document is written, across files.
 */
import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { isMap, isScalar, isSeq, parse as parseYaml, LineCounter, parseDocument } from "yaml";
import { ContractError } from "orbitalis";

/** One file of a contract: the main file, or one that its `$ref`s reach (transitively). */
export interface SpecFile {
  /**
   * How errors name it: the main file as it was given, every other file joined to the
   * folder of the file that references it (`schemas/common.yaml` for a
   * `$ref: ./schemas/common.yaml` in `weather.asyncapi.yaml`).
   */
  readonly name: string;
  /** Its absolute path. */
  readonly path: string;
  /** Its text. */
  readonly text: string;
  /** Its content as plain data. */
  readonly data: unknown;
}

/** Where a JSON pointer path of a document is written. */
export interface SpecLocation {
  /** The file's name (see {@link SpecFile.name}). */
  readonly file: string;
  /** Line (1-based) in that file, when it can be found. */
  readonly line: number | undefined;
  /** The JSON pointer path in that file. */
  readonly path: readonly (string | number)[];
}

/**
 * A function from a JSON pointer path to its line (1-based) in `text`, parsing `text`
 * once: the line of the key for a map entry (where `name:` is, not its first field), of
 * the item for a sequence entry; a path that does not exist gets the line of its deepest
 * part that does.
 */
export function lineFinder(text: string): (path: readonly (string | number)[]) => number | undefined {
  let doc: ReturnType<typeof parseDocument> | undefined;
  const counter = new LineCounter();
  try {
    doc = parseDocument(text, { lineCounter: counter });
  } catch {
    // A text the YAML library cannot read has no lines to point at; the message stands alone.
  }
  const lineAt = (node: unknown): number | undefined => {
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    return range ? counter.linePos(range[0]).line : undefined;
  };
  const entry = (path: readonly (string | number)[]): number | undefined => {
    if (!doc) return undefined;
    if (path.length === 0) return lineAt(doc.contents);
    const parent: unknown = doc.getIn(path.slice(0, -1), true);
    const last = String(path[path.length - 1]);
    if (isMap(parent)) {
      const pair = parent.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === last);
      return pair ? (lineAt(pair.key) ?? lineAt(pair.value)) : undefined;
    }
    if (isSeq(parent) && /^\d+$/.test(last)) return lineAt(parent.items[Number(last)]);
    return undefined;
  };
  return (path) => {
    for (let depth = path.length; depth >= 0; depth--) {
      try {
        const line = entry(path.slice(0, depth));
        if (line !== undefined) return line;
      } catch {
        // A path through a scalar: try the shorter one.
      }
    }
    return undefined;
  };
}

/** Line (1-based) of a JSON pointer path in a YAML/JSON text, when it can be found. */
export function lineOf(text: string, path: readonly (string | number)[]): number | undefined {
  return lineFinder(text)(path);
}

/** Formats a JSON pointer from path segments. */
export function pointer(path: readonly (string | number)[]): string {
  return "#/" + path.map((p) => String(p).replace(/~/g, "~0").replace(/\//g, "~1")).join("/");
}

/** Formats a location as errors give it: `file:line #/pointer`. */
export function format(at: SpecLocation): string {
  return `${at.file}${at.line === undefined ? "" : `:${at.line}`} ${pointer(at.path)}`;
}

/** The spec or contract file cannot be read at all (a usage problem: the CLI exits 2). */
export class UnreadableFileError extends ContractError {}

export type Path = (string | number)[];

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** The child of `node` at `key`, or `undefined`. */
export function child(node: unknown, key: string | number): unknown {
  if (Array.isArray(node)) {
    const i = typeof key === "number" ? key : /^(0|[1-9]\d*)$/.test(key) ? Number(key) : -1;
    return i >= 0 && i < node.length ? (node[i] as unknown) : undefined;
  }
  if (isRecord(node) && Object.hasOwn(node, String(key))) return node[String(key)];
  return undefined;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A `$ref` split into its file part and its JSON pointer (`undefined`: not a pointer). */
export function splitRef(ref: string): { file: string; pointer: Path | undefined; fragment: string } {
  const hash = ref.indexOf("#");
  const file = decode(hash < 0 ? ref : ref.slice(0, hash));
  const fragment = hash < 0 ? "" : decode(ref.slice(hash + 1));
  if (fragment === "") return { file, pointer: [], fragment };
  if (!fragment.startsWith("/")) return { file, pointer: undefined, fragment };
  const segments = fragment
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  return { file, pointer: segments, fragment };
}

/** A URL scheme at the start of a `$ref` (two letters at least: `C:` is a drive). */
export const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]+):/;

/** The files of a contract and what is wrong with its `$ref`s. */
export interface ReferenceGraph {
  /** Every file read, the main file first. */
  readonly files: SpecFile[];
  /** Files that a `$ref` names and that do not exist: absolute path -> name. */
  readonly missing: Map<string, string>;
  /** One line per broken `$ref` (`file:line #/pointer: reason`). */
  readonly errors: string[];
}

/**
 * Reads every file that the `$ref`s of `main` reach, transitively, and checks each
 * `$ref`: a file that exists and is YAML or JSON, a pointer that exists in it, no URL.
 * Never throws: what is wrong is in `errors`.
 */
export async function readReferences(main: SpecFile): Promise<ReferenceGraph> {
  const byPath = new Map<string, SpecFile>([[main.path, main]]);
  const files: SpecFile[] = [main];
  const missing = new Map<string, string>();
  const errors: string[] = [];
  const broken = new Set<string>(); // absolute paths that cannot be read or parsed
  const lines = new Map<SpecFile, (path: readonly (string | number)[]) => number | undefined>();
  const at = (file: SpecFile, path: Path): string => {
    let find = lines.get(file);
    if (!find) lines.set(file, (find = lineFinder(file.text)));
    return format({ file: file.name, line: find(path), path });
  };

  const open = async (
    path: string,
    name: string,
    ref: string,
    from: () => string,
  ): Promise<SpecFile | undefined> => {
    const known = byPath.get(path);
    if (known) return known;
    if (broken.has(path)) return undefined;
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      broken.add(path);
      if ((error as NodeJS.ErrnoException).code === "ENOENT") {
        missing.set(path, name);
        errors.push(`${from()}: $ref ${JSON.stringify(ref)}: ${name} does not exist`);
      } else
        errors.push(
          `${from()}: $ref ${JSON.stringify(ref)}: cannot read ${name} (${(error as Error).message})`,
        );
      return undefined;
    }
    let data: unknown;
    try {
      data = parseYaml(text);
    } catch (error) {
      broken.add(path);
      errors.push(`${name}: not valid YAML or JSON (referenced from ${from()}): ${(error as Error).message}`);
      return undefined;
    }
    const file: SpecFile = { name, path, text, data };
    byPath.set(path, file);
    files.push(file);
    return file;
  };

  // Files are appended to `files` as they are found: the loop reaches every one.
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    const refs: { ref: string; path: Path }[] = [];
    const walk = (node: unknown, path: Path): void => {
      if (Array.isArray(node)) node.forEach((item, j) => walk(item, [...path, j]));
      else if (isRecord(node)) {
        for (const [key, value] of Object.entries(node)) {
          if (key === "$ref" && typeof value === "string") refs.push({ ref: value, path: [...path, key] });
          else walk(value, [...path, key]);
        }
      }
    };
    walk(file.data, []);
    for (const { ref, path } of refs) {
      const from = (): string => at(file, path);
      const scheme = SCHEME.exec(ref)?.[1]?.toLowerCase();
      if (scheme === "http" || scheme === "https") {
        errors.push(
          `${from()}: $ref ${JSON.stringify(ref)} is a remote URL: orbitalis does not fetch over the network; ` +
            `save the file beside the contract and $ref it by a relative path`,
        );
        continue;
      }
      if (scheme !== undefined) {
        errors.push(
          `${from()}: $ref ${JSON.stringify(ref)}: only relative file paths and #/pointers are supported`,
        );
        continue;
      }
      const parts = splitRef(ref);
      let target: SpecFile | undefined = file;
      if (parts.file !== "") {
        const name = isAbsolute(parts.file) ? parts.file : join(dirname(file.name), parts.file);
        target = await open(resolve(dirname(file.path), parts.file), name, ref, from);
        if (!target) continue;
      }
      if (parts.pointer === undefined) {
        errors.push(
          `${from()}: $ref ${JSON.stringify(ref)}: "#${parts.fragment}" is not a JSON pointer (#/...)`,
        );
        continue;
      }
      let node: unknown = target.data;
      for (const segment of parts.pointer) node = child(node, segment);
      if (node === undefined) {
        errors.push(
          `${from()}: ${JSON.stringify(ref)} does not exist: ${target.name} has no ${pointer(parts.pointer)}`,
        );
      }
    }
  }
  return { files, missing, errors: [...new Set(errors)] };
}

/** The main file of a contract as a {@link SpecFile}, or an error. */
export async function readMain(file: string): Promise<SpecFile> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new UnreadableFileError(file, `cannot read the file (${(error as Error).message})`);
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw new ContractError(file, `not valid YAML or JSON: ${(error as Error).message}`);
  }
  return { name: file, path: resolve(file), text, data };
}

/** A file that a contract is made of, or names and lacks. */
export interface ContractFile {
  /** How errors name it (see {@link SpecFile.name}). */
  readonly name: string;
  /** Its absolute path. */
  readonly path: string;
  /** Whether it exists (a `$ref` may name a file that does not, yet). */
  readonly exists: boolean;
}

/**
 * Every file that `file` is made of: itself, and each file that its `$ref`s reach,
 * transitively, including those named but missing. Best effort, never throws: a file
 * that cannot be read or parsed is listed and not followed. For `generate --watch`.
 */
export async function contractFiles(file: string): Promise<ContractFile[]> {
  let main: SpecFile;
  try {
    main = await readMain(file);
  } catch {
    return [{ name: file, path: resolve(file), exists: false }];
  }
  const graph = await readReferences(main);
  return [
    ...graph.files.map((f) => ({ name: f.name, path: f.path, exists: true })),
    ...[...graph.missing].map(([path, name]) => ({ name, path, exists: false })),
  ];
}

/** Where paths of a contract's resolved document are written, across its files. */
export interface Locator {
  /**
   * Where a path of the (resolved) document is written: through `$ref`s into the file
   * that holds it; in the main file, past a `$ref` within it.
   */
  locate(path: readonly (string | number)[]): SpecLocation;
  /** `locate` formatted for errors: `file:line #/pointer`. */
  where(path: readonly (string | number)[]): string;
}

/** The {@link Locator} of a contract's files (the main file first). */
export function locator(files: readonly SpecFile[]): Locator {
  const main = files[0]!;
  const byPath = new Map(files.map((f) => [f.path, f]));
  const finders = new Map<SpecFile, (path: readonly (string | number)[]) => number | undefined>();
  const lineIn = (file: SpecFile, path: readonly (string | number)[]): number | undefined => {
    let find = finders.get(file);
    if (!find) finders.set(file, (find = lineFinder(file.text)));
    return find(path);
  };
  const locate = (path: readonly (string | number)[]): SpecLocation => {
    let file = main;
    let node = main.data;
    let at: Path = [];
    let left = false; // whether a $ref led out of the main file
    let hopped = false; // whether a $ref was followed at all
    const follow = (): void => {
      // Bounded: a cycle of $refs (the parser reports those) must not loop here.
      for (let hops = 0; hops < 64 && isRecord(node) && typeof node.$ref === "string"; hops++) {
        const ref = node.$ref;
        if (SCHEME.test(ref)) return;
        const parts = splitRef(ref);
        if (parts.pointer === undefined) return;
        const target = parts.file === "" ? file : byPath.get(resolve(dirname(file.path), parts.file));
        if (!target) return;
        let next: unknown = target.data;
        for (const segment of parts.pointer) next = child(next, segment);
        if (next === undefined) return;
        if (target !== main) left = true;
        hopped = true;
        file = target;
        node = next;
        at = [...parts.pointer];
      }
    };
    for (const segment of path) {
      follow();
      let next = child(node, segment);
      if (next === undefined && segment === "messages" && isRecord(node) && node.channel !== undefined) {
        // An operation or reply without `messages` has those of its channel (AsyncAPI 3).
        node = node.channel;
        at.push("channel");
        follow();
        next = child(node, segment);
      }
      if (next === undefined) break;
      node = next;
      at.push(segment);
    }
    follow();
    // Within the main file the pointer stays the path as the contract reads it, and the
    // line is where the thing is written (past any $ref), not the line of the $ref.
    if (!left) return { file: main.name, line: lineIn(main, hopped ? at : path), path };
    return { file: file.name, line: lineIn(file, at), path: at };
  };
  return { locate, where: (path) => format(locate(path)) };
}
