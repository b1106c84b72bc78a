import { describe, expect, it } from 'vitest';
import { createDnsVerifier, type DnsResolver } from '../../src/crawlers/dns.js';
import { createPaywall, createRangeVerifier, type PaywallEvent, type PaywallOptions } from '../../src/index.js';
import { SECRET, articleRequest } from '../helpers.js';

const GOOGLEBOT_UA = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const BINGBOT_UA = 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)';

/** A stub resolver from fixed PTR and A/AAAA tables; counts and delays lookups. */
function stubResolver(ptr: Record<string, string[]>, forward: Record<string, string[]>, delayMs = 0) {
  let active = 0;
  const stub = {
    calls: 0,
    maxActive: 0,
    resolver: {
      async reverse(ip: string) {
        stub.calls++;
        active++;
        stub.maxActive = Math.max(stub.maxActive, active);
        try {
          if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
          const names = ptr[ip];
          if (!names) throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
          return names;
        } finally {
          active--;
        }
      },
      async resolve(hostname: string) {
        return forward[hostname] ?? [];
      },
    } satisfies DnsResolver,
  };
  return stub;
}

const ptr = {
  '66.249.66.1': ['crawl-66-249-66-1.googlebot.com'],
  '66.249.90.77': ['rate-limited-proxy-66-249-90-77.geo.googlebot.com.'],
  '203.0.113.10': ['googlebot.com.evil.net'],
  '203.0.113.11': ['evilgooglebot.com'],
  '203.0.113.12': ['crawl-66-249-66-9.googlebot.com'],
  '203.0.113.13': ['1.2.3.4.bc.googleusercontent.com', 'x.gae.googleusercontent.com'],
  '2001:4860:4801:10::1': ['crawl-2001-4860-4801-10--1.googlebot.com'],
  '157.55.39.1': ['msnbot-157-55-39-1.search.msn.com'],
};
const forward = {
  'crawl-66-249-66-1.googlebot.com': ['66.249.66.1'],
  'rate-limited-proxy-66-249-90-77.geo.googlebot.com.': ['66.249.90.77'],
  'googlebot.com.evil.net': ['203.0.113.10'],
  'evilgooglebot.com': ['203.0.113.11'],
  'crawl-66-249-66-9.googlebot.com': ['66.249.66.9'], // a real Google name, but not this address
  'x.gae.googleusercontent.com': ['203.0.113.13'],
  'crawl-2001-4860-4801-10--1.googlebot.com': ['2001:4860:4801:10:0:0:0:1'],
  'msnbot-157-55-39-1.search.msn.com': ['157.55.39.1'],
};

function setup(extra: Partial<PaywallOptions> = {}, delayMs = 0) {
  const stub = stubResolver(ptr, forward, delayMs);
  const verifier = createDnsVerifier({ resolver: stub.resolver, timeoutMs: 200, concurrency: 8, cacheSize: 100 });
  const events: PaywallEvent[] = [];
  const paywall = createPaywall({ secret: SECRET, crawlers: { verifiers: [verifier] }, onEvent: (e) => events.push(e), ...extra });
  const crawl = (ip: string, headers: Record<string, string> = {}, ua = GOOGLEBOT_UA) =>
    paywall.decide(articleRequest({ 'user-agent': ua, ...headers }), { id: 'investigation', access: 'subscribers' }, { ip });
  return { paywall, events, crawl, stub, verifier };
}

