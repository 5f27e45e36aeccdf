/**
 * A user's AsyncAPI contract as the generator sees it: operations with their input and
 * output messages, the messages with clean self-contained payload schemas, and the plugin,
 * core and hybrid types of `x-orbitalis` (built by type-models.ts). Every rule a contract
 * must follow is checked here, and a broken one is one ContractError naming the file, the
 * line and the JSON pointer.
 */
import type { MessageInterface, OperationInterface } from "@asyncapi/parser";
import { ContractError, fingerprint, ID_PATTERN, LocalHub, Plugin, type JsonSchema } from "orbitalis";
import { FORMAT_NAMES } from "orbitalis/validation";
import type { LoadedSpec } from "./load-spec.js";
import { checkExtension } from "./x-orbitalis.js";
import { buildTypeModels, membersOf } from "./type-models.js";
import { checkRequired } from "./payload-rules.js";
import type { MessageModel, DataModel, OperationModel, ContractModel } from "./contract-types.js";

/** Names a generated module defines or imports itself: a message type may not take one. */
const RESERVED_TYPES = new Set([
  "Contract",
  "Core",
  "Plugin",
  "Orb",
  "OperationContext",
  "OperationError",
  "OperationPolicy",
  "SchemaSpec",
  "CoreOptions",
  "PluginOptions",
  "OrbHybridOptions",
]);
/**
 * Every member a generated plugin class inherits (methods up the prototype chain and the
 * fields of an instance): a handler may not take one of these names.
 */
const RESERVED_METHODS = membersOf(new Plugin({ id: "sample", bus: new LocalHub().bus() }));

/** `set_target` -> `SetTarget`. */
export function pascal(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter((p) => p.length > 0)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join("");
}

