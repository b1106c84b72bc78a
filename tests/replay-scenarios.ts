/**
 * Replay attacks on every budget kept in the meter cookie, run against each built-in store (the
 * memory store in tests/core, a real redis-server in tests/stores). A bypass tool keeps every
 * cookie it was ever given and presents whichever pays best; whatever it does, the articles it
 * opens in full never exceed the documented budget.
 */
import { describe, expect, it } from 'vitest';
import { createPaywall, type Decision, type MeterStore, type PaywallOptions, type ReaderInput } from '../src/index.js';
import { BROWSER_UA, SECRET, articleRequest, fakeClock, tokenOf } from './helpers.js';

const SEARCH = { referer: 'https://www.google.com/search?q=tram' };
const LIMIT = 3;
const BUDGET = 2;

interface Opened {
  readonly decision: Decision;
  readonly token: string | null;
}

/** A paywall on `store` and a way to send one request with any cookie, headers and address. */
function site(store: MeterStore, extra: Partial<PaywallOptions> = {}) {
  const clock = fakeClock('2026-11-10T09:00:00Z');
  let who: ReaderInput | null = null;
  const paywall = createPaywall({
    secret: SECRET,
    now: clock.now,
    store,
    meters: { anonymous: { limit: LIMIT }, registered: { limit: 10 } },
    referrals: { budget: BUDGET, sources: { search: ['google.com'] } },
    resolveReader: () => who,
    ...extra,
  });
  const opened = new Set<string>();
  const open = async (
    article: string | { id: string; access?: 'free' | 'metered' | 'subscribers' },
    token: string | null,
    init: { headers?: Record<string, string>; method?: string; ip?: string } = {},
  ): Promise<Opened> => {
    const headers: Record<string, string> = { 'user-agent': BROWSER_UA, ...init.headers };
    if (token !== null) headers['cookie'] = `__Host-meterwall=${token}`;
    const request = articleRequest(headers, init.method ?? 'GET');
    const decision = await paywall.decide(request, typeof article === 'string' ? { id: article } : article, {
      ip: init.ip ?? '198.51.100.7',
    });
    const id = typeof article === 'string' ? article : article.id;
    if (decision.access === 'full' && (typeof article === 'string' || article.access !== 'free')) opened.add(id);
    return { decision, token: tokenOf(decision) ?? token };
  };
  return {
    clock,
    open,
    opened,
    signIn: (id = 'acct-1') => {
      who = { status: 'registered', id };
    },
    signOut: () => {
      who = null;
    },
  };
}

/**
 * The replay scenarios against a store. `fresh` gives a new, empty store (its own key prefix)
 * for each test.
 */
