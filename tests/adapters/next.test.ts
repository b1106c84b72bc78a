/**
 * `meterwall/next`'s proxy on its own, with Next's own `NextRequest` (the real app, built and
 * started, is tests/e2e/next.test.ts): what reaches it for a page that is not an article, and
 * for a fetch of Next's router, decides nothing and spends nothing (issue 24, item 6).
 */
import { NextRequest } from 'next/server.js';
import { describe, expect, it } from 'vitest';
import { meterwall } from '../../src/adapters/next.js';
import { createPaywall, type PaywallEvent } from '../../src/index.js';
import { BROWSER_UA, SECRET } from '../helpers.js';

function setUp() {
  const events: PaywallEvent[] = [];
  const paywall = createPaywall({ secret: SECRET, onEvent: (event) => events.push(event) });
  const proxy = meterwall(paywall, { article: (request) => (request.nextUrl.pathname === '/articles/real' ? { id: 'real' } : null) });
  return { events, proxy };
}

const request = (path: string, headers: Record<string, string> = {}) =>
  new NextRequest(`https://news.example${path}`, { headers: { 'user-agent': BROWSER_UA, ...headers } });

describe('meterwall/next: the proxy', () => {
  it('passes a page that is not an article through, deciding nothing (a mistyped slug is the app’s 404)', async () => {
    const { events, proxy } = setUp();
    const response = await proxy(request('/articles/no-such-article', { 'sec-fetch-dest': 'document' }));
    expect(response.headers.get('x-middleware-next')).toBe('1');
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(events).toEqual([]);
  });

  it.each([
    ['Next-Url (all Next 16 leaves of a prefetch or a click)', { 'next-url': '/', 'sec-fetch-dest': 'empty' }],
    ['RSC', { rsc: '1' }],
    ['Next-Router-Prefetch', { 'next-router-prefetch': '1', rsc: '1' }],
    ['Next-Router-State-Tree', { 'next-router-state-tree': '%5B%22%22%5D' }],
  ])('answers a router fetch for an article (%s) with no content, so Next loads it as a page; nothing spent', async (_, headers) => {
    const { events, proxy } = setUp();
    const response = await proxy(request('/articles/real', headers));
    expect(response.status).toBe(204);
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(response.headers.get('x-middleware-next')).toBeNull();
    expect(events).toEqual([]);
  });

  it('the same for the _rsc query, where a site keeps it (skipProxyUrlNormalize)', async () => {
    const { events, proxy } = setUp();
    expect((await proxy(request('/articles/real?_rsc=5CB68'))).status).toBe(204);
    expect(events).toEqual([]);
  });

  it('decides and counts a page load, even one carrying Next-Url (Sec-Fetch-Dest: document)', async () => {
    const { events, proxy } = setUp();
    const response = await proxy(request('/articles/real', { 'sec-fetch-dest': 'document', 'next-url': '/' }));
    expect(response.headers.get('x-middleware-next')).toBe('1');
    expect(response.headers.get('set-cookie')).toMatch(/^__Host-meterwall=/);
    expect(response.headers.get('x-middleware-request-x-meterwall-variant')).not.toBeNull();
    expect(events.map((e) => e.type)).toContain('view-counted');
  });
});
