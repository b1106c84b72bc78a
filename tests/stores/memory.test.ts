import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/index.js';
import { fakeClock } from '../helpers.js';

const DAY = 86_400_000;

describe('createMemoryStore', () => {
  it('records a view only while under the limit, and re-reading is not a new view', async () => {
    const store = createMemoryStore();
    const view = { limit: 2, at: 1000, since: 0, expiresAt: DAY };
    expect(await store.record('k', 'a', view)).toEqual({ used: 0, read: false, oldestAt: null, added: true });
    expect(await store.record('k', 'a', { ...view, at: 2000 })).toEqual({ used: 1, read: true, oldestAt: 1000, added: false });
    expect(await store.record('k', 'b', { ...view, at: 3000 })).toEqual({ used: 1, read: false, oldestAt: 1000, added: true });
    expect(await store.record('k', 'c', view)).toEqual({ used: 2, read: false, oldestAt: 1000, added: false });
    expect(await store.peek('k', 'b', { since: 0 })).toEqual({ used: 2, read: true, oldestAt: 1000 });
    expect(await store.peek('other', 'b', { since: 0 })).toEqual({ used: 0, read: false, oldestAt: null });
  });

  it('views older than the window no longer count (rolling windows)', async () => {
    const store = createMemoryStore();
    await store.record('k', 'a', { limit: 2, at: 1000, since: 0, expiresAt: DAY });
    await store.record('k', 'b', { limit: 2, at: 5000, since: 0, expiresAt: DAY });
    expect(await store.peek('k', 'a', { since: 1001 })).toEqual({ used: 1, read: false, oldestAt: 5000 });
    expect((await store.record('k', 'c', { limit: 2, at: 6000, since: 1001, expiresAt: DAY })).added).toBe(true);
  });

  it('expires a meter at its expiry time on the injected clock', async () => {
    const t0 = Date.parse('2026-11-23T12:00:00Z');
    const clock = fakeClock(t0);
    const store = createMemoryStore({ now: clock.now });
    await store.record('k', 'a', { limit: 5, at: t0, since: 0, expiresAt: t0 + 10_000 });
    clock.set(t0 + 9_999);
    expect((await store.peek('k', 'a', { since: 0 })).used).toBe(1);
    clock.set(t0 + 10_001);
    expect((await store.peek('k', 'a', { since: 0 })).used).toBe(0);
  });

  it('is bounded: the least recently used meter is dropped beyond max', async () => {
    const store = createMemoryStore({ max: 3 });
    const view = { limit: 5, at: 0, since: 0, expiresAt: DAY };
    for (const key of ['k1', 'k2', 'k3', 'k4']) await store.record(key, 'a', view);
    expect((await store.peek('k1', 'a', { since: 0 })).used).toBe(0);
    expect((await store.peek('k4', 'a', { since: 0 })).used).toBe(1);
  });

  it('records atomically: 100 concurrent views of distinct articles add exactly the limit', async () => {
    const store = createMemoryStore();
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => store.record('k', `a${i}`, { limit: 7, at: i, since: 0, expiresAt: DAY })),
    );
    expect(results.filter((r) => r.added)).toHaveLength(7);
  });

  it('validates its options', () => {
    expect(() => createMemoryStore({ max: 0 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION', option: 'max' }));
    expect(() => createMemoryStore({ now: 1 as never })).toThrow(TypeError);
  });
});
