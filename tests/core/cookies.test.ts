import { stringifySetCookie } from 'cookie';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMeterCookieWriter, readCookies } from '../../src/core/cookies.js';

const readCookieValues = (header: string | null, name: string): string[] => readCookies(header, [name])[0] as string[];

describe('readCookies', () => {
  it('finds every value of a name, in order, trimming spaces and quotes', () => {
    expect(readCookieValues('a=1; m=x; b=2;  m = "y" ;m=z', 'm')).toEqual(['x', 'y', 'z']);
  });

  it('ignores names that only contain or start with the name', () => {
    expect(readCookieValues('xm=1; m2=2; mm=3; m=4', 'm')).toEqual(['4']);
    expect(readCookieValues('a=m=1', 'm')).toEqual([]);
  });

  it('copes with empty, missing and malformed headers', () => {
    expect(readCookieValues(null, 'm')).toEqual([]);
    expect(readCookieValues('', 'm')).toEqual([]);
    expect(readCookieValues(';;;m', 'm')).toEqual([]);
    expect(readCookieValues('m=', 'm')).toEqual(['']);
    expect(readCookieValues('m', 'm')).toEqual([]);
  });

  it('reads at most a few values, so a header stuffed with copies costs little', () => {
    const header = Array.from({ length: 1000 }, (_, i) => `m=${i}`).join('; ');
    expect(readCookieValues(header, 'm')).toEqual(['0', '1', '2', '3']);
  });

  it('reads several names in one pass over the header, each in order', () => {
    expect(readCookies('session=s1; __Host-meterwall=a; x=1; __Host-meterwall=b', ['__Host-meterwall', 'session'])).toEqual([
      ['a', 'b'],
      ['s1'],
    ]);
    expect(readCookies('x=1', ['a', 'b'])).toEqual([[], []]);
  });
});

describe('createMeterCookieWriter', () => {
  it('writes exactly what cookie’s stringifySetCookie writes, for any token, age and attributes (fast-check)', () => {
    const settings = fc.record({
      name: fc.constantFrom('__Host-meterwall', 'meterwall', 'mw'),
      sameSite: fc.constantFrom('lax' as const, 'strict' as const, 'none' as const),
      secure: fc.boolean(),
      path: fc.constantFrom('/', '/news'),
      domain: fc.option(fc.constantFrom('news.example', '.example.org'), { nil: undefined }),
    });
    const token = fc.stringMatching(/^[A-Za-z0-9_-]{1,40}\.[A-Za-z0-9_-]{1,200}\.[A-Za-z0-9_-]{43}$/);
    fc.assert(
      fc.property(settings, token, fc.double({ min: -10, max: 1e8, noNaN: true }), (s, value, age) => {
        const write = createMeterCookieWriter(s as never);
        const expected = stringifySetCookie(
          {
            name: s.name,
            value,
            maxAge: Math.max(0, Math.floor(age)),
            httpOnly: true,
            secure: s.secure,
            sameSite: s.sameSite,
            path: s.path,
            ...(s.domain === undefined ? {} : { domain: s.domain }),
          },
          { encode: (x) => x },
        );
        expect(write(value, age)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });
});
