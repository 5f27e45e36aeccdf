/**
 * Validates a message against an AsyncAPI spec, compiling the schemas at run time (the
 * CLI's `validate`; orbs use precompiled validators):
 * - the Orbitalis protocol spec: by the message's `kind`;
 * - a contract: against the payload of a named message, or every message, to find which
 *   one it is.
 */
import Ajv from "ajv";
import { ContractError } from "orbitalis";
import { formatValidationErrors } from "orbitalis/protocol";
import { buildContractModel } from "./contract-model.js";
import { combinedSchema, protocolAjv, SCHEMA_ID } from "./emit-protocol.js";
import { loadSpec, type LoadedSpec } from "./load-spec.js";
import { buildProtocolModel, type ProtocolModel } from "./protocol-model.js";

/** Result of {@link validateAgainstSpec}: `what` names the message kind or message name. */
export type SpecValidation = { ok: true; what: string } | { ok: false; errors: string[] };

/** Validates `message` against `specFile`: the protocol (by kind) or a contract (by `messageName`, or any). */
export async function validateAgainstSpec(
  specFile: string,
  message: unknown,
  messageName?: string,
): Promise<SpecValidation> {
  const spec = await loadSpec(specFile);
  const protocol = spec.raw["x-orbitalis"] === undefined ? tryProtocol(spec) : undefined;
  if (protocol) {
    if (
      messageName !== undefined &&
      !protocol.messages.some((m) => m.kind === messageName || m.schemaName === messageName)
    )
      throw new ContractError(
        `${specFile}`,
        `no message ${JSON.stringify(messageName)} (kinds: ${protocol.messages.map((m) => m.kind).join(", ")})`,
      );
    return validateProtocol(protocol, message);
  }
  return validateContract(spec, message, messageName);
}

function tryProtocol(spec: LoadedSpec): ProtocolModel | undefined {
  try {
    return buildProtocolModel(spec);
  } catch {
    return undefined; // not the protocol spec: a contract
  }
}

function validateProtocol(model: ProtocolModel, message: unknown): SpecValidation {
  const kinds = model.messages.map((m) => m.kind);
  if (message === null || typeof message !== "object" || Array.isArray(message)) {
    return { ok: false, errors: ["/: must be a JSON object"] };
  }
  const kind = (message as { kind?: unknown }).kind;
  const entry = model.messages.find((m) => m.kind === kind);
  if (!entry)
    return {
      ok: false,
      errors: [`/kind: must be one of ${kinds.join(", ")} (found ${JSON.stringify(kind) ?? "nothing"})`],
    };
  const ajv = protocolAjv(false);
  ajv.addSchema(combinedSchema(model));
  const validate = ajv.getSchema(`${SCHEMA_ID}#/definitions/${entry.schemaName}`);
  if (!validate) return { ok: false, errors: [`no schema for kind ${entry.kind}`] };
  if (validate(message)) return { ok: true, what: `${entry.kind} message` };
  return { ok: false, errors: formatValidationErrors(validate.errors) };
}

function validateContract(
  spec: LoadedSpec,
  payload: unknown,
  messageName: string | undefined,
): SpecValidation {
  const model = buildContractModel(spec);
  const candidates =
    messageName === undefined
      ? model.messages.filter((m) => m.schema !== undefined)
      : model.messages.filter((m) => m.name === messageName || m.typeName === messageName);
  if (candidates.length === 0) {
    throw new ContractError(
      spec.file,
      messageName === undefined
        ? "the contract has no message with a payload"
        : `no message ${JSON.stringify(messageName)} (messages: ${model.messages.map((m) => m.name).join(", ")})`,
    );
  }
  const ajv = new Ajv.default({ allErrors: true, strict: false, logger: false });
  const errors: string[] = [];
  const matched: string[] = [];
  for (const m of candidates) {
    if (m.schema === undefined) {
      errors.push(`${m.name} has no payload: only an empty message is one`);
      continue;
    }
    const validate = ajv.compile(m.schema as object);
    if (validate(payload)) matched.push(m.name);
    else
      errors.push(
        ...formatValidationErrors(validate.errors).map((e) =>
          candidates.length > 1 ? `${m.name}: ${e}` : e,
        ),
      );
  }
  if (matched.length > 0) return { ok: true, what: `${matched.join(" / ")} payload` };
  return { ok: false, errors };
}
