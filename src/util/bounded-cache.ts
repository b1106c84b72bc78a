/**
 * The bounded cache everything meterwall keeps in memory goes through: at most `max` entries,
 * the least recently used dropped first, and optional per-entry lifetimes on an injected clock
 * (no timers: expiry is checked when an entry is read, so it runs on Workers and follows a test
 * clock exactly). A `Map` keeps insertion order, which is the recency order here: a read moves
 * its entry to the end. Hand-written rather than lru-cache: that package is 18.7 KB minified,
 * a fifth of an edge function's budget, for what fits in this file.
 */

/** A bounded key-value cache (internal). */
export interface BoundedCache<V> {
  get(key: string): V | undefined;
  set(key: string, value: V, ttlMs?: number): void;
  delete(key: string): void;
  readonly size: number;
}

interface Entry<V> {
  readonly value: V;
  /** When it stops being returned (ms on the clock), or `Infinity`. */
  readonly expires: number;
}

/** Creates a cache holding at most `max` entries, least recently used evicted first (internal). */
export function createBoundedCache<V>(max: number, now: () => number = Date.now): BoundedCache<V> {
  const entries = new Map<string, Entry<V>>();
  return {
    get(key) {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      if (entry.expires !== Infinity && entry.expires <= now()) {
        entries.delete(key);
        return undefined;
      }
      entries.delete(key); // most recently used: to the end
      entries.set(key, entry);
      return entry.value;
    },
    set(key, value, ttlMs) {
      entries.delete(key);
      entries.set(key, { value, expires: ttlMs === undefined ? Infinity : now() + Math.max(1, Math.ceil(ttlMs)) });
      if (entries.size > max) entries.delete(entries.keys().next().value as string);
    },
    delete(key) {
      entries.delete(key);
    },
    get size() {
      return entries.size;
    },
  };
}
