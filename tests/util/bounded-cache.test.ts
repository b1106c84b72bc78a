import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBoundedCache } from '../../src/util/bounded-cache.js';

describe('createBoundedCache', () => {
  it('holds at most max entries, dropping the least recently used; a read makes an entry recent', () => {
    const cache = createBoundedCache<number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1); // a is now the most recent
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
    expect(cache.size).toBe(2);
  });

  it('setting a key again replaces its value and makes it recent', () => {
    const cache = createBoundedCache<string>(2);
    cache.set('a', 'x');
    cache.set('b', 'y');
    cache.set('a', 'z');
    cache.set('c', 'w');
    expect(cache.get('a')).toBe('z');
    expect(cache.get('b')).toBeUndefined();
  });

  it('expires entries on the injected clock, to the millisecond, without timers', () => {
    let now = 1_000;
    const cache = createBoundedCache<string>(10, () => now);
    cache.set('t', 'v', 500);
    cache.set('forever', 'v');
    now = 1_499;
    expect(cache.get('t')).toBe('v');
    now = 1_500;
    expect(cache.get('t')).toBeUndefined();
    expect(cache.size).toBe(1);
    now = 10 ** 12;
    expect(cache.get('forever')).toBe('v');
  });

  it('a lifetime under a millisecond still lasts one; delete removes', () => {
    let now = 0;
    const cache = createBoundedCache<number>(10, () => now);
    cache.set('k', 1, 0.2);
    expect(cache.get('k')).toBe(1);
    now = 1;
    expect(cache.get('k')).toBeUndefined();
    cache.set('d', 2);
    cache.delete('d');
    expect(cache.get('d')).toBeUndefined();
  });

  it('stays bounded under a flood of distinct keys', () => {
    const cache = createBoundedCache<number>(100);
    for (let i = 0; i < 100_000; i++) cache.set(`k${i}`, i);
    expect(cache.size).toBe(100);
    expect(cache.get('k99999')).toBe(99_999);
    expect(cache.get('k0')).toBeUndefined();
  });

  it('agrees with a plain list model of least-recently-used under any sequence of reads, writes and deletes (fast-check)', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('get' as const), key: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ kind: fc.constant('set' as const), key: fc.integer({ min: 0, max: 7 }), value: fc.integer() }),
      fc.record({ kind: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 7 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(op, { maxLength: 60 }), (max, ops) => {
        const cache = createBoundedCache<number>(max);
        let model: Array<[string, number]> = []; // least recent first
        for (const o of ops) {
          const key = `k${o.key}`;
          const at = model.findIndex(([k]) => k === key);
          if (o.kind === 'get') {
            const expected = at === -1 ? undefined : (model[at] as [string, number])[1];
            if (at !== -1) model.push(...model.splice(at, 1));
            expect(cache.get(key)).toBe(expected);
          } else if (o.kind === 'set') {
            if (at !== -1) model.splice(at, 1);
            model.push([key, o.value]);
            if (model.length > max) model = model.slice(1);
            cache.set(key, o.value);
          } else {
            if (at !== -1) model.splice(at, 1);
            cache.delete(key);
          }
          expect(cache.size).toBe(model.length);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
