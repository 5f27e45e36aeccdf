/**
 * `orbitalis validate <spec> <message.json> [--message Name]`: exit 0 valid, 1 invalid,
 * 2 usage or unreadable input.
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { ContractError } from "orbitalis";
import { UsageError, type Io } from "./io.js";

export const VALIDATE_HELP = `usage: orbitalis validate <spec.yaml> <message.json | -> [--message Name]

Validates a JSON message (a file, or - for standard input) against an AsyncAPI spec:
  - the Orbitalis protocol spec: the message's kind picks its schema;
  - a contract: the payload is checked against message Name (--message), or against
    every message with a payload, and the ones it matches are named.
A conformance vector file ({ description, valid, message }) is accepted: its message is
checked and the verdict compared with the vector's.

Exit status: 0 valid, 1 invalid, 2 usage error or unreadable input.`;

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

export async function validate(args: string[], io: Io): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: { message: { type: "string" } },
  });
  const [specFile, messageFile] = positionals;
  if (specFile === undefined || messageFile === undefined || positionals.length > 2) {
    throw new UsageError("give a spec and a message file (or -)");
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
    io.err(`error: ${messageFile} is not JSON: ${(error as Error).message}`);
    return 2;
  }
  const vector = asVector(value);
  const message = vector ? vector.message : value;
  // Loaded lazily: it uses the generated protocol module, which generate-protocol must be able to (re)create.
  const { validateAgainstSpec } = await import("../validate-message.js");
  let result: Awaited<ReturnType<typeof validateAgainstSpec>>;
  try {
    result = await validateAgainstSpec(specFile, message, values.message);
  } catch (error) {
    if (!(error instanceof ContractError)) throw error;
    io.err(`error: ${error.message}`);
    return 2;
  }
  if (result.ok) io.out(`valid ${result.what}`);
  else {
    io.out(`invalid message (${messageFile}):`);
    for (const e of result.errors) io.out(`  ${e}`);
  }
  if (vector) {
    const agrees = vector.valid === result.ok;
    io.out(
      `conformance vector (${vector.description}): expects ${vector.valid ? "valid" : "invalid"}; ${agrees ? "the verdict agrees" : "THE VERDICT DISAGREES"}`,
    );
  }
  return result.ok ? 0 : 1;
}
