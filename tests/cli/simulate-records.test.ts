/**
 * A record as it crosses threads (a tuple) or is spilled (a line) leaves out a key that is its
 * address and user agent; which keys those are is told in place (`keyedByAddress`), judged here
 * against the key built as the default reader builds it.
 */
import { describe, expect, it } from 'vitest';
import {
  addressKey,
  decodeRecord,
  encodeRecord,
  fromTuple,
  keyedByAddress,
  type SimRecord,
  toTuple,
} from '../../src/cli/simulate/records.js';

const record = (key: string, ip: string | null, userAgent: string | null): SimRecord => ({
  seq: 7,
  time: Date.parse('2026-11-02T10:00:00Z'),
  line: 12,
  log: 0,
  method: 'GET',
  url: '/news/a?x=1',
  userAgent,
  referer: null,
  ip,
  key,
  reader: { status: 'anonymous', entitlements: [] },
  logged: null,
  fresh: null,
  freshNetwork: null,
  article: { id: 'a', section: 'news' },
  section: 'news',
  day: '2026-11-02',
});

const UA = 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0';

describe('records keyed by address and user agent', () => {
  it('tells the key the default reader builds from any other', () => {
    const cases: Array<[string, string | null, string | null]> = [
      [addressKey('203.0.113.9', UA), '203.0.113.9', UA],
      [addressKey(null, UA), null, UA],
      [addressKey('203.0.113.9', null), '203.0.113.9', null],
      [addressKey(null, null), null, null],
      ['visitor-5f2c1e', '203.0.113.9', UA],
      [`203.0.113.9  ${UA}`, '203.0.113.9', UA],
      [`203.0.113.9 ${UA}x`, '203.0.113.9', UA],
      [`203.0.113.99${UA.slice(1)}`, '203.0.113.9', UA],
      [`203.0.113.8 ${UA}`, '203.0.113.9', UA],
      ['- -', null, '-'],
    ];
    for (const [key, ip, ua] of cases) expect(keyedByAddress(record(key, ip, ua)), key).toBe(key === addressKey(ip, ua));
  });

  it('keeps every key across threads and through a spill file', () => {
    for (const r of [
      record(addressKey('203.0.113.9', UA), '203.0.113.9', UA),
      record('visitor-5f2c1e', '203.0.113.9', UA),
      record('- -', null, null),
    ]) {
      expect(fromTuple(toTuple(r))).toEqual(r);
      expect(decodeRecord(encodeRecord(r, 0), [r.article])).toEqual(r);
    }
  });
});
