/**
 * Gift links: a subscriber creates a gift of one article; whoever opens the link reads it in
 * full without spending a view, under the gift's open cap (each browser once) until it expires.
 * Forged, `alg: none`, expired, other-article, meter and session tokens are refused and fall
 * through to the normal decision; the giver's allowance holds under concurrency; rotation; every
 * event. The token is judged by jose's own `jwtVerify`, not by meterwall's reader.
 */
import { decodeJwt, decodeProtectedHeader, jwtVerify, SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  type Article,
  createMemoryStore,
  createPaywall,
  createRenderer,
  defineGifts,
  type Decision,
  InvalidOptionError,
  type PaywallEvent,
  type PaywallOptions,
  type ReaderInput,
} from '../../../src/index.js';
import { fakeClock, SECRET, SECRET_2, tokenOf } from '../../helpers.js';

const NOW = '2026-11-10T12:00:00Z';
const ARTICLE: Article = { id: 'budget-2027' };
const URL_OF = (id: string) => `https://news.example/articles/${id}`;

/** Who the test says is reading: `x-reader: subscriber:alice`, `registered:bob`, or nothing. */
function readerOf(request: { headers: { get(name: string): string | null } }): ReaderInput | null {
  const header = request.headers.get('x-reader');
  if (header === null) return null;
  const [status, id, ...entitlements] = header.split(':');
  return { status: status as ReaderInput['status'], ...(id ? { id } : {}), entitlements };
}

function setup(options: { [K in keyof PaywallOptions]?: PaywallOptions[K] | undefined } = {}) {
  const clock = fakeClock(NOW);
  const events: PaywallEvent[] = [];
  const paywall = createPaywall({
    secret: SECRET,
    meters: { anonymous: { limit: 3 }, registered: { limit: 5 } },
    resolveReader: readerOf,
    now: clock.now,
    onEvent: (event) => events.push(event),
    gifts: defineGifts(),
    // `gifts: undefined` turns gift links off.
    ...(Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<PaywallOptions>),
    ...('gifts' in options && options.gifts === undefined ? { gifts: undefined as never } : {}),
  });
  return { paywall, clock, events, of: (type: PaywallEvent['type']) => events.filter((e) => e.type === type) };
}

type Setup = ReturnType<typeof setup>;

/** A browser: keeps its meter cookie, opens URLs (an article page, with or without a gift). */
function browser(s: Setup, reader?: string) {
  let cookie: string | null = null;
  return {
    get cookie() {
      return cookie;
    },
    as(next: string | undefined) {
      reader = next;
    },
    async open(url: string, article: Article = ARTICLE, headers: Record<string, string> = {}, method = 'GET'): Promise<Decision> {
      const h: Record<string, string> = { ...headers };
      if (cookie !== null) h['cookie'] = `__Host-meterwall=${cookie}`;
      if (reader !== undefined) h['x-reader'] = reader;
      const decision = await s.paywall.decide(new Request(url, { method, headers: h }), article);
      cookie = tokenOf(decision) ?? cookie;
      return decision;
    },
  };
}

const subscriberRequest = (who = 'alice') => new Request(URL_OF(ARTICLE.id), { headers: { 'x-reader': `subscriber:${who}` } });

async function giftLink(s: Setup, article: Article = ARTICLE, who = 'alice'): Promise<{ url: string; token: string; id: string }> {
  const result = await s.paywall.createGift(subscriberRequest(who), article, { url: URL_OF(article.id) });
  if (!result.ok) throw new Error(`no gift: ${result.reason}`);
  return { url: result.gift.url as string, token: result.gift.token, id: result.gift.id };
}

