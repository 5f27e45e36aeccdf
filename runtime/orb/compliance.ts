/**
 * A core's requirements against its connections: whether each is met, what is missing
 * and why (the plugins heard of and why each is not connected, see {@link Candidates}),
 * which plugins can never be connected (lists, schemas), and which idle connections
 * compliance can spare.
 */
import { ConfigError } from "../errors.js";
import type { CandidateReason, UnmetRequirement } from "./unmet.js";
import { CompiledSpec, matchesAny, type WireSchemaSpec } from "../schema-spec.js";
import type { Connection } from "./connection.js";
import type { ConnectionTable } from "./connection-table.js";
import { Candidates } from "./candidates.js";
import type { SkipDetail, SkipReason } from "./orb-events.js";
import {
  compileRequirement,
  describeSpec,
  type Requirement,
  type RequirementOptions,
} from "./requirements.js";

/** Why a core skips a plugin: the skip reasons a core gives (the others are a plugin's). */
export type CoreSkipReason = Extract<SkipReason, CandidateReason>;

/** Why a plugin cannot be connected for a requirement. */
export interface Refusal {
  readonly reason: CoreSkipReason;
  readonly message: string;
}

export class Compliance {
  readonly requirements: ReadonlyMap<string, Requirement>;
  /** Whether any requirement has preferences (offers are then collected for a window). */
  readonly usesPreferences: boolean;
  /** The plugins heard of per operation, and why each is not connected. */
  readonly candidates = new Candidates();

  /** @throws ConfigError naming the field when a requirement is invalid. */
  constructor(
    requires: unknown,
    private readonly table: ConnectionTable,
  ) {
    if (requires === null || typeof requires !== "object" || Array.isArray(requires)) {
      throw new ConfigError("requires", "an object of required operations is required (may be empty)");
    }
    const map = new Map<string, Requirement>();
    for (const [name, req] of Object.entries(requires as Record<string, RequirementOptions>)) {
      map.set(name, compileRequirement(name, req));
    }
    this.requirements = map;
    this.usesPreferences = [...map.values()].some((r) => r.prefer.length > 0);
  }

  /** The core-side connections of `operation`. */
  connectionsOf(operation: string): Connection[] {
    return this.table.ofOperation(operation, "core");
  }

  /** Whether every requirement is met. */
  get met(): boolean {
    for (const req of this.requirements.values()) if (!this.satisfied(req)) return false;
    return true;
  }

  satisfied(req: Requirement): boolean {
    const conns = this.connectionsOf(req.name);
    if (conns.length < req.minimum) return false;
    return req.mandatory.every((p) => conns.some((c) => c.remote === p));
  }

  /** The unmet requirements, each with the plugins heard of and why each is not connected. */
  unmet(): UnmetRequirement[] {
    const out: UnmetRequirement[] = [];
    for (const req of this.requirements.values()) {
      if (this.satisfied(req)) continue;
      const conns = this.connectionsOf(req.name);
      const connected = new Set(conns.map((c) => c.remote));
      out.push({
        operation: req.name,
        connected: conns.length,
        minimum: req.minimum,
        absent: req.mandatory.filter((p) => !connected.has(p)),
        // A running plugin the core's own lists exclude did not offer because of them.
        ...this.candidates.of(req.name, connected, (plugin) => {
          const refusal = this.excluded(req, plugin);
          return refusal && { reason: refusal.reason, message: `${plugin} skipped: ${refusal.message}` };
        }),
      });
    }
    return out;
  }

  /** See `Core.missing`. */
  missing(): string[] {
    return this.unmet().flatMap(describeUnmet);
  }

  /** Remembers why a plugin was not connected for an operation (the core skipped it). */
  skipped(detail: SkipDetail & { readonly reason: CoreSkipReason }): void {
    const { remote, operation, reason, message } = detail;
    this.candidates.note(operation, remote, reason, `${remote} skipped: ${message}`);
  }

  /** `plugin` is connected for `operation`: forget why it was not. */
  connected(plugin: string, operation: string): void {
    this.candidates.connected(operation, plugin);
  }

  /**
   * Why `plugin`, offering `input`/`output` for `req`, can never be connected (its lists or
   * schemas), or undefined when it can.
   */
  refusal(
    req: Requirement,
    plugin: string,
    inputWire: WireSchemaSpec,
    outputWire: WireSchemaSpec,
  ): Refusal | undefined {
    const excluded = this.excluded(req, plugin);
    if (excluded) return excluded;
    const field = `requires.${req.name}`;
    const input = CompiledSpec.fromWire(inputWire);
    const output = CompiledSpec.fromWire(outputWire);
    if (!matchesAny(input, req.inputs))
      return {
        reason: "input-mismatch",
        message: `its input ${describeSpec(inputWire)} matches none of ${field}.inputs`,
      };
    if (!matchesAny(output, req.outputs))
      return {
        reason: "output-mismatch",
        message: `its output ${describeSpec(outputWire)} matches none of ${field}.outputs`,
      };
    // The plugin's schemas must compile here: its outputs are validated against them.
    if (!input.usable() || !output.usable())
      return { reason: "unusable-schema", message: "a schema it offers cannot be compiled here" };
    return undefined;
  }

  /** Why the requirement's allow or block list excludes `plugin`, or undefined. */
  private excluded(req: Requirement, plugin: string): Refusal | undefined {
    if (req.access.permits(plugin)) return undefined;
    const list = req.access.blocks(plugin) ? "block" : "allow";
    return { reason: "not-allowed", message: `requires.${req.name}.${list} excludes it` };
  }

  /** Idle connections close only when compliance does not need them. */
  mayCloseUnused(connection: Connection): boolean {
    const req = this.requirements.get(connection.operation);
    if (!req) return true;
    if (req.mandatory.includes(connection.remote)) return false;
    const open = this.connectionsOf(connection.operation).filter((c) => c.state === "open").length;
    return open > req.minimum;
  }
}

/**
 * An unmet requirement in words, one line per shortfall (too few connections, mandatory
 * plugins absent), each followed by why the plugins heard of are not connected.
 */
export function describeUnmet(unmet: UnmetRequirement): string[] {
  const { operation, candidates, unlisted } = unmet;
  const why = [
    ...candidates.map((c) => c.message),
    ...(unlisted > 0 ? [`${unlisted} more running plugins did not offer ${operation}`] : []),
  ];
  const tail = why.length > 0 ? `; ${why.join("; ")}` : "";
  const lines: string[] = [];
  if (unmet.connected < unmet.minimum)
    lines.push(`${operation}: ${unmet.connected}/${unmet.minimum} connections${tail}`);
  if (unmet.absent.length > 0)
    lines.push(`${operation}: mandatory ${unmet.absent.join(", ")} not connected${tail}`);
  return lines;
}
