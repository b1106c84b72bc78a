/**
 * What holds behind any shared cache in front of the example site (issue 27), as one suite each
 * edge runs (cdn-varnish.test.ts, cdn-worker.test.ts): the reader journey, a spent reader never
 * served a cached full page, subscribers, gifts and crawlers, the origin rendering a page once
 * while many read it, and a page that sets a cookie never stored.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPaywall, createRangeVerifier } from '../../src/index.js';
import { articleFacts } from '../../examples/news-site/policy.js';
import { type StartedSite, startNewsSite } from '../helpers-browser.js';
import { BROWSER_UA } from '../helpers.js';
import {
  anonymousJourney,
  countRenders,
  heldBack,
  METERED,
  PER_READER,
  reader,
  shown,
  SUBSCRIBERS_ONLY,
  spentAt,
  subscriberAt,
} from '../helpers-cdn.js';

export const METER_SECRET = 'e2e-meter-secret-0123456789-abcdefgh';
export const SESSION_SECRET = 'e2e-session-secret-0123456789-abcdef';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

/** An edge in front of an origin on 127.0.0.1:`port`: its URL and how to stop it. */
export type StartEdge = (origin: { readonly url: string; readonly port: number }) => Promise<{ url: string; stop(): Promise<void> }>;

export interface EdgeContext {
  edge: string;
  started: StartedSite;
  renders: ReturnType<typeof countRenders>;
}

