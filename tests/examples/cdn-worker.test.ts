/**
 * The example site behind the Cache API Worker (examples/cloudflare-cache) in workerd through
 * Miniflare: the Worker bundled as Wrangler bundles it, deciding at the edge by the site's policy
 * with its meters on real Durable Objects, pages kept in workerd's cache per article and variant,
 * the origin a real Node server (the example in CDN mode). Readers go through Miniflare's own
 * HTTP port, as a browser would.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPaywall } from '../../src/index.js';
import { articleFacts } from '../../examples/news-site/policy.js';
import { bundleWorker } from '../helpers-bundle.js';
import { type StartedSite, startNewsSite } from '../helpers-browser.js';
import { BROWSER_UA } from '../helpers.js';
import { countRenders, heldBack, METERED, PER_READER, reader, shown, SUBSCRIBERS_ONLY } from '../helpers-cdn.js';

const METER_SECRET = 'e2e-meter-secret-0123456789-abcdefgh';
const SESSION_SECRET = 'e2e-session-secret-0123456789-abcdef';
const PASSWORD = 'correct horse battery staple';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

describe('the example site behind a Worker with the Cache API (workerd)', () => {
  let started: StartedSite;
  let renders: ReturnType<typeof countRenders>;
  let mf: Miniflare;
  let edge: string;

  beforeAll(async () => {
    started = await startNewsSite({ cdn: true });
    renders = countRenders(started.server);
    const script = await bundleWorker({ path: 'examples/cloudflare-cache/worker.ts' });
    mf = new Miniflare({
      modules: true,
      script,
      compatibilityDate: '2025-09-01',
      bindings: {
        ORIGIN: started.url,
        METERWALL_SECRET: METER_SECRET,
        SESSION_SECRET,
        // Googlebot is verified on loopback here (its published ranges, as the site configures them).
        CRAWLER_RANGES: JSON.stringify({ googlebot: ['127.0.0.0/16'] }),
      },
      durableObjects: { METERWALL: 'MeterwallStoreObject' },
    });
    edge = new URL(await mf.ready).origin;
  }, 60_000);

  afterAll(async () => {
    await mf?.dispose();
    await new Promise<void>((resolve) => started?.server.close(() => resolve()));
  });

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

  it('an anonymous reader: three in full, the wall, re-reads in full; a second reader from the cache; nothing per reader on any page', async () => {
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
      for (const marker of PER_READER) expect(html).not.toContain(marker);
      seen.push(shown(html, article));
    }
    expect(seen).toEqual(['full', 'full', 'full', 'wall', 'full']);
    const second = await reader(edge).get(`/articles/${a.slug}`);
    expect(second.response.headers.get('x-cache')).toBe('HIT');
    expect(shown(second.html, a)).toBe('full');
    expect((await first.get(`/articles/${d.slug}`)).html).not.toContain(heldBack(d));
  });

  it('a spent reader never receives a cached full page; a copied signed variant and the internal routes do nothing', async () => {
    const spent = reader(edge);
    for (const article of METERED.slice(0, 3)) await spent.get(`/articles/${article.slug}`);
    for (const article of METERED) await reader(edge).get(`/articles/${article.slug}`);
    const signer = createPaywall({ secret: METER_SECRET, cdn: {} });
    for (const article of METERED.slice(3)) {
      const signed = await signer.signVariant('full', articleFacts(article));
      for (const headers of [{}, { 'x-meterwall-variant': 'full' }, { 'x-meterwall-variant': signed }])
        expect(shown((await spent.get(`/articles/${article.slug}?debug=1`, { headers })).html, article)).toBe('wall');
    }
    expect((await spent.get(`/meterwall/articles/${METERED[0]?.slug}`)).response.status).toBe(404);
  });

  it('a subscriber reads everything; a gift link opens one article for a spent reader; Googlebot gets the full text and the JSON-LD', async () => {
    const sub = await subscriber('sam.worker@example.com');
    for (const article of [...METERED, SUBSCRIBERS_ONLY])
      expect(shown((await sub.get(`/articles/${article.slug}`)).html, article)).toBe('full');
    expect(shown((await reader(edge).get(`/articles/${SUBSCRIBERS_ONLY.slug}`)).html, SUBSCRIBERS_ONLY)).toBe('wall');
    const gifted = METERED[5] as (typeof METERED)[number];
    const made = await sub.get(`/articles/${gifted.slug}/gift`, { method: 'POST' });
    const link = /value="[^"]*?(\/articles\/[a-z0-9-]+\?gift=[A-Za-z0-9._-]+)"/.exec(made.html)?.[1] as string;
    expect(link).toBeDefined();
    const spent = reader(edge);
    for (const article of METERED.slice(0, 3)) await spent.get(`/articles/${article.slug}`);
    expect(shown((await spent.get(`/articles/${gifted.slug}`)).html, gifted)).toBe('wall');
    expect(shown((await spent.get(link)).html, gifted)).toBe('full');
    const bot = reader(edge, { 'user-agent': GOOGLEBOT });
    const { html } = await bot.get(`/articles/${SUBSCRIBERS_ONLY.slug}`);
    expect(shown(html, SUBSCRIBERS_ONLY)).toBe('full');
    expect(html).toContain('"isAccessibleForFree":false');
  });

  it('the origin renders an article once per variant while fifty readers read it at once', async () => {
    const article = METERED[7] ?? (METERED.at(-1) as (typeof METERED)[number]);
    const before = renders.total(article.slug);
    const views = await Promise.all(Array.from({ length: 50 }, () => reader(edge).get(`/articles/${article.slug}`)));
    for (const { html } of views) expect(shown(html, article)).toBe('full');
    expect(renders.total(article.slug) - before).toBeLessThanOrEqual(1);
  });

  it('a page that sets a cookie is never stored', async () => {
    // An origin that (wrongly) sets a cookie on a page it calls public: nothing keeps it (the Worker
    // checks, and workerd's cache.put refuses such a response too).
    let pages = 0;
    const origin = createServer((req, res) => {
      if (req.url === '/meterwall/articles/one') {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, s-maxage=300' });
        return res.end(JSON.stringify({ id: 'one' }));
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
    const other = new Miniflare({
      modules: true,
      script: await bundleWorker({ path: 'examples/cloudflare-cache/worker.ts' }),
      compatibilityDate: '2025-09-01',
      bindings: { ORIGIN: `http://127.0.0.1:${(origin.address() as AddressInfo).port}`, METERWALL_SECRET: METER_SECRET, SESSION_SECRET },
      durableObjects: { METERWALL: 'MeterwallStoreObject' },
    });
    try {
      const url = `${new URL(await other.ready).origin}/articles/one`;
      const first = await fetch(url, { headers: { 'user-agent': BROWSER_UA } });
      const second = await fetch(url, { headers: { 'user-agent': BROWSER_UA } });
      expect(await second.text()).toBe('<p>page 2</p>');
      expect([first.headers.get('x-cache'), second.headers.get('x-cache')]).toEqual(['MISS', 'MISS']);
      expect(pages).toBe(2);
    } finally {
      await other.dispose();
      await new Promise<void>((resolve) => origin.close(() => resolve()));
    }
  });
});