describe('crawler verification by reverse and forward DNS (stub resolver)', () => {
  it('the genuine PTR with a matching forward lookup: full text, not counted, private, no cookie', async () => {
    const { crawl, events } = setup();
    const d = await crawl('66.249.66.1');
    expect(d).toMatchObject({ access: 'full', reason: 'crawler', counted: false, meter: null });
    expect(d.headers.get('cache-control')).toBe('private, no-store');
    expect(d.headers.get('set-cookie')).toBeNull();
    expect(events).toContainEqual({ type: 'crawler-verified', crawler: 'googlebot', ip: '66.249.66.1' });
  });

  it('accepts *.geo.googlebot.com and Bing on *.search.msn.com', async () => {
    const { crawl } = setup();
    expect((await crawl('66.249.90.77')).reason).toBe('crawler');
    expect((await crawl('157.55.39.1', {}, BINGBOT_UA)).reason).toBe('crawler');
  });

  it.each([
    ['a PTR of googlebot.com.evil.net', '203.0.113.10'],
    ['a PTR of evilgooglebot.com', '203.0.113.11'],
    ['a googlebot.com name whose A record is another address', '203.0.113.12'],
    ['*.gae.googleusercontent.com', '203.0.113.13'],
    ['a non-Google address (no PTR)', '198.51.100.23'],
  ])('refuses %s: an ordinary anonymous reader, and an event', async (_, ip) => {
    const { crawl, events } = setup();
    const d = await crawl(ip);
    expect(d).toMatchObject({ access: 'teaser', reason: 'subscribers-only', reader: { status: 'anonymous' } });
    expect(events).toContainEqual({ type: 'crawler-unverified', crawler: 'googlebot', ip, reason: 'refuted' });
  });

  it('a Googlebot user agent with X-Forwarded-For: 66.249.66.1 and no trusted proxy is judged by its connection', async () => {
    const { crawl, stub } = setup();
    const d = await crawl('203.0.113.50', { 'x-forwarded-for': '66.249.66.1' });
    expect(d.reason).toBe('subscribers-only');
    expect(stub.calls).toBe(1); // the connection address was looked up, never the header's
  });

  it('one trusted hop with X-Forwarded-For: 66.249.66.1, 203.0.113.9: the client is 203.0.113.9', async () => {
    const { crawl, events } = setup({ proxy: { trustedHops: 1 } });
    const d = await crawl('10.0.0.2', { 'x-forwarded-for': '66.249.66.1, 203.0.113.9' });
    expect(d.reason).toBe('subscribers-only');
    expect(events).toContainEqual({ type: 'crawler-unverified', crawler: 'googlebot', ip: '203.0.113.9', reason: 'refuted' });
    // And with the genuine address as the hop the proxy saw, the crawler is verified.
    expect((await crawl('10.0.0.2', { 'x-forwarded-for': '203.0.113.9, 66.249.66.1' })).reason).toBe('crawler');
  });

  it('verifies IPv6 crawler addresses', async () => {
    const { crawl } = setup();
    expect((await crawl('2001:4860:4801:10::1')).reason).toBe('crawler');
  });

  it('without an address, or without verifiers, a claimed crawler is an anonymous automated client: nothing counted, no full text', async () => {
    const { paywall, events } = setup();
    const d = await paywall.decide(articleRequest({ 'user-agent': GOOGLEBOT_UA }), { id: 'x', access: 'subscribers' });
    expect(d.reason).toBe('subscribers-only');
    expect(events).toContainEqual({ type: 'crawler-unverified', crawler: 'googlebot', ip: null, reason: 'no-ip' });
    const plainEvents: PaywallEvent[] = [];
    const plain = createPaywall({ secret: SECRET, onEvent: (e) => plainEvents.push(e) });
    const unverified = await plain.decide(articleRequest({ 'user-agent': GOOGLEBOT_UA }), { id: 'x' }, { ip: '66.249.66.1' });
    expect(unverified).toMatchObject({ access: 'prompt', reason: 'not-counted', counted: false });
    expect(unverified.headers.get('set-cookie')).toBeNull();
    expect(plainEvents).toContainEqual(expect.objectContaining({ type: 'crawler-unverified', reason: 'no-verifier' }));
  });

  it('a slow resolver fails closed within the timeout', async () => {
    const { crawl } = setup({}, 1_000);
    const started = Date.now();
    const d = await crawl('66.249.66.1');
    expect(Date.now() - started).toBeLessThan(900);
    expect(d.reason).toBe('subscribers-only');
  });

  it('caches results: a verified crawler is looked up once', async () => {
    const { crawl, stub } = setup();
    for (let i = 0; i < 5; i++) expect((await crawl('66.249.66.1')).reason).toBe('crawler');
    expect(stub.calls).toBe(1);
  });

  it('1,000 requests with random addresses and a crawler user agent stay under the concurrency cap and the cache bound', async () => {
    const { crawl, stub, verifier } = setup({}, 5);
    const random = () => `198.51.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`;
    const decisions = await Promise.all(Array.from({ length: 1000 }, () => crawl(random())));
    expect(decisions.every((d) => d.reason === 'subscribers-only')).toBe(true);
    expect(stub.maxActive).toBeLessThanOrEqual(8);
    expect(verifier.stats.maxInFlight).toBeLessThanOrEqual(8);
    expect(verifier.stats.cached).toBeLessThanOrEqual(100);
    // Later requests still get answers once slots free up.
    await new Promise((r) => setTimeout(r, 50));
    expect((await crawl('66.249.66.1')).reason).toBe('crawler');
  });
});

describe('crawler verification by published ranges', () => {
  it('accepts addresses in the ranges (IPv4 and IPv6) and nothing else', async () => {
    const ranges = createRangeVerifier({ googlebot: ['66.249.64.0/19', '2001:4860:4801:10::/64'] });
    const paywall = createPaywall({ secret: SECRET, crawlers: { verifiers: [ranges] } });
    const crawl = (ip: string) =>
      paywall.decide(articleRequest({ 'user-agent': GOOGLEBOT_UA }), { id: 'x', access: 'subscribers' }, { ip });
    expect((await crawl('66.249.66.1')).reason).toBe('crawler');
    expect((await crawl('2001:4860:4801:10::99')).reason).toBe('crawler');
    expect((await crawl('66.249.96.1')).reason).toBe('subscribers-only');
    expect((await crawl('2001:4860:4801:11::1')).reason).toBe('subscribers-only');
    // A verifier that throws is a refusal, not an error.
    const broken = createPaywall({
      secret: SECRET,
      crawlers: {
        verifiers: [
          {
            verify: () => {
              throw new Error('x');
            },
          },
        ],
      },
    });
    expect(
      (await broken.decide(articleRequest({ 'user-agent': GOOGLEBOT_UA }), { id: 'x', access: 'subscribers' }, { ip: '66.249.66.1' }))
        .reason,
    ).toBe('subscribers-only');
  });
});
