/**
 * The example site behind a real varnishd running the shipped VCL (examples/varnish/default.vcl):
 * article pages cached once per article and variant, decisions made per reader at the origin's
 * decision route, and nothing held back or per reader ever served from the cache to the wrong
 * reader. One journey runs in headless Chromium.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPaywall, createRangeVerifier } from '../../src/index.js';
import { articleFacts } from '../../examples/news-site/policy.js';
import { type RunningVarnish, startVarnish, varnishdPath } from '../../examples/varnish/varnish.js';
import { CHROMIUM_ARGS, chromiumPath, readerContext, type StartedSite, startNewsSite } from '../helpers-browser.js';
import { countRenders, heldBack, METERED, PER_READER, reader, shown, SUBSCRIBERS_ONLY } from '../helpers-cdn.js';
import { freePort } from '../helpers-redis.js';

const varnishd = varnishdPath();
const title = varnishd
  ? 'the example site behind Varnish'
  : 'the example site behind Varnish — SKIPPED: no varnishd (apt-get install varnish)';
if (!varnishd) console.warn(`[cdn] ${title}`);
const executablePath = chromiumPath();
const METER_SECRET = 'e2e-meter-secret-0123456789-abcdefgh';
const PASSWORD = 'correct horse battery staple';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

describe.skipIf(!varnishd)(title, () => {
  let started: StartedSite;
  let varnish: RunningVarnish;
  let renders: ReturnType<typeof countRenders>;
  let edge: string;

  beforeAll(async () => {
    // Googlebot is verified on loopback here (its published ranges, as the site configures them).
    started = await startNewsSite({ cdn: true, crawlerVerifiers: [createRangeVerifier({ googlebot: ['127.0.0.0/16'] })] });
    renders = countRenders(started.server);
    varnish = await startVarnish({ originPort: Number(new URL(started.url).port), port: await freePort(), binary: varnishd as string });
    edge = varnish.url;
  }, 60_000);

  afterAll(async () => {
    await varnish?.stop();
    await new Promise<void>((resolve) => started?.server.close(() => resolve()));
  });

  /** Registers and subscribes through the cache, as the forms do; the reader then holds the session. */
  async function subscriber(email: string) {
    const r = reader(edge);
    const form = (body: Record<string, string>) => ({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(body).toString(),
    });
    expect((await r.get('/register', form({ name: 'Sam', email, password: PASSWORD, returnTo: '/' }))).response.status).toBe(200);
    const token = new URL(started.linkFor(email)).searchParams.get('token') as string;
    expect((await r.get('/register/confirm', form({ token }))).response.status).toBe(303);
    expect((await r.get('/subscribe', form({ plan: 'monthly', returnTo: '/' }))).response.status).toBe(303);
    return r;
  }

  it('an anonymous reader: three articles in full, then the wall, re-reads in full; pages come from the cache and carry nothing per reader', async () => {
    const [a, b, c, d] = METERED as [
      (typeof METERED)[number],
      (typeof METERED)[number],
      (typeof METERED)[number],
      (typeof METERED)[number],
    ];
    const first = reader(edge);
    const seen: string[] = [];
    for (const article of [a, b, c, d, a]) {
      const { response, html } = await first.get(`/articles/${article.slug}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('private, no-store');
      expect(response.headers.get('x-cache')).toMatch(/^(HIT|MISS)$/);
      for (const marker of PER_READER) expect(html).not.toContain(marker);
      seen.push(shown(html, article));
    }
    expect(seen).toEqual(['full', 'full', 'full', 'wall', 'full']);
    // The meter lives in the cookie the decision set, not in the cached page.
    expect(first.cookies.has('__Host-meterwall')).toBe(true);
    // A second reader of the same article gets the same full page, from the cache.
    const second = await reader(edge).get(`/articles/${a.slug}`);
    expect(second.response.headers.get('x-cache')).toBe('HIT');
    expect(shown(second.html, a)).toBe('full');
    // The spent reader's wall page never holds the article's held-back text.
    const wall = await first.get(`/articles/${d.slug}`);
    expect(wall.html).not.toContain(heldBack(d));
    expect(wall.html).toContain('prompt');
  });

  it('a spent reader never receives a cached full page, whatever is cached and however it asks', async () => {
    const spent = reader(edge);
    for (const article of METERED.slice(0, 3)) await spent.get(`/articles/${article.slug}`);
    // Full pages of every metered story are in the cache now (other readers read them).
    for (const article of METERED) await reader(edge).get(`/articles/${article.slug}`);
    const asks: Array<[string, Record<string, string>]> = [
      ['', {}],
      ['?debug=1', {}],
      ['', { 'x-meterwall-variant': 'full' }],
      ['', { 'cache-control': 'no-cache', pragma: 'no-cache' }],
      ['?gift=not.a.gift', {}],
    ];
    for (const article of METERED.slice(3))
      for (const [query, headers] of asks) {
        const { response, html } = await spent.get(`/articles/${article.slug}${query}`, { headers });
        expect(response.status).toBe(200);
        expect(shown(html, article), `${article.slug}${query} ${JSON.stringify(headers)}`).toBe('wall');
      }
    // A signed variant a client copied from somewhere is dropped at the edge.
    const signer = createPaywall({ secret: METER_SECRET, cdn: {} });
    const target = METERED[4] as (typeof METERED)[number];
    const signed = await signer.signVariant('full', articleFacts(target));
    const { html } = await spent.get(`/articles/${target.slug}`, { headers: { 'x-meterwall-variant': signed } });
    expect(shown(html, target)).toBe('wall');
    // The decision route is not reachable from outside.
    expect((await spent.get(`/meterwall/decide/articles/${target.slug}`)).response.status).toBe(404);
  });

  it('a subscriber reads everything; a gift link opens one article for a spent reader; Googlebot gets the full text and the paywall JSON-LD', async () => {
    const sub = await subscriber('sam.cdn@example.com');
    for (const article of [...METERED, SUBSCRIBERS_ONLY]) {
      const { html } = await sub.get(`/articles/${article.slug}`);
      expect(shown(html, article), article.slug).toBe('full');
      for (const marker of PER_READER) expect(html).not.toContain(marker);
    }
    expect(shown((await reader(edge).get(`/articles/${SUBSCRIBERS_ONLY.slug}`)).html, SUBSCRIBERS_ONLY)).toBe('wall');

    const gifted = METERED[5] as (typeof METERED)[number];
    const made = await sub.get(`/articles/${gifted.slug}/gift`, { method: 'POST' });
    expect(made.response.status).toBe(200);
    const link = /value="[^"]*?(\/articles\/[a-z0-9-]+\?gift=[A-Za-z0-9._-]+)"/.exec(made.html)?.[1] as string;
    expect(link).toBeDefined();
    const spent = reader(edge);
    for (const article of METERED.slice(0, 3)) await spent.get(`/articles/${article.slug}`);
    expect(shown((await spent.get(`/articles/${gifted.slug}`)).html, gifted)).toBe('wall');
    expect(shown((await spent.get(link)).html, gifted)).toBe('full');
    expect(shown((await spent.get(`/articles/${(METERED[6] ?? METERED[4])?.slug}`)).html, METERED[6] ?? (METERED[4] as never))).toBe(
      'wall',
    );

    const bot = reader(edge, { 'user-agent': GOOGLEBOT });
    for (const article of [METERED[0], SUBSCRIBERS_ONLY] as const) {
      const { html } = await bot.get(`/articles/${article?.slug}`);
      expect(shown(html, article as never)).toBe('full');
      expect(html).toContain('"isAccessibleForFree":false');
      expect(html).toContain('"cssSelector":".meterwall-paywalled"');
    }
  });

  it('the origin renders an article once per variant and TTL while a hundred readers read it', async () => {
    const article = METERED[7] ?? (METERED.at(-1) as (typeof METERED)[number]);
    const before = renders.total(article.slug);
    const views = await Promise.all(Array.from({ length: 100 }, () => reader(edge).get(`/articles/${article.slug}`)));
    for (const { html } of views) expect(shown(html, article)).toBe('full');
    expect(renders.total(article.slug) - before).toBeLessThanOrEqual(1);
    expect(views.filter((v) => v.response.headers.get('x-cache') === 'HIT').length).toBeGreaterThanOrEqual(99);
  });

  it('the origin, asked directly: the teaser without a valid signed variant (bare, another article, expired)', async () => {
    const origin = started.url;
    const article = METERED[0] as (typeof METERED)[number];
    const other = METERED[1] as (typeof METERED)[number];
    const now = createPaywall({ secret: METER_SECRET, cdn: {} });
    const old = createPaywall({ secret: METER_SECRET, cdn: {}, now: () => Date.now() - 10 * 60_000 });
    const cases: Array<[string, string | null, 'full' | 'wall']> = [
      ['none', null, 'wall'],
      ['bare full', 'full', 'wall'],
      ['signed for another article', await now.signVariant('full', articleFacts(other)), 'wall'],
      ['expired', await old.signVariant('full', articleFacts(article)), 'wall'],
      ['signed for this article', await now.signVariant('full', articleFacts(article)), 'full'],
    ];
    for (const [what, value, expected] of cases) {
      const response = await fetch(`${origin}/articles/${article.slug}`, {
        headers: value === null ? {} : { 'x-meterwall-variant': value },
      });
      const html = await response.text();
      expect(shown(html, article), what).toBe(expected);
      expect(response.headers.getSetCookie(), what).toEqual([]);
      expect(response.headers.get('cache-control')).toBe('public, max-age=0, s-maxage=300');
    }
  });

  it('a response that sets a cookie is never stored', async () => {
    // An origin that (wrongly) sets a cookie on a page it calls public: Varnish must not keep it.
    let pages = 0;
    const origin: Server = createServer((req, res) => {
      if (req.url?.startsWith('/meterwall/decide/')) {
        res.writeHead(204, {
          'x-meterwall-variant': 'full',
          'x-meterwall-variant-signed': 'full.signed',
          'cache-control': 'private, no-store',
        });
        return res.end();
      }
      pages++;
      res.writeHead(200, {
        'content-type': 'text/html',
        'cache-control': 'public, max-age=0, s-maxage=300',
        'set-cookie': `who=reader-${pages}`,
      });
      res.end(`<p>page ${pages}</p>`);
    });
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    const cache = await startVarnish({
      originPort: (origin.address() as AddressInfo).port,
      port: await freePort(),
      binary: varnishd as string,
    });
    try {
      const first = await fetch(`${cache.url}/articles/one`);
      const second = await fetch(`${cache.url}/articles/one`);
      expect(await second.text()).toBe('<p>page 2</p>');
      expect([first.headers.get('x-cache'), second.headers.get('x-cache')]).toEqual(['MISS', 'MISS']);
      expect(pages).toBe(2);
    } finally {
      await cache.stop();
      await new Promise<void>((resolve) => origin.close(() => resolve()));
    }
  });

  it('npm run example:cdn starts the site behind Varnish and prints its URL; without varnishd, says how to install it', async () => {
    const [port, originPort] = [await freePort(), await freePort()];
    const env = { ...process.env, PORT: String(port), ORIGIN_PORT: String(originPort), NO_COLOR: '1' };
    const child = spawn('npm', ['run', 'example:cdn'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let output = '';
        const timer = setTimeout(() => reject(new Error(`no URL: ${output}`)), 60_000);
        const read = (chunk: Buffer) => {
          output += chunk.toString();
          const found = /behind Varnish is running at (http:\/\/localhost:\d+)\//.exec(output)?.[1];
          if (found) {
            clearTimeout(timer);
            resolve(found);
          }
        };
        child.stdout?.on('data', read);
        child.stderr?.on('data', read);
      });
      expect(url).toBe(`http://localhost:${port}`);
      const article = METERED[0] as (typeof METERED)[number];
      const views = [await reader(`http://127.0.0.1:${port}`).get(`/articles/${article.slug}`)];
      views.push(await reader(`http://127.0.0.1:${port}`).get(`/articles/${article.slug}`));
      expect(views.map((v) => v.response.headers.get('x-cache'))).toEqual(['MISS', 'HIT']);
      expect(shown(views[1]?.html as string, article)).toBe('full');
    } finally {
      process.kill(-(child.pid as number), 'SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    const missing = spawnSync('npm', ['run', 'example:cdn'], { env: { ...env, VARNISHD: '/nonexistent/varnishd' }, encoding: 'utf8' });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('needs varnishd (Varnish 7), which is not installed');
    expect(missing.stderr).toContain('apt-get install varnish');
  }, 90_000);

  it.skipIf(!executablePath)('in headless Chromium: three articles, the wall, and never the held-back text behind it', async () => {
    const browser = await chromium.launch({ executablePath: executablePath as string, headless: true, args: CHROMIUM_ARGS });
    try {
      const context = await readerContext(browser, { javaScriptEnabled: false });
      const page = await context.newPage();
      const articles = METERED.slice(0, 4);
      const seen: string[] = [];
      for (const article of [...articles, articles[0]] as typeof articles) {
        const response = await page.goto(`${edge}/articles/${article.slug}`);
        expect(response?.headers()['x-cache']).toMatch(/^(HIT|MISS)$/);
        const source = (await response?.text()) ?? '';
        seen.push(shown(source, article));
        if (seen.at(-1) === 'wall') await expect(page.locator('.prompt h2').count()).resolves.toBe(1);
        for (const marker of PER_READER) expect(source).not.toContain(marker);
      }
      expect(seen).toEqual(['full', 'full', 'full', 'wall', 'full']);
      await context.close();
    } finally {
      await browser.close();
    }
  });
});
