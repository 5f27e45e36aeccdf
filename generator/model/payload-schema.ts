/**
 * A message's payload as the generated code and the wire see it: plain JSON Schema
 * (draft-07), the parser's `x-parser-*` annotations removed, named component schemas
 * collected for shared types, and what cannot be a wire schema refused (another schema
 * format, a recursive schema, an unresolved `$ref`, a `required` name that is not
 * declared, a `format` the validators cannot check).
 */
import type { MessageInterface } from "@asyncapi/parser";
import { ContractError, fingerprint, type JsonSchema } from "orbitalis";
import { FORMAT_NAMES } from "orbitalis/validation";
import { pascal } from "./naming.js";
import { checkRequired } from "./payload-rules.js";
import type { Where } from "./type-models.js";

/**
 * Marks a node of a clean payload schema that was a named component schema (its type
 * name). A symbol: JSON, canonicalization and ajv never see it.
 */
export const SCHEMA_NAME = Symbol("orbitalis.schemaName");

/** A message's payload, clean, with the component schemas it names. */
export interface Payload {
  readonly schema: JsonSchema;
  /** Named component schemas inside it, by type name. */
  readonly named: Map<string, JsonSchema>;
  /** The type name of the payload itself when it is a named component schema. */
  readonly rootName: string | undefined;
}

/**
 * The payload of message `m` (found at `path`), checked.
 * @throws ContractError naming the place of the first rule broken.
 */
export function payloadOf(m: MessageInterface, path: (string | number)[], where: Where): Payload | undefined {
  if (!m.hasPayload()) return undefined;
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
  const rootName = typeof id === "string" && !id.startsWith("<") ? pascal(id) : undefined;
  const named = new Map<string, JsonSchema>();
  const formats = new Map<string, (string | number)[]>();
  const schema = clean(payload.json(), [...path, "payload"], where, named, formats);
  // Formats are checked (orbitalis/validation): one the validators cannot check is refused.
  for (const [f, at] of formats) {
    if (FORMAT_NAMES.includes(f)) continue;
    throw new ContractError(
      where(at),
      `format ${JSON.stringify(f)} is not one Orbitalis checks (${FORMAT_NAMES.join(", ")}): use one of these, or a pattern`,
    );
  }
  return { schema, named, rootName };
}

/** The fingerprint of message `m`'s clean payload (undefined without one). */
export function payloadFingerprint(
  m: MessageInterface,
  path: (string | number)[],
  where: Where,
): string | undefined {
  return m.hasPayload()
    ? fingerprint(clean(m.payload()!.json(), path, where, new Map(), new Map()))
    : undefined;
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
  where: Where,
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
