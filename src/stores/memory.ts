/** The default in-memory meter store: bounded, each meter expiring at its period's end. */
import { createBoundedCache } from '../util/bounded-cache.js';
import { invalidOption } from '../errors.js';
import type { MeterStore, StoreClaim, StoreClaimResult, StoreRecordResult, StoreSnapshot, StoreView, StoreWindow } from '../types.js';

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

/**
 * A meter as the memory store keeps it: article key → time of its first counted view, and the
 * oldest of those times, so a window that reaches back past it (every view still counts) is
 * answered without walking the views: a gift's openers can be many.
 */
class Views {
  readonly map = new Map<string, number>();
  oldest = Number.POSITIVE_INFINITY;

  add(key: string, at: number): void {
    this.map.set(key, at);
    if (at < this.oldest) this.oldest = at;
  }
}

/**
 * Marks a store whose operations finish in this process without waiting on anything (internal):
 * the decision then sets no timeout timer around them, which would cost more than the operation,
 * and claims a view synchronously through {@link LocalStore}.
 */
export const IN_PROCESS: unique symbol = Symbol('meterwall.local-store');

/** The synchronous face of an in-process store (internal). */
export interface LocalStore {
  claimView(key: string, presented: number, claim: StoreClaim): StoreClaimResult;
}

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
    const { map } = views;
    if (window.since > views.oldest) {
      // Some views fell out of the window: drop them and find the oldest left.
      let oldest = Number.POSITIVE_INFINITY;
      for (const [key, at] of map) {
        if (at < window.since) map.delete(key);
        else if (at < oldest) oldest = at;
      }
      views.oldest = oldest;
    }
    return { used: map.size, read: map.has(article), oldestAt: map.size === 0 ? null : views.oldest };
  };

  const claimView = (key: string, presented: number, claim: StoreClaim): StoreClaimResult => {
    const used = Math.max(highWater.get(key) ?? 0, presented);
    if (used >= claim.limit) return { allowed: false, used };
    highWater.set(key, used + 1, claim.expiresAt - claim.at);
    return { allowed: true, used };
  };

  const store: MeterStore = {
    async peek(key, article, window) {
      return snapshot(meters.get(key), article, window);
    },
    async record(key, article, view: StoreView): Promise<StoreRecordResult> {
      // Synchronous from here to the end: atomic within this process.
      const views = meters.get(key) ?? new Views();
      const before = snapshot(views, article, view);
      const added = !before.read && before.used < view.limit;
      if (added) {
        views.add(article, view.at);
        meters.set(key, views, view.expiresAt - view.at);
      }
      return { ...before, added };
    },
    async merge(key, incoming, window) {
      const views = meters.get(key) ?? new Views();
      let { used } = snapshot(views, '', window);
      let added = 0;
      for (const view of incoming) {
        if (used >= window.limit) break;
        if (view.at < window.since || views.map.has(view.article)) continue;
        views.add(view.article, view.at);
        used++;
        added++;
      }
      if (added > 0) meters.set(key, views, window.expiresAt - window.at);
      return { ...snapshot(views, '', window), added };
    },
    async claimView(key, presented, claim): Promise<StoreClaimResult> {
      return claimView(key, presented, claim);
    },
    async countFresh(key, ttlMs) {
      const count = (fresh.get(key) ?? 0) + 1;
      fresh.set(key, count, ttlMs);
      return count;
    },
  };
  const local: LocalStore = { claimView };
  Object.defineProperty(store, IN_PROCESS, { value: local });
  return store;
}
