/**
 * Black-box attacks on the example site, started on 127.0.0.1. Each response is searched for a
 * marker word that appears only in held-back paragraphs: raw, HTML-, JSON- and percent-encoded
 * and base64 at every alignment, in the body and in every header.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNewsSite, type NewsSiteOptions } from '../../examples/news-site/app.js';
import type { StoryArticle } from '../../examples/news-site/articles.js';
import { createDnsVerifier } from '../../src/crawlers/dns.js';
import type { PaywallEvent } from '../../src/index.js';
import { findLeak } from '../leak.js';
import { browserFetch } from '../helpers.js';

const MARKER = 'Quorvaxithrene';
const METER_SECRET = 'security-suite-meter-secret-0123456789';
const OLD_SECRET = 'security-suite-retired-secret-01234567';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

function story(slug: string, access: StoryArticle['access']): StoryArticle {
  return {
    slug,
    section: 'Test',
    headline: `The ${slug} story`,
    standfirst: 'A story for the attack suite.',
    author: 'Test Desk',
    published: '2026-11-01T08:00:00Z',
    access,
    figure: { caption: 'A figure.', credit: 'Illustration: test', palette: ['#111111', '#222222', '#eeeeee'] },
    paragraphs: [
      'The opening paragraph is free for everyone to read.',
      'The second paragraph is part of the teaser too.',
      `The third paragraph is held back: ${MARKER} appears here.`,
      `The fourth paragraph is held back as well, ${MARKER} again.`,
    ],
  };
}
const ARTICLES: StoryArticle[] = [
  story('marker-story', 'metered'),
  story('marker-subscribers', 'subscribers'),
  story('filler-one', 'metered'),
  story('filler-two', 'metered'),
  story('filler-three', 'metered'),
  story('filler-four', 'metered'),
];
// Every filler story shares the held-back paragraphs; only reads of marker pages in a walled state are checked.

interface Site {
  base: string;
  server: Server;
  events: PaywallEvent[];
}

/** A stub DNS where only 66.249.66.1 is Googlebot. */
const dns = createDnsVerifier({
  resolver: {
    reverse: async (ip) => (ip === '66.249.66.1' ? ['crawl-66-249-66-1.googlebot.com'] : ['localhost']),
    resolve: async (host) => (host === 'crawl-66-249-66-1.googlebot.com' ? ['66.249.66.1'] : ['127.0.0.1']),
  },
});

async function start(extra: Partial<NewsSiteOptions> = {}): Promise<Site> {
  const events: PaywallEvent[] = [];
  const site = createNewsSite({
    meterSecret: METER_SECRET,
    sessionSecret: new TextEncoder().encode('security-suite-session-secret-012345678'),
    articles: ARTICLES,
    crawlerVerifiers: [dns],
    onEvent: (e) => events.push(e),
    ...extra,
  });
  const server = createServer({ maxHeaderSize: 32 * 1024 }, (req, res) => void site.handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, events };
}

interface Fetched {
  status: number;
  headers: Headers;
  body: string;
  location: string | null;
  meter: string | undefined;
}