/** Registers the suite in the calling `describe`; the context is filled before its tests run. */
export function edgeSuite(startEdge: StartEdge): EdgeContext {
  const ctx = {} as EdgeContext;
  let stop: () => Promise<void> = async () => {};
  beforeAll(async () => {
    // Googlebot is verified on loopback here (its published ranges, as the site configures them).
    ctx.started = await startNewsSite({ cdn: true, crawlerVerifiers: [createRangeVerifier({ googlebot: ['127.0.0.0/16'] })] });
    ctx.renders = countRenders(ctx.started.server);
    const edge = await startEdge({ url: ctx.started.url, port: Number(new URL(ctx.started.url).port) });
    ctx.edge = edge.url;
    stop = edge.stop;
  }, 60_000);
  afterAll(async () => {
    await stop();
    await new Promise<void>((resolve) => ctx.started?.server.close(() => resolve()));
  });

  it('an anonymous reader: three in full, the wall, re-reads in full; a second reader from the cache; nothing per reader on any page', async () => {
    const a = METERED[0] as (typeof METERED)[number];
    const d = METERED[3] as (typeof METERED)[number];
    const { seen, reader: first } = await anonymousJourney(ctx.edge);
    expect(seen).toEqual(['full', 'full', 'full', 'wall', 'full']);
    // The meter lives in the cookie the decision set, not in the cached page.
    expect(first.cookies.has('__Host-meterwall')).toBe(true);
    const second = await reader(ctx.edge).get(`/articles/${a.slug}`);
    expect(second.response.headers.get('x-cache')).toBe('HIT');
    expect(shown(second.html, a)).toBe('full');
    const wall = await first.get(`/articles/${d.slug}`);
    expect(wall.html).not.toContain(heldBack(d));
    expect(wall.html).toContain('prompt');
  });

  it('a spent reader never receives a cached full page, however it asks; a copied signed variant and the internal routes do nothing', async () => {
    const spent = await spentAt(ctx.edge);
    // Full pages of every metered story are in the cache now (other readers read them).
    for (const article of METERED) await reader(ctx.edge).get(`/articles/${article.slug}`);
    const signer = createPaywall({ secret: METER_SECRET, cdn: {} });
    for (const article of METERED.slice(3)) {
      const signed = await signer.signVariant('full', articleFacts(article));
      const asks: Array<[string, Record<string, string>]> = [
        ['', {}],
        ['?debug=1', {}],
        ['', { 'x-meterwall-variant': 'full' }],
        ['', { 'x-meterwall-variant': signed }],
        ['', { 'cache-control': 'no-cache', pragma: 'no-cache' }],
        ['?gift=not.a.gift', {}],
      ];
      for (const [query, headers] of asks) {
        const { response, html } = await spent.get(`/articles/${article.slug}${query}`, { headers });
        expect(response.status).toBe(200);
        expect(shown(html, article), `${article.slug}${query} ${JSON.stringify(headers)}`).toBe('wall');
      }
    }
    for (const path of [`/meterwall/decide/articles/${METERED[4]?.slug}`, `/meterwall/articles/${METERED[4]?.slug}`])
      expect((await spent.get(path)).response.status, path).toBe(404);
  });

  it('a subscriber reads everything; a gift link opens one article for a spent reader; Googlebot gets the full text and the paywall JSON-LD', async () => {
    const sub = await subscriberAt(ctx.edge, ctx.started, `sam.${ctx.edge.replace(/\D/g, '')}@example.com`);
    for (const article of [...METERED, SUBSCRIBERS_ONLY]) {
      const { html } = await sub.get(`/articles/${article.slug}`);
      expect(shown(html, article), article.slug).toBe('full');
      for (const marker of PER_READER) expect(html).not.toContain(marker);
    }
    expect(shown((await reader(ctx.edge).get(`/articles/${SUBSCRIBERS_ONLY.slug}`)).html, SUBSCRIBERS_ONLY)).toBe('wall');
    const gifted = METERED[5] as (typeof METERED)[number];
    const made = await sub.get(`/articles/${gifted.slug}/gift`, { method: 'POST' });
    expect(made.response.status).toBe(200);
    const link = /value="[^"]*?(\/articles\/[a-z0-9-]+\?gift=[A-Za-z0-9._-]+)"/.exec(made.html)?.[1] as string;
    expect(link).toBeDefined();
    const spent = await spentAt(ctx.edge);
    expect(shown((await spent.get(`/articles/${gifted.slug}`)).html, gifted)).toBe('wall');
    expect(shown((await spent.get(link)).html, gifted)).toBe('full');
    const bot = reader(ctx.edge, { 'user-agent': GOOGLEBOT });
    for (const article of [METERED[0] as (typeof METERED)[number], SUBSCRIBERS_ONLY]) {
      const { html } = await bot.get(`/articles/${article.slug}`);
      expect(shown(html, article)).toBe('full');
      expect(html).toContain('"isAccessibleForFree":false');
      expect(html).toContain('"cssSelector":".meterwall-paywalled"');
    }
  });

  it('the origin renders an article once per variant and TTL while a hundred readers read it at once', async () => {
    const article = METERED[7] ?? (METERED.at(-1) as (typeof METERED)[number]);
    const before = ctx.renders.total(article.slug);
    const views = await Promise.all(Array.from({ length: 100 }, () => reader(ctx.edge).get(`/articles/${article.slug}`)));
    for (const { html } of views) expect(shown(html, article)).toBe('full');
    expect(ctx.renders.total(article.slug) - before).toBeLessThanOrEqual(1);
    expect(views.filter((v) => v.response.headers.get('x-cache') === 'HIT').length).toBeGreaterThanOrEqual(99);
  });

  it('a page that sets a cookie is never stored', async () => {
    // An origin that (wrongly) sets a cookie on a page it calls public: the edge must not keep it.
    let pages = 0;
    const origin = createServer((req, res) => {
      if (req.url?.startsWith('/meterwall/decide/')) {
        res.writeHead(204, {
          'x-meterwall-variant': 'full',
          'x-meterwall-variant-signed': 'full.signed',
          'cache-control': 'private, no-store',
        });
        return res.end();
      }
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
    const port = (origin.address() as AddressInfo).port;
    const edge = await startEdge({ url: `http://127.0.0.1:${port}`, port });
    try {
      const first = await fetch(`${edge.url}/articles/one`, { headers: { 'user-agent': BROWSER_UA } });
      const second = await fetch(`${edge.url}/articles/one`, { headers: { 'user-agent': BROWSER_UA } });
      expect(await second.text()).toBe('<p>page 2</p>');
      expect([first.headers.get('x-cache'), second.headers.get('x-cache')]).toEqual(['MISS', 'MISS']);
      expect(pages).toBe(2);
    } finally {
      await edge.stop();
      await new Promise<void>((resolve) => origin.close(() => resolve()));
    }
  });
  return ctx;
}
