/**
 * The bounded cache everything meterwall keeps in memory goes through, and the only module that
 * imports `lru-cache`: at most `max` entries, least recently used evicted first, optional
 * per-entry lifetimes on an injected clock.
 */
import { LRUCache } from 'lru-cache';

/** A bounded key-value cache (internal). */
export interface BoundedCache<V> {
  get(key: string): V | undefined;
  set(key: string, value: V, ttlMs?: number): void;
  delete(key: string): void;
  readonly size: number;
}

/** Creates a cache holding at most `max` entries, least recently used evicted first (internal). */
export function createBoundedCache<V extends object | string | number | boolean>(max: number, now?: () => number): BoundedCache<V> {
  // ttlResolution 0: read the clock on every check instead of caching it behind a timer, so
  // the cache needs no timers (Workers) and honours an injected clock exactly.
  const cache = new LRUCache<string, V>({ max, ttlResolution: 0, ...(now ? { perf: { now } } : {}) });
  return {
    get: (key) => cache.get(key),
    set(key, value, ttlMs) {
      if (ttlMs === undefined) cache.set(key, value);
      else cache.set(key, value, { ttl: Math.max(1, Math.ceil(ttlMs)) });
    },
    delete: (key) => void cache.delete(key),
    get size() {
      return cache.size;
    },
  };
}
