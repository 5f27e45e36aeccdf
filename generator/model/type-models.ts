/**
 * The plugin, core and hybrid types of a contract's `x-orbitalis` as models: operation
 * names resolved to the contract's operations, `accepts` and `policy` checked against what
 * a type lends, class names claimed once. A broken rule is one ContractError naming the
 * file, the line and the JSON pointer (through `where`).
 */
import { ContractError } from "orbitalis";
import { ORB_MEMBERS } from "./naming.js";
import type {
  CoreTypeModel,
  DataModel,
  HybridTypeModel,
  OperationModel,
  PluginTypeModel,
} from "./contract-types.js";
import type { CoreTypeSpec, ExtensionSpec, PluginTypeSpec } from "./x-orbitalis.js";

/** Formats a path of the document as `file:line #/pointer`. */
export type Where = (path: (string | number)[]) => string;

/** The plugin, core and hybrid types of a contract, and what is worth a warning. */
export interface TypeModels {
  readonly plugins: PluginTypeModel[];
  readonly cores: CoreTypeModel[];
  readonly hybrids: HybridTypeModel[];
  readonly warnings: string[];
}

type Lent = PluginTypeModel["operations"][number];

/**
 * Builds the type models of `extension` over the contract's `operations`.
 * `messageTypes` are the message type names (a class may not take one).
 * @throws ContractError at the first broken rule.
 */
export function buildTypeModels(
  extension: ExtensionSpec,
  operations: readonly OperationModel[],
  messageTypes: ReadonlySet<string>,
  where: Where,
): TypeModels {
  const byName = new Map(operations.map((o) => [o.name, o]));
  const operationAt = (name: string, path: (string | number)[]): OperationModel => {
    const found = byName.get(name);
    if (!found) {
      throw new ContractError(
        where(path),
        `no operation ${JSON.stringify(name)} in this contract (operations: ${[...byName.keys()].join(", ")})`,
      );
    }
    return found;
  };
  const classNames = new Set<string>();
  const claimClass = (className: string, path: (string | number)[]): string => {
    if (classNames.has(className) || messageTypes.has(className)) {
      throw new ContractError(
        where(path),
        `the class name ${className} is taken (by another type or a message type)`,
      );
    }
    classNames.add(className);
    return className;
  };

  /** What a plugin or hybrid type lends, its policy checked against it. */
  const lends = (type: PluginTypeSpec, name: string, base: (string | number)[]): Lent[] => {
    const seen = new Set<string>();
    const ops = type.operations.map((entry, i): Lent => {
      const opName = typeof entry === "string" ? entry : entry.name;
      const operation = operationAt(opName, [...base, "operations", i]);
      if (seen.has(opName))
        throw new ContractError(where([...base, "operations", i]), `operation ${opName} is listed twice`);
      seen.add(opName);
      if (typeof entry === "string" || entry.accepts === undefined)
        return { operation, input: operation.input };
      if (operation.action !== "receive") {
        throw new ContractError(
          where([...base, "operations", i, "accepts"]),
          `accepts narrows the input of a receive operation; ${opName} is a send operation`,
        );
      }
      const accepted = entry.accepts.map((messageName, j) => {
        const m = operation.input.messages.find((x) => x.name === messageName);
        if (!m) {
          throw new ContractError(
            where([...base, "operations", i, "accepts", j]),
            `${opName} takes no message ${JSON.stringify(messageName)} (it takes ${operation.input.messages.map((x) => x.name).join(", ") || "none"})`,
          );
        }
        return m;
      });
      const input: DataModel = { none: false, messages: accepted };
      return { operation, input };
    });
    for (const opName of Object.keys(type.policy ?? {})) {
      if (!seen.has(opName))
        throw new ContractError(
          where([...base, "policy", opName]),
          `policy for ${opName}, which ${name} does not list in its operations`,
        );
    }
    return ops;
  };

  const requirements = (type: CoreTypeSpec, base: (string | number)[]): CoreTypeModel["requires"] =>
    Object.entries(type.requires).map(([opName, options]) => ({
      operation: operationAt(opName, [...base, "requires", opName]),
      options,
    }));

  const plugins: PluginTypeModel[] = Object.entries(extension.plugins ?? {}).map(([name, type]) => {
    const base = ["x-orbitalis", "plugins", name];
    const operations = lends(type, name, base);
    const { operations: _o, policy, description, ...options } = type;
    return {
      name,
      className: claimClass(`${name}Plugin`, base),
      description,
      operations,
      options,
      policy: policy ?? {},
    };
  });

  const cores: CoreTypeModel[] = Object.entries(extension.cores ?? {}).map(([name, type]) => {
    const base = ["x-orbitalis", "cores", name];
    const requires = requirements(type, base);
    return { name, className: claimClass(`${name}Core`, base), description: type.description, requires };
  });

  const hybrids: HybridTypeModel[] = Object.entries(extension.hybrids ?? {}).map(([name, type]) => {
    const base = ["x-orbitalis", "hybrids", name];
    const operations = lends(type, name, base);
    operations.forEach(({ operation }, i) => {
      // A plugin's handlers are checked against Plugin for every operation; a hybrid's
      // class also has a core's members (request, execute, compliant ...).
      if (operation.action === "receive" && ORB_MEMBERS.has(operation.method)) {
        throw new ContractError(
          where([...base, "operations", i]),
          `operation ${JSON.stringify(operation.name)} becomes the method name ${JSON.stringify(operation.method)}, which Orb already has: a hybrid cannot lend it under this name`,
        );
      }
    });
    const requires = requirements(type, base);
    const { operations: _o, requires: _r, policy, description, offerWhen, ...options } = type;
    return {
      name,
      className: claimClass(`${name}Orb`, base),
      description,
      operations,
      options,
      policy: policy ?? {},
      requires,
      offerWhen,
    };
  });

  // What no type of this contract lends may still come from plugins of other contracts.
  const offered = new Set([...plugins, ...hybrids].flatMap((p) => p.operations.map((o) => o.operation.name)));
  const warnings: string[] = [];
  const requirers = [
    ...cores.map((c) => ({ kind: "cores", type: c })),
    ...hybrids.map((h) => ({ kind: "hybrids", type: h })),
  ];
  for (const { kind, type } of requirers) {
    for (const { operation } of type.requires) {
      if (!offered.has(operation.name)) {
        warnings.push(
          `${where(["x-orbitalis", kind, type.name, "requires", operation.name])}: no plugin or hybrid type of this contract offers ${operation.name} (plugins from other contracts may)`,
        );
      }
    }
  }
  if (plugins.length === 0 && cores.length === 0 && hybrids.length === 0) {
    warnings.push(
      `${where(["x-orbitalis"])}: no plugin, core or hybrid types: only the types and the contract are generated`,
    );
  }
  return { plugins, cores, hybrids, warnings };
}