export function replayScenarios(fresh: () => Promise<MeterStore>): void {
  describe('replaying meter cookies never yields more than the budget', () => {
    it('a spent cookie replayed unchanged with a search Referer reads the referral budget once, across many articles', async () => {
      const { open, opened } = site(await fresh());
      let token: string | null = null;
      for (const id of ['a', 'b', 'c']) token = (await open(id, token)).token;
      const spent = token;
      const sampled: string[] = [];
      for (let i = 0; i < 30; i++) {
        const { decision } = await open(`replay-${i}`, spent, { headers: SEARCH });
        if (decision.access === 'full') sampled.push(decision.reason);
      }
      expect(sampled).toEqual(Array(BUDGET).fill('sampled'));
      expect(opened.size).toBe(LIMIT + BUDGET);
    });

    it('every older cookie, replayed with and without a spoofed Referer, opens nothing beyond the budget', async () => {
      const { open, opened } = site(await fresh());
      const held: string[] = [];
      let token: string | null = null;
      for (const id of ['a', 'b', 'c']) {
        token = (await open(id, token)).token;
        held.push(token as string);
      }
      for (const id of ['d', 'e']) {
        token = (await open(id, token, { headers: SEARCH })).token;
        held.push(token as string);
      }
      let n = 0;
      for (const older of held) {
        for (const headers of [{}, SEARCH, { referer: 'https://google.com.evil.example/' }]) {
          // Replayed unchanged, and also followed by whatever cookie the replay was handed.
          let current: string | null = older;
          for (let i = 0; i < 4; i++) current = (await open(`article-${n++}`, current, { headers })).token;
          await open(`article-${n++}`, older, { headers });
        }
      }
      expect(opened.size).toBe(LIMIT + BUDGET);
      // What the reader did read is still recognised.
      expect((await open('a', held[0] as string)).decision.reason).toBe('already-read');
    });

    it('a sampled view is claimed in the store too: replaying the cookie from before it gives no second one', async () => {
      const { open, opened } = site(await fresh());
      let token: string | null = null;
      for (const id of ['a', 'b', 'c']) token = (await open(id, token)).token;
      const beforeSampling = token;
      for (let i = 0; i < 10; i++) await open(`s-${i}`, beforeSampling, { headers: SEARCH });
      expect(opened.size).toBe(LIMIT + BUDGET);
    });

    it('a rolling window is claimed per meter id in the store as well', async () => {
      const { open, opened } = site(await fresh(), { period: { rollingDays: 7 }, referrals: undefined as never });
      const held: string[] = [];
      let token: string | null = null;
      for (const id of ['a', 'b', 'c']) {
        token = (await open(id, token)).token;
        held.push(token as string);
      }
      for (const older of held) for (let i = 0; i < 5; i++) await open(`r-${held.indexOf(older)}-${i}`, older);
      expect(opened.size).toBe(LIMIT);
    });
  });

  describe('the fresh-meter cap sees every meter the server mints', () => {
    const junk = 'eyJhbGciOiJIUzI1NiJ9.eyJ2IjoxfQ.forged';
    const nonCounting: Array<[string, Parameters<ReturnType<typeof site>['open']>]> = [
      ['HEAD', ['x', junk, { method: 'HEAD' }]],
      ['POST', ['x', junk, { method: 'POST' }]],
      ['a Next prefetch', ['x', junk, { headers: { rsc: '1', 'next-router-prefetch': '1' } }]],
      ['Sec-Purpose: prefetch', ['x', junk, { headers: { 'sec-purpose': 'prefetch' } }]],
      ['an image request', ['x', junk, { headers: { 'sec-fetch-dest': 'image' } }]],
      ['a link preview', ['x', junk, { headers: { 'user-agent': 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)' } }]],
      ['a cross-site iframe', ['x', junk, { headers: { 'sec-fetch-dest': 'iframe', 'sec-fetch-site': 'cross-site' } }]],
      ['a subscribers-only page', [{ id: 'vip', access: 'subscribers' }, junk, {}]],
      ['a free article', [{ id: 'free', access: 'free' }, junk, {}]],
    ];

    it('while the cap is exceeded, no request that counts nothing mints a meter; a counted one starts spent', async () => {
      const { open, opened } = site(await fresh(), { freshMeters: { perHour: 1 } });
      expect((await open('first', null)).decision).toMatchObject({ reason: 'metered' }); // the network's one fresh meter this hour
      for (const [, args] of nonCounting) {
        const { decision } = await open(...args);
        expect(decision.headers.get('set-cookie')).toBeNull();
        expect(decision.access === 'full' && decision.reason !== 'free-article').toBe(false);
      }
      const capped = await open('next', junk);
      expect(capped.decision).toMatchObject({ access: 'prompt', reason: 'register-to-continue', counted: false });
      // The meter it was given holds nothing: replaying it, with a Referer or not, opens nothing.
      for (let i = 0; i < 5; i++) {
        expect((await open(`later-${i}`, capped.token)).decision.access).not.toBe('full');
        expect((await open(`later-s-${i}`, capped.token, { headers: SEARCH })).decision.access).not.toBe('full');
      }
      expect([...opened]).toEqual(['first']);
    });
  });

  describe('signing out after a sign-in hands out no allowance for the rest of the period', () => {
    for (const start of ['an unspent meter', 'no meter at all'] as const) {
      it(`a browser that signed in with ${start}, read its registered allowance and signed out`, async () => {
        const { open, signIn, signOut, clock } = site(await fresh());
        let token: string | null = null;
        if (start === 'an unspent meter') token = (await open('anon-1', token)).token;
        const beforeSignIn = token;
        signIn();
        for (let i = 0; i < 10; i++) token = (await open(`reg-${i}`, token)).token;
        expect((await open('reg-more', token)).decision).toMatchObject({ access: 'teaser', reason: 'meter-exhausted' });
        signOut();
        const out = await open('after', token);
        expect(out.decision).toMatchObject({ access: 'prompt', reason: 'signed-out', counted: false });
        expect(out.decision.trace.find((t) => t.rule === 'exhausted')?.note).toContain('sign in again');
        for (let i = 0; i < 5; i++) {
          expect((await open(`after-${i}`, token)).decision.access).not.toBe('full');
          expect((await open(`after-s-${i}`, token, { headers: SEARCH })).decision.access).not.toBe('full');
        }
        // What was read anonymously before the sign-in stays open.
        if (beforeSignIn) expect((await open('anon-1', token)).decision.reason).toBe('already-read');
        // Replaying the cookie from before the sign-in brings the allowance back neither.
        if (beforeSignIn) for (let i = 0; i < 5; i++) expect((await open(`old-${i}`, beforeSignIn)).decision.access).not.toBe('full');
        // The next month starts afresh.
        clock.set('2026-12-01T00:00:00Z');
        expect((await open('december', token)).decision).toMatchObject({ access: 'full', reason: 'metered' });
      });
    }
  });
}
