/**
 * `paywall.accessLogFields`: what a log line needs to replay a decision, and never a secret of
 * the reader's. The browser key stays the same for as long as the meter cookie lives (across its
 * rewrites) and changes when the browser starts a new meter; the cookies sent and set appear only
 * as keyed hashes; the account only keyed; refused cookies and gift tokens with why; the page-view
 * verdict with its cause; the client's address as the paywall read it.
 */
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { createPaywall, defineGifts, type ReaderInput } from '../../../src/index.js';
import { fakeClock, SECRET, SECRET_2, tokenOf } from '../../helpers.js';

const ARTICLE = { id: 'budget-2027' };

function setup(secret = SECRET) {
  const clock = fakeClock('2026-11-10T12:00:00Z');
  const paywall = createPaywall({
    secret,
    meters: { anonymous: { limit: 3 }, registered: { limit: 5 } },
    now: clock.now,
    gifts: defineGifts(),
    resolveReader: (request): ReaderInput | null => {
      const who = request.headers.get('x-reader');
      return who === null ? null : { status: 'registered', id: who };
    },
  });
  return { paywall, clock };
}

const request = (url: string, headers: Record<string, string> = {}) => new Request(`https://news.example${url}`, { headers });

describe('paywall.accessLogFields', () => {
  it('keys the browser by its meter, stable across rewrites, new with a new meter; hashes cookies, never holds them', async () => {
    const { paywall } = setup();
    const first = request('/a');
    const d1 = await paywall.decide(first, ARTICLE);
    const f1 = await paywall.accessLogFields(first, d1);
    const cookie1 = tokenOf(d1) as string;
    expect(f1).toMatchObject({
      v: 1,
      cookies: [],
      notPageView: null,
      status: 'anonymous',
      account: null,
      gift: null,
      access: 'full',
      reason: 'metered',
    });
    expect(f1.browser).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(f1.wrote).toMatch(/^[A-Za-z0-9_-]{16}$/);

    const second = request('/b', { cookie: `__Host-meterwall=${cookie1}` });
    const d2 = await paywall.decide(second, { id: 'other' });
    const f2 = await paywall.accessLogFields(second, d2);
    expect(f2.browser).toBe(f1.browser);
    expect(f2.cookies).toEqual([f1.wrote]);
    expect(f2.wrote).not.toBe(f1.wrote);
    // Nothing of the cookie or its reader id is in the line.
    const line = JSON.stringify(f2);
    const { rid } = decodeJwt(cookie1) as { rid: string };
    for (const secret of [cookie1, cookie1.split('.')[2] as string, rid]) expect(line).not.toContain(secret);

    const cleared = request('/c');
    const f3 = await paywall.accessLogFields(cleared, await paywall.decide(cleared, ARTICLE));
    expect(f3.browser).not.toBe(f1.browser);
    // Keyed: another secret gives other keys for the same cookie.
    const other = setup(SECRET_2).paywall;
    const again = request('/b', { cookie: `__Host-meterwall=${cookie1}` });
    expect((await other.accessLogFields(again, await other.decide(again, ARTICLE))).cookies).toEqual(['!unknown-key']);
  });

  it('a refused cookie with why, a prefetch with its cause, the referer host, a registered reader keyed, the client address read', async () => {
    const { paywall } = setup();
    const referred = request('/r', { referer: 'https://www.google.com/search?q=budget' });
    expect((await paywall.accessLogFields(referred, await paywall.decide(referred, ARTICLE))).referer).toBe('www.google.com');
    const junk = request('/a', { cookie: '__Host-meterwall=junk', 'sec-purpose': 'prefetch' });
    const f = await paywall.accessLogFields(junk, await paywall.decide(junk, ARTICLE, { ip: '203.0.113.7' }), { ip: '203.0.113.7' });
    expect(f).toMatchObject({ cookies: ['!malformed'], notPageView: 'prefetch', reason: 'not-counted', client: '203.0.113.7' });
    const head = new Request('https://news.example/a', { method: 'HEAD', headers: { 'x-reader': 'alice@example.com' } });
    const g = await paywall.accessLogFields(head, await paywall.decide(head, ARTICLE));
    expect(g).toMatchObject({ status: 'registered', notPageView: 'head' });
    expect(g.account).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(JSON.stringify(g)).not.toContain('alice');
  });

  it("a gift link's verification: ok, or why it was refused", async () => {
    const { paywall } = setup();
    const forged = request('/a?gift=eyJhbGciOiJIUzI1NiIsInR5cCI6Im1ldGVyd2FsbC1naWZ0K2p3dCJ9.e30.AAAA');
    const f = await paywall.accessLogFields(forged, await paywall.decide(forged, ARTICLE));
    expect(f.gift).not.toBe('ok');
    expect(f.gift).not.toBeNull();
  });
});
