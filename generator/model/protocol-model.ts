/**
 * The intermediate model of the protocol spec: message kinds with their payload schemas,
 * and channels with their addresses. Emitters read only this model.
 */
import { ContractError } from "orbitalis";
import { pointer, type LoadedSpec } from "../load/load-spec.js";

/** A JSON Schema as plain data. */
export type JsonSchema = Record<string, unknown> | boolean;

/** One message kind. */
export interface MessageModel {
  /** Wire `kind` value, e.g. `keepalive-request`. */
  readonly kind: string;
  /** Name of its payload schema under `components.schemas`, e.g. `KeepaliveRequest`. */
  readonly schemaName: string;
  /** TypeScript type name (the schema's title), e.g. `KeepaliveRequestMessage`. */
  readonly typeName: string;
  /** Name of its exported validator, e.g. `validateKeepaliveRequest`. */
  readonly validatorName: string;
  readonly summary: string;
  /** Channels that carry it. */
  readonly channels: readonly string[];
}

/** One level of a channel address after the root. */
export type AddressLevel = { readonly literal: string } | { readonly param: string };

/** One channel. */
export interface ChannelModel {
  /** Channel key, e.g. `statusReply`. */
  readonly name: string;
  /** Address as written, e.g. `{root}/core/{core}/offer`. */
  readonly address: string;
  /** Levels after `{root}`. */
  readonly levels: readonly AddressLevel[];
  /** Parameters after `{root}`, in address order. */
  readonly params: readonly string[];
  readonly description: string;
  /** Message kinds it carries. */
  readonly kinds: readonly string[];
  /** Operations that send / receive on it, from the spec's operations. */
  readonly senders: readonly string[];
  readonly receivers: readonly string[];
}

/** The whole protocol. */
export interface ProtocolModel {
  readonly title: string;
  readonly version: string;
  /** Component schemas, `$ref`s rewritten to `#/definitions/<name>`. */
  readonly definitions: Readonly<Record<string, JsonSchema>>;
  readonly messages: readonly MessageModel[];
  readonly channels: readonly ChannelModel[];
  /** Default topic root (the `root` parameter's default). */
  readonly defaultRoot: string;
}

const COMPONENT_REF = /^#\/components\/schemas\/([^/]+)$/;

/** Rewrites every `#/components/schemas/X` ref to `#/definitions/X`, deeply. */
export function rewriteRefs(value: unknown, at: (string | number)[], file: string): unknown {
  if (Array.isArray(value)) return value.map((v, i) => rewriteRefs(v, [...at, i], file));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === "$ref") {
      const m = typeof child === "string" ? COMPONENT_REF.exec(child) : null;
      if (!m) {
        throw new ContractError(
          `${file}${pointer([...at, key])}`,
          `only local component schema refs (#/components/schemas/Name) are supported, found ${JSON.stringify(child)}`,
        );
      }
      out[key] = `#/definitions/${m[1]}`;
    } else {
      out[key] = rewriteRefs(child, [...at, key], file);
    }
  }
  return out;
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function pascal(kind: string): string {
  return kind.replace(/(^|[-_.])([a-z0-9])/g, (_m, _s, c: string) => c.toUpperCase());
}