async function get(site: Site, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Fetched> {
  const response = await browserFetch(site.base + path, { method, headers, redirect: 'manual' });
  const meter = response.headers.getSetCookie().find((c) => c.startsWith('__Host-meterwall='));
  return {
    status: response.status,
    headers: response.headers,
    body: await response.text(),
    location: response.headers.get('location'),
    meter: meter?.split(';')[0]?.split('=')[1],
  };
}

/** The marker in no form, in the body or any header. */
function expectNoLeak(response: Fetched): void {
  expect(findLeak(response.body, MARKER)).toBeNull();
  response.headers.forEach((value, name) => {
    expect(findLeak(`${name}: ${value}`, MARKER)).toBeNull();
  });
}

/** A reader whose three free views are spent; returns its meter token. */
async function spentReader(site: Site): Promise<string> {
  let token = '';
  for (const slug of ['filler-one', 'filler-two', 'filler-three']) {
    const r = await get(site, `/articles/${slug}`, token ? { cookie: `__Host-meterwall=${token}` } : {});
    token = r.meter ?? token;
  }
  return token;
}

const withMeter = (token: string, more: Record<string, string> = {}) => ({ cookie: `__Host-meterwall=${token}`, ...more });

let site: Site;
beforeAll(async () => {
  site = await start();
});
afterAll(() => new Promise<void>((resolve) => site.server.close(() => resolve())));

describe('view-source and JavaScript-off reads', () => {
  it('the prompt page holds only the teaser: the held-back paragraphs never leave the server', async () => {
    const token = await spentReader(site);
    const page = await get(site, '/articles/marker-story', withMeter(token));
    expect(page.status).toBe(200);
    expect(page.body).toContain('Register for free to continue reading');
    expect(page.body).toContain('The second paragraph is part of the teaser too.');
    expectNoLeak(page);
  });

  it('the teaser page of a subscribers-only story holds only the teaser', async () => {
    const page = await get(site, '/articles/marker-subscribers');
    expect(page.body).toContain('This article is for subscribers');
    expectNoLeak(page);
  });

  it('the paywall JSON-LD is there and holds no articleBody', async () => {
    const page = await get(site, '/articles/marker-subscribers');
    expect(page.body).toContain('"isAccessibleForFree":false');
    expect(page.body).not.toContain('articleBody');
  });
});

describe('alternate renderings of the same article', () => {
  const alternates: Array<[string, string, Record<string, string>]> = [
    ['a query string', '/articles/marker-story?utm_source=x', {}],
    ['?amp=1', '/articles/marker-story?amp=1', {}],
    ['?print=1', '/articles/marker-story?print=1', {}],
    ['Accept: application/json', '/articles/marker-story', { accept: 'application/json' }],
    ['a trailing slash', '/articles/marker-story/', {}],
    ['another case', '/articles/Marker-Story', {}],
    ['a double slash', '//articles/marker-story', {}],
    ['an encoded slash', '/articles/marker-story%2F', {}],
    ['a path parameter', '/articles/marker-story;print=1', {}],
  ];

  it.each(alternates)('%s is gated or not found for a spent reader', async (_, path, headers) => {
    const token = await spentReader(site);
    const page = await get(site, path, withMeter(token, headers));
    expect([200, 301, 404]).toContain(page.status);
    if (page.status === 301) expect(page.location).toBe('/articles/marker-story');
    expectNoLeak(page);
  });

  it('all of them count as one article', async () => {
    let token = '';
    for (const [, path, headers] of alternates) {
      const page = await get(site, path, token ? withMeter(token, headers) : headers);
      token = page.meter ?? token;
    }
    expect(decodeJwt(token)['a']).toHaveLength(8); // one article hash
    const again = await get(site, '/articles/marker-story', withMeter(token));
    expect(again.body).toContain('2 of 3 free articles left this month');
  });
});

describe('tampered and foreign meter tokens', () => {
  it('a forged token with a lower count and no re-signing is refused: a fresh meter, as with no cookie', async () => {
    const token = await spentReader(site);
    const [header, , signature] = token.split('.') as [string, string, string];
    const claims: Record<string, unknown> = { ...decodeJwt(token), a: '' };
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const page = await get(site, '/articles/marker-story', withMeter(`${header}.${payload}.${signature}`));
    // Not the old meter with fewer views: a new reader id, exactly as if the cookie were gone.
    expect(decodeJwt(page.meter as string)['rid']).not.toBe(claims['rid']);
    expect(site.events).toContainEqual(expect.objectContaining({ type: 'token-rejected', reason: 'bad-signature' }));
  });

  it('alg: none and HS512 tokens are refused', async () => {
    const token = await spentReader(site);
    const claims: Record<string, unknown> = { ...decodeJwt(token), a: '' };
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const none = `${b64({ ...decodeProtectedHeader(token), alg: 'none' })}.${b64(claims)}.`;
    const hs512 = await new SignJWT(claims)
      .setProtectedHeader({ ...decodeProtectedHeader(token), alg: 'HS512' })
      .sign(new TextEncoder().encode(METER_SECRET));
    for (const forged of [none, hs512]) {
      const page = await get(site, '/articles/marker-story', withMeter(forged));
      expect(decodeJwt(page.meter as string)['rid']).not.toBe(claims['rid']);
    }
    expect(site.events).toContainEqual(expect.objectContaining({ type: 'token-rejected', reason: 'algorithm' }));
  });

  it('a token signed with a retired key is refused; one from a key still listed is honoured', async () => {
    const before = await start({ meterSecret: OLD_SECRET });
    const afterRetirement = await start();
    const duringRotation = await start({ meterSecret: [METER_SECRET, OLD_SECRET] });
    try {
      const old = await spentReader(before);
      const retired = await get(afterRetirement, '/articles/marker-story', withMeter(old));
      expect(retired.body).toContain('2 of 3 free articles left');
      expect(afterRetirement.events).toContainEqual(expect.objectContaining({ type: 'token-rejected', reason: 'unknown-key' }));
      const rotating = await get(duringRotation, '/articles/marker-story', withMeter(old));
      expect(rotating.body).toContain('Register for free to continue reading');
      expectNoLeak(rotating);
    } finally {
      for (const s of [before, afterRetirement, duringRotation]) s.server.close();
    }
  });

  it('two same-named meter cookies: the one with more views spent wins', async () => {
    const spent = await spentReader(site);
    const fresh = (await get(site, '/articles/filler-one')).meter as string;
    for (const cookie of [`__Host-meterwall=${fresh}; __Host-meterwall=${spent}`, `__Host-meterwall=${spent}; __Host-meterwall=${fresh}`]) {
      const page = await get(site, '/articles/marker-story', { cookie });
      expect(page.body).toContain('Register for free to continue reading');
      expectNoLeak(page);
    }
  });

  it('a 10 KB meter cookie and a 20 KB Cookie header get an ordinary answer, never an error', async () => {
    const huge = `__Host-meterwall=${'A'.repeat(10 * 1024)}`;
    const first = await get(site, '/articles/marker-story', { cookie: huge });
    expect(first.status).toBe(200);
    expect(site.events).toContainEqual(expect.objectContaining({ type: 'token-rejected', reason: 'oversized' }));
    const spent = await spentReader(site);
    const jar = Array.from({ length: 400 }, (_, i) => `tracker_${i}=${'x'.repeat(40)}`).join('; ');
    expect(jar.length).toBeGreaterThan(18_000);
    const second = await get(site, '/articles/marker-story', { cookie: `${jar}; __Host-meterwall=${spent}` });
    expect(second.status).toBe(200);
    expect(second.body).toContain('Register for free to continue reading');
    expectNoLeak(second);
  });
});

describe('stripping cookies', () => {
  it('gives a fresh meter (inherent to anonymous metering); the fresh-meter cap then offers registration', async () => {
    const capped = await start({ freshMetersPerHour: 3 });
    try {
      const token = await spentReader(capped); // one fresh meter
      expect((await get(capped, '/articles/marker-story', withMeter(token))).body).toContain('Register for free');
      // Without the cookie: a fresh meter, the full text (the documented limit of anonymous meters).
      expect((await get(capped, '/articles/marker-story')).body).toContain(MARKER);
      expect((await get(capped, '/articles/marker-story')).body).toContain(MARKER);
      // The fourth fresh meter from this network within the hour starts spent.
      const capped4 = await get(capped, '/articles/marker-story');
      expect(capped4.body).toContain('Register for free to continue reading');
      expectNoLeak(capped4);
    } finally {
      capped.server.close();
    }
  });
});

describe('spoofed crawlers', () => {
  it.each([
    ['no forwarding header', {}],
    ['X-Forwarded-For: 66.249.66.1', { 'x-forwarded-for': '66.249.66.1' }],
    ['Forwarded: for=66.249.66.1', { forwarded: 'for=66.249.66.1' }],
    ['X-Real-IP and True-Client-IP', { 'x-real-ip': '66.249.66.1', 'true-client-ip': '66.249.66.1' }],
  ])('a Googlebot user agent from a non-crawler address (%s) is an ordinary reader', async (_, headers) => {
    const page = await get(site, '/articles/marker-subscribers', { 'user-agent': GOOGLEBOT, ...headers });
    expect(page.body).toContain('This article is for subscribers');
    expectNoLeak(page);
    expect(site.events).toContainEqual({ type: 'crawler-unverified', crawler: 'googlebot', ip: '127.0.0.1', reason: 'refuted' });
  });

  it('behind a trusted proxy, the genuine crawler address is verified (the control case)', async () => {
    const proxied = createNewsSite({
      meterSecret: METER_SECRET,
      sessionSecret: new TextEncoder().encode('security-suite-session-secret-012345678'),
      articles: ARTICLES,
      crawlerVerifiers: [dns],
    });
    const d = await proxied.paywall.decide(
      new Request('https://news.example/articles/marker-subscribers', { headers: { 'user-agent': GOOGLEBOT } }),
      { id: 'marker-subscribers', access: 'subscribers' },
      { ip: '66.249.66.1' },
    );
    expect(d).toMatchObject({ access: 'full', reason: 'crawler' });
  });
});

describe('spoofed referrers', () => {
  it('a search Referer unlocks at most the referral budget (one), spoofed or not', async () => {
    const token = await spentReader(site);
    let cookie = withMeter(token);
    const outcomes: boolean[] = [];
    for (const slug of ['marker-story', 'filler-four', 'marker-story', 'filler-four']) {
      const page = await get(site, `/articles/${slug}`, { ...cookie, referer: 'https://www.google.com/search?q=x' });
      outcomes.push(page.body.includes('held back as well'));
      if (page.meter) cookie = withMeter(page.meter);
    }
    // The first walled story opens once on the budget (and stays open: already read); the next does not.
    expect(outcomes).toEqual([true, false, true, false]);
  });

  it.each([
    'https://google.com.evil.example/',
    'https://evil-google.com/',
    'https://www.google.community/',
    'android-app://com.google.android.gm/',
  ])('a referrer that only looks like a source (%s) unlocks nothing', async (referer) => {
    const token = await spentReader(site);
    const page = await get(site, '/articles/marker-story', withMeter(token, { referer }));
    expect(page.body).toContain('Register for free to continue reading');
    expectNoLeak(page);
  });
});

describe('prefetch and HEAD', () => {
  it.each([
    ['HEAD', 'HEAD', {}],
    ['Sec-Purpose: prefetch', 'GET', { 'sec-purpose': 'prefetch' }],
    ['Sec-Purpose: prefetch;prerender', 'GET', { 'sec-purpose': 'prefetch;prerender' }],
    ['Purpose: prefetch', 'GET', { purpose: 'prefetch' }],
  ])('%s never spends a view and never carries the held-back text', async (_, method, headers) => {
    const page = await get(site, '/articles/marker-story', headers, method);
    expect(page.status).toBe(200);
    expect(page.meter).toBeUndefined();
    expectNoLeak(page);
  });
});

describe('caching', () => {
  it('every personalised response is private, no-store; static files may be cached', async () => {
    const token = await spentReader(site);
    const pages = [
      await get(site, '/'),
      await get(site, '/articles/marker-story'),
      await get(site, '/articles/marker-story', withMeter(token)),
      await get(site, '/articles/marker-subscribers'),
      await get(site, '/register'),
      await get(site, '/signin'),
      await get(site, '/subscribe'),
      await get(site, '/articles/no-such-story'),
      await get(site, '/nothing-here'),
    ];
    for (const page of pages) {
      expect(page.headers.get('cache-control')).toMatch(/private, no-store|no-store/);
      expect(page.headers.get('cache-control')).not.toMatch(/public|s-maxage/);
    }
    expect((await get(site, '/styles.css')).headers.get('cache-control')).toContain('public');
  });

  it.each([
    '/articles/marker-story/a.css',
    '/articles/marker-story.css',
    '/articles/marker-story/x.js',
    '/articles/marker-story%2Fa.css',
    '/articles/marker-story/..%2Fa.css',
  ])('web-cache deception: %s is not the article and is not cacheable', async (path) => {
    const page = await get(site, path);
    expect(page.status).toBe(404);
    expect(page.body).not.toContain('The opening paragraph');
    expect(page.headers.get('cache-control')).not.toMatch(/public/);
    expectNoLeak(page);
  });
});
