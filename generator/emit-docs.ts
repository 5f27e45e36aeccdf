/**
 * Markdown documentation of a spec (`orbitalis docs`): the protocol (channels, messages
 * with field tables, the rules, sequence diagrams) or a contract (plugin and core types,
 * operations with their input and output). Rendered with handlebars from `templates/docs/`.
 */
import { basename } from "node:path";
import { format } from "prettier";
import type { JsonSchema } from "orbitalis";
import { buildContractModel } from "./contract-model.js";
import type { DataModel } from "./contract-types.js";
import type { LoadedSpec } from "./load-spec.js";
import { buildProtocolModel, type ProtocolModel } from "./protocol-model.js";
import { render } from "./templates.js";

/** One row of a field table. */
interface FieldRow {
  readonly field: string;
  readonly type: string;
  readonly required: string;
  readonly description: string;
}

type Schema = Readonly<Record<string, unknown>>;

/** Escapes text for a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\s+/g, " ").replace(/\|/g, "\\|").trim();
}

/** A short type description of a schema: `string`, `integer 1..100`, `OrbId`, `array of Role`, `"on" \| "off"`. */
function typeOf(schema: unknown): string {
  if (schema === true || schema === undefined) return "any";
  if (schema === false) return "nothing";
  const s = schema as Schema;
  if (typeof s.$ref === "string") return s.$ref.split("/").pop()!;
  if ("const" in s) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(" or ");
  for (const key of ["oneOf", "anyOf"]) {
    if (Array.isArray(s[key])) return (s[key] as unknown[]).map(typeOf).join(" or ");
  }
  const type = Array.isArray(s.type) ? (s.type as string[]).join(" or ") : (s.type as string | undefined);
  if (type === "array") return `array of ${typeOf(s.items)}`;
  const bounds: string[] = [];
  if (typeof s.minimum === "number" || typeof s.maximum === "number")
    bounds.push(
      `${typeof s.minimum === "number" ? s.minimum : ""}..${typeof s.maximum === "number" ? s.maximum : ""}`,
    );
  if (typeof s.maxLength === "number") bounds.push(`at most ${s.maxLength} chars`);
  if (typeof s.pattern === "string") bounds.push(`pattern \`${s.pattern}\``);
  const base = type ?? (s.properties ? "object" : "any");
  return bounds.length > 0 ? `${base} (${bounds.join(", ")})` : base;
}

/** The field table of an object schema (empty for other schemas). */
function fields(schema: unknown): FieldRow[] {
  if (schema === null || typeof schema !== "object") return [];
  const s = schema as Schema;
  const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
  const props = (s.properties ?? {}) as Record<string, unknown>;
  return Object.entries(props).map(([field, child]) => ({
    field: `\`${field}\``,
    type: cell(typeOf(child)),
    required: required.has(field) ? "yes" : "",
    description: cell(((child as Schema | undefined)?.description as string | undefined) ?? ""),
  }));
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
    })),
    types: Object.entries(definitions)
      .filter(([name]) => !model.messages.some((m) => m.schemaName === name))
      .map(([name, schema]) => ({
        name,
        type: cell(typeOf({ ...(schema as object), description: undefined })),
        description: cell(((schema as Schema).description as string | undefined) ?? ""),
        fields: fields(schema),
      })),
  };
}

function dataView(data: DataModel): Record<string, unknown> {
  return { none: data.none, messages: data.messages.map((m) => ({ name: m.name })) };
}

function contractView(spec: LoadedSpec): Record<string, unknown> {
  const model = buildContractModel(spec);
  return {
    header: header(spec),
    title: model.title,
    version: model.version,
    description: model.description ?? "",
    messages: model.messages.map((m) => ({
      name: m.name,
      description: cell(m.description ?? ""),
      empty: m.schema === undefined,
      type: m.schema === undefined ? "" : cell(typeOf(m.schema)),
      fields: fields(m.schema),
    })),
    operations: model.operations.map((op) => ({
      name: op.name,
      action: op.action === "receive" ? "cores send, plugins handle" : "plugins push (emit)",
      summary: op.summary ?? "",
      method: op.method,
      input: dataView(op.input),
      output: dataView(op.output),
    })),
    plugins: model.plugins.map((p) => ({
      name: p.name,
      className: p.className,
      description: p.description ?? "",
      operations: p.operations.map((o) => ({
        name: o.operation.name,
        input:
          o.input === o.operation.input ? "as the operation" : o.input.messages.map((m) => m.name).join(", "),
        policy: cell(JSON.stringify(p.policy[o.operation.name] ?? {})),
      })),
      options: cell(JSON.stringify(p.options)),
    })),
    cores: model.cores.map((c) => ({
      name: c.name,
      className: c.className,
      description: c.description ?? "",
      requires: c.requires.map((r) => ({ name: r.operation.name, options: cell(JSON.stringify(r.options)) })),
    })),
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