describe('creating a gift', () => {
  it('a subscriber gets a signed link: jose verifies it (HS256, its own typ, the meter issuer and audience)', async () => {
    const s = setup();
    const result = await s.paywall.createGift(subscriberRequest(), ARTICLE, { url: `${URL_OF(ARTICLE.id)}?ref=share#top` });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { gift, allowance } = result;
    expect(gift.id).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(gift.url).toBe(`${URL_OF(ARTICLE.id)}?ref=share&gift=${gift.token}#top`);
    expect(gift.expiresAt.toISOString()).toBe('2026-12-10T12:00:00.000Z'); // 30 days by default
    expect(gift.maxOpens).toBeNull();
    expect(allowance).toEqual({ eligible: true, limit: 10, used: 1, remaining: 9, resetsAt: new Date('2026-12-01T00:00:00Z') });
    const { payload, protectedHeader } = await jwtVerify(gift.token, new TextEncoder().encode(SECRET), {
      algorithms: ['HS256'],
      typ: 'meterwall-gift+jwt',
      issuer: 'meterwall',
      audience: 'meterwall:meter',
      currentDate: new Date(NOW),
    });
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload).toMatchObject({ v: 1, jti: gift.id, art: ARTICLE.id, exp: Date.parse('2026-12-10T12:00:00Z') / 1000 });
    // The giver is a keyed hash: not the account id, and the same for every gift of one giver.
    expect(payload['gvr']).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(JSON.stringify(payload)).not.toContain('alice');
    expect((await giftLink(s)).token).not.toBe(gift.token);
    expect(decodeJwt((await giftLink(s)).token)['gvr']).toBe(payload['gvr']);
    expect(s.of('gift-created')[0]).toEqual({ type: 'gift-created', gift: gift.id, giver: payload['gvr'], article: ARTICLE.id });
    // An open cap the site sets is in the token.
    const capped = setup({ gifts: defineGifts({ maxOpens: 5, expiresIn: '2d' }) });
    const token = (await giftLink(capped)).token;
    expect(decodeJwt(token)).toMatchObject({ cap: 5, exp: Date.parse('2026-11-12T12:00:00Z') / 1000 });
  });

  it('who may give: subscribers and holders of a giving entitlement; typed refusals, never an exception', async () => {
    const s = setup({ gifts: defineGifts({ entitlements: ['gifting'] }) });
    const as = (reader?: string) => new Request(URL_OF('x'), { headers: reader ? { 'x-reader': reader } : {} });
    expect(await s.paywall.createGift(as(), ARTICLE)).toEqual({
      ok: false,
      reason: 'not-eligible',
      allowance: { eligible: false, reason: 'not-eligible' },
    });
    expect((await s.paywall.createGift(as('registered:bob'), ARTICLE)).ok).toBe(false);
    expect((await s.paywall.createGift(as('registered:carol:gifting'), ARTICLE)).ok).toBe(true);
    expect(await s.paywall.createGift(as('subscriber'), ARTICLE)).toMatchObject({ ok: false, reason: 'no-account' });
    expect(await s.paywall.giftAllowance(as())).toEqual({ eligible: false, reason: 'not-eligible' });
    // Without a URL, the token alone.
    const bare = await s.paywall.createGift(as('subscriber:alice'), ARTICLE);
    expect(bare.ok && bare.gift.url).toBeNull();
  });

  it('misuse rejects with a code: gifts off, a bad article, a relative URL', async () => {
    const off = createPaywall({ secret: SECRET });
    await expect(off.createGift(subscriberRequest(), ARTICLE)).rejects.toMatchObject({ code: 'ERR_GIFTS_DISABLED' });
    await expect(off.giftAllowance(subscriberRequest())).rejects.toMatchObject({ code: 'ERR_GIFTS_DISABLED' });
    const s = setup();
    await expect(s.paywall.createGift(subscriberRequest(), { id: '' })).rejects.toMatchObject({ code: 'ERR_INVALID_ARTICLE' });
    await expect(s.paywall.createGift(subscriberRequest(), { id: 'x'.repeat(513) })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARTICLE',
    });
    await expect(s.paywall.createGift(subscriberRequest(), ARTICLE, { url: '/articles/x' })).rejects.toBeInstanceOf(InvalidOptionError);
  });

  it('the allowance: N per calendar month, then a typed refusal; it renews with the month', async () => {
    const s = setup({ gifts: defineGifts({ allowance: { limit: 3 } }) });
    const remaining: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await s.paywall.createGift(subscriberRequest(), { id: `a${i}` });
      remaining.push(r.ok ? r.allowance.remaining : -1);
    }
    expect(remaining).toEqual([2, 1, 0]);
    const spent = await s.paywall.createGift(subscriberRequest(), { id: 'a3' });
    expect(spent).toEqual({
      ok: false,
      reason: 'allowance-spent',
      allowance: { eligible: true, limit: 3, used: 3, remaining: 0, resetsAt: new Date('2026-12-01T00:00:00Z') },
    });
    // Another giver has their own allowance.
    expect((await s.paywall.createGift(subscriberRequest('dora'), { id: 'a3' })).ok).toBe(true);
    expect(await s.paywall.giftAllowance(subscriberRequest())).toMatchObject({ used: 3, remaining: 0 });
    s.clock.set('2026-12-01T00:00:01Z');
    expect(await s.paywall.giftAllowance(subscriberRequest())).toMatchObject({ used: 0, remaining: 3 });
    expect((await s.paywall.createGift(subscriberRequest(), { id: 'a4' })).ok).toBe(true);
  });

  it('the allowance under 50 concurrent requests: exactly the limit is created', async () => {
    const s = setup({ gifts: defineGifts({ allowance: { limit: 7 } }) });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => s.paywall.createGift(subscriberRequest(), { id: `c${i}` })));
    expect(results.filter((r) => r.ok)).toHaveLength(7);
    expect(results.filter((r) => !r.ok && r.reason === 'allowance-spent')).toHaveLength(43);
    expect(s.of('gift-created')).toHaveLength(7);
  });
});

