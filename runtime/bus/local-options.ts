/**
 * The options of the in-process bus: `LocalHub` and the `LocalBus` clients it
 * creates (local-hub.ts, local-bus.ts).
 */
import type { BaseBusOptions } from "./base.js";

/** Options of `LocalHub`. */
export interface LocalHubOptions {
  /**
   * Receives errors thrown by subscriber handlers (delivery to the others goes on).
   * Default: `console.warn`.
   */
  readonly onError?: (error: unknown, topic: string) => void;
  /**
   * Messages delivered in one go before the hub yields to the event loop (with
   * `setImmediate`), so that handlers publishing in a loop cannot starve I/O. Default 1024.
   */
  readonly batchSize?: number;
}

/** Options of `LocalHub.bus`. */
export type LocalBusOptions = BaseBusOptions;
