import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

/** A conformance vector file of spec/conformance. */
export interface Vector {
  readonly file: string;
  readonly description: string;
  readonly valid: boolean;
  readonly message: unknown;
}

export const VECTORS_DIR = "spec/conformance";
/** The folder of known-answer vectors (HMAC, fingerprints, matching) inside the vectors folder: not messages. */
export const KNOWN_ANSWERS_DIR = "vectors";

/** Every vector, path relative to the vectors folder with `/` separators. */
export function loadVectors(dir = VECTORS_DIR): Vector[] {
  const out: Vector[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) {
        if (full !== join(dir, KNOWN_ANSWERS_DIR)) walk(full);
      } else if (name.endsWith(".json")) {
        const v = JSON.parse(readFileSync(full, "utf8")) as Omit<Vector, "file">;
        out.push({ ...v, file: relative(dir, full).split("\\").join("/") });
      }
    }
  };
  walk(dir);
  return out;
}

/** One case of a known-answer vector file (`group` is the array it is in: `cases` or `dataCases`). */
export interface KnownAnswer {
  readonly file: string;
  readonly group: string;
  readonly name: string;
}

/** Every case of the known-answer vector files (`vectors/NAME.json`), in file order. */
export function loadKnownAnswers(dir = VECTORS_DIR): KnownAnswer[] {
  const folder = join(dir, KNOWN_ANSWERS_DIR);
  return readdirSync(folder)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .flatMap((name) => {
      const doc = JSON.parse(readFileSync(join(folder, name), "utf8")) as Record<string, unknown>;
      return ["cases", "dataCases"].flatMap((group) =>
        ((doc[group] as { name: string }[] | undefined) ?? []).map((c) => ({
          file: `${KNOWN_ANSWERS_DIR}/${name}`,
          group,
          name: c.name,
        })),
      );
    });
}
