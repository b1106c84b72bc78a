/**
 * The simulator on a small log whose results are worked out by hand below, for three
 * configurations of the anonymous limit (--set meters.anonymous.limit=1,2,3); and its log parsers.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createGzip, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCombined, parseJsonLine } from '../../src/cli/simulate/log.js';
import type { AccessLogFields } from '../../src/cli/simulate/logged-fields.js';
import { simulate } from '../../src/cli/simulate/run.js';
import { configurationsFromSet, type SimulationConfig } from '../../src/cli/simulate/simulate.js';

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
/** A results table (a `Map`: keys come from the log) from an object literal. */
const table = <V>(entries: Record<string, V>) => new Map(Object.entries(entries));

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
      reasons: table({ metered: 6, 'register-to-continue': 4, 'already-read': 1, 'meter-exhausted': 1 }),
      viewsPerReader: { '1': 0, '2': 1, '3': 0, '4-5': 1, '6-10': 1, '11-20': 0, '21+': 0 },
      bySection: table({ news: t(8, 4, 0, 4), sport: t(4, 3, 1, 0) }),
      byDay: table({ '2026-10-30': t(4, 2, 0, 2), '2026-10-31': t(6, 4, 1, 1), '2026-11-01': t(2, 1, 0, 1) }),
    });
    // Limit 2: a meets the prompt once (n3); c and November fit.
    expect(two).toMatchObject({
      metPrompt: 1,
      metTeaser: 1,
      total: t(12, 10, 1, 1),
      bySection: table({ news: t(8, 7, 0, 1), sport: t(4, 3, 1, 0) }),
      byDay: table({ '2026-10-30': t(4, 3, 0, 1), '2026-10-31': t(6, 5, 1, 0), '2026-11-01': t(2, 2, 0, 0) }),
    });
    // Limit 3: no anonymous reader meets the prompt; b's teaser does not depend on it.
    expect(three).toMatchObject({
      metPrompt: 0,
      metTeaser: 1,
      total: t(12, 11, 1, 0),
      reasons: table({ metered: 10, 'already-read': 1, 'meter-exhausted': 1 }),
      byDay: table({ '2026-10-30': t(4, 4, 0, 0), '2026-10-31': t(6, 5, 1, 0), '2026-11-01': t(2, 2, 0, 0) }),
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
      meterwall: null,
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

describe('meterwall simulate on hostile logs (issue 23, finding 8)', () => {
  const bin = 'dist/cli/main.js';
  const run = promisify(execFile);
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'meterwall-hostile-'));
    // The section is the first path segment: a log decides the table's keys.
    writeFileSync(
      join(dir, 'config.mjs'),
      `export default {
        options: { meters: { anonymous: { limit: 2 }, registered: { limit: 4 } } },
        article: (url) => { const [, section, id] = url.pathname.split('/'); return id ? { id: section + '/' + id, section } : null; },
      };\n`,
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const line = (time: string, url: string, reader = 'r1') => JSON.stringify({ time, reader, url });
  const simulateFile = (file: string, ...extra: string[]) =>
    run(process.execPath, [bin, 'simulate', file, '--config', join(dir, 'config.mjs'), '--quiet', ...extra], { maxBuffer: 1 << 24 });

  it.skipIf(!existsSync(bin))('a request target that is no URL is counted and shown, escaped; the run goes on (exit 0)', async () => {
    const file = join(dir, 'targets.log');
    writeFileSync(
      file,
      [
        line('2026-11-02T10:00:00Z', '/news/a'),
        // As the example logged it (it answered a 500 then): the run died on `Invalid URL`.
        line('2026-11-02T10:01:00Z', 'http://[evil'),
        '203.0.113.9 - - [02/Nov/2026:10:02:00 +0000] "GET http://[evil HTTP/1.1" 400 0 "-" "curl/8"',
        'garbage \u001b[2J\u001b[H fake report',
        line('2026-11-02T10:03:00Z', '/news/b'),
      ].join('\n'),
    );
    const { stdout } = await simulateFile(file);
    expect(stdout).toContain('5 lines (3 not replayed), 2 article requests');
    expect(stdout).toContain('2 a request target that is not a URL');
    expect(stdout).toContain('1 in no format the simulator reads');
    expect(stdout).toContain('e.g. line 2 (bad-url): GET http://[evil');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: what must not reach the terminal.
    expect(stdout).not.toMatch(/\u001b/);
    expect(stdout).toContain('garbage \\u001b[2J\\u001b[H fake report');
  });

  it.skipIf(!existsSync(bin))('paths such as /__proto__/x are keys like any other: nothing polluted, no view dropped', async () => {
    const file = join(dir, 'proto.log');
    const paths = ['/__proto__/x', '/constructor/y', '/hasOwnProperty/z', '/toString/w', '/news/a'];
    const lines = [];
    for (let i = 0; i < 1300; i++)
      lines.push(
        line(
          `2026-11-02T10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z`,
          paths[i % 5] as string,
          `r${i}`,
        ),
      );
    writeFileSync(file, lines.join('\n'));
    const json = join(dir, 'proto.json');
    const { stdout } = await simulateFile(file, '--json', json);
    expect(stdout).toContain('1,300 article requests');
    const result = JSON.parse(readFileSync(json, 'utf8')) as {
      configurations: Array<{ total: { views: number }; bySection: Record<string, { views: number }> }>;
    };
    const [config] = result.configurations;
    expect(config?.total.views).toBe(1300);
    expect(Object.keys(config?.bySection ?? {}).sort()).toEqual(['__proto__', 'constructor', 'hasOwnProperty', 'news', 'toString']);
    expect(Object.values(config?.bySection ?? {}).reduce((sum, t) => sum + t.views, 0)).toBe(1300);
    expect(Object.getPrototypeOf(config?.bySection)).toBe(Object.prototype);
  });

  it.skipIf(!existsSync(bin))(
    'a 0.6 MB gzip holding one 600 MB line: skipped as too long, the rest replayed (exit 0)',
    async () => {
      const file = join(dir, 'bomb.log.gz');
      const gzip = createGzip({ level: 9 });
      const out = createWriteStream(file);
      gzip.pipe(out);
      const chunk = Buffer.alloc(1 << 20, 0x61);
      gzip.write(`${line('2026-11-02T10:00:00Z', '/news/a')}\n`);
      for (let i = 0; i < 600; i++) if (!gzip.write(chunk)) await new Promise<void>((resolve) => gzip.once('drain', () => resolve()));
      gzip.end(`\n${line('2026-11-02T10:05:00Z', '/news/b')}\n`);
      await new Promise<void>((resolve) => out.once('close', () => resolve()));
      expect(statSync(file).size).toBeLessThan(1_000_000);
      const { stdout } = await simulateFile(file);
      expect(stdout).toContain('3 lines (1 not replayed), 2 article requests');
      expect(stdout).toContain('1 longer than 64 KiB');
      // Cut short, a gzip keeps what came before, with a note.
      const cut = join(dir, 'cut.log.gz');
      const noise = randomBytes(200_000).toString('hex'); // incompressible: the lines before it are out before the cut
      const whole = gzipSync(`${[1, 2, 3].map((m) => line(`2026-11-02T10:0${m}:00Z`, `/news/${m}`)).join('\n')}\n${noise}\n`);
      writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
      const truncated = await simulateFile(cut);
      expect(truncated.stdout).toContain('3 article requests');
      expect(truncated.stdout).toMatch(/The log ends early \(.+\): what came before it was replayed\./);
    },
    120_000,
  );
});

/** Access log fields as the live paywall logs them, with `over` in place. */
function fields(over: Partial<AccessLogFields>): AccessLogFields {
  return {
    v: 1,
    browser: null,
    cookies: [],
    wrote: null,
    notPageView: null,
    status: 'anonymous',
    account: null,
    entitlements: [],
    gift: null,
    client: '203.0.113.9',
    referer: null,
    country: null,
    buckets: {},
    crawler: false,
    agent: null,
    access: 'full',
    reason: 'metered',
    ...over,
  };
}

describe('the replay reads what the live paywall logged', () => {
  it('a country rule decides on the logged country; the client address is the logged one', async () => {
    const { createReplayer } = await import('../../src/cli/simulate/replay.js');
    const { defineRules } = await import('../../src/index.js');
    const replayer = createReplayer({
      meters: { anonymous: { limit: 1 } },
      proxy: { trustedRanges: ['198.51.100.0/24'], countryHeader: 'cf-ipcountry' },
      rules: defineRules([
        { name: 'free at home', when: { country: ['GB'] }, treatment: 'free' },
        { name: 'everything else', treatment: 'metered' },
      ]),
    });
    const logged = (country: string | null) => fields({ country });
    const who = { key: 0, reader: { status: 'anonymous' as const, entitlements: [] } };
    const request = (country: string | null) => ({
      method: 'GET',
      url: '/a',
      userAgent: null,
      referer: null,
      ip: null,
      logged: logged(country),
    });
    const home = await replayer.decide(Date.parse('2026-11-02T10:00:00Z'), who, request('GB'), { id: 'a' });
    expect(home).toMatchObject({ access: 'full', rule: 'free at home' });
    const abroad = await replayer.decide(Date.parse('2026-11-02T10:01:00Z'), who, request('FR'), { id: 'b' });
    expect(abroad).toMatchObject({ access: 'full', reason: 'metered', rule: 'everything else' });
  });

  it('each reader gets the A/B variant the live paywall drew for them', async () => {
    const { createReplayer } = await import('../../src/cli/simulate/replay.js');
    const { defineExperiments } = await import('../../src/index.js');
    const replayer = createReplayer({
      meters: { anonymous: { limit: 3 } },
      experiments: defineExperiments([
        {
          name: 'limit',
          variants: [
            { name: 'three free', weight: 50 },
            { name: 'four free', weight: 50, meters: { anonymous: { limit: 4 } } },
          ],
        },
      ]),
    });
    // Two browsers, each reading four articles: live drew "three free" for one and "four free" for the other.
    const fourth: string[] = [];
    for (const [browser, variant] of [
      ['b1', 'three free'],
      ['b2', 'four free'],
    ] as const) {
      let held: string | null = null;
      for (let n = 1; n <= 4; n++) {
        const written: string = `${browser}-${n}`.padEnd(16, 'x');
        const logged = fields({
          browser: browser.padEnd(16, 'x'),
          cookies: held === null ? [] : [held],
          wrote: written,
          buckets: { limit: variant },
        });
        const decision = await replayer.decide(
          Date.parse('2026-11-02T10:00:00Z') + n * 60_000,
          { key: browser === 'b1' ? 0 : 1, reader: { status: 'anonymous', entitlements: [] } },
          { method: 'GET', url: `/${browser}/${n}`, userAgent: null, referer: null, ip: null, logged },
          { id: `${browser}-${n}` },
        );
        expect(decision.buckets).toEqual({ limit: variant });
        if (n === 4) fourth.push(decision.access);
        held = written;
      }
    }
    expect(fourth).toEqual(['teaser', 'full']);
  });
});

describe('the report counts readers as the live site does', () => {
  it('a HEAD, a prefetch or a bot is no reader and no view, whatever decided it (a free article, one already read)', async () => {
    const config: SimulationConfig = {
      options: { meters: { anonymous: { limit: 2 } }, period: { calendar: 'month', timeZone: 'UTC' } },
      article: (url) => (url.pathname === '/free' ? { id: 'free', access: 'free' } : url.pathname === '/a' ? { id: 'a' } : null),
    };
    const entry = (minute: number, reader: string, url: string, extra: Record<string, unknown> = {}) =>
      parseJsonLine(JSON.stringify({ time: `2026-11-02T10:${String(minute).padStart(2, '0')}:00Z`, reader, url, ...extra }));
    const entries = [
      entry(0, 'reader', '/a'), // a reader's view
      entry(1, 'reader', '/a', { method: 'HEAD' }), // already read: decided before the page-view check
      entry(2, 'bot', '/free', { ua: 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)' }), // a free article, for a bot
      entry(3, 'head', '/free', { method: 'HEAD' }),
    ].filter((e) => e !== null);
    const [result] = (await simulate(entries, config)).configurations;
    expect(result).toMatchObject({ readers: 1, notPageViews: 3, total: { views: 1, full: 1, teaser: 0, prompt: 0 } });
  });
});
