/**
 * Emits `fakes.ts` of a user's contract: test doubles for the tests of a core. Per plugin
 * type a `FakeNamePlugin` (a `FakePlugin` of `orbitalis/testing` declaring the type's
 * operations with the contract's schemas and limits), per hybrid type a `FakeNameOrb`
 * (the same for what it lends: it requires nothing), per core type a
 * `startNameCoreWithFakes` that starts the core against fakes of the plugin and hybrid
 * types lending what it requires (handlebars, `templates/contract/fakes.ts.hbs`).
 */
import { RESERVED_ORB_IDS } from "orbitalis";
import { camel, pascal } from "../model/naming.js";
import type {
  ContractModel,
  DataModel,
  HybridTypeModel,
  MessageModel,
  PluginTypeModel,
} from "../model/contract-types.js";
import { render } from "./templates.js";

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A name as an object key (quoted unless an identifier). */
function keyOf(name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

/** Property access for a name: `.set_target`, or `["set-target"]`. */
function accessOf(name: string): string {
  return IDENTIFIER.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
}

/** `LampRgb` -> `lamp-rgb`: a type's name as (part of) an orb id. */
export function kebab(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/[^A-Za-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .toLowerCase();
}

/** The default id of a core type's core: its name in kebab case (never a reserved id). */
export function coreId(name: string): string {
  const id = kebab(name) || "core";
  return RESERVED_ORB_IDS.includes(id) ? `${id}-core` : id;
}

/** The default id of a plugin type's first fake. */
export function fakeId(name: string): string {
  return `fake-${kebab(name) || "plugin"}`;
}

/** The schema spec of a (narrowed) input, as index.ts writes it. */
function specCode(data: DataModel): string {
  if (data.none) return '"none"';
  const withPayload = data.messages.filter((m: MessageModel) => m.schema !== undefined);
  const parts: string[] = [];
  if (withPayload.length > 0)
    parts.push(`schemas: [${withPayload.map((m) => `schemas.${m.typeName}Schema`).join(", ")}]`);
  if (withPayload.length < data.messages.length) parts.push("empty: true");
  return `{ ${parts.join(", ")} }`;
}

/** `{ maxCores: 2 }` -> `maxCores: 2` (an object literal's body). */
function optionsCode(options: Readonly<Record<string, unknown>>): string {
  return Object.entries(options)
    .map(([k, v]) => `${keyOf(k)}: ${JSON.stringify(v)}`)
    .join(", ");
}

/** A plugin or hybrid type: what a fake stands in for (a hybrid's fake only lends). */
function pluginView(p: PluginTypeModel | HybridTypeModel, hybrid: boolean): Record<string, unknown> {
  const receives = p.operations.filter((o) => o.operation.action === "receive").map((o) => o.operation.name);
  return {
    name: p.name,
    kind: hybrid ? "hybrid" : "plugin",
    hybrid,
    key: keyOf(p.name),
    typeName: JSON.stringify(p.name),
    className: p.className,
    fakeClass: `Fake${p.className}`,
    operationsType: `${pascal(p.name)}Operations`,
    declaration: `${camel(p.name)}Fake`,
    id: JSON.stringify(fakeId(p.name)),
    defaults: optionsCode(p.options),
    receiveUnion: receives.map((n) => JSON.stringify(n)).join(" | ") || "never",
    receiveList: receives.join(", "),
    operationList: p.operations.map((o) => o.operation.name).join(", "),
    operationNames: p.operations.map((o) => JSON.stringify(o.operation.name)).join(", "),
    pushes: p.operations
      .filter((o) => o.operation.action === "send")
      .map((o) => o.operation.name)
      .join(", "),
    operations: p.operations.map(({ operation, input }) => {
      const narrowed = input !== operation.input;
      return {
        key: keyOf(operation.name),
        access: accessOf(operation.name),
        index: `[${JSON.stringify(operation.name)}]`,
        method: operation.method,
        narrowed,
        inputSpec: narrowed ? specCode(input) : `operations${accessOf(operation.name)}.input`,
        push: operation.action === "send",
        policy: optionsCode(p.policy[operation.name] ?? {}),
      };
    }),
  };
}

function view(model: ContractModel, source: string, header: string): Record<string, unknown> {
  // Plugin types, then hybrid types: a hybrid's fake is a plugin lending what it lends.
  const types = [...model.plugins, ...model.hybrids];
  const plugins = types.map((p, i) => pluginView(p, i >= model.plugins.length));
  const cores = model.cores.map((c) => {
    const required = new Set(c.requires.map((r) => r.operation.name));
    const lenders = types
      .map((p, i) => ({ p, view: plugins[i]! }))
      .filter(({ p }) => p.operations.some((o) => required.has(o.operation.name)))
      .map(({ view }) => view);
    return {
      name: c.name,
      typeName: JSON.stringify(c.name),
      className: c.className,
      constName: `${camel(c.name)}Requires`,
      id: JSON.stringify(coreId(c.name)),
      fnName: `start${c.className}WithFakes`,
      fakesType: `${c.className}Fakes`,
      setupsType: `${c.className}FakeSetups`,
      lenders,
      lenderList: lenders.map((l) => l.name as string).join(", "),
    };
  });
  const indexValues = [
    ...(plugins.length > 0 ? ["operations"] : []),
    ...cores.flatMap((c) => [c.className, c.constName]),
  ];
  const indexTypes = [
    ...(plugins.length > 0 ? ["Contract"] : []),
    ...types.filter((p) => p.operations.some((o) => o.input !== o.operation.input)).map((p) => p.className),
    ...cores.map((c) => `${c.className}Options`),
  ];
  return {
    header,
    source,
    title: model.title,
    version: model.version,
    hasPlugins: plugins.length > 0,
    hasCores: cores.length > 0,
    hasSetups: cores.some((c) => c.lenders.length > 0),
    narrows: types.some((p) => p.operations.some((o) => o.input !== o.operation.input)),
    indexImports: [...indexValues, ...indexTypes.map((t) => `type ${t}`)].join(", "),
    plugins,
    cores,
  };
}

/** `fakes.ts` of a contract (not yet formatted). */
export async function emitFakes(model: ContractModel, source: string, header: string): Promise<string> {
  return render("contract/fakes.ts.hbs", view(model, source, header));
}
