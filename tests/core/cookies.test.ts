import { parseSetCookie } from 'cookie';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMeterCookieWriter, readCookie, readCookieValues, readMeterCookies, readSetCookie } from '../../src/core/cookies.js';

const readCookieValuesOf = (header: string | null, name: string): string[] => readMeterCookies(header, name);

describe('readMeterCookies', () => {
  it('finds every value of a name, in order, trimming spaces and quotes', () => {
    expect(readCookieValuesOf('a=1; m=x; b=2;  m = "y" ;m=z', 'm')).toEqual(['x', 'y', 'z']);
  });

  it('ignores names that only contain or start with the name', () => {
    expect(readCookieValuesOf('xm=1; m2=2; mm=3; m=4', 'm')).toEqual(['4']);
    expect(readCookieValuesOf('a=m=1', 'm')).toEqual([]);
  });

  it('copes with empty, missing and malformed headers', () => {
    expect(readCookieValuesOf(null, 'm')).toEqual([]);
    expect(readCookieValuesOf('', 'm')).toEqual([]);
    expect(readCookieValuesOf(';;;m', 'm')).toEqual([]);
    expect(readCookieValuesOf('m=', 'm')).toEqual(['']);
    expect(readCookieValuesOf('m', 'm')).toEqual([]);
  });

  it('reads at most a few values, so a header stuffed with copies costs little', () => {
    const header = Array.from({ length: 1000 }, (_, i) => `m=${i}`).join('; ');
    expect(readCookieValuesOf(header, 'm')).toEqual(['0', '1', '2', '3']);
  });
});

describe('readCookie and readCookieValues (cookie’s first-value reading)', () => {
  it('gives the first value of a name, decoded, or undefined', () => {
    expect(readCookie('a=1; session=s%201; session=s2', 'session')).toBe('s 1');
    expect(readCookie('a=1', 'session')).toBeUndefined();
    expect(readCookie(null, 'session')).toBeUndefined();
    expect(readCookie('', 'session')).toBeUndefined();
  });

  it('lists the first value of each name, in order', () => {
    expect(readCookieValues('a=1; b=2; a=3')).toEqual(['1', '2']);
  });

  it('reads a Set-Cookie line’s name and value', () => {
    expect(readSetCookie('__Host-meterwall=abc.def; Max-Age=10; Path=/; HttpOnly')).toEqual({ name: '__Host-meterwall', value: 'abc.def' });
  });
});

describe('createMeterCookieWriter', () => {
  it('writes the meter cookie’s attributes in cookie’s order', () => {
    const write = createMeterCookieWriter({ name: '__Host-meterwall', sameSite: 'lax', secure: true, path: '/', domain: undefined });
    expect(write('a.b.c', 1728000.9)).toBe('__Host-meterwall=a.b.c; Max-Age=1728000; Path=/; HttpOnly; Secure; SameSite=Lax');
    expect(write('a.b.c', -5)).toBe('__Host-meterwall=a.b.c; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax');
    const plain = createMeterCookieWriter({ name: 'mw', sameSite: 'none', secure: false, path: '/news', domain: '.example.org' });
    expect(plain('t', 0)).toBe('mw=t; Max-Age=0; Domain=.example.org; Path=/news; HttpOnly; SameSite=None');
  });

  it('every token, age and attribute set reads back as written (fast-check, read by cookie’s parseSetCookie)', () => {
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
        const written = createMeterCookieWriter(s)(value, age);
        expect(parseSetCookie(written)).toEqual({
          name: s.name,
          value,
          maxAge: Math.max(0, Math.floor(age)),
          httpOnly: true,
          ...(s.secure ? { secure: true } : {}),
          sameSite: s.sameSite,
          path: s.path,
          ...(s.domain === undefined ? {} : { domain: s.domain }),
        });
      }),
      { numRuns: 2000 },
    );
  });
});
