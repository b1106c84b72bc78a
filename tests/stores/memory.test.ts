import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/index.js';
import { fakeClock } from '../helpers.js';
import { storeContract } from './contract.js';
import { giftContract } from './gift-contract.js';

describe('the memory store keeps the MeterStore contract', () => {
  storeContract(async () => ({ store: createMemoryStore(), key: (name) => name }));
  giftContract(async () => {
    const store = createMemoryStore();
    return [store, store] as const;
  });
});

const DAY = 86_400_000;

describe('createMemoryStore', () => {
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

  it('validates its options', () => {
    expect(() => createMemoryStore({ max: 0 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION', option: 'max' }));
    expect(() => createMemoryStore({ now: 1 as never })).toThrow(TypeError);
  });
});
