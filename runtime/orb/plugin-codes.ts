/**
 * The error codes a plugin itself sends in `error` messages (a handler may send its own
 * with an OperationError). Cores read them too: `CLOSING` is a closed connection to them.
 */
/** Error codes a plugin sends in `error` messages (besides the handlers' own). */
export const PLUGIN_ERROR_CODES = {
  invalidInput: "INVALID_INPUT",
  invalidOutput: "INVALID_OUTPUT",
  handler: "HANDLER_ERROR",
  closing: "CLOSING",
} as const;
