/**
 * Configuration checks and allow/block/prefer rules shared by cores and plugins.
 */
import { ConfigError } from "../errors.js";
import { checkOrbId } from "../ids.js";

/** An allow or block list, or neither. */
export interface AccessLists {
  /** Only these ids (exclusive with `block`). */
  readonly allow?: readonly string[];
  /** Never these ids (exclusive with `allow`). */
  readonly block?: readonly string[];
}

/** Compiled allow/block rule. */
export class Access {
  private constructor(
    private readonly allow: ReadonlySet<string> | undefined,
    private readonly block: ReadonlySet<string> | undefined,
  ) {}

  /** Checks lists; `field` is the config path for errors. */
  static from(lists: AccessLists, field: string): Access {
    const allow = idList(lists.allow, `${field}.allow`);
    const block = idList(lists.block, `${field}.block`);
    // An empty allow list means "no allow list" (as in `allow: []` of the public examples).
    const hasAllow = allow !== undefined && allow.length > 0;
    if (hasAllow && block !== undefined && block.length > 0) {
      throw new ConfigError(field, "allow and block lists exclude each other: give one of them");
    }
    return new Access(
      hasAllow ? new Set(allow) : undefined,
      block && block.length > 0 ? new Set(block) : undefined,
    );
  }

  /** Whether `id` may take part. */
  permits(id: string): boolean {
    if (this.allow && !this.allow.has(id)) return false;
    return !this.block?.has(id);
  }

  /** Whether `id` is on the block list. */
  blocks(id: string): boolean {
    return this.block?.has(id) ?? false;
  }

  /** The lists for the wire, when set. */
  wire(): { allow?: string[]; block?: string[] } {
    if (this.allow) return { allow: [...this.allow] };
    if (this.block) return { block: [...this.block] };
    return {};
  }
}

/** Checks an optional list of orb ids (no duplicates, no reserved ids). */
export function idList(value: unknown, field: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new ConfigError(field, "must be an array of ids");
  const seen = new Set<string>();
  value.forEach((v, i) => {
    checkOrbId(`${field}[${i}]`, v);
    if (seen.has(v as string))
      throw new ConfigError(`${field}[${i}]`, `${JSON.stringify(v)} is listed twice`);
    seen.add(v as string);
  });
  return [...seen];
}

/** Checks an optional count: an integer >= `min`. */
export function count(value: unknown, field: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new ConfigError(field, `must be an integer >= ${min}, found ${JSON.stringify(value)}`);
  }
  return value;
}

/** Rank of `id` in a preference list: its index, or the list length when absent. */
export function rank(prefer: readonly string[], id: string): number {
  const i = prefer.indexOf(id);
  return i === -1 ? prefer.length : i;
}
