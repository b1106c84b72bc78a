import { describe, expect, it } from 'vitest';
import { readCookies } from '../../src/core/cookies.js';

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
