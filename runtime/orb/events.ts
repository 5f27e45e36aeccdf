/**
 * A small typed event emitter. Unlike Node's EventEmitter, an `error` event with no
 * listener never throws: it goes to the orb's logger. A listener that throws is logged
 * and never breaks the orb or the other listeners.
 */
import type { Logger } from "../logger.js";

/**
 * Maps event names to listener argument tuples. An interface with exactly its events (no
 * index signature), so a misspelled event name does not compile.
 */
export type EventMap<E> = { [K in keyof E]: unknown[] };

/** A listener of event `K`. */
export type Listener<E extends EventMap<E>, K extends keyof E> = (...args: E[K]) => void;

type AnyListener = (...args: unknown[]) => void;

export class TypedEmitter<E extends EventMap<E>> {
  private readonly listeners = new Map<keyof E, Set<AnyListener>>();

  constructor(private readonly log: () => Logger) {}

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof E>(event: K, listener: Listener<E, K>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as unknown as AnyListener);
    return () => this.off(event, listener);
  }

  /** Adds a listener called at most once. */
  once<K extends keyof E>(event: K, listener: Listener<E, K>): () => void {
    const off = this.on(event, (...args: E[K]) => {
      off();
      listener(...args);
    });
    return off;
  }

  /** Removes a listener. */
  off<K extends keyof E>(event: K, listener: Listener<E, K>): void {
    this.listeners.get(event)?.delete(listener as unknown as AnyListener);
  }

  /** Number of listeners of `event`. */
  listenerCount(event: keyof E): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  /** Calls every listener of `event`; returns whether there was one. */
  emit<K extends keyof E>(event: K, ...args: E[K]): boolean {
    const set = this.listeners.get(event);
    if (!set || set.size === 0) {
      if (event === "error")
        this.log().error(`orbitalis: ${String((args[0] as Error | undefined)?.message ?? args[0])}`, args[0]);
      return false;
    }
    for (const listener of [...set]) {
      try {
        listener(...(args as unknown[]));
      } catch (error) {
        this.log().error(`orbitalis: a listener of "${String(event)}" threw`, error);
      }
    }
    return true;
  }
}
