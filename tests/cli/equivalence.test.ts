/**
 * `meterwall simulate` decides as the live site did, on traffic the simulator did not write: the
 * example site, run with an injected clock, is driven over HTTP by the generator in traffic.ts
 * (shared addresses and frozen user agents, prefetches, HEADs, bots, cleared and junk cookies,
 * registration, sign-in on a second browser, sign-out, subscriptions, gift links, across a
 * month's reset) and writes its access log with `paywall.accessLogFields`. The log is replayed by
 * the command itself with the example's own simulate config, `--decisions` compared with what
 * the site served, request by request, and the totals of the configuration equal to live.
 */
import { execFile } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mail } from '../../examples/news-site/accounts.js';
import {
  type AccessLogEntry,
  articleFacts,
  createNewsSite,
  EXPERIMENT,
  GIFT_ALLOWANCE,
  GIFT_OPENS,
  METERS,
  PERIOD,
  REFERRALS,
  RULES,
} from '../../examples/news-site/app.js';
import { ARTICLES } from '../../examples/news-site/articles.js';
import { seededRandom } from '../helpers.js';
import { runTraffic } from './traffic.js';

const STEPS = 7000;
/** A small cap, so the generator's cookie-clearing readers meet it. */
const FRESH_PER_HOUR = 12;
const LIVE = `freshMeters.perHour=${FRESH_PER_HOUR}, meters.anonymous.limit=3`;

