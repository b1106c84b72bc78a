/**
 * The simulator on a small log whose results are worked out by hand below, for three
 * configurations of the anonymous limit (--set meters.anonymous.limit=1,2,3); and its log parsers.
 */
import { describe, expect, it } from 'vitest';
import { parseCombined, parseJsonLine } from '../../src/cli/simulate/log.js';
import { configurationsFromSet, type SimulationConfig, simulate } from '../../src/cli/simulate/simulate.js';

const LOG = [
  ['2026-10-30T10:00:00Z', 'a', null, '/articles/n1'],
  ['2026-10-30T10:05:00Z', 'a', null, '/articles/n2'],
  ['2026-10-30T10:10:00Z', 'a', null, '/articles/n3'],
  ['2026-10-30T10:15:00Z', 'a', null, '/articles/n1'], // re-read: free
  ['2026-10-31T09:00:00Z', 'b', 'b', '/articles/s1'], // registered: 3 on the account, then the teaser
  ['2026-10-31T09:01:00Z', 'b', 'b', '/articles/s2'],
  ['2026-10-31T09:02:00Z', 'b', 'b', '/articles/s3'],
  ['2026-10-31T09:03:00Z', 'b', 'b', '/articles/s4'],
  ['2026-10-31T12:00:00Z', 'c', null, '/articles/n1'],
  ['2026-10-31T12:01:00Z', 'c', null, '/articles/n2', 'HEAD'], // not a page view
  ['2026-10-31T12:02:00Z', 'c', null, '/articles/n2'],
  ['2026-10-31T12:03:00Z', 'c', null, '/'], // not an article
  ['2026-11-01T08:00:00Z', 'a', null, '/articles/n4'], // a new month: a new meter
  ['2026-11-01T08:01:00Z', 'a', null, '/articles/n5'],
].map(([time, reader, account, url, method]) =>
  JSON.stringify({ time, reader, url, ...(account ? { account, status: 'registered' } : {}), ...(method ? { method } : {}) }),
);

const CONFIG: SimulationConfig = {
  options: { meters: { anonymous: { limit: 2 }, registered: { limit: 3 } }, period: { calendar: 'month', timeZone: 'UTC' } },
  article: (url) => {
    const id = /^\/articles\/([a-z0-9]+)$/.exec(url.pathname)?.[1];
    return id === undefined ? null : { id, section: id.startsWith('s') ? 'sport' : 'news' };
  },
};

const t = (views: number, full: number, teaser: number, prompt: number) => ({ views, full, teaser, prompt });

describe('meterwall simulate', () => {
  it('a hand-computed log, three configurations side by side', async () => {
    const entries = LOG.map((line) => parseJsonLine(line)).filter((e) => e !== null);
    const result = await simulate(entries, {
      ...CONFIG,
      configurations: configurationsFromSet('meters.anonymous.limit=1,2,3', CONFIG.options),
    });
    expect(result.articleRequests).toBe(13);
    expect(result.otherRequests).toBe(1);
    const [one, two, three] = result.configurations;
    // Limit 1. a: n1 full, n2 and n3 prompt, n1 again full; in November n4 full, n5 prompt. c: n1
    // full, n2 prompt (its HEAD is no page view). b: three full on the account, then the teaser.
    expect(one).toEqual({
      name: 'meters.anonymous.limit=1',
      readers: 3,
      notPageViews: 1,
      metPrompt: 2,
      metTeaser: 1,
      total: t(12, 7, 1, 4),
      reasons: { metered: 6, 'register-to-continue': 4, 'already-read': 1, 'meter-exhausted': 1 },
      viewsPerReader: { '1': 0, '2': 1, '3': 0, '4-5': 1, '6-10': 1, '11-20': 0, '21+': 0 },
      bySection: { news: t(8, 4, 0, 4), sport: t(4, 3, 1, 0) },
      byDay: { '2026-10-30': t(4, 2, 0, 2), '2026-10-31': t(6, 4, 1, 1), '2026-11-01': t(2, 1, 0, 1) },
    });
    // Limit 2: a meets the prompt once (n3); c and November fit.
    expect(two).toMatchObject({
      metPrompt: 1,
      metTeaser: 1,
      total: t(12, 10, 1, 1),
      bySection: { news: t(8, 7, 0, 1), sport: t(4, 3, 1, 0) },
      byDay: { '2026-10-30': t(4, 3, 0, 1), '2026-10-31': t(6, 5, 1, 0), '2026-11-01': t(2, 2, 0, 0) },
    });
    // Limit 3: no anonymous reader meets the prompt; b's teaser does not depend on it.
    expect(three).toMatchObject({
      metPrompt: 0,
      metTeaser: 1,
      total: t(12, 11, 1, 0),
      reasons: { metered: 10, 'already-read': 1, 'meter-exhausted': 1 },
      byDay: { '2026-10-30': t(4, 4, 0, 0), '2026-10-31': t(6, 5, 1, 0), '2026-11-01': t(2, 2, 0, 0) },
    });
  });

  it('reads the combined log format (nginx, Apache) and JSON lines', () => {
    expect(
      parseCombined(
        '203.0.113.9 - - [30/Oct/2026:11:00:00 +0100] "GET /articles/n1?x=1 HTTP/1.1" 200 5120 "https://www.google.com/" "Mozilla/5.0 (X11) Chrome/156"',
      ),
    ).toEqual({
      time: Date.parse('2026-10-30T10:00:00Z'),
      method: 'GET',
      url: '/articles/n1?x=1',
      ip: '203.0.113.9',
      code: 200,
      referer: 'https://www.google.com/',
      userAgent: 'Mozilla/5.0 (X11) Chrome/156',
      reader: null,
      account: null,
      status: null,
      fields: null,
    });
    expect(parseCombined('garbage')).toBeNull();
    expect(parseJsonLine('{"time": 1793437200, "url": "/a", "status": "subscriber", "account": "x"}')).toMatchObject({
      time: 1793437200000,
      status: 'subscriber',
      account: 'x',
      method: 'GET',
    });
    expect(parseJsonLine('{"url": "/a"}')).toBeNull();
    expect(parseJsonLine('{not json')).toBeNull();
  });

  it('never verifies a crawler (no DNS offline): a crawler in the log is an automated client, not counted', async () => {
    const calls: string[] = [];
    const options = { ...CONFIG.options, crawlers: { verifiers: [{ verify: (crawler: string) => calls.push(crawler) > 0 }] } };
    const googlebot = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
    const entry = parseJsonLine(JSON.stringify({ time: '2026-11-02T10:00:00Z', url: '/articles/n1', ua: googlebot, ip: '66.249.66.1' }));
    const result = await simulate(entry ? [entry] : [], { ...CONFIG, options });
    expect(calls).toEqual([]);
    expect(result.configurations[0]).toMatchObject({ notPageViews: 1, readers: 0 });
  });

  it('--set refuses a malformed argument', () => {
    expect(() => configurationsFromSet('limit', {})).toThrow(TypeError);
  });
});
