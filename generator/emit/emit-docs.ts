/**
 * Markdown documentation of a spec (`orbitalis docs`): the protocol (channels, messages
 * with field tables, the rules, sequence diagrams) or a contract (plugin and core types
 * with their options in words, operations with how each side uses them, messages with
 * field tables and their constraints). Rendered with handlebars from `templates/docs/`.
 */
import { basename } from "node:path";
import { format } from "prettier";
import type { JsonSchema } from "orbitalis";
import { buildContractModel } from "../model/contract-model.js";
import type {
  ContractModel,
  CoreTypeModel,
  DataModel,
  HybridTypeModel,
  OperationModel,
  PluginTypeModel,
} from "../model/contract-types.js";
import {
  coreUse,
  optionsText,
  pluginUse,
  policyText,
  requirementCount,
  requirementPlugins,
} from "../text/docs-text.js";
import type { LoadedSpec } from "../load/load-spec.js";
import { buildProtocolModel, type ProtocolModel } from "../model/protocol-model.js";
import { code, constraintsOf, fieldRows, objectNotes, typeOf } from "../text/schema-text.js";
import { render } from "./templates.js";

type Schema = Readonly<Record<string, unknown>>;

/** Escapes text for a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\s+/g, " ").replace(/\|/g, "\\|").trim();
}

/** `No other fields.` from `["no other fields"]`: phrases as one sentence. */
function sentence(phrases: readonly string[]): string {
  if (phrases.length === 0) return "";
  const text = phrases.join("; ");
  return `${text[0]!.toUpperCase()}${text.slice(1)}.`;
}

/** The field table of a schema (nested objects and arrays of objects included), for the templates. */
function fields(schema: unknown): Record<string, string>[] {
  return fieldRows(schema).map((row) => ({
    field: code(row.field),
    type: cell(row.type),
    required: row.required ? "yes" : "",
    constraints: cell(row.constraints.join("; ")),
    description: cell(row.description),
  }));
}

/** What a schema is when it has no field table: `string, matching `...``. */
function typeLine(schema: unknown): string {
  return cell([typeOf(schema), ...constraintsOf(schema)].join(", "));
}

/** The roles behind AsyncAPI operation ids (`coreSendDiscover` -> `core`). */
function roles(operationIds: readonly string[]): string {
  return [...new Set(operationIds.map((id) => id.replace(/(Send|Receive).*$/, "")))].join(", ");
}

