/**
 * A user's AsyncAPI contract as the generator sees it: operations with their input and
 * output messages, the messages with clean self-contained payload schemas, and the plugin,
 * core and hybrid types of `x-orbitalis`. This file assembles the model; the rules live
 * beside it, each broken one a ContractError naming the file, the line and the JSON
 * pointer: names in naming.ts, payloads in payload-schema.ts (and payload-rules.ts),
 * `x-orbitalis` in x-orbitalis.ts and type-models.ts.
 */
import type { MessageInterface, OperationInterface } from "@asyncapi/parser";
import { ContractError, fingerprint, type JsonSchema } from "orbitalis";
import type { LoadedSpec } from "../load/load-spec.js";
import { checkExtension } from "./x-orbitalis.js";
import { buildTypeModels } from "./type-models.js";
import { messageTypeName, operationMethod } from "./naming.js";
import { payloadFingerprint, payloadOf } from "./payload-schema.js";
import type { MessageModel, DataModel, OperationModel, ContractModel } from "./contract-types.js";

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
      if (payloadFingerprint(m, path, where) !== known.fingerprint) {
        throw new ContractError(
          where(path),
          `two different messages are named ${JSON.stringify(name)}: give them different names`,
        );
      }
      return known;
    }
    const typeName = messageTypeName(name, typeNames, where(path));
    const payload = payloadOf(m, path, where);
    const model: MessageModel = {
      name,
      typeName,
      schema: payload?.schema,
      fingerprint: payload === undefined ? undefined : fingerprint(payload.schema),
      description: m.summary() ?? m.description(),
      named: payload?.named ?? new Map<string, JsonSchema>(),
      rootName: payload?.rootName,
    };
    messages.set(name, model);
    return model;
  };

  const operations: OperationModel[] = [];
  const methods = new Map<string, string>();
  for (const op of spec.document.operations().all()) {
    const name = String(op.id());
    const path = ["operations", name];
    const method = operationMethod(name, methods, where(path));
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