/** `set_target` -> `setTarget`. */
export function camel(name: string): string {
  const p = pascal(name);
  return p.length === 0 ? p : p[0]!.toLowerCase() + p.slice(1);
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Marks a node of a clean payload schema that was a named component schema (its type
 * name). A symbol: JSON, canonicalization and ajv never see it.
 */
export const SCHEMA_NAME = Symbol("orbitalis.schemaName");

/** Builds the model of a contract, or throws the first ContractError. */
export function buildContractModel(spec: LoadedSpec): ContractModel {
  // `file:line #/pointer`, in the file that holds the path (a schema may come from another file by $ref).
  const where = (path: (string | number)[]): string => spec.where(path);
  const messages = new Map<string, MessageModel>();
  const notes: string[] = [];
  const typeNames = new Map<string, string>(); // type name -> message name
  const message = (m: MessageInterface, path: (string | number)[]): MessageModel => {
    const name = String(m.name() ?? m.id());
    const known = messages.get(name);
    if (known) {
      const payload = m.hasPayload()
        ? fingerprint(clean(m.payload()!.json(), path, where, new Map(), new Map()))
        : undefined;
      if (payload !== known.fingerprint) {
        throw new ContractError(
          where(path),
          `two different messages are named ${JSON.stringify(name)}: give them different names`,
        );
      }
      return known;
    }
    const typeName = pascal(name);
    if (!IDENTIFIER.test(typeName) || RESERVED_TYPES.has(typeName)) {
      throw new ContractError(
        where(path),
        `message name ${JSON.stringify(name)} cannot be a type name (${JSON.stringify(typeName)})`,
      );
    }
    const other = typeNames.get(typeName);
    if (other !== undefined && other !== name) {
      throw new ContractError(
        where(path),
        `messages ${JSON.stringify(other)} and ${JSON.stringify(name)} both become type ${typeName}`,
      );
    }
    typeNames.set(typeName, name);
    let schema: JsonSchema | undefined;
    const named = new Map<string, JsonSchema>();
    let rootName: string | undefined;
    if (m.hasPayload()) {
      const payload = m.payload()!;
      const format = m.schemaFormat();
      if (
        format !== undefined &&
        !/^application\/(vnd\.aai\.asyncapi(\+json|\+yaml)?|schema\+json;version=draft-07)/.test(format)
      ) {
        throw new ContractError(
          where([...path, "payload"]),
          `schema format ${format} is not supported: use JSON Schema draft-07 (the AsyncAPI default)`,
        );
      }
      checkRequired(payload.json(), [...path, "payload"], where);
      const id = payload.json<Record<string, unknown>>()["x-parser-schema-id"];
      if (typeof id === "string" && !id.startsWith("<")) rootName = pascal(id);
      const formats = new Map<string, (string | number)[]>();
      schema = clean(payload.json(), [...path, "payload"], where, named, formats);
      // Formats are checked (orbitalis/validation): one the validators cannot check is refused.
      for (const [f, at] of formats) {
        if (FORMAT_NAMES.includes(f)) continue;
        throw new ContractError(
          where(at),
          `format ${JSON.stringify(f)} is not one Orbitalis checks (${FORMAT_NAMES.join(", ")}): use one of these, or a pattern`,
        );
      }
    }
    const model: MessageModel = {
      name,
      typeName,
      schema,
      fingerprint: schema === undefined ? undefined : fingerprint(schema),
      description: m.summary() ?? m.description(),
      named,
      rootName,
    };
    messages.set(name, model);
    return model;
  };

  const operations: OperationModel[] = [];
  const methods = new Map<string, string>();
  for (const op of spec.document.operations().all()) {
    const name = String(op.id());
    const path = ["operations", name];
    if (!ID_PATTERN.test(name)) {
      throw new ContractError(
        where(path),
        `operation name ${JSON.stringify(name)} is not topic-safe: use 1-128 of A-Z a-z 0-9 . _ - starting with a letter or digit`,
      );
    }
    const method = camel(name);
    if (!IDENTIFIER.test(method) || RESERVED_METHODS.has(method)) {
      throw new ContractError(
        where(path),
        `operation ${JSON.stringify(name)} becomes the method name ${JSON.stringify(method)}, which ${IDENTIFIER.test(method) ? "Plugin already has" : "is not an identifier"}: rename the operation`,
      );
    }
    const clash = methods.get(method);
    if (clash !== undefined) {
      throw new ContractError(
        where(path),
        `operations ${JSON.stringify(clash)} and ${JSON.stringify(name)} both become the method ${method}`,
      );
    }
    methods.set(method, name);
    const action = op.action();
    if (action !== "receive" && action !== "send") {
      throw new ContractError(
        where([...path, "action"]),
        `action must be receive or send, found ${JSON.stringify(action)}`,
      );
    }
    const own = data(op.messages().all(), ["channels", op.channels().all()[0]?.id() ?? ""], message);
    const reply = replyData(op, path, message);
    operations.push({
      name,
      action,
      method,
      summary: op.summary() ?? op.description(),
      input: action === "receive" ? own : { none: true, messages: [] },
      output: action === "receive" ? reply : own,
    });
  }
  if (operations.length === 0)
    throw new ContractError(where(["operations"]), "the contract has no operations");

  const extension = checkExtension(spec, where);
  const types = buildTypeModels(extension, operations, new Set(typeNames.keys()), where);
  const warnings: string[] = [...notes, ...types.warnings];
  const info = spec.document.info();
  return {
    file: spec.file,
    title: info.title(),
    version: info.version(),
    description: info.description(),
    operations,
    messages: [...messages.values()],
    plugins: types.plugins,
    cores: types.cores,
    hybrids: types.hybrids,
    warnings,
  };
}

function data(
  list: MessageInterface[],
  path: (string | number)[],
  message: (m: MessageInterface, path: (string | number)[]) => MessageModel,
): DataModel {
  if (list.length === 0) return { none: true, messages: [] };
  return { none: false, messages: list.map((m) => message(m, [...path, "messages", String(m.id())])) };
}

function replyData(
  op: OperationInterface,
  path: (string | number)[],
  message: (m: MessageInterface, path: (string | number)[]) => MessageModel,
): DataModel {
  const reply = op.reply();
  if (!reply) return { none: true, messages: [] };
  const own = reply.messages().all();
  if (own.length > 0) return data(own, [...path, "reply"], message);
  // The reply's channel's messages: located where that channel lists them.
  const channel = reply.channel();
  return data(channel?.messages().all() ?? [], ["channels", String(channel?.id() ?? "")], message);
}

/**
 * Whether a node at `relative` (path segments below a payload) is data inside `const`,
 * `enum`, `default` or `examples` rather than a schema (its `format` is a value, not a keyword).
 */
function isValue(relative: readonly (string | number)[]): boolean {
  return relative.some(
    (segment, i) =>
      ["const", "enum", "default", "examples"].includes(String(segment)) &&
      !["properties", "definitions", "patternProperties"].includes(String(relative[i - 1])),
  );
}

/**
 * A payload as plain JSON Schema: the parser's `x-parser-*` annotations removed, named
 * component schemas collected (for shared types). Rejects what cannot be a wire schema.
 */
function clean(
  value: unknown,
  path: (string | number)[],
  where: (path: (string | number)[]) => string,
  named: Map<string, JsonSchema>,
  formats: Map<string, (string | number)[]>,
): JsonSchema {
  const stack = new Set<object>();
  const walk = (node: unknown, at: (string | number)[], root: boolean): unknown => {
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...at, i], false));
    if (node === null || typeof node !== "object") return node;
    if (stack.has(node)) {
      throw new ContractError(
        where(path),
        "a recursive schema (it contains itself) is not supported: Orbitalis fingerprints schemas by their JSON form",
      );
    }
    stack.add(node);
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(node as Record<string, unknown>)) {
      if (key.startsWith("x-parser-")) continue;
      if (key === "$ref") {
        throw new ContractError(
          where(path),
          `a $ref the parser could not resolve (${String(child)}) is not supported: keep schemas in this document`,
        );
      }
      out[key] =
        key === "properties" || key === "definitions" || key === "patternProperties"
          ? Object.fromEntries(
              Object.entries(child as Record<string, unknown>).map(([k, v]) => [
                k,
                walk(v, [...at, key, k], false),
              ]),
            )
          : walk(child, [...at, key], false);
    }
    stack.delete(node);
    const id = (node as Record<string, unknown>)["x-parser-schema-id"];
    if (typeof id === "string" && !id.startsWith("<")) {
      Object.defineProperty(out, SCHEMA_NAME, { value: pascal(id), enumerable: false });
      if (!root) named.set(pascal(id), out);
    }
    if (typeof out.format === "string" && !formats.has(out.format) && !isValue(at.slice(path.length))) {
      formats.set(out.format, [...at, "format"]);
    }
    return out;
  };
  const result = walk(value, path, true);
  if (
    typeof result !== "boolean" &&
    (result === null || typeof result !== "object" || Array.isArray(result))
  ) {
    throw new ContractError(where(path), "a payload must be a JSON Schema object");
  }
  return result as JsonSchema;
}
