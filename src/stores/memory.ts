/**
 * The default in-memory meter store, and the bounded caches of the hot path. The only module
 * that imports `lru-cache`: everything meterwall keeps in memory is bounded by it.
 */
import { LRUCache } from 'lru-cache';
import { invalidOption } from '../errors.js';
import type { MeterStore, StoreClaimResult, StoreRecordResult, StoreSnapshot, StoreView, StoreWindow } from '../types.js';

/** A bounded key-value cache (internal). */
export interface BoundedCache<V> {
  get(key: string): V | undefined;
  set(key: string, value: V, ttlMs?: number): void;
  delete(key: string): void;
  readonly size: number;
}

/** Creates a cache holding at most `max` entries, least recently used evicted first (internal). */
export function createBoundedCache<V extends object | string | number | boolean>(
  max: number,
  now?: () => number,
): BoundedCache<V> {
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

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * The most meters (accounts) kept; the least recently used is dropped beyond it.
   * @default 100000
   */
  readonly max?: number;
  /**
   * The clock used to expire meters, in ms.
   * @default Date.now
   */
  readonly now?: () => number;
}

/** A meter as the memory store keeps it: article key → time of its first counted view. */
type Views = Map<string, number>;

/**
 * Creates the default meter store: in this process's memory, bounded by `max` meters, each
 * expiring at its period's end. For several servers use the Redis store instead.
 *
 * @example
 * ```ts
 * import { createPaywall, createMemoryStore } from 'meterwall';
 * const paywall = createPaywall({ secret, store: createMemoryStore({ max: 50_000 }) });
 * ```
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): MeterStore {
  if (options === null || typeof options !== 'object') throw invalidOption('store', 'must be an options object');
  const max = options.max ?? 100_000;
  if (!Number.isSafeInteger(max) || max < 1) throw invalidOption('max', 'must be a positive integer');
  if (options.now !== undefined && typeof options.now !== 'function') throw invalidOption('now', 'must be a function');
  const clock = options.now ?? Date.now;
  const meters = createBoundedCache<Views>(max, () => clock());
  const highWater = createBoundedCache<number>(max, () => clock());
  const fresh = createBoundedCache<number>(max, () => clock());

  const snapshot = (views: Views | undefined, article: string, window: StoreWindow): StoreSnapshot => {
    if (!views) return { used: 0, read: false, oldestAt: null };
    let used = 0;
    let oldestAt: number | null = null;
    for (const [key, at] of views) {
      if (at < window.since) {
        views.delete(key);
        continue;
      }
      used++;
      if (oldestAt === null || at < oldestAt) oldestAt = at;
    }
    return { used, read: views.has(article), oldestAt };
  };

  return {
    async peek(key, article, window) {
      return snapshot(meters.get(key), article, window);
    },
    async record(key, article, view: StoreView): Promise<StoreRecordResult> {
      // Synchronous from here to the end: atomic within this process.
      const views = meters.get(key) ?? new Map<string, number>();
      const before = snapshot(views, article, view);
      const added = !before.read && before.used < view.limit;
      if (added) {
        views.set(article, view.at);
        meters.set(key, views, view.expiresAt - view.at);
      }
      return { ...before, added };
    },
    async merge(key, incoming, window) {
      const views = meters.get(key) ?? new Map<string, number>();
      let { used } = snapshot(views, '', window);
      let added = 0;
      for (const view of incoming) {
        if (used >= window.limit) break;
        if (view.at < window.since || views.has(view.article)) continue;
        views.set(view.article, view.at);
        used++;
        added++;
      }
      if (added > 0) meters.set(key, views, window.expiresAt - window.at);
      return { ...snapshot(views, '', window), added };
    },
    async claimView(key, presented, claim): Promise<StoreClaimResult> {
      const used = Math.max(highWater.get(key) ?? 0, presented);
      if (used >= claim.limit) return { allowed: false, used };
      highWater.set(key, used + 1, claim.expiresAt - claim.at);
      return { allowed: true, used };
    },
    async countFresh(key, ttlMs) {
      const count = (fresh.get(key) ?? 0) + 1;
      fresh.set(key, count, ttlMs);
      return count;
    },
  };
}
