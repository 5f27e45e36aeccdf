/**
 * A core's requirements against its connections: whether each is met, what is missing
 * and why (the reasons recently seen plugins were not connected), which plugins can never
 * be connected (lists, schemas), and which idle connections compliance can spare.
 */
import { ConfigError } from "../errors.js";
import { CompiledSpec, matchesAny, type WireSchemaSpec } from "../schema-spec.js";
import type { Connection } from "./connection.js";
import type { ConnectionTable } from "./connection-table.js";
import type { SkipDetail, SkipReason } from "./orb-events.js";
import {
  compileRequirement,
  describeSpec,
  type Requirement,
  type RequirementOptions,
} from "./requirements.js";

/** Skip reasons remembered per operation, so `missing()` can say why a plugin is not connected. */
const SEEN_PER_OPERATION = 16;

/** Why a plugin cannot be connected for a requirement. */
export interface Refusal {
  readonly reason: SkipReason;
  readonly message: string;
}

export class Compliance {
  readonly requirements: ReadonlyMap<string, Requirement>;
  /** Whether any requirement has preferences (offers are then collected for a window). */
  readonly usesPreferences: boolean;
  /** Per operation, the latest reason each recently seen plugin was not connected. */
  private readonly skips = new Map<string, Map<string, SkipDetail>>();

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

  /** See `Core.missing`. */
  missing(): string[] {
    const out: string[] = [];
    for (const req of this.requirements.values()) {
      const conns = this.connectionsOf(req.name);
      const seen = [...(this.skips.get(req.name)?.values() ?? [])].map(
        (d) => `${d.remote} skipped: ${d.message}`,
      );
      const why = seen.length > 0 ? `; ${seen.join("; ")}` : "";
      if (conns.length < req.minimum)
        out.push(`${req.name}: ${conns.length}/${req.minimum} connections${why}`);
      const absent = req.mandatory.filter((p) => !conns.some((c) => c.remote === p));
      if (absent.length > 0) out.push(`${req.name}: mandatory ${absent.join(", ")} not connected${why}`);
    }
    return out;
  }

  /** Remembers why `plugin` was not connected for `operation` (bounded per operation). */
  skipped(detail: SkipDetail): void {
    let seen = this.skips.get(detail.operation);
    if (!seen) this.skips.set(detail.operation, (seen = new Map<string, SkipDetail>()));
    seen.delete(detail.remote);
    seen.set(detail.remote, detail);
    if (seen.size > SEEN_PER_OPERATION) seen.delete(seen.keys().next().value as string);
  }

  /** `plugin` is connected for `operation`: forget why it was not. */
  connected(plugin: string, operation: string): void {
    this.skips.get(operation)?.delete(plugin);
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
    const field = `requires.${req.name}`;
    if (!req.access.permits(plugin)) {
      return {
        reason: "not-allowed",
        message: `${field}.${req.access.blocks(plugin) ? "block" : "allow"} excludes it`,
      };
    }
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

  /** Idle connections close only when compliance does not need them. */
  mayCloseUnused(connection: Connection): boolean {
    const req = this.requirements.get(connection.operation);
    if (!req) return true;
    if (req.mandatory.includes(connection.remote)) return false;
    const open = this.connectionsOf(connection.operation).filter((c) => c.state === "open").length;
    return open > req.minimum;
  }
}
