/**
 * Plugin capacity, a part of the plugin role: whether a core can have one more slot of an
 * operation now, within the operation's `policy.maxCores` and the plugin's `maxCores`
 * (connections and reservations both count). When only reservations fill it, a core that
 * is not a suspect takes over the oldest one that may be taken over (see {@link Reservations}).
 */
import type { ConnectionTable } from "./connection-table.js";
import type { Operation } from "./plugin-serving.js";
import type { Reservations } from "./reservations.js";

export class PluginCapacity {
  constructor(
    private readonly reservations: Reservations,
    private readonly table: ConnectionTable,
    /** The plugin's maxCores (all operations together), if any. */
    private readonly maxCores: number | undefined,
  ) {}

  /** Which limit keeps `core` from a new slot of `op` now, in words, or undefined. */
  full(op: Operation, core: string): string | undefined {
    const r = this.reservations;
    const mayTakeOver = !r.isSuspect(core);
    if (op.maxCores !== undefined && r.usage(op.name) >= op.maxCores) {
      if (!(mayTakeOver && r.takeOver((x) => x.operation === op.name && x.core !== core)))
        return `operation(${JSON.stringify(op.name)}).policy.maxCores ${op.maxCores} reached (connected or reserved)`;
    }
    if (this.maxCores !== undefined) {
      const served = r.servedCores();
      if (served.has(core) || served.size < this.maxCores) return undefined;
      const table = this.table;
      if (!(mayTakeOver && r.takeOver((x) => x.core !== core && !table.hasRemote(x.core, "plugin"))))
        return `maxCores ${this.maxCores} reached (connected or reserved)`;
    }
    return undefined;
  }
}