describe('opening a gift', () => {
  it('a fresh browser reads the article in full, spends no view, and is marked for attribution', async () => {
    const s = setup();
    const { url, id } = await giftLink(s);
    const friend = browser(s);
    const d = await friend.open(url);
    expect(d).toMatchObject({ access: 'full', reason: 'gift', counted: false, meter: null });
    expect(d.gift).toMatchObject({ id, opens: null, maxOpens: null, expiresAt: new Date('2026-12-10T12:00:00Z') });
    expect(d.trace.at(-1)).toEqual({ rule: 'gift', matched: true, note: 'a gift link opened the article' });
    // Hygiene: private, never cached, not indexed, the token kept out of third-party referrers.
    expect(d.headers.get('cache-control')).toBe('private, no-store');
    expect(d.headers.get('x-robots-tag')).toBe('noindex');
    expect(d.headers.get('referrer-policy')).toBe('same-origin');
    expect(s.of('gift-opened')).toEqual([
      { type: 'gift-opened', gift: id, giver: expect.any(String), article: ARTICLE.id, newReader: true, opens: null },
    ]);
    // The cookie holds the gift's mark and no view.
    const claims = decodeJwt(friend.cookie as string);
    expect(claims['a']).toBe('');
    expect(claims['g']).toMatch(new RegExp(`^${id}:[A-Za-z0-9_-]{16}:[0-9a-z]+:a$`));
    // Re-opening is free and reports nothing new; the meter still has all three views.
    expect((await friend.open(url)).reason).toBe('gift');
    expect(s.of('gift-opened')).toHaveLength(1);
    const reads = [];
    for (const other of ['o1', 'o2', 'o3', 'o4']) reads.push((await friend.open(URL_OF(other), { id: other })).reason);
    expect(reads).toEqual(['metered', 'metered', 'metered', 'register-to-continue']);
    // A structured-data renderer still says the article is not free.
    const rendered = createRenderer().render(d, '<p>One.</p><p>Two.</p>', { id: ARTICLE.id, headline: 'Budget' });
    expect(rendered.structuredData).toContain('"isAccessibleForFree":false');
  });

  it('the gift opens where the meter would not: a spent meter, a subscribers-only article, a registration wall', async () => {
    const s = setup();
    const { url } = await giftLink(s);
    const friend = browser(s);
    for (const other of ['o1', 'o2', 'o3']) await friend.open(URL_OF(other), { id: other });
    expect((await friend.open(URL_OF(ARTICLE.id))).reason).toBe('register-to-continue');
    expect((await friend.open(url)).reason).toBe('gift');
    const premium = await giftLink(s, { id: 'premium' });
    expect((await browser(s).open(premium.url, { id: 'premium', access: 'subscribers' })).reason).toBe('gift');
    // Before the gift come: a free article, a subscriber (nothing spent on them).
    const free = await giftLink(s, { id: 'free' });
    expect((await browser(s).open(free.url, { id: 'free', access: 'free' })).reason).toBe('free-article');
    expect((await browser(s, 'subscriber:erin').open(url)).reason).toBe('subscriber');
  });

  it('refused tokens fall through to the normal decision, with a trace entry and an event saying why', async () => {
    const s = setup();
    const { token, id } = await giftLink(s);
    const other = await giftLink(s, { id: 'other-story' });
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const flipped = `${header}.${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...decodeJwt(token), cap: 1000 })).toString('base64url')}.${signature}`;
    const none = new UnsecuredJWT({ ...decodeJwt(token) }).encode();
    const noneTyped = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'meterwall-gift+jwt' })).toString('base64url')}.${payload}.`;
    const otherKey = await new SignJWT({ ...decodeJwt(token) })
      .setProtectedHeader({ alg: 'HS256', typ: 'meterwall-gift+jwt', kid: decodeProtectedHeader(token).kid as string })
      .sign(new TextEncoder().encode(SECRET_2));
    const meterToken = tokenOf(await browser(s).open(URL_OF('o1'), { id: 'o1' })) as string;
    const sessionToken = await new SignJWT({ sub: 'alice' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer('meterwall')
      .setAudience('meterwall:meter')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(SECRET));
    const cases: Array<[string, string, string, string | null]> = [
      ['flipped signature', flipped, 'bad-signature', null],
      ['altered claims', tampered, 'bad-signature', null],
      ['alg none', none, 'algorithm', null],
      ['alg none, gift typ', noneTyped, 'algorithm', null],
      ['signed with another secret', otherKey, 'bad-signature', null],
      ['another article’s gift', other.token, 'other-article', other.id],
      ['a meter token', meterToken, 'wrong-type', null],
      ['a session token signed with the meter secret', sessionToken, 'wrong-type', null],
      ['garbage', 'not.a.token', 'malformed', null],
      ['oversized', `${token}${'A'.repeat(3000)}`, 'oversized', null],
    ];
    for (const [name, value, reason, gift] of cases) {
      s.events.length = 0;
      const d = await browser(s).open(`${URL_OF(ARTICLE.id)}?gift=${encodeURIComponent(value)}`);
      expect({ name, reason: d.reason, counted: d.counted, gift: d.gift }).toEqual({ name, reason: 'metered', counted: true, gift: null });
      expect(d.trace).toContainEqual({ rule: 'gift', matched: false, note: expect.stringMatching(/^gift link not opened: /) });
      expect({ name, events: s.of('gift-refused') }).toEqual({
        name,
        events: [{ type: 'gift-refused', reason, gift, article: ARTICLE.id }],
      });
      // A URL carrying a gift token is never indexed, opened or not (issue 23, finding 6).
      expect(d.headers.get('x-robots-tag')).toBe('noindex');
    }
    // Expired: thirty days and a second later the link is an ordinary visit.
    s.clock.set(Date.parse(NOW) + 30 * 86_400_000 + 1000);
    s.events.length = 0;
    expect((await browser(s).open(`${URL_OF(ARTICLE.id)}?gift=${token}`)).reason).toBe('metered');
    expect(s.of('gift-refused')).toEqual([{ type: 'gift-refused', reason: 'expired', gift: null, article: ARTICLE.id }]);
    expect(id).toBeTruthy();
  });

  it('a gift token presented as the meter cookie is refused as a meter', async () => {
    const s = setup();
    const { token } = await giftLink(s);
    const d = await s.paywall.decide(new Request(URL_OF('o1'), { headers: { cookie: `__Host-meterwall=${token}` } }), { id: 'o1' });
    expect(d.reason).toBe('metered');
    expect(s.of('token-rejected')).toEqual([{ type: 'token-rejected', reason: 'claims', code: 'ERR_JWT_CLAIM_VALIDATION_FAILED' }]);
  });

  it('not a page view (a prefetch, HEAD, a link preview): the gift is not opened and no open is spent', async () => {
    const s = setup({ gifts: defineGifts({ maxOpens: 1 }) });
    const { url } = await giftLink(s);
    const prefetch = await browser(s).open(url, ARTICLE, { 'sec-purpose': 'prefetch' });
    expect(prefetch).toMatchObject({ reason: 'not-counted', access: 'prompt' });
    expect((await browser(s).open(url, ARTICLE, {}, 'HEAD')).reason).toBe('not-counted');
    expect(
      (await browser(s).open(url, ARTICLE, { 'user-agent': 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)' })).reason,
    ).toBe('not-counted');
    expect(s.of('gift-refused').map((e) => e.type === 'gift-refused' && e.reason)).toEqual([
      'not-page-view',
      'not-page-view',
      'not-page-view',
    ]);
    // The one open the gift allows is still there for a reader.
    expect((await browser(s).open(url)).reason).toBe('gift');
  });

  it('the open cap: each browser once, re-opening free, then the normal wall', async () => {
    const s = setup({ gifts: defineGifts({ maxOpens: 2 }) });
    const { url, id } = await giftLink(s);
    const first = browser(s);
    const second = browser(s);
    expect((await first.open(url)).gift?.opens).toBe(1);
    expect((await second.open(url)).gift?.opens).toBe(2);
    const again = await first.open(url);
    expect(again).toMatchObject({ reason: 'gift', gift: { opens: 2 } });
    expect(again.trace.at(-1)?.note).toBe('a gift link opened the article (2 of 2 opens, this browser again)');
    const third = await browser(s).open(url);
    expect(third).toMatchObject({ reason: 'metered', gift: null });
    expect(s.of('gift-opened').map((e) => e.type === 'gift-opened' && e.opens)).toEqual([1, 2]);
    expect(s.of('gift-refused')).toEqual([{ type: 'gift-refused', reason: 'exhausted', gift: id, article: ARTICLE.id }]);
  });

  it('rotation: a gift signed with the old key still opens; once that key is dropped it is refused', async () => {
    const before = setup({ secret: SECRET });
    const { url } = await giftLink(before);
    const rotated = setup({ secret: [SECRET_2, SECRET] });
    expect((await browser(rotated).open(url)).reason).toBe('gift');
    const dropped = setup({ secret: SECRET_2 });
    expect((await browser(dropped).open(url)).reason).toBe('metered');
    expect(dropped.of('gift-refused')).toEqual([{ type: 'gift-refused', reason: 'unknown-key', gift: null, article: ARTICLE.id }]);
    // New gifts are signed with the new first key.
    expect(decodeProtectedHeader((await giftLink(rotated)).token).kid).not.toBe(decodeProtectedHeader(url.split('gift=')[1] as string).kid);
  });

  it('a failing store: open opens the gift uncounted, closed refuses it; createGift answers store-unavailable', async () => {
    const made = await giftLink(setup({ gifts: defineGifts({ maxOpens: 3 }) }));
    const broken = createMemoryStore();
    broken.record = () => Promise.reject(new Error('down'));
    broken.peek = () => Promise.reject(new Error('down'));
    const open = setup({ gifts: defineGifts({ maxOpens: 3 }), store: broken });
    const d = await browser(open).open(made.url);
    expect(d).toMatchObject({ reason: 'gift', gift: { opens: null, maxOpens: 3 } });
    expect(d.trace).toContainEqual({ rule: 'store', matched: true, note: 'store failed: the gift opens without its cap' });
    expect(open.of('store-error')).toHaveLength(1);
    const closed = setup({ gifts: defineGifts({ maxOpens: 3 }), store: broken, failure: { mode: 'closed' } });
    expect((await browser(closed).open(made.url)).reason).not.toBe('gift');
    expect(closed.of('gift-refused')).toEqual([{ type: 'gift-refused', reason: 'store-unavailable', gift: made.id, article: ARTICLE.id }]);
    expect(await open.paywall.createGift(subscriberRequest(), ARTICLE)).toEqual({
      ok: false,
      reason: 'store-unavailable',
      allowance: { eligible: false, reason: 'store-unavailable' },
    });
    expect(await open.paywall.giftAllowance(subscriberRequest())).toEqual({ eligible: false, reason: 'store-unavailable' });
  });

  it('without the gifts option, a gift parameter is an ordinary query string', async () => {
    const s = setup();
    const { url } = await giftLink(s);
    const off = setup({ gifts: undefined });
    expect((await browser(off).open(url)).reason).toBe('metered');
    expect(off.of('gift-refused')).toEqual([]);
  });
});

describe('attribution', () => {
  it('a browser that opened a gift and then registers, then subscribes: reader-upgraded once each, naming the gift', async () => {
    const s = setup();
    const { url, id } = await giftLink(s);
    const friend = browser(s);
    await friend.open(url);
    const giver = decodeJwt(url.split('gift=')[1] as string)['gvr'];
    friend.as('registered:frank');
    await friend.open(URL_OF('o1'), { id: 'o1' });
    await friend.open(URL_OF('o2'), { id: 'o2' });
    friend.as('subscriber:frank');
    await friend.open(URL_OF('o3'), { id: 'o3' });
    await friend.open(URL_OF('o4'), { id: 'o4' });
    expect(s.of('reader-upgraded')).toEqual([
      { type: 'reader-upgraded', gift: id, giver, from: 'anonymous', to: 'registered' },
      { type: 'reader-upgraded', gift: id, giver, from: 'registered', to: 'subscriber' },
    ]);
    expect(decodeJwt(friend.cookie as string)['g']).toBeUndefined();
    // No personal data in any gift event: never the account ids.
    const gifts = s.events.filter((e) => e.type.startsWith('gift-') || e.type === 'reader-upgraded');
    expect(JSON.stringify(gifts)).not.toMatch(/alice|frank/);
  });

  it('only within the period the gift was opened in, and only a first gift is credited', async () => {
    const s = setup({ meters: { anonymous: { limit: 3 } } });
    const one = await giftLink(s);
    const two = await giftLink(s, { id: 'two' });
    const friend = browser(s);
    await friend.open(one.url);
    await friend.open(two.url, { id: 'two' });
    expect(decodeJwt(friend.cookie as string)['g']).toMatch(new RegExp(`^${one.id}:`));
    s.clock.set('2026-12-02T09:00:00Z');
    friend.as('subscriber:gina');
    await friend.open(URL_OF('o1'), { id: 'o1' });
    expect(s.of('reader-upgraded')).toEqual([]);
  });

  it('the same without a registered allowance (no account meter): registered and subscriber upgrades still reported', async () => {
    const s = setup({ meters: { anonymous: { limit: 3 } } });
    const { url, id } = await giftLink(s);
    const friend = browser(s);
    await friend.open(url);
    friend.as('registered:hana');
    await friend.open(URL_OF('o1'), { id: 'o1' });
    friend.as('subscriber:hana');
    await friend.open(URL_OF('o2'), { id: 'o2' });
    expect(s.of('reader-upgraded').map((e) => e.type === 'reader-upgraded' && `${e.gift === id}:${e.from}>${e.to}`)).toEqual([
      'true:anonymous>registered',
      'true:registered>subscriber',
    ]);
  });
});

describe('the gifts option', () => {
  it('is validated: unknown keys, the parameter, the cap, the allowance and the expiry', () => {
    const bad: Array<[unknown, string]> = [
      [{ maxopens: 3 }, 'gifts.maxopens'],
      [{ param: 'gift link' }, 'gifts.param'],
      [{ maxOpens: 0 }, 'gifts.maxOpens'],
      [{ allowance: { limit: -1 } }, 'gifts.allowance.limit'],
      [{ allowance: { limti: 3 } }, 'gifts.allowance.limti'],
      [{ allowance: { period: { calendar: 'year' } } }, 'gifts.allowance.period.calendar'],
      [{ allowance: { period: { calendar: 'month', timeZone: 'Mars/Olympus' } } }, 'gifts.allowance.period.timeZone'],
      [{ expiresIn: '400d' }, 'gifts.expiresIn'],
      [{ expiresIn: 'soon' }, 'gifts.expiresIn'],
      [{ entitlements: 'gifting' }, 'gifts.entitlements'],
      ['yes', 'gifts'],
    ];
    for (const [gifts, option] of bad) {
      let error: unknown;
      try {
        defineGifts(gifts as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect({ gifts, option: (error as InvalidOptionError).option }).toEqual({ gifts, option });
    }
  });

  it('is made with defineGifts: a plain object is refused, naming it', () => {
    expect(() => createPaywall({ secret: SECRET, gifts: { maxOpens: 5 } as never })).toThrow(
      new InvalidOptionError('gifts', "must be made with defineGifts({...}) (imported from 'meterwall'), which validates it"),
    );
    expect(defineGifts({ maxOpens: 5 }).maxOpens).toBe(5);
    expect(defineGifts().maxOpens).toBeNull();
  });

  it('the allowance renews in the site’s time zone unless it has its own, and may be weekly', async () => {
    const s = setup({ period: { calendar: 'month', timeZone: 'Europe/Paris' }, gifts: defineGifts({ allowance: { limit: 2 } }) });
    expect(await s.paywall.giftAllowance(subscriberRequest())).toMatchObject({ resetsAt: new Date('2026-11-30T23:00:00Z') });
    const weekly = setup({
      gifts: defineGifts({ allowance: { limit: 2, period: { calendar: 'week', timeZone: 'UTC', weekStartsOn: 1 } } }),
    });
    expect(await weekly.paywall.giftAllowance(subscriberRequest())).toMatchObject({ resetsAt: new Date('2026-11-16T00:00:00Z') });
  });
});
