/**
 * One way to recognise every error meterwall throws or reports: `isMeterwallError`, then `code`
 * (issue 24, item 9), whatever class it is (an option error stays a `TypeError`).
 */
import { describe, expect, it } from 'vitest';
import {
  createPaywall,
  fetchCrawlerRanges,
  InvalidOptionError,
  isMeterwallError,
  type MeterwallError,
  PaywallError,
  type PaywallErrorCode,
} from '../src/index.js';
import { SECRET } from './helpers.js';

describe('isMeterwallError', () => {
  it('recognises an option error, a misuse and an error reported in an event, and nothing else', async () => {
    const seen: MeterwallError[] = [];
    const option = (() => {
      try {
        createPaywall({ secret: 'short' });
      } catch (error) {
        return error;
      }
    })();
    expect(option).toBeInstanceOf(TypeError);
    expect(isMeterwallError(option)).toBe(true);
    const paywall = createPaywall({ secret: SECRET });
    const misuse = await paywall.decide(new Request('https://news.example/a'), { id: 1 } as never).catch((error: unknown) => error);
    expect(isMeterwallError(misuse) && misuse.code).toBe('ERR_INVALID_ARTICLE');
    const failing = createPaywall({
      secret: SECRET,
      store: { peek: () => Promise.reject(new Error('down')), record: () => Promise.reject(new Error('down')) },
      resolveReader: () => ({ status: 'registered', id: 'u' }),
      onEvent: (event) => {
        if (event.type === 'store-error') seen.push(event.error);
      },
    });
    await failing.decide(new Request('https://news.example/a'), { id: 'a' });
    expect(seen.map((e) => isMeterwallError(e) && e.code)).toEqual(['ERR_STORE_FAILED']);
    for (const other of [new Error('x'), new TypeError('x'), { code: 'ERR_INVALID_OPTION' }, null, undefined, 'ERR_STORE_FAILED'])
      expect(isMeterwallError(other)).toBe(false);
  });

  it('works across copies of the package (the mark is Symbol.for, not the class)', () => {
    const copy = Object.assign(new Error('from another copy'), { code: 'ERR_STORE_FAILED', [Symbol.for('meterwall.error')]: true });
    expect(isMeterwallError(copy)).toBe(true);
    expect(isMeterwallError(new InvalidOptionError('x', 'is wrong'))).toBe(true);
    expect(isMeterwallError(new PaywallError('ERR_GIFTS_DISABLED', 'off'))).toBe(true);
  });

  it('fetchCrawlerRanges rejects with a code, never a bare TypeError', async () => {
    const down = await fetchCrawlerRanges('https://ranges.example/list.json', {
      fetch: () => Promise.reject(new TypeError('fetch failed')),
    }).catch((error: unknown) => error);
    const status = await fetchCrawlerRanges('https://ranges.example/list.json', {
      fetch: async () => new Response('', { status: 503 }),
    }).catch((error: unknown) => error);
    for (const error of [down, status])
      expect(isMeterwallError(error) && error.code).toBe('ERR_RANGES_UNAVAILABLE' satisfies PaywallErrorCode);
  });
});
