/**
 * Issue 24, item 7: on a plain-http host the browser drops the Secure meter cookie and the wall
 * never shows; meterwall says so, loudly and once.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPaywall, type PaywallEvent, type PaywallOptions } from '../../../src/index.js';
import { BROWSER_UA, SECRET } from '../../helpers.js';

const open = (url: string, headers: Record<string, string> = {}) => new Request(url, { headers: { 'user-agent': BROWSER_UA, ...headers } });

describe('a Secure meter cookie set over plain http', () => {
  let warn: ReturnType<typeof vi.spyOn>;
  beforeEach(() => {
    warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  });
  afterEach(() => warn.mockRestore());

  const paywall = (options: Partial<PaywallOptions> = {}) => {
    const events: PaywallEvent[] = [];
    return { events, paywall: createPaywall({ secret: SECRET, onEvent: (e) => events.push(e), ...options }) };
  };

  it('warns once per paywall, naming the host and the way out, and reports an event', async () => {
    const { paywall: p, events } = paywall();
    for (const id of ['a', 'b', 'c']) {
      const decision = await p.decide(open(`http://dev.test/articles/${id}`), { id });
      expect(decision.headers.get('set-cookie')).toMatch(/^__Host-meterwall=/); // the decision itself is unchanged
    }
    expect(warn).toHaveBeenCalledTimes(1);
    const text = String(warn.mock.calls[0]?.[0]);
    expect(text).toContain('__Host-meterwall is Secure, and http://dev.test is plain http');
    expect(text).toContain("cookie: { name: 'meterwall', secure: false }");
    expect(events.filter((e) => e.type === 'meter-cookie-dropped')).toEqual([
      { type: 'meter-cookie-dropped', host: 'dev.test', cookie: '__Host-meterwall' },
    ]);
    // Another paywall warns on its own.
    await paywall().paywall.decide(open('http://192.168.1.20:3000/articles/a'), { id: 'a' });
    expect(warn).toHaveBeenCalledTimes(2);
    expect(String(warn.mock.calls[1]?.[0])).toContain('http://192.168.1.20 is plain http');
  });

  it.each([
    ['https', 'https://news.example/articles/a', {}],
    ['http://localhost', 'http://localhost:3000/articles/a', {}],
    ['a *.localhost name', 'http://news.localhost/articles/a', {}],
    ['127.0.0.1', 'http://127.0.0.1:8080/articles/a', {}],
    ['[::1]', 'http://[::1]:8080/articles/a', {}],
    ['TLS ended at a proxy (X-Forwarded-Proto)', 'http://news.example/articles/a', { 'x-forwarded-proto': 'https' }],
    ['TLS ended at a proxy (Forwarded)', 'http://news.example/articles/a', { forwarded: 'for=192.0.2.60;proto=https;by=203.0.113.43' }],
    ['a bare path (nothing known)', '/articles/a', {}],
  ])('says nothing for %s', async (_, url, headers) => {
    const { paywall: p, events } = paywall();
    const request = url.startsWith('/') ? { method: 'GET', url, headers: new Headers({ 'user-agent': BROWSER_UA }) } : open(url, headers);
    expect((await p.decide(request, { id: 'a' })).headers.get('set-cookie')).not.toBeNull();
    expect(warn).not.toHaveBeenCalled();
    expect(events.map((e) => e.type)).not.toContain('meter-cookie-dropped');
  });

  it('reads the host from the URL as a browser would: userinfo, port and case aside', async () => {
    const { paywall: p, events } = paywall();
    // A RequestLike (a Fetch Request refuses credentials in its URL; a server's own view may not).
    const headers = new Headers({ 'user-agent': BROWSER_UA });
    await p.decide({ method: 'GET', url: 'http://editor:secret@Dev.Test:8080/articles/a', headers }, { id: 'a' });
    expect(events.filter((e) => e.type === 'meter-cookie-dropped')).toEqual([
      { type: 'meter-cookie-dropped', host: 'dev.test', cookie: '__Host-meterwall' },
    ]);
  });

  it('looks at the first 1,000 meter cookies a paywall sets, then stops (a long-running server pays nothing for it)', async () => {
    const { paywall: p } = paywall();
    for (let i = 0; i < 1000; i++) await p.decide(open(`http://localhost:3000/articles/${i}`), { id: String(i) });
    await p.decide(open('http://dev.test/articles/late'), { id: 'late' });
    expect(warn).not.toHaveBeenCalled();
  });

  it('says nothing when the cookie is not Secure (the development setting it suggests)', async () => {
    const { paywall: p } = paywall({ cookie: { name: 'meterwall', secure: false } });
    await p.decide(open('http://dev.test/articles/a'), { id: 'a' });
    expect(warn).not.toHaveBeenCalled();
  });

  it('says nothing for a decision that sets no cookie (an automated client)', async () => {
    const { paywall: p } = paywall();
    const decision = await p.decide(new Request('http://dev.test/articles/a', { headers: { 'user-agent': 'curl/8.5.0' } }), { id: 'a' });
    expect(decision.headers.get('set-cookie')).toBeNull();
    expect(warn).not.toHaveBeenCalled();
  });
});
