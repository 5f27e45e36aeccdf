/**
 * Naming rules of generated code: how contract names become type and method names
 * (`set_target` -> `SetTarget`, `setTarget`), and which names a contract may not take
 * because the generated module or the classes it extends already use them. A broken rule
 * is a ContractError at the name's place in the contract.
 */
import { ContractError, ID_PATTERN, LocalHub, Orb, Plugin } from "orbitalis";

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
 * Every member an instance of `sample`'s class has (methods up the prototype chain and the
 * fields of an instance): a generated handler may not take one of these names.
 */
export function membersOf(sample: object): ReadonlySet<string> {
  const names = new Set<string>(["constructor"]);
  for (
    let o: object | null = sample;
    o !== null && o !== Object.prototype;
    o = Object.getPrototypeOf(o) as object | null
  )
    for (const name of Object.getOwnPropertyNames(o)) names.add(name);
  return names;
}

/** Every member a generated plugin class inherits: a handler may not take one of these names. */
const PLUGIN_MEMBERS = membersOf(new Plugin({ id: "sample", bus: new LocalHub().bus() }));

/** Every member a generated hybrid class inherits. */
export const ORB_MEMBERS = membersOf(new Orb({ id: "sample", bus: new LocalHub().bus(), requires: {} }));

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

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

/**
 * The type name of message `name`: an identifier, not a name the generated module uses,
 * not the type name of another message (`taken`: type name -> message name, updated).
 * @throws ContractError at `at` otherwise.
 */
export function messageTypeName(name: string, taken: Map<string, string>, at: string): string {
  const typeName = pascal(name);
  if (!IDENTIFIER.test(typeName) || RESERVED_TYPES.has(typeName)) {
    throw new ContractError(
      at,
      `message name ${JSON.stringify(name)} cannot be a type name (${JSON.stringify(typeName)})`,
    );
  }
  const other = taken.get(typeName);
  if (other !== undefined && other !== name) {
    throw new ContractError(
      at,
      `messages ${JSON.stringify(other)} and ${JSON.stringify(name)} both become type ${typeName}`,
    );
  }
  taken.set(typeName, name);
  return typeName;
}

/**
 * The method name of operation `name`: the operation name is topic-safe, and its method
 * name an identifier that Plugin does not have and no other operation takes (`taken`:
 * method -> operation name, updated).
 * @throws ContractError at `at` otherwise.
 */
export function operationMethod(name: string, taken: Map<string, string>, at: string): string {
  if (!ID_PATTERN.test(name)) {
    throw new ContractError(
      at,
      `operation name ${JSON.stringify(name)} is not topic-safe: use 1-128 of A-Z a-z 0-9 . _ - starting with a letter or digit`,
    );
  }
  const method = camel(name);
  if (!IDENTIFIER.test(method) || PLUGIN_MEMBERS.has(method)) {
    throw new ContractError(
      at,
      `operation ${JSON.stringify(name)} becomes the method name ${JSON.stringify(method)}, which ${IDENTIFIER.test(method) ? "Plugin already has" : "is not an identifier"}: rename the operation`,
    );
  }
  const clash = taken.get(method);
  if (clash !== undefined) {
    throw new ContractError(
      at,
      `operations ${JSON.stringify(clash)} and ${JSON.stringify(name)} both become the method ${method}`,
    );
  }
  taken.set(method, name);
  return method;
}
