/**
 * Where the toolchain finds its own files (templates, the protocol spec, the x-orbitalis
 * schema): the repository when run from sources, the package when installed.
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Root of the repository (from sources) or of the installed CLI package (from dist/). */
export function packageRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.endsWith(join("dist", "generator")) ? resolve(here, "..", "..") : resolve(here, "..");
}

/** A file of the package: `packagePath("spec", "orbitalis.asyncapi.yaml")`. */
export function packagePath(...parts: string[]): string {
  return join(packageRoot(), ...parts);
}