function protocolView(model: ProtocolModel, spec: LoadedSpec): Record<string, unknown> {
  const definitions = model.definitions as Record<string, JsonSchema>;
  const info = spec.document.info();
  return {
    header: header(spec),
    title: model.title,
    version: model.version,
    // Its sections become subsections of "Rules".
    description: (info.description() ?? "").replace(/^(#+) /gm, "#$1 "),
    channels: model.channels.map((c) => ({
      name: c.name,
      address: c.address,
      kinds: c.kinds.join(", "),
      from: roles(c.senders),
      to: roles(c.receivers),
      description: cell(c.description),
    })),
    messages: model.messages.map((m) => ({
      kind: m.kind,
      summary: cell(m.summary),
      channels: m.channels.join(", "),
      fields: fields(definitions[m.schemaName]),
      notes: sentence(objectNotes(definitions[m.schemaName])),
    })),
    types: Object.entries(definitions)
      .filter(([name]) => !model.messages.some((m) => m.schemaName === name))
      .map(([name, schema]) => ({
        name,
        type: typeLine({ ...(schema as object), description: undefined }),
        description: cell(((schema as Schema).description as string | undefined) ?? ""),
        fields: fields(schema),
        notes: sentence(objectNotes(schema)),
      })),
  };
}

function names(data: DataModel): string {
  return data.none ? "none" : data.messages.map((m) => code(m.name)).join(" or ");
}

function operationView(op: OperationModel): Record<string, unknown> {
  return {
    name: op.name,
    summary: op.summary ?? "",
    input: names(op.input),
    output: names(op.output),
    plugin: pluginUse(op),
    core: coreUse(op),
  };
}

type Lent = PluginTypeModel["operations"];
type Required = CoreTypeModel["requires"];

/** What a plugin or a hybrid lends: its options in words and a row per operation. */
function lendsView(
  role: string,
  type: { operations: Lent; options: PluginTypeModel["options"]; policy: PluginTypeModel["policy"] },
): Record<string, unknown> {
  const operations = type.operations.map((o) => ({
    name: o.operation.name,
    does: cell(pluginUse(o.operation)),
    input:
      o.input === o.operation.input
        ? names(o.input)
        : `${names(o.input)} only (of ${names(o.operation.input)}: \`accepts\`)`,
    output: names(o.operation.output),
    limits: cell(policyText(type.policy[o.operation.name] ?? {})),
  }));
  return {
    role,
    options: optionsText(type.options),
    limits: operations.some((o) => o.limits !== ""),
    operations,
  };
}

/** What a core or a hybrid requires: a row per operation. */
function requiresView(role: string, requires: Required): Record<string, unknown> {
  return {
    role,
    requires: requires.map((r) => ({
      name: r.operation.name,
      connections: cell(requirementCount(r.options)),
      plugins: cell(requirementPlugins(r.options)),
      use: cell(coreUse(r.operation)),
    })),
  };
}

function list(items: readonly { operation: OperationModel }[]): string {
  return items.length === 0 ? "nothing" : items.map((i) => code(i.operation.name)).join(", ");
}

function hybridView(h: HybridTypeModel): Record<string, unknown> {
  return {
    name: h.name,
    className: h.className,
    description: h.description ?? "",
    lent: list(h.operations),
    required: list(h.requires),
    offerWhen:
      h.offerWhen === "compliant"
        ? "It offers what it lends only while its requirements are met (`offerWhen: compliant`): when they stop being met it closes the connections it serves, gracefully."
        : "It offers what it lends whether or not its requirements are met (`offerWhen: always`, the default).",
    ...lendsView("orb", h),
    ...requiresView("orb", h.requires),
  };
}

function contractView(spec: LoadedSpec): Record<string, unknown> {
  const model: ContractModel = buildContractModel(spec);
  return {
    header: header(spec),
    title: model.title,
    version: model.version,
    description: model.description ?? "",
    messages: model.messages.map((m) => ({
      name: m.name,
      description: cell(m.description ?? ""),
      empty: m.schema === undefined,
      type: m.schema === undefined ? "" : typeLine(m.schema),
      fields: fields(m.schema),
      notes: sentence(objectNotes(m.schema)),
    })),
    operations: model.operations.map(operationView),
    plugins: model.plugins.map((p) => ({
      name: p.name,
      className: p.className,
      description: p.description ?? "",
      ...lendsView("plugin", p),
    })),
    cores: model.cores.map((c) => ({
      name: c.name,
      className: c.className,
      description: c.description ?? "",
      ...requiresView("core", c.requires),
    })),
    hybrids: model.hybrids.map(hybridView),
  };
}

function header(spec: LoadedSpec): string {
  return `<!-- @generated by orbitalis from ${basename(spec.file)}: do not edit (run \`orbitalis docs\` again). -->`;
}

/** Markdown for `spec`: the protocol when it is the Orbitalis spec, otherwise a contract. */
export async function emitDocs(spec: LoadedSpec): Promise<string> {
  let protocol: ProtocolModel | undefined;
  if (spec.raw["x-orbitalis"] === undefined) {
    try {
      protocol = buildProtocolModel(spec);
    } catch {
      protocol = undefined; // a contract
    }
  }
  const text = protocol
    ? await render("docs/protocol.md.hbs", protocolView(protocol, spec))
    : await render("docs/contract.md.hbs", contractView(spec));
  return format(text, { parser: "markdown", printWidth: 100, proseWrap: "preserve" });
}
