/**
 * A contract's operations and options in words, for `orbitalis docs`: how plugins and
 * cores use each operation (a handler, `emit`, `execute`, `request`, `onOutput`), plugin
 * options and per-operation policy, and what a core requires of each operation.
 */
import type { DataModel, OperationModel } from "../model/contract-types.js";
import { code, plural, shortJson } from "./schema-text.js";

type Options = Readonly<Record<string, unknown>>;

/** Whether the operation's input is only messages without a payload (the call takes no data). */
function noData(data: DataModel): boolean {
  return data.none || data.messages.every((m) => m.schema === undefined);
}

function call(op: OperationModel, fn: string): string {
  return code(`${fn}(${JSON.stringify(op.name)}${noData(op.input) ? "" : ", data"})`);
}

/** How a plugin takes part: `handles it with `setTarget(input, ctx)`` or `pushes it with `emit("x", data)``. */
export function pluginUse(op: OperationModel): string {
  return op.action === "receive"
    ? `handles it with ${code(`${op.method}(input, ctx)`)}`
    : `pushes it with ${code(`emit(${JSON.stringify(op.name)}, data)`)} (no handler)`;
}

/** How a core takes part: `execute`, `request` (there is an output) or `onOutput` (a send operation). */
export function coreUse(op: OperationModel): string {
  if (op.action === "send")
    return `receives it with ${code(`onOutput(${JSON.stringify(op.name)}, (data, ctx) => ...)`)}`;
  if (op.output.none) return `calls it with ${call(op, "execute")}`;
  return `calls it with ${call(op, "request")} (resolves with the answer), or ${code("execute")} (answers go to ${code("onOutput")})`;
}

function ids(value: unknown, separator = ", "): string {
  return Array.isArray(value) ? value.map((v) => code(String(v))).join(separator) : code(shortJson(value));
}

/** The option keys a sentence below covers; others are printed as they are written. */
const PLUGIN_KEYS = new Set(["maxCores", "allow", "block", "prefer"]);

function others(options: Options, known: ReadonlySet<string>): string[] {
  return Object.entries(options)
    .filter(([key, value]) => !known.has(key) && value !== undefined)
    .map(([key, value]) => `${code(key)}: ${code(shortJson(value))}`);
}

/** Which cores a plugin serves (or plugins a core takes): `only `a`, `b``, `never `c``. */
function access(options: Options, noun: string): string[] {
  const out: string[] = [];
  if (options.allow !== undefined) out.push(`only ${noun}s ${ids(options.allow)}`);
  if (options.block !== undefined) out.push(`never ${noun}s ${ids(options.block)}`);
  return out;
}

/** A plugin type's options as sentences: how many cores it serves, which, which it prefers. */
export function optionsText(options: Options): string[] {
  const out: string[] = [];
  const max = options.maxCores;
  out.push(
    typeof max === "number"
      ? `Serves at most ${plural(max, "core")} in total (connected or reserved), over all its operations.`
      : "Serves any number of cores.",
  );
  if (options.allow !== undefined) out.push(`Serves only cores ${ids(options.allow)}.`);
  if (options.block !== undefined) out.push(`Never serves cores ${ids(options.block)}.`);
  if (options.allow === undefined && options.block === undefined) out.push("Any core may connect.");
  if (options.prefer !== undefined)
    out.push(`Prefers cores ${ids(options.prefer, ", then ")} when more cores ask than it can serve.`);
  const rest = others(options, PLUGIN_KEYS);
  if (rest.length > 0) out.push(`Also: ${rest.join(", ")}.`);
  return out;
}

/** A per-operation policy as a phrase: `at most 1 core; only cores `a``; empty for none. */
export function policyText(policy: Options): string {
  const out: string[] = [];
  if (typeof policy.maxCores === "number") out.push(`at most ${plural(policy.maxCores, "core")}`);
  out.push(...access(policy, "core"), ...others(policy, new Set(["maxCores", "allow", "block"])));
  return out.join("; ");
}

/** How many connections a core takes for a requirement: `at least 1`, `optional (0 or more)`, `1 to 3`. */
export function requirementCount(options: Options): string {
  const min = typeof options.minimum === "number" ? options.minimum : 1;
  const max = typeof options.maximum === "number" ? options.maximum : undefined;
  const given = options.minimum === undefined ? " (the default)" : "";
  if (min === 0) return max === undefined ? "optional (0 or more)" : `optional, at most ${max}`;
  if (max === undefined) return `at least ${min}${given}`;
  return min === max ? `exactly ${min}` : `${min} to ${max}`;
}

/** Which plugins a requirement takes: `any`, `only `a``, `never `b``, `must include `c``, preference. */
export function requirementPlugins(options: Options): string {
  const out: string[] = [];
  if (options.mandatory !== undefined) out.push(`must include ${ids(options.mandatory)}`);
  out.push(...access(options, "plugin"));
  if (options.prefer !== undefined) out.push(`prefers ${ids(options.prefer, ", then ")}`);
  out.push(...others(options, new Set(["minimum", "maximum", "mandatory", "allow", "block", "prefer"])));
  return out.length > 0 ? out.join("; ") : "any";
}
