import { describe, expect, it } from 'vitest';
import { formatIp, inRange, networkOf, parseIp, parseRange } from '../../src/util/ip.js';
import { clientIp } from '../../src/core/decide/client-address.js';
import type { ProxySettings } from '../../src/options/settings.js';
import { articleRequest } from '../helpers.js';

const ip = (text: string) => {
  const parsed = parseIp(text);
  if (!parsed) throw new Error(`bad test address ${text}`);
  return parsed;
};

describe('IP addresses and ranges', () => {
  it.each([
    ['66.249.66.1', '66.249.66.1'],
    ['2001:4860:4801:10::1', '2001:4860:4801:10::1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['::ffff:203.0.113.9', '203.0.113.9'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['::', '::'],
    ['::1', '::1'],
  ])('parses %s as %s', (input, canonical) => {
    expect(formatIp(ip(input))).toBe(canonical);
  });

  it.each([
    '',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    '01.2.3.4',
    '1.2.3.4x',
    'a.b.c.d',
    '2001:db8::1::2',
    '12345::',
    ':::',
    'gggg::1',
    'unknown',
    '_hidden',
  ])('refuses %j', (input) => {
    expect(parseIp(input)).toBeNull();
  });

  it('matches IPv4 and IPv6 ranges, never across versions', () => {
    const v4 = parseRange('66.249.64.0/19');
    const v6 = parseRange('2001:4860:4801:10::/64');
    if (!v4 || !v6) throw new Error('ranges');
    expect(inRange(ip('66.249.66.1'), v4)).toBe(true);
    expect(inRange(ip('66.249.96.1'), v4)).toBe(false);
    expect(inRange(ip('2001:4860:4801:10::abcd'), v6)).toBe(true);
    expect(inRange(ip('2001:4860:4801:11::1'), v6)).toBe(false);
    expect(inRange(ip('::ffff:66.249.66.1'), v4)).toBe(true);
    expect(inRange(ip('66.249.66.1'), v6)).toBe(false);
  });

  it('refuses ranges with host bits set or impossible prefixes', () => {
    expect(parseRange('66.249.66.1/19')).toBeNull();
    expect(parseRange('66.249.64.0/33')).toBeNull();
    expect(parseRange('2001:db8::/129')).toBeNull();
    expect(parseRange('66.249.64.0/-1')).toBeNull();
    expect(parseRange('66.249.64.0/19')?.text).toBe('66.249.64.0/19');
  });

  it('gives the /24 or /48 network of an address', () => {
    expect(networkOf(ip('203.0.113.77'))).toBe('203.0.113.0/24');
    expect(networkOf(ip('2001:db8:1234:5678::9'))).toBe('2001:db8:1234::/48');
  });
});

describe('the client address', () => {
  const xff = (value: string) => articleRequest({ 'x-forwarded-for': value });
  const hops = (n: number): ProxySettings => ({ hops: n, ranges: [], header: 'x-forwarded-for', countryHeader: undefined });

  it('is the connection address by default: forwarding headers are ignored', () => {
    expect(formatIp(clientIp(xff('66.249.66.1'), '203.0.113.50', null) as never)).toBe('203.0.113.50');
    expect(clientIp(xff('66.249.66.1'), undefined, null)).toBeNull();
  });

  it('with one trusted hop, the address that proxy saw (the rightmost entry)', () => {
    expect(formatIp(clientIp(xff('66.249.66.1, 203.0.113.9'), '10.0.0.2', hops(1)) as never)).toBe('203.0.113.9');
    expect(formatIp(clientIp(xff('66.249.66.1, 203.0.113.9'), '10.0.0.2', hops(2)) as never)).toBe('66.249.66.1');
    // Fewer entries than hops: the leftmost claim is all there is.
    expect(formatIp(clientIp(xff('198.51.100.7'), '10.0.0.2', hops(3)) as never)).toBe('198.51.100.7');
  });

  it('with trusted ranges, walks back over trusted proxies only', () => {
    const ranges = [parseRange('10.0.0.0/8'), parseRange('192.0.2.0/24')].filter((r) => r !== null);
    const proxy: ProxySettings = { hops: 0, ranges, header: 'x-forwarded-for', countryHeader: undefined };
    expect(formatIp(clientIp(xff('66.249.66.1, 203.0.113.9, 192.0.2.10'), '10.0.0.2', proxy) as never)).toBe('203.0.113.9');
    // A connection that is not a trusted proxy: its own address, whatever the header says.
    expect(formatIp(clientIp(xff('66.249.66.1'), '198.51.100.1', proxy) as never)).toBe('198.51.100.1');
    // A garbage hop stops the walk: unknown.
    expect(clientIp(xff('66.249.66.1, garbage'), '10.0.0.2', proxy)).toBeNull();
  });

  it('reads RFC 7239 Forwarded with ports, brackets and quotes', () => {
    const request = articleRequest({
      forwarded: 'for=66.249.66.1;proto=https, for="[2001:db8::7]:4711";by=10.0.0.1, for=203.0.113.9:5000',
    });
    const proxy: ProxySettings = { hops: 1, ranges: [], header: 'forwarded', countryHeader: undefined };
    expect(formatIp(clientIp(request, '10.0.0.2', proxy) as never)).toBe('203.0.113.9');
    expect(formatIp(clientIp(request, '10.0.0.2', { ...proxy, hops: 2 }) as never)).toBe('2001:db8::7');
  });

  it('a 20 KB forwarding header costs a bounded amount of work', () => {
    const long = Array.from({ length: 2000 }, (_, i) => `198.51.${i % 256}.${i % 200}`).join(', ');
    expect(clientIp(xff(`${long}, 203.0.113.9`), '10.0.0.2', hops(1))).not.toBeNull();
  });
});
