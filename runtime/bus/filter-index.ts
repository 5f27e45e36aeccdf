/**
 * An index of MQTT-style topic filters (`+` one level, `#` the rest): the items whose
 * filter matches a topic are found by walking the topic's levels, at a cost that grows
 * with the topic's depth and the wildcards on its path, not with the number of filters.
 * The LocalHub keeps its wildcard subscriptions in one (an orb subscribes with
 * wildcards, so a hub of a thousand orbs holds thousands of them).
 */

interface Node<T> {
  readonly children: Map<string, Node<T>>;
  /** The `+` child. */
  plus: Node<T> | undefined;
  /** Items whose filter ends here. */
  readonly items: Set<T>;
  /** Items whose filter ends with `#` here (this level and every level below). */
  readonly rest: Set<T>;
}

function node<T>(): Node<T> {
  return { children: new Map(), plus: undefined, items: new Set(), rest: new Set() };
}

export class FilterIndex<T> {
  private readonly root: Node<T> = node();
  private count = 0;

  /** Number of (filter, item) entries. */
  get size(): number {
    return this.count;
  }

  /** Adds `item` under a valid `filter`. */
  add(filter: string, item: T): void {
    const levels = filter.split("/");
    let at = this.root;
    for (let i = 0; i < levels.length; i++) {
      const level = levels[i]!;
      if (level === "#") {
        if (!at.rest.has(item)) this.count++;
        at.rest.add(item);
        return;
      }
      if (level === "+") at = at.plus ??= node();
      else {
        let next = at.children.get(level);
        if (!next) at.children.set(level, (next = node()));
        at = next;
      }
    }
    if (!at.items.has(item)) this.count++;
    at.items.add(item);
  }

  /** Removes `item` from under `filter` (and prunes empty branches). */
  delete(filter: string, item: T): void {
    const levels = filter.split("/");
    const path: { parent: Node<T>; level: string }[] = [];
    let at: Node<T> | undefined = this.root;
    for (const level of levels) {
      if (level === "#") {
        if (at.rest.delete(item)) this.count--;
        break;
      }
      const next: Node<T> | undefined = level === "+" ? at.plus : at.children.get(level);
      if (!next) return;
      path.push({ parent: at, level });
      at = next;
    }
    if (levels[levels.length - 1] !== "#" && at.items.delete(item)) this.count--;
    // Prune nodes left empty, from the leaf up.
    for (let i = path.length - 1; i >= 0; i--) {
      const { parent, level } = path[i]!;
      const child = level === "+" ? parent.plus! : parent.children.get(level)!;
      if (child.items.size > 0 || child.rest.size > 0 || child.children.size > 0 || child.plus) break;
      if (level === "+") parent.plus = undefined;
      else parent.children.delete(level);
    }
  }

  /** Appends to `out` every item whose filter matches `topic` (once per filter it is under). */
  match(topic: string, out: T[]): void {
    const levels = topic.split("/");
    // Wildcards at the first level never match topics starting with `$` (MQTT).
    this.walk(this.root, levels, 0, topic.charCodeAt(0) === 36, out);
  }

  private walk(at: Node<T>, levels: string[], i: number, dollar: boolean, out: T[]): void {
    const first = i === 0 && dollar;
    if (!first) for (const item of at.rest) out.push(item);
    if (i === levels.length) {
      for (const item of at.items) out.push(item);
      return;
    }
    const next = at.children.get(levels[i]!);
    if (next) this.walk(next, levels, i + 1, dollar, out);
    if (at.plus && !first) this.walk(at.plus, levels, i + 1, dollar, out);
  }
}
