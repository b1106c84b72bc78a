import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { andThen, isPromiseLike, withTimeout } from '../../src/util/maybe-async.js';

describe('maybe-async', () => {
  it('a promise from another realm is a promise (the edge runtime hands out its host’s Web Crypto promises)', async () => {
    const foreign = runInNewContext('Promise.resolve(false)') as Promise<boolean>;
    expect(foreign instanceof Promise).toBe(false); // why instanceof will not do
    expect(isPromiseLike(foreign)).toBe(true);
    const result = andThen(foreign, (valid) => (valid === true ? 'accepted' : 'refused'));
    expect(isPromiseLike(result)).toBe(true);
    expect(await result).toBe('refused');
  });

  it('ready values stay synchronous; thenables are adopted', async () => {
    expect(andThen(2, (n) => n * 2)).toBe(4);
    // biome-ignore lint/suspicious/noThenProperty: the test is about objects with a `then`.
    expect(isPromiseLike({ then: 1 })).toBe(false);
    expect(isPromiseLike(null)).toBe(false);
    // biome-ignore lint/suspicious/noThenProperty: a thenable that is not a Promise, on purpose.
    const thenable = { then: (resolve: (v: number) => void) => resolve(3) } as unknown as PromiseLike<number>;
    expect(await andThen(thenable, (n) => n + 1)).toBe(4);
  });

  it('a timeout names what timed out and carries its code', async () => {
    const never = new Promise<never>(() => {});
    await expect(withTimeout(never, 5, 'store.record')).rejects.toMatchObject({
      code: 'ERR_STORE_TIMEOUT',
      message: expect.stringContaining('store.record'),
    });
  });
});
