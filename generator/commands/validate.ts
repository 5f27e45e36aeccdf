/**
 * `orbitalis validate <spec> <message.json> [--message Name]`: exit 0 valid, 1 invalid,
 * 2 usage or unreadable input. One line when valid; when invalid a heading, one line per
 * error (`<pointer>: expected <what>, found <value>`) and, when no message was named and
 * none matched, one line naming the others it was checked against.
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { ContractError } from "orbitalis";
import { plural } from "../text/schema-text.js";
import { ArgumentProblem, notAFile, parseProblem, usageProblem } from "./arguments.js";
import type { Io } from "./io.js";

export const VALIDATE_HELP = `usage: orbitalis validate <spec.yaml> <message.json | -> [--message Name]

Validates a JSON message (a file, or - for standard input) against an AsyncAPI spec:
  - the Orbitalis protocol spec: the message's kind (or --message KIND) picks its schema;
  - a contract: the payload is checked against message Name (--message), or against
    every message with a payload: it names the ones it matches or, when it matches
    none, prints the errors of the closest one.
Each error is one line: where in the message (a JSON pointer), what was expected, what
was found. A conformance vector file ({ description, valid, message }) is accepted: its
message is checked and the verdict compared with the vector's.

Exit status: 0 valid, 1 invalid, 2 usage error or unreadable input.`;

/** Error lines printed for the closest of several messages; --message prints them all. */
const SHOWN = 10;
/** Other candidates named on the last line. */
const NAMED = 6;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** A conformance vector of spec/conformance/: the message to check and the expected verdict. */
function asVector(value: unknown): { message: unknown; valid: boolean; description: string } | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const keys = Object.keys(v).sort().join(",");
  if (keys !== "description,message,valid" || typeof v.valid !== "boolean") return undefined;
  return { message: v.message, valid: v.valid, description: String(v.description) };
}

/** The two files, or the problem with the command line. */
async function files(args: string[]): Promise<{ spec: string; message: string; name: string | undefined }> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: { message: { type: "string" } },
    });
  } catch (error) {
    throw parseProblem(error);
  }
  const { positionals, values } = parsed;
  const [spec, message, ...extra] = positionals;
  if (spec === undefined)
    throw new ArgumentProblem("give a spec and a message file (or - for standard input)");
  if (message === undefined)
    throw new ArgumentProblem(`give the message file to check against ${spec} (or - for standard input)`);
  if (extra.length > 0)
    throw new ArgumentProblem(`one spec and one message at a time; also given: ${extra.join(" ")}`);
  const problem =
    (await notAFile(spec, "spec")) ?? (message === "-" ? undefined : await notAFile(message, "message"));
  if (problem) throw new ArgumentProblem(problem);
  return { spec, message, name: values.message };
}

/** Why a message file that is not JSON is not: it may be the spec, given in the wrong place. */
function notJson(file: string, text: string, error: Error): string {
  if (text.trim() === "") return `${file} is empty: a message is one JSON value`;
  if (/\.ya?ml$/i.test(file) || /^asyncapi\s*:/m.test(text))
    return `${file} looks like an AsyncAPI spec, not a JSON message: the spec comes first (orbitalis validate <spec.yaml> <message.json>)`;
  return `${file} is not JSON: ${error.message.split("\n")[0]!}`;
}

export async function validate(args: string[], io: Io): Promise<number> {
  let spec: string;
  let messageFile: string;
  let messageName: string | undefined;
  try {
    ({ spec, message: messageFile, name: messageName } = await files(args));
  } catch (error) {
    if (error instanceof ArgumentProblem) return usageProblem(io, "validate", VALIDATE_HELP, error.message);
    throw error;
  }
  let text: string;
  try {
    text = messageFile === "-" ? await readStdin() : await readFile(messageFile, "utf8");
  } catch (error) {
    io.err(`error: cannot read ${messageFile}: ${(error as Error).message}`);
    return 2;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    io.err(`error: ${notJson(messageFile === "-" ? "standard input" : messageFile, text, error as Error)}`);
    return 2;
  }
  const vector = asVector(value);
  const message = vector ? vector.message : value;
  // Loaded lazily: it uses the generated protocol module, which generate-protocol must be able to (re)create.
  const { validateAgainstSpec } = await import("../text/validate-message.js");
  let result: Awaited<ReturnType<typeof validateAgainstSpec>>;
  try {
    result = await validateAgainstSpec(spec, message, messageName);
  } catch (error) {
    if (!(error instanceof ContractError)) throw error;
    io.err(`error: ${error.message}`);
    return 2;
  }
  if (result.ok) io.out(`valid ${result.what}`);
  else {
    const count = plural(result.errors.length, "error");
    io.out(
      result.unmatched === undefined
        ? `invalid ${result.what} (${count}):`
        : `invalid: ${result.unmatched}; closest is ${result.what} (${count}):`,
    );
    const shown = result.unmatched === undefined ? result.errors : result.errors.slice(0, SHOWN);
    for (const line of shown) io.out(`  ${line}`);
    if (shown.length < result.errors.length)
      io.out(
        `  ... ${result.errors.length - shown.length} more (--message ${result.what.split(" ")[0]!} prints them all)`,
      );
    if (result.others.length > 0) {
      const named = result.others.slice(0, NAMED).map((o) => `${o.name} (${plural(o.errors, "error")})`);
      const more = result.others.length - named.length;
      io.out(`also checked against ${named.join(", ")}${more > 0 ? ` and ${more} more` : ""}`);
    }
  }
  if (vector) {
    const agrees = vector.valid === result.ok;
    io.out(
      `conformance vector (${vector.description}): expects ${vector.valid ? "valid" : "invalid"}; ${agrees ? "the verdict agrees" : "THE VERDICT DISAGREES"}`,
    );
  }
  return result.ok ? 0 : 1;
}
