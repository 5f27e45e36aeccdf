/**
 * Validates a message against the message schemas of any Orbitalis-style AsyncAPI spec,
 * compiling the schemas at run time (the CLI's `validate`; the runtime itself uses the
 * pre-compiled generated validators).
 */
import { loadSpec } from "./load-spec.js";
import { buildProtocolModel } from "./protocol-model.js";
import { combinedSchema, protocolAjv, SCHEMA_ID } from "./emit-protocol.js";
import { formatValidationErrors } from "orbitalis/protocol";

/** Result of {@link validateAgainstSpec}. */
export type SpecValidation = { ok: true; kind: string } | { ok: false; errors: string[] };

/** Validates `message` against the schema of its `kind` in `specFile`. */
export async function validateAgainstSpec(specFile: string, message: unknown): Promise<SpecValidation> {
  const model = buildProtocolModel(await loadSpec(specFile));
  const kinds = model.messages.map((m) => m.kind);
  const kind = (message as { kind?: unknown } | null)?.kind;
  const entry = model.messages.find((m) => m.kind === kind);
  if (message === null || typeof message !== "object" || Array.isArray(message)) {
    return { ok: false, errors: ["/: must be a JSON object"] };
  }
  if (!entry)
    return {
      ok: false,
      errors: [`/kind: must be one of ${kinds.join(", ")} (found ${JSON.stringify(kind) ?? "nothing"})`],
    };
  const ajv = protocolAjv(false);
  ajv.addSchema(combinedSchema(model));
  const validate = ajv.getSchema(`${SCHEMA_ID}#/definitions/${entry.schemaName}`);
  if (!validate) return { ok: false, errors: [`no schema for kind ${entry.kind}`] };
  if (validate(message)) return { ok: true, kind: entry.kind };
  return { ok: false, errors: formatValidationErrors(validate.errors) };
}