describe('meterwall simulate equals live on generated traffic', () => {
  let server: Server;
  let port = 0;
  let dir = '';
  let logFile = '';
  let now = Date.parse('2026-11-24T08:00:00Z');
  const mail: Mail[] = [];
  const lines: AccessLogEntry[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'meterwall-equivalence-'));
    logFile = join(dir, 'access.log');
    const site = createNewsSite({
      meterSecret: 'equivalence-meter-secret-0123456789-ab',
      sessionSecret: new TextEncoder().encode('equivalence-session-secret-0123456789'),
      now: () => now,
      freshMetersPerHour: FRESH_PER_HOUR,
      // The desk's A/B test of the anonymous limit: the log keeps each reader's variant.
      experiment: true,
      // Googlebot is confirmed from its own network only (as the site's DNS verifier would): the log keeps the verdict.
      crawlerVerifiers: [{ verify: (crawler, ip) => crawler === 'googlebot' && ip.startsWith('127.0.51.') }],
      accessLog: (entry) => {
        lines.push(entry);
        // The meterwall fields alone are enough to replay: the line keeps no address, user agent or referer of its own.
        const { time, method, url, code, meterwall } = entry;
        appendFileSync(logFile, `${JSON.stringify({ time, method, url, code, ...(meterwall ? { meterwall } : {}) })}\n`);
      },
      mail: (message) => mail.push(message),
    });
    server = createServer((req, res) => void site.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`${STEPS} steps over eleven days across the month's end: ≥ 99.5% of article requests decided as live, and live's totals`, async () => {
    const kinds = await runTraffic(
      {
        port,
        seed: 2027,
        steps: STEPS,
        advance: (ms) => {
          now += ms;
        },
        mail,
      },
      seededRandom(2027),
    );
    // Every kind of traffic happened.
    for (const kind of [
      'read',
      'prefetch',
      'head',
      'bot',
      'clear',
      'tamper',
      'register',
      'signin',
      'signout',
      'subscribe',
      'gift-made',
      'gift-open',
      'no-cookies',
    ])
      expect(kinds.get(kind) ?? 0, kind).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 50)); // the last lines' fields
    const articles = lines.map((line, i) => ({ line: i + 1, entry: line })).filter((l) => l.entry.meterwall !== undefined);
    const reasons = new Set(articles.map((a) => a.entry.meterwall?.reason));
    for (const reason of ['metered', 'already-read', 'register-to-continue', 'subscriber', 'not-counted', 'gift', 'sampled', 'crawler'])
      expect(reasons, reason).toContain(reason);
    // Gifts refused for a tampered token; the fresh-meter cap met (a new meter that starts spent: the register prompt on a first visit).
    expect(articles.some((a) => a.entry.meterwall?.gift === 'bad-signature')).toBe(true);
    // Both arms of the A/B test drawn.
    const arms = new Set(articles.map((a) => a.entry.meterwall?.buckets['anonymous limit']).filter((v) => v !== undefined));
    expect([...arms].sort()).toEqual(['four free', 'three free']);
    const capped = articles.filter(
      (a) =>
        a.entry.meterwall?.cookies.length === 0 &&
        a.entry.meterwall.notPageView === null &&
        a.entry.meterwall.reason === 'register-to-continue',
    );
    expect(capped.length).toBeGreaterThan(5);

    const run = promisify(execFile);
    const decisionsFile = join(dir, 'decisions.jsonl');
    const jsonFile = join(dir, 'result.json');
    const { stdout } = await run(
      process.execPath,
      [
        'node_modules/tsx/dist/cli.mjs',
        'src/cli/main.ts',
        'simulate',
        logFile,
        '--config',
        'examples/news-site/simulate.config.ts',
        '--set',
        `freshMeters.perHour=${FRESH_PER_HOUR}`,
        '--set',
        'meters.anonymous.limit=3,5',
        '--decisions',
        decisionsFile,
        '--json',
        jsonFile,
        '--quiet',
      ],
      { maxBuffer: 1 << 24, env: { ...process.env, NEWS_SITE_EXPERIMENT: '1' } },
    );
    expect(stdout).toContain('by the browser key meterwall logged');
    // Replayed in partitions, the readers an account links kept together (their earlier records moved).
    expect(stdout).toMatch(/[2-9] partition\(s\) on 1 thread\(s\); [\d,]+ records moved to the partition of the account or gift/);
    const decided = readFileSync(decisionsFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; url: string; decisions: Record<string, { access: string; reason: string }> });
    expect(decided.length).toBe(articles.length);
    const byLine = new Map(decided.map((d) => [d.line, d]));
    const mismatches: string[] = [];
    for (const { line, entry } of articles) {
      const live = entry.meterwall;
      const sim = byLine.get(line)?.decisions[LIVE];
      expect(byLine.get(line)?.url).toBe(entry.url);
      if (sim?.access !== live?.access || sim?.reason !== live?.reason)
        mismatches.push(
          `line ${line} ${entry.method} ${entry.url.slice(0, 40)}: live ${live?.access}/${live?.reason}, simulated ${sim?.access}/${sim?.reason}`,
        );
    }
    const equal = 1 - mismatches.length / articles.length;
    if (process.env['EQUIVALENCE_REPORT']) {
      const count = (list: Array<string | undefined>) =>
        Object.fromEntries([...new Set(list)].map((k) => [k, list.filter((x) => x === k).length]));
      console.log({
        requests: lines.length,
        articles: articles.length,
        equal,
        mismatches: mismatches.slice(0, 20),
        kinds: Object.fromEntries(kinds),
        reasons: count(articles.map((a) => a.entry.meterwall?.reason)),
        days: (now - Date.parse('2026-11-24T08:00:00Z')) / 86_400_000,
      });
    }
    expect(equal, mismatches.slice(0, 15).join('\n')).toBeGreaterThanOrEqual(0.995);

    // The configuration equal to live: live's totals (page views only; HEADs, prefetches and bots apart).
    const views = articles.filter((a) => a.entry.meterwall?.notPageView === null).map((a) => a.entry.meterwall);
    const result = JSON.parse(readFileSync(jsonFile, 'utf8')) as {
      configurations: Array<{ name: string; total: Record<string, number>; notPageViews: number }>;
    };
    const live = result.configurations.find((c) => c.name === LIVE);
    if (process.env['EQUIVALENCE_REPORT']) {
      const simViews = articles.filter((a) => a.entry.meterwall?.notPageView === null).map((a) => byLine.get(a.line)?.decisions[LIVE]);
      console.log({
        fromDecisions: {
          full: simViews.filter((v) => v?.access === 'full').length,
          prompt: simViews.filter((v) => v?.access === 'prompt').length,
        },
        stats: live?.total,
        notPageViews: live?.notPageViews,
      });
    }
    expect(live?.total).toEqual({
      views: views.length,
      full: views.filter((v) => v?.access === 'full').length,
      teaser: views.filter((v) => v?.access === 'teaser').length,
      prompt: views.filter((v) => v?.access === 'prompt').length,
    });
    expect(live?.notPageViews).toBe(articles.length - views.length);
  }, 300_000);

  it('the same log without the readers an account or a gift links: one pass on the worker threads answers as the partitions do, the fresh-meter cap counted across chunks', async () => {
    // The built command (its worker threads are built files), the example's TypeScript config through tsx.
    const unlinked = join(dir, 'unlinked.log');
    const kept = readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((line) => {
        if (line === '') return false;
        const fields = (JSON.parse(line) as { meterwall?: { account: string | null; gift: string | null } }).meterwall;
        return fields === undefined || (fields.account === null && fields.gift !== 'ok');
      });
    writeFileSync(unlinked, `${kept.join('\n')}\n`);
    expect(statSync(unlinked).size).toBeGreaterThan(1.5 * 1024 * 1024); // chunks of half a megabyte: some on each thread
    // The built command (its worker threads are built files) with the example's simulate config as a
    // JavaScript module over the built package (the example's own is TypeScript, which threads cannot load).
    const built = pathToFileURL(resolve('dist/index.js')).href;
    const facts = Object.fromEntries(ARTICLES.map((a) => [a.slug, articleFacts(a)]));
    const config = join(dir, 'simulate.config.mjs');
    writeFileSync(
      config,
      `import { defineExperiments, defineGifts, defineRules } from ${JSON.stringify(built)};
const facts = ${JSON.stringify(facts)};
for (const f of Object.values(facts)) f.publishedAt = new Date(f.publishedAt);
export default {
  options: {
    meters: ${JSON.stringify(METERS)},
    rules: defineRules(${JSON.stringify(RULES)}),
    period: ${JSON.stringify(PERIOD)},
    referrals: ${JSON.stringify(REFERRALS)},
    freshMeters: { perHour: ${FRESH_PER_HOUR} },
    gifts: defineGifts({ allowance: { limit: ${GIFT_ALLOWANCE} }, maxOpens: ${GIFT_OPENS} }),
    experiments: defineExperiments([${JSON.stringify(EXPERIMENT)}]),
    crawlers: { verifiers: [{ verify: () => false }] },
  },
  article(url) {
    const slug = /^\\/articles\\/([a-z0-9-]+)$/.exec(url.pathname)?.[1];
    return (slug !== undefined && facts[slug]) || null;
  },
};
`,
    );
    const run = promisify(execFile);
    const answers: string[] = [];
    for (const workers of ['1', '2']) {
      const decisionsFile = join(dir, `unlinked-${workers}.jsonl`);
      const { stdout } = await run(
        process.execPath,
        ['dist/cli/main.js', 'simulate', unlinked, '--config', config, '--decisions', decisionsFile, '--workers', workers, '--quiet'],
        { maxBuffer: 1 << 24 },
      );
      expect(stdout).toContain(workers === '1' ? 'partition(s) on 1 thread(s)' : 'one pass on 2 thread(s)');
      answers.push(readFileSync(decisionsFile, 'utf8'));
    }
    expect(answers[1]).toBe(answers[0]);
    // New meters met the cap (a first visit walled at once) in this log too.
    const walledAtOnce = (answers[0] ?? '').split('\n').filter((l) => l.includes('register-to-continue')).length;
    expect(walledAtOnce).toBeGreaterThan(0);
  }, 120_000);
});
