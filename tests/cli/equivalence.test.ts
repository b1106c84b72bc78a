/**
 * The simulator decides as the live site did. The example site is driven over HTTP by a generated
 * stream of 5,000+ article requests (anonymous, registered and subscribed readers, re-reads,
 * HEADs, search referrals, a link-preview bot, across a month boundary), and writes its access
 * log with what meterwall decided; the log is replayed through the simulator, which must give the
 * same access and reason for every request, and the same totals.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mail } from '../../examples/news-site/accounts.js';
import { type AccessLogEntry, articleFacts, createNewsSite, METERS, PERIOD, REFERRALS, RULES } from '../../examples/news-site/app.js';
import { ARTICLES } from '../../examples/news-site/articles.js';
import { logCounts, parseJsonLine, readLog } from '../../src/cli/simulate/log.js';
import { createReplayer } from '../../src/cli/simulate/replay.js';
import { type SimulationConfig, simulate } from '../../src/cli/simulate/simulate.js';
import { defineRules } from '../../src/index.js';
import { seededRandom } from '../helpers.js';

const REQUESTS = 5200;

const CONFIG: SimulationConfig = {
  options: { meters: METERS, rules: defineRules(RULES), period: PERIOD, referrals: REFERRALS },
  article: (url) => {
    const slug = /^\/articles\/([a-z0-9-]+)$/.exec(url.pathname)?.[1];
    const article = ARTICLES.find((a) => a.slug === slug);
    return article ? articleFacts(article) : null;
  },
  reader: (entry) => ({
    key: `${entry.ip} ${entry.userAgent}`,
    status: entry.status ?? 'anonymous',
    ...(entry.account ? { id: entry.account } : {}),
  }),
};

describe('the simulator against the live example site', () => {
  let server: Server;
  let base = '';
  const log: AccessLogEntry[] = [];
  let now = Date.parse('2026-11-22T00:00:00Z');
  let dir = '';

  const mail: Mail[] = [];

  beforeAll(async () => {
    const site = createNewsSite({
      meterSecret: 'equivalence-meter-secret-0123456789-ab',
      sessionSecret: new TextEncoder().encode('equivalence-session-secret-0123456789'),
      now: () => now,
      accessLog: (entry) => log.push(entry),
      mail: (message) => mail.push(message),
    });
    server = createServer((req, res) => void site.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = mkdtempSync(join(tmpdir(), 'meterwall-equivalence-'));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A browser: its own user agent and cookie jar. */
  function browser(
    n: number,
    ua = `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.${n}.0 Safari/537.36`,
  ) {
    const jar = new Map<string, string>();
    return {
      async request(path: string, init: { method?: string; body?: string; referer?: string } = {}): Promise<number> {
        const headers: Record<string, string> = { 'user-agent': ua };
        if (jar.size) headers['cookie'] = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
        if (init.referer) headers['referer'] = init.referer;
        if (init.body) headers['content-type'] = 'application/x-www-form-urlencoded';
        const response = await fetch(`${base}${path}`, {
          method: init.method ?? 'GET',
          headers,
          redirect: 'manual',
          ...(init.body ? { body: init.body } : {}),
        });
        for (const cookie of response.headers.getSetCookie()) {
          const [pair = ''] = cookie.split(';');
          const eq = pair.indexOf('=');
          const value = pair.slice(eq + 1);
          if (/Max-Age=0/.test(cookie)) jar.delete(pair.slice(0, eq));
          else jar.set(pair.slice(0, eq), value);
        }
        await response.arrayBuffer();
        return response.status;
      },
    };
  }

  it(`${REQUESTS} requests: the same access and reason for every one, and the same totals`, async () => {
    const rand = seededRandom(2027);
    const readers = Array.from({ length: 16 }, (_, n) => browser(n));
    // Six register, three of them then subscribe; a link-preview bot shares links now and then.
    for (let n = 0; n < 6; n++) {
      const email = `reader${n}@example.com`;
      const body = new URLSearchParams({ name: `Reader ${n}`, email, password: 'correct horse battery staple', returnTo: '/' }).toString();
      expect(await readers[n]?.request('/register', { method: 'POST', body })).toBe(200);
      const token = new URL(mail.filter((m) => m.to === email).at(-1)?.link ?? '').searchParams.get('token') ?? '';
      expect(await readers[n]?.request('/register/confirm', { method: 'POST', body: `token=${token}` })).toBe(303);
      if (n < 3) expect(await readers[n]?.request('/subscribe', { method: 'POST', body: 'plan=monthly&returnTo=%2F' })).toBe(303);
    }
    const bot = browser(99, 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)');
    for (let i = 0; i < REQUESTS; i++) {
      now += 9 * 60_000; // 5,200 requests nine minutes apart: past the first of December
      const article = ARTICLES[Math.floor(rand() * ARTICLES.length)];
      const roll = rand();
      const who = roll < 0.02 ? bot : (readers[Math.floor(rand() * readers.length)] as ReturnType<typeof browser>);
      const init = roll > 0.95 ? { method: 'HEAD' } : roll > 0.9 ? { referer: 'https://www.google.com/' } : {};
      await who.request(`/articles/${article?.slug}`, init);
      if (roll > 0.5 && roll < 0.52) await who.request('/'); // not an article
    }
    const articles = log.filter((entry) => entry.access !== undefined);
    expect(articles.length).toBe(REQUESTS);
    // Several readers per status, and every kind of decision the stream can meet.
    const statuses = new Map<string, Set<string>>();
    for (const e of articles)
      (statuses.get(e.status as string) ?? statuses.set(e.status as string, new Set()).get(e.status as string))?.add(e.ua as string);
    for (const status of ['anonymous', 'registered', 'subscriber']) expect(statuses.get(status)?.size).toBeGreaterThanOrEqual(2);
    const reasons = new Set(articles.map((e) => e.reason));
    for (const reason of [
      'metered',
      'already-read',
      'register-to-continue',
      'meter-exhausted',
      'subscriber',
      'not-counted',
      'sampled',
      'free-article',
    ])
      expect(reasons).toContain(reason);

    // Replayed request by request through the simulator's paywall.
    const replayer = createReplayer(CONFIG.options);
    const mismatches: string[] = [];
    for (const line of log) {
      const entry = parseJsonLine(JSON.stringify(line));
      if (entry === null) throw new Error('unreadable log line');
      const article = CONFIG.article(new URL(entry.url, 'http://localhost'), entry);
      if (article === null) continue;
      const who = CONFIG.reader?.(entry);
      if (!who) throw new Error('no reader');
      const reader = { status: who.status ?? 'anonymous', entitlements: [], ...(who.id ? { id: who.id } : {}) } as const;
      const request = { method: entry.method, url: entry.url, userAgent: entry.userAgent, referer: entry.referer, ip: entry.ip };
      const decision = await replayer.decide(entry.time, { key: who.key, reader }, request, article);
      if (decision.access !== line.access || decision.reason !== line.reason)
        mismatches.push(
          `${line.time} ${line.ua?.slice(-20)} ${line.url}: live ${line.access}/${line.reason}, simulated ${decision.access}/${decision.reason}`,
        );
    }
    expect(mismatches.slice(0, 10)).toEqual([]);

    // And through `simulate` over the gzipped log file: the live totals.
    const file = join(dir, 'access.log.gz');
    writeFileSync(file, gzipSync(`${log.map((e) => JSON.stringify(e)).join('\n')}\n`));
    const counts = logCounts();
    const result = await simulate(readLog(file, counts), CONFIG);
    const views = articles.filter((e) => e.reason !== 'not-counted');
    const [sim] = result.configurations;
    expect(counts).toMatchObject({ lines: log.length, skipped: 0 });
    expect(sim?.total).toEqual({
      views: views.length,
      full: views.filter((e) => e.access === 'full').length,
      teaser: views.filter((e) => e.access === 'teaser').length,
      prompt: views.filter((e) => e.access === 'prompt').length,
    });
    expect(sim?.notPageViews).toBe(articles.length - views.length);
  }, 180_000);
});