/** Parses `{root}/a/{b}/c` into levels after the root. */
export function parseAddress(address: string, where: string): AddressLevel[] {
  const parts = address.split("/");
  if (parts[0] !== "{root}") {
    throw new ContractError(where, `channel address ${JSON.stringify(address)} must start with "{root}/"`);
  }
  return parts.slice(1).map((part) => {
    const m = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(part);
    if (m) return { param: m[1]! };
    if (part === "" || /[{}+#]/.test(part)) {
      throw new ContractError(
        where,
        `channel address level ${JSON.stringify(part)} is not a literal or a whole {parameter}`,
      );
    }
    return { literal: part };
  });
}

/** Builds the protocol model from the loaded spec. */
export function buildProtocolModel(spec: LoadedSpec): ProtocolModel {
  const { raw, file, document } = spec;
  const components = asRecord(raw.components);
  const rawSchemas = asRecord(components.schemas);
  const definitions: Record<string, JsonSchema> = {};
  for (const [name, schema] of Object.entries(rawSchemas)) {
    definitions[name] = rewriteRefs(schema, ["components", "schemas", name], file) as JsonSchema;
  }

  // Message kinds: each component message's payload is a ref to one component schema whose
  // `kind` property is a const equal to the message name.
  const rawMessages = asRecord(components.messages);
  const byKey = new Map<string, MessageModel>();
  const messages: MessageModel[] = [];
  for (const [key, msgValue] of Object.entries(rawMessages)) {
    const msg = asRecord(msgValue);
    const where = `${file}${pointer(["components", "messages", key])}`;
    const ref = asRecord(msg.payload).$ref;
    const m = typeof ref === "string" ? COMPONENT_REF.exec(ref) : null;
    if (!m) throw new ContractError(`${where}/payload`, "payload must be a $ref to a component schema");
    const schemaName = m[1]!;
    const schema = asRecord(definitions[schemaName]);
    const kindConst = asRecord(asRecord(schema.properties).kind).const;
    const kind = typeof msg.name === "string" ? msg.name : key;
    if (kindConst !== kind) {
      throw new ContractError(
        `${file}${pointer(["components", "schemas", schemaName, "properties", "kind"])}`,
        `expected const ${JSON.stringify(kind)} (the message name), found ${JSON.stringify(kindConst)}`,
      );
    }
    const typeName = typeof schema.title === "string" ? schema.title : `${schemaName}Message`;
    const model: MessageModel = {
      kind,
      schemaName,
      typeName,
      validatorName: `validate${schemaName}`,
      summary: typeof msg.summary === "string" ? msg.summary : "",
      channels: [],
    };
    byKey.set(key, model);
    messages.push(model);
  }

  const rootDefault = asRecord(asRecord(components.parameters).root).default;
  const defaultRoot = typeof rootDefault === "string" ? rootDefault : "orbitalis";
  const senders = new Map<string, string[]>();
  const receivers = new Map<string, string[]>();
  for (const op of document.operations()) {
    const target = op.action() === "send" ? senders : receivers;
    for (const ch of op.channels()) target.set(ch.id(), [...(target.get(ch.id()) ?? []), String(op.id())]);
  }

  const channels: ChannelModel[] = [];
  const rawChannels = asRecord(raw.channels);
  for (const channel of document.channels()) {
    const name = channel.id();
    const address = channel.address() ?? "";
    const where = `${file}${pointer(["channels", name, "address"])}`;
    const levels = parseAddress(address, where);
    const kinds: string[] = [];
    for (const msgValue of Object.values(asRecord(asRecord(rawChannels[name]).messages))) {
      const ref = asRecord(msgValue).$ref;
      const key = typeof ref === "string" ? ref.replace(/^#\/components\/messages\//, "") : "";
      const message = byKey.get(key);
      if (!message)
        throw new ContractError(
          `${file}${pointer(["channels", name, "messages"])}`,
          `unknown message ${String(ref)}`,
        );
      kinds.push(message.kind);
      (message.channels as string[]).push(name);
    }
    channels.push({
      name,
      address,
      levels,
      params: levels.flatMap((l) => ("param" in l ? [l.param] : [])),
      description: channel.description() ?? "",
      kinds,
      senders: senders.get(name) ?? [],
      receivers: receivers.get(name) ?? [],
    });
  }
  for (const message of messages) {
    if (message.channels.length === 0) {
      throw new ContractError(
        `${file}${pointer(["components", "messages", message.kind])}`,
        "message is on no channel",
      );
    }
  }
  const info = asRecord(raw.info);
  return {
    title: typeof info.title === "string" ? info.title : "",
    version: typeof info.version === "string" ? info.version : "",
    definitions,
    messages,
    channels,
    defaultRoot,
  };
}

export { pascal };

/** Id under which the combined schema is registered with ajv. */
export const SCHEMA_ID = "orbitalis.json";

/** One JSON Schema document holding every component schema under `definitions`. */
export function combinedSchema(model: ProtocolModel): Record<string, unknown> {
  return {
    $id: SCHEMA_ID,
    title: "OrbitalisMessage",
    description: `Any message of the ${model.title} ${model.version}.`,
    oneOf: model.messages.map((m) => ({ $ref: `#/definitions/${m.schemaName}` })),
    definitions: model.definitions,
  };
}
