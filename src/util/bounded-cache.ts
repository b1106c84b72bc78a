/**
 * The bounded cache everything meterwall keeps in memory goes through: at most `max` entries,
 * the least recently used dropped first, and optional per-entry lifetimes on an injected clock
 * (no timers: expiry is checked when an entry is read, so it runs on Workers and follows a test
 * clock exactly).
 *
 * A `Map` finds entries; recency is a doubly linked list threaded through them, so a hit only
 * moves two pointers. (Keeping recency as the `Map`'s insertion order, by deleting and setting
 * the key on every read, costs ~5 µs per read on V8 once the map holds a few thousand keys: it
 * made a returning reader 10× slower. bench/README.md has the figure.) Hand-written rather than
 * lru-cache: that package is 18.7 KB minified, a fifth of an edge function's budget.
 */

/** A bounded key-value cache (internal). */
export interface BoundedCache<V> {
  get(key: string): V | undefined;
  set(key: string, value: V, ttlMs?: number): void;
  delete(key: string): void;
  readonly size: number;
}

interface Node<V> {
  readonly key: string;
  value: V;
  /** When it stops being returned (ms on the clock), or `Infinity`. */
  expires: number;
  /** Toward the most recent end. */
  newer: Node<V> | null;
  /** Toward the least recent end. */
  older: Node<V> | null;
}

/** Creates a cache holding at most `max` entries, least recently used evicted first (internal). */
export function createBoundedCache<V>(max: number, now: () => number = Date.now): BoundedCache<V> {
  const nodes = new Map<string, Node<V>>();
  let newest: Node<V> | null = null;
  let oldest: Node<V> | null = null;

  const unlink = (node: Node<V>): void => {
    if (node.newer) node.newer.older = node.older;
    else newest = node.older;
    if (node.older) node.older.newer = node.newer;
    else oldest = node.newer;
    node.newer = node.older = null;
  };
  const pushNewest = (node: Node<V>): void => {
    node.older = newest;
    if (newest) newest.newer = node;
    newest = node;
    oldest ??= node;
  };
  const remove = (node: Node<V>): void => {
    unlink(node);
    nodes.delete(node.key);
  };

  return {
    get(key) {
      const node = nodes.get(key);
      if (node === undefined) return undefined;
      if (node.expires !== Infinity && node.expires <= now()) {
        remove(node);
        return undefined;
      }
      if (node !== newest) {
        unlink(node);
        pushNewest(node);
      }
      return node.value;
    },
    set(key, value, ttlMs) {
      const expires = ttlMs === undefined ? Infinity : now() + Math.max(1, Math.ceil(ttlMs));
      const existing = nodes.get(key);
      if (existing !== undefined) {
        existing.value = value;
        existing.expires = expires;
        if (existing !== newest) {
          unlink(existing);
          pushNewest(existing);
        }
        return;
      }
      const node: Node<V> = { key, value, expires, newer: null, older: null };
      nodes.set(key, node);
      pushNewest(node);
      if (nodes.size > max && oldest) remove(oldest);
    },
    delete(key) {
      const node = nodes.get(key);
      if (node) remove(node);
    },
    get size() {
      return nodes.size;
    },
  };
}
