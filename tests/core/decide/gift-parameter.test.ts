/** The gift parameter is read as WHATWG's URLSearchParams reads it (the reference), without building a URL. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { giftParameter } from '../../../src/core/decide/gift-parameter.js';

const reference = (url: string, param: string): string | null => {
  const value = new URL(url, 'http://localhost').searchParams.get(param);
  return value === '' ? null : value;
};

describe('giftParameter', () => {
  it('agrees with URLSearchParams on any query string (fast-check)', () => {
    const name = fc.constantFrom('gift', 'gif', 'xgift', 'gift2', 'a', '');
    const value = fc
      .array(fc.constantFrom('A', 'z', '0', '-', '_', '.', '+', '%20', '%2B', '=', 'gift=', '%C3%A9'), { maxLength: 12 })
      .map((parts) => parts.join(''));
    const pair = fc.oneof(
      fc.tuple(name, value).map(([n, v]) => `${n}=${v}`),
      name,
    );
    const url = fc
      .tuple(fc.constantFrom('/articles/x', 'https://news.example/a', '/'), fc.array(pair, { maxLength: 5 }), fc.option(value))
      .map(([path, pairs, fragment]) => `${path}${pairs.length ? `?${pairs.join('&')}` : ''}${fragment === null ? '' : `#${fragment}`}`);
    fc.assert(
      fc.property(url, (u) => {
        expect(giftParameter(u, 'gift')).toBe(reference(u, 'gift'));
      }),
      { numRuns: 5000 },
    );
  });

  it('examples', () => {
    expect(giftParameter('/a?gift=abc.def.ghi', 'gift')).toBe('abc.def.ghi');
    expect(giftParameter('/a?ref=x&gift=t#gift=u', 'gift')).toBe('t');
    expect(giftParameter('/a#gift=u', 'gift')).toBeNull();
    expect(giftParameter('/a?xgift=1', 'gift')).toBeNull();
    expect(giftParameter('/a?gift=', 'gift')).toBeNull();
    expect(giftParameter('/a?gift=%E0%A4%A', 'gift')).toBeNull(); // malformed: nothing, never a throw
  });
});
