/**
 * Which fakes a core needs: how many of each plugin type, with which ids, so that the
 * core's requirements can all be met (minimum and mandatory plugins).
 * @packageDocumentation
 */
import { ConfigError } from "../errors.js";
import type { RequirementOptions } from "../orb/requirements.js";

/** A plugin type a fake can stand in for. */
export interface FakeTypeInfo {
  /** Id of its first fake (`fake-thermostat`); more are `fake-thermostat-2`, `-3` ... */
  readonly id: string;
  /** The operations it lends. */
  readonly operations: readonly string[];
}

/**
 * The ids of the fakes to start, per plugin type: at least one per type; for each
 * required operation, its `mandatory` plugin ids (given to the first type that lends
 * it) and as many fakes as its `minimum` asks (more of the first type that lends it).
 * Types with `chosen` ids get exactly those. `allow`, `block` and `prefer` are not looked
 * at: ids that a core refuses leave it not compliant, and the wait for it says why.
 * @throws ConfigError for an empty or duplicate id list, or an id used twice.
 */
export function planFakes(
  requires: Readonly<Record<string, RequirementOptions | undefined>>,
  types: Readonly<Record<string, FakeTypeInfo>>,
  chosen: Readonly<Record<string, readonly string[] | undefined>> = {},
): Record<string, string[]> {
  const ids: Record<string, string[]> = {};
  const fixed = new Set<string>();
  for (const [type, list] of Object.entries(chosen)) {
    if (list === undefined) continue;
    if (!Array.isArray(list) || list.length === 0)
      throw new ConfigError(`${type}.ids`, "give at least one id (or leave ids out)");
    ids[type] = (list as readonly string[]).slice();
    fixed.add(type);
  }
  for (const type of Object.keys(types)) ids[type] ??= [];
  const used = (): string[] => Object.values(ids).flat();
  const lenders = (operation: string): string[] =>
    Object.keys(types).filter((t) => types[t]!.operations.includes(operation));
  const free = (operation: string): string | undefined => lenders(operation).find((t) => !fixed.has(t));

  for (const [operation, req] of Object.entries(requires)) {
    for (const id of req?.mandatory ?? []) {
      const target = free(operation);
      if (used().includes(id) || target === undefined) continue;
      ids[target]!.push(id);
    }
  }
  for (const type of Object.keys(types)) if (ids[type]!.length === 0) ids[type]!.push(types[type]!.id);
  for (const [operation, req] of Object.entries(requires)) {
    if (req === undefined) continue;
    const minimum = req.minimum ?? 1;
    const target = free(operation);
    if (target === undefined) continue;
    let have = lenders(operation).reduce((n, t) => n + ids[t]!.length, 0);
    for (let n = 2; have < minimum; n++) {
      const id = `${types[target]!.id}-${n}`;
      if (used().includes(id)) continue;
      ids[target]!.push(id);
      have++;
    }
  }
  const seen = new Set<string>();
  for (const [type, list] of Object.entries(ids)) {
    for (const id of list) {
      if (seen.has(id)) throw new ConfigError(`${type}.ids`, `${JSON.stringify(id)} is used by two fakes`);
      seen.add(id);
    }
  }
  return ids;
}
