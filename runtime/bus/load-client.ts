/**
 * Loads a bus client library when its adapter connects, never when `orbitalis` is
 * imported: an application that uses only the in-process bus (or only MQTT) does not load,
 * or even need, the NATS and Redis clients.
 * @packageDocumentation
 */
import { BusError } from "../errors.js";

/**
 * Runs `importer` (a literal `import("pkg")`, so bundlers still see it) and returns the
 * module. When the package is not installed, rejects with a `BusError` of code
 * `ERR_BUS_CLIENT_MISSING` that names the package to install.
 */
export async function loadClient<T>(pkg: string, bus: string, importer: () => Promise<T>): Promise<T> {
  try {
    return await importer();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const text = error instanceof Error ? error.message : String(error);
    // The client itself is missing (not one of its own dependencies).
    const itself = text.includes(`'${pkg}'`) || text.includes(`"${pkg}"`);
    if ((code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") && itself) {
      throw new BusError(
        "ERR_BUS_CLIENT_MISSING",
        `${bus} needs the package ${pkg}, which is not installed: npm install ${pkg}`,
        { cause: error },
      );
    }
    throw new BusError("ERR_BUS", `${bus} could not load ${pkg}: ${text}`, { cause: error });
  }
}
