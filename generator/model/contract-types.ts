/**
 * The intermediate model of a user's contract: what `buildContractModel` (contract-model.ts)
 * builds and the emitters read (operations, messages, plugin, core and hybrid types).
 */
import type { JsonSchema } from "orbitalis";

/** One message: a payload schema (or none) and the type it becomes. */
export interface MessageModel {
  /** The message's `name` (or its component key). */
  readonly name: string;
  /** The TypeScript type name (PascalCase). */
  readonly typeName: string;
  /** Clean, self-contained payload schema; undefined when the message has no payload. */
  readonly schema: JsonSchema | undefined;
  readonly fingerprint: string | undefined;
  readonly description: string | undefined;
  /** Named schemas inside the payload (component schemas), for shared types. */
  readonly named: ReadonlyMap<string, JsonSchema>;
  /** Name of the payload's own component schema, if it is one. */
  readonly rootName: string | undefined;
}

/** What one side of an operation carries: `none`, or a union of messages. */
export interface DataModel {
  readonly none: boolean;
  readonly messages: readonly MessageModel[];
}

/** One Orbitalis operation (an AsyncAPI operation). */
export interface OperationModel {
  readonly name: string;
  readonly action: "receive" | "send";
  /** camelCase handler name. */
  readonly method: string;
  readonly summary: string | undefined;
  readonly input: DataModel;
  readonly output: DataModel;
}

/** A plugin type of `x-orbitalis.plugins`. */
export interface PluginTypeModel {
  readonly name: string;
  readonly className: string;
  readonly description: string | undefined;
  /** Its operations; `accepts` narrows a receive operation's input. */
  readonly operations: readonly { readonly operation: OperationModel; readonly input: DataModel }[];
  /** Plugin options (maxCores, allow, block, prefer). */
  readonly options: Readonly<Record<string, unknown>>;
  /** Per-operation policy. */
  readonly policy: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** A core type of `x-orbitalis.cores`. */
export interface CoreTypeModel {
  readonly name: string;
  readonly className: string;
  readonly description: string | undefined;
  readonly requires: readonly {
    readonly operation: OperationModel;
    readonly options: Readonly<Record<string, unknown>>;
  }[];
}

/**
 * A hybrid type of `x-orbitalis.hybrids`: it lends operations as a plugin type does (with
 * the same options and policy) and requires others as a core type does.
 */
export interface HybridTypeModel {
  readonly name: string;
  /** `<Name>Orb`. */
  readonly className: string;
  readonly description: string | undefined;
  /** What it lends; `accepts` narrows a receive operation's input. */
  readonly operations: readonly { readonly operation: OperationModel; readonly input: DataModel }[];
  /** Plugin options of what it lends (maxCores, allow, block, prefer). */
  readonly options: Readonly<Record<string, unknown>>;
  /** Per-operation policy of what it lends. */
  readonly policy: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** What it requires, with the requirement options. */
  readonly requires: readonly {
    readonly operation: OperationModel;
    readonly options: Readonly<Record<string, unknown>>;
  }[];
  /** When it offers what it lends (undefined: the runtime's default, `always`). */
  readonly offerWhen: "always" | "compliant" | undefined;
}

/** The whole contract. */
export interface ContractModel {
  readonly file: string;
  readonly title: string;
  readonly version: string;
  readonly description: string | undefined;
  readonly operations: readonly OperationModel[];
  /** Every message used by an operation, once, in a stable order. */
  readonly messages: readonly MessageModel[];
  readonly plugins: readonly PluginTypeModel[];
  readonly cores: readonly CoreTypeModel[];
  readonly hybrids: readonly HybridTypeModel[];
  /** Warnings (a core requiring what no plugin type of the contract offers ...). */
  readonly warnings: readonly string[];
}
