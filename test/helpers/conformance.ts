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

/** Every vector, path relative to the vectors folder with `/` separators. */
export function loadVectors(dir = VECTORS_DIR): Vector[] {
  const out: Vector[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith(".json")) {
        const v = JSON.parse(readFileSync(full, "utf8")) as Omit<Vector, "file">;
        out.push({ ...v, file: relative(dir, full).split("\\").join("/") });
      }
    }
  };
  walk(dir);
  return out;
}
