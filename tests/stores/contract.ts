import { expect, it } from 'vitest';
import type { MeterStore } from '../../src/index.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-23T12:00:00Z');

/**
 * The behaviour every MeterStore must have, run against every store on its real engine: memory,
 * Redis (node-redis, ioredis, Cluster), Redis over HTTP (Upstash's protocol) and Durable Objects (workerd).
 * `fresh()` returns a store and a unique key prefix, so runs never share data.
 */
export function storeContract(fresh: () => Promise<{ store: MeterStore; key: (name: string) => string }>): void {
  it('records a view only while under the limit; re-reading is not a new view', async () => {
    const { store, key } = await fresh();
    const k = key('m');
    const view = { limit: 2, at: T0, since: T0 - DAY, expiresAt: T0 + DAY };
    expect(await store.record(k, 'a', view)).toEqual({ used: 0, read: false, oldestAt: null, added: true });
    expect(await store.record(k, 'a', { ...view, at: T0 + 1 })).toEqual({ used: 1, read: true, oldestAt: T0, added: false });
    expect(await store.record(k, 'b', { ...view, at: T0 + 2 })).toEqual({ used: 1, read: false, oldestAt: T0, added: true });
    expect(await store.record(k, 'c', view)).toEqual({ used: 2, read: false, oldestAt: T0, added: false });
    expect(await store.peek(k, 'b', { since: T0 - DAY })).toEqual({ used: 2, read: true, oldestAt: T0 });
    expect(await store.peek(key('other'), 'b', { since: T0 - DAY })).toEqual({ used: 0, read: false, oldestAt: null });
  });

  it('views older than the window do not count (rolling windows)', async () => {
    const { store, key } = await fresh();
    const k = key('r');
    await store.record(k, 'a', { limit: 2, at: T0, since: 0, expiresAt: T0 + DAY });
    await store.record(k, 'b', { limit: 2, at: T0 + 5000, since: 0, expiresAt: T0 + DAY });
    expect(await store.peek(k, 'a', { since: T0 + 1 })).toEqual({ used: 1, read: false, oldestAt: T0 + 5000 });
    expect((await store.record(k, 'c', { limit: 2, at: T0 + 6000, since: T0 + 1, expiresAt: T0 + DAY })).added).toBe(true);
  });

  it('records atomically: 200 concurrent views of distinct articles add exactly the limit', async () => {
    const { store, key } = await fresh();
    const k = key('atomic');
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => store.record(k, `a${i}`, { limit: 7, at: T0 + i, since: 0, expiresAt: T0 + DAY })),
    );
    expect(results.filter((r) => r.added)).toHaveLength(7);
    expect((await store.peek(k, '', { since: 0 })).used).toBe(7);
  });

  it('merges views once each, in order, capped at the limit', async () => {
    const { store, key } = await fresh();
    const k = key('merge');
    const window = { limit: 3, at: T0, since: T0 - DAY, expiresAt: T0 + DAY };
    await store.record(k, 'a', window);
    const views = ['a', 'b', 'c', 'd'].map((article, i) => ({ article, at: T0 - 1000 + i }));
    const after = await store.merge?.(k, views, window);
    expect(after).toMatchObject({ used: 3, added: 2 });
    expect((await store.peek(k, 'b', { since: window.since })).read).toBe(true);
    expect((await store.peek(k, 'd', { since: window.since })).read).toBe(false);
    // Merging again changes nothing.
    expect(await store.merge?.(k, views, window)).toMatchObject({ used: 3, added: 0 });
    // Views from before the window are not merged.
    const stale = await store.merge?.(key('stale'), [{ article: 'x', at: T0 - 2 * DAY }], window);
    expect(stale?.used).toBe(0);
  });

  it('keeps the highest count per reader: a replayed lower count gains nothing', async () => {
    const { store, key } = await fresh();
    const k = key('hw');
    const claim = { limit: 3, at: T0, expiresAt: T0 + DAY };
    expect(await store.claimView?.(k, 0, claim)).toEqual({ allowed: true, used: 0 });
    expect(await store.claimView?.(k, 1, claim)).toEqual({ allowed: true, used: 1 });
    expect(await store.claimView?.(k, 2, claim)).toEqual({ allowed: true, used: 2 });
    // An older cookie says 0 views were spent; the store knows 3.
    expect(await store.claimView?.(k, 0, claim)).toEqual({ allowed: false, used: 3 });
    // A higher presented count raises the known one.
    expect(await store.claimView?.(key('hw2'), 2, claim)).toEqual({ allowed: true, used: 2 });
    expect(await store.claimView?.(key('hw2'), 0, claim)).toEqual({ allowed: false, used: 3 });
  });

  it('a meter, a claim and a count end with their period (real time: every store keeps its own clock)', async () => {
    const { store, key } = await fresh();
    const at = Date.now();
    const until = { at, expiresAt: at + 1200 };
    await store.record(key('ends'), 'a', { limit: 5, since: 0, ...until });
    expect(await store.claimView?.(key('ends-claim'), 0, { limit: 1, ...until })).toEqual({ allowed: true, used: 0 });
    expect(await store.claimView?.(key('ends-claim'), 0, { limit: 1, ...until })).toEqual({ allowed: false, used: 1 });
    expect(await store.countFresh?.(key('ends-count'), 1200)).toBe(1);
    expect((await store.peek(key('ends'), 'a', { since: 0 })).used).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await store.peek(key('ends'), 'a', { since: 0 })).toEqual({ used: 0, read: false, oldestAt: null });
    expect(await store.claimView?.(key('ends-claim'), 0, { limit: 1, at: Date.now(), expiresAt: Date.now() + 60_000 })).toEqual({
      allowed: true,
      used: 0,
    });
    expect(await store.countFresh?.(key('ends-count'), 1200)).toBe(1);
  });

  it('counts fresh meters per key within a window', async () => {
    const { store, key } = await fresh();
    const k = key('fresh');
    expect(await store.countFresh?.(k, 60_000)).toBe(1);
    expect(await store.countFresh?.(k, 60_000)).toBe(2);
    expect(await store.countFresh?.(key('fresh-other'), 60_000)).toBe(1);
  });
}
