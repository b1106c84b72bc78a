/**
 * The bounded cache everything meterwall keeps in memory goes through (the memory store, the
 * verified-token, hash and session caches, the renderer's and DNS caches): at most `max`
 * entries, the least recently used dropped first, and optional per-entry lifetimes on an
 * injected clock. The one module that imports lru-cache (README, "Dependencies").
 *
 * Three settings matter:
 * - the count bound is lru-cache's `maxSize` with every entry of size 1, not its `max`: `max`
 *   allocates its index arrays for all entries up front (28 bytes each with lifetimes: 8.4 MB for
 *   the memory store's default 100 000 meters, 840 MB for the 10 million `meterwall simulate`
 *   allows), `maxSize` grows them with use and evicts the same way;
 * - `ttlResolution: 0` reads the clock on every check instead of caching it behind a
 *   `setTimeout`: no timers (Workers, test clocks), and expiry exact to the millisecond;
 * - an entry is stale once `now >= set + ttl` (meterwall's convention: a meter is gone at its
 *   period's end, not a millisecond after); lru-cache's is `now > start + ttl`, so the start is
 *   recorded one millisecond early.
 */
import { LRUCache } from 'lru-cache';

/** A bounded key-value cache (internal). */
export interface BoundedCache<V> {
  get(key: string): V | undefined;
  /** Stores `value`; with `ttlMs`, it is no longer returned from `ttlMs` (at least 1) later. */
  set(key: string, value: V, ttlMs?: number): void;
  delete(key: string): void;
  readonly size: number;
}

const ONE = (): number => 1;

/** Creates a cache holding at most `max` entries, least recently used evicted first (internal). */
export function createBoundedCache<V extends NonNullable<unknown>>(max: number, now: () => number = Date.now): BoundedCache<V> {
  const cache = new LRUCache<string, V>({ maxSize: max, sizeCalculation: ONE, ttlResolution: 0, perf: { now } });
  return {
    get: (key) => cache.get(key),
    set(key, value, ttlMs) {
      if (ttlMs === undefined) cache.set(key, value);
      else cache.set(key, value, { ttl: Math.max(1, Math.ceil(ttlMs)), start: now() - 1 });
    },
    delete(key) {
      cache.delete(key);
    },
    get size() {
      return cache.size;
    },
  };
}
