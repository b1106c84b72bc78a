import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  applyDecisionHeaders,
  createMemoryStore,
  createPaywall,
  type MeterStore,
  type PaywallEvent,
  type PaywallOptions,
  type ReaderInput,
} from '../../src/index.js';
import { SECRET, articleRequest, cookiePair, createReader, fakeClock, tokenOf } from '../helpers.js';

function setup(extra: Partial<PaywallOptions> = {}, start = '2026-11-23T12:00:00Z') {
  const clock = fakeClock(start);
  const events: PaywallEvent[] = [];
  const paywall = createPaywall({ secret: SECRET, now: clock.now, onEvent: (e) => events.push(e), ...extra });
  return { clock, events, paywall, reader: createReader(paywall) };
}

describe('anonymous meter in the cookie', () => {
  it('three new articles in full with the count going down, then the register prompt', async () => {
    const { reader } = setup();
    const seen = [];
    for (const id of ['a', 'b', 'c', 'd']) {
      const d = await reader.open(id);
      seen.push([d.access, d.reason, d.meter?.used, d.meter?.remaining, d.counted]);
    }
    expect(seen).toEqual([
      ['full', 'metered', 1, 2, true],
      ['full', 'metered', 2, 1, true],
      ['full', 'metered', 3, 0, true],
      ['prompt', 'register-to-continue', 3, 0, false],
    ]);
  });

  it('re-opening an article read this period is free and writes no cookie', async () => {
    const { reader } = setup();
    await reader.open('a');
    const again = await reader.open('a');
    expect(again).toMatchObject({ access: 'full', reason: 'already-read', counted: false });
    expect(again.meter?.used).toBe(1);
    expect(again.headers.get('set-cookie')).toBeNull();
    // Still free once the meter is spent.
    await reader.open('b');
    await reader.open('c');
    expect((await reader.open('a')).reason).toBe('already-read');
  });

  it('sets Set-Cookie only in the response that spends a view, with safe attributes', async () => {
    const { reader } = setup();
    const first = await reader.open('a');
    const header = first.headers.get('set-cookie') ?? '';
    expect(header).toMatch(/^__Host-meterwall=[\w-]+\.[\w-]+\.[\w-]+; /);
    expect(header).toContain('HttpOnly');
    expect(header).toContain('Secure');
    expect(header).toContain('SameSite=Lax');
    expect(header).toContain('Path=/');
    expect(header).not.toMatch(/Domain=/i);
    // 2026-11-23T12:00Z to 2026-12-01T00:00Z
    expect(header).toContain(`Max-Age=${(Date.parse('2026-12-01T00:00:00Z') - Date.parse('2026-11-23T12:00:00Z')) / 1000}`);
    expect(first.headers.get('cache-control')).toBe('private, no-store');
    expect(first.headers.get('vary')).toBe('Cookie');
    const wall = await (async () => {
      await reader.open('b');
      await reader.open('c');
      return reader.open('d');
    })();
    expect(wall.headers.get('set-cookie')).toBeNull();
    expect(wall.headers.get('cache-control')).toBe('private, no-store');
  });

  it('resetsAt is the end of the period to the millisecond, and a new period starts a fresh meter', async () => {
    const { reader, clock } = setup({ period: { calendar: 'month', timeZone: 'Europe/London' } }, '2027-03-20T10:00:00Z');
    for (const id of ['a', 'b', 'c']) await reader.open(id);
    const wall = await reader.open('d');
    expect(wall.meter?.resetsAt.toISOString()).toBe('2027-03-31T23:00:00.000Z');
    clock.set('2027-03-31T22:59:59.999Z');
    expect((await reader.open('d')).reason).toBe('register-to-continue');
    clock.set('2027-03-31T23:00:00.000Z');
    const fresh = await reader.open('d');
    expect(fresh).toMatchObject({ access: 'full', reason: 'metered' });
    expect(fresh.meter).toMatchObject({ used: 1, remaining: 2 });
    expect(fresh.meter?.resetsAt.toISOString()).toBe('2027-04-30T23:00:00.000Z');
    // Articles read in March are new again in April.
    expect((await reader.open('a')).reason).toBe('metered');
  });

  it('a rolling window frees each view N days after it was spent', async () => {
    const { reader, clock } = setup({ period: { rollingDays: 7 } }, '2026-11-01T10:00:00.000Z');
    await reader.open('a'); // day 0
    clock.advance(2 * 86_400_000);
    await reader.open('b'); // day 2
    clock.advance(86_400_000);
    await reader.open('c'); // day 3
    const wall = await reader.open('d');
    expect(wall.reason).toBe('register-to-continue');
    expect(wall.meter?.resetsAt.toISOString()).toBe('2026-11-08T10:00:00.000Z');
    clock.set('2026-11-08T09:59:59.999Z');
    expect((await reader.open('d')).reason).toBe('register-to-continue');
    clock.set('2026-11-08T10:00:00.000Z');
    const freed = await reader.open('d');
    expect(freed).toMatchObject({ access: 'full', reason: 'metered' });
    expect(freed.meter).toMatchObject({ used: 3, remaining: 0 });
    expect(freed.meter?.resetsAt.toISOString()).toBe('2026-11-10T10:00:00.000Z'); // b expires next
    // 'b' is still in the window: re-reading it is free; 'a' has left the window.
    expect((await reader.open('b')).reason).toBe('already-read');
    expect((await reader.open('a')).reason).toBe('register-to-continue');
  });

  it('without a registered allowance there is no register step: the teaser', async () => {
    const { reader } = setup({ meters: { anonymous: { limit: 1 } } });
    await reader.open('a');
    expect(await reader.open('b')).toMatchObject({ access: 'teaser', reason: 'meter-exhausted' });
  });

  it('a free article is full for everyone and counts nothing; the banner still has the meter', async () => {
    const { reader } = setup();
    const d = await reader.open({ id: 'f', access: 'free' });
    expect(d).toMatchObject({ access: 'full', reason: 'free-article', counted: false });
    expect(d.meter).toMatchObject({ used: 0, limit: 3, remaining: 3, source: 'cookie' });
    expect(d.headers.get('set-cookie')).toBeNull();
  });

  it('a subscribers-only article shows the teaser to an anonymous reader and spends nothing', async () => {
    const { reader } = setup();
    const d = await reader.open({ id: 's', access: 'subscribers' });
    expect(d).toMatchObject({ access: 'teaser', reason: 'subscribers-only', counted: false });
    expect(d.meter?.used).toBe(0);
  });

  it('emits typed events: views counted, meter exhausted, prompt shown, teaser shown', async () => {
    const { reader, events } = setup();
    for (const id of ['a', 'b', 'c', 'd']) await reader.open(id);
    await reader.open({ id: 's', access: 'subscribers' });
    expect(events.map((e) => e.type)).toEqual([
      'view-counted',
      'view-counted',
      'view-counted',
      'meter-exhausted',
      'prompt-shown',
      'teaser-shown',
    ]);
    expect(events[3]).toMatchObject({ type: 'meter-exhausted', article: 'c', meter: { used: 3, remaining: 0 } });
    expect(events[4]).toMatchObject({ type: 'prompt-shown', article: 'd', reason: 'register-to-continue' });
  });

  it('an onEvent that throws does not break the decision', async () => {
    const paywall = createPaywall({
      secret: SECRET,
      onEvent: () => {
        throw new Error('analytics down');
      },
    });
    const d = await paywall.decide(articleRequest(), { id: 'a' });
    expect(d.access).toBe('full');
  });

  it('the trace answers why the reader saw the wall', async () => {
    const { reader } = setup();
    for (const id of ['a', 'b', 'c']) await reader.open(id);
    const wall = await reader.open('d');
    const matched = wall.trace.filter((t) => t.matched).map((t) => `${t.rule}: ${t.note}`);
    expect(matched).toEqual(['exhausted: registering gives more views']);
    expect(wall.trace.find((t) => t.rule === 'metered')?.note).toBe('3 of 3 used');
    expect(wall.trace.find((t) => t.rule === 'token')?.note).toBe('valid');
    expect(wall.variant).toBe('prompt');
  });
});

describe('requests that never count', () => {
  it.each([
    ['HEAD', {}, 'HEAD'],
    ['Sec-Purpose: prefetch', { 'sec-purpose': 'prefetch' }, 'GET'],
    ['Sec-Purpose: prefetch;prerender', { 'sec-purpose': 'prefetch;prerender' }, 'GET'],
    ['Purpose: prefetch', { purpose: 'prefetch' }, 'GET'],
    ['X-Purpose: preview', { 'x-purpose': 'preview' }, 'GET'],
    ['X-Moz: prefetch', { 'x-moz': 'prefetch' }, 'GET'],
    ['POST', {}, 'POST'],
  ])('%s gets the prompt without spending a view, and full text only when already read', async (_, headers, method) => {
    const { reader } = setup();
    const d = await reader.open('a', { headers, method });
    expect(d).toMatchObject({ access: 'prompt', reason: 'not-counted', counted: false });
    expect(d.meter?.used).toBe(0);
    expect(d.headers.get('set-cookie')).toBeNull();
    await reader.open('a');
    expect(await reader.open('a', { headers, method })).toMatchObject({ access: 'full', reason: 'already-read' });
    expect((await reader.open('b', { headers, method })).meter?.used).toBe(1);
  });

  it('an ordinary GET with unrelated purpose headers still counts', async () => {
    const { reader } = setup();
    expect(await reader.open('a', { headers: { purpose: 'navigate', 'sec-purpose': 'nothing' } })).toMatchObject({ reason: 'metered' });
  });
});

describe('readers from resolveReader', () => {
  function withReader(who: () => ReaderInput | null | Promise<ReaderInput | null>, extra: Partial<PaywallOptions> = {}) {
    return setup({ resolveReader: who, ...extra });
  }

  it('a registered reader reads on the account meter, shared across devices', async () => {
    const store = createMemoryStore();
    const { paywall } = withReader(() => ({ status: 'registered', id: 'reader@example.com' }), { store });
    const laptop = createReader(paywall);
    const phone = createReader(paywall);
    for (let i = 0; i < 5; i++) await laptop.open(`a${i}`);
    const onPhone = await phone.open('a0');
    expect(onPhone).toMatchObject({ access: 'full', reason: 'already-read' });
    expect(onPhone.meter).toMatchObject({ used: 5, limit: 10, remaining: 5, source: 'store' });
    for (let i = 5; i < 10; i++) await phone.open(`a${i}`);
    expect(await laptop.open('new')).toMatchObject({ access: 'teaser', reason: 'meter-exhausted' });
    // An account meter counts nothing in the cookie: the browser's meter only carries the
    // sign-in mark, set once on the first page view and never again.
    expect(decodeJwt(laptop.token as string)).toMatchObject({ a: '', o: 1 });
  });

  it('a subscriber reads everything, metered or subscribers-only, with no meter; the cookie is only marked signed in, once', async () => {
    const { reader } = withReader(() => ({ status: 'subscriber', id: 's1' }));
    const cookies: Array<string | null> = [];
    for (let i = 0; i < 20; i++) {
      const d = await reader.open({ id: `a${i}`, access: i % 2 ? 'subscribers' : 'metered' });
      expect(d).toMatchObject({ access: 'full', reason: 'subscriber', meter: null, counted: false });
      cookies.push(tokenOf(d));
    }
    expect(cookies.filter((c) => c !== null)).toHaveLength(1);
    expect(decodeJwt(reader.token as string)).toMatchObject({ a: '', o: 1 });
  });

  it('entitlements: premium articles need every entitlement they list', async () => {
    const { reader } = withReader(() => ({ status: 'subscriber', id: 's1', entitlements: ['digital'] }));
    expect(await reader.open({ id: 'p', requires: ['premium'] })).toMatchObject({ access: 'teaser', reason: 'missing-entitlement' });
    const { reader: premium } = withReader(() => ({ status: 'subscriber', id: 's2', entitlements: ['digital', 'premium'] }));
    expect(await premium.open({ id: 'p', requires: ['premium'] })).toMatchObject({ access: 'full', reason: 'subscriber' });
  });

  it.each([
    ['throws', () => Promise.reject(new Error('session db down'))],
    ['returns an unknown status', () => ({ status: 'admin' }) as unknown as ReaderInput],
    ['returns a registered reader without id', () => ({ status: 'registered' }) as ReaderInput],
    ['returns bad entitlements', () => ({ status: 'subscriber', entitlements: 'all' }) as unknown as ReaderInput],
  ])('resolveReader that %s: an anonymous reader and a reader-error event, never an exception', async (_, who) => {
    const { reader, events } = withReader(who);
    const d = await reader.open({ id: 'p', access: 'subscribers' });
    expect(d).toMatchObject({ access: 'teaser', reason: 'subscribers-only', reader: { status: 'anonymous' } });
    const error = events.find((e) => e.type === 'reader-error');
    expect(error && 'error' in error && error.error.code).toBe('ERR_READER_FAILED');
  });

  it('the registered meter: 200 concurrent views of different articles count exactly the limit', async () => {
    const { paywall } = withReader(() => ({ status: 'registered', id: 'u1' }));
    const decisions = await Promise.all(Array.from({ length: 200 }, (_, i) => paywall.decide(articleRequest(), { id: `c${i}` })));
    expect(decisions.filter((d) => d.counted)).toHaveLength(10);
    expect(decisions.filter((d) => d.access === 'full')).toHaveLength(10);
    expect(decisions.filter((d) => d.reason === 'meter-exhausted')).toHaveLength(190);
  });

  it('an account meter expires at the period end', async () => {
    const store = createMemoryStore();
    const { paywall, clock } = withReader(() => ({ status: 'registered', id: 'u1' }), { store });
    const r = createReader(paywall);
    for (let i = 0; i < 10; i++) await r.open(`a${i}`);
    expect((await r.open('z')).reason).toBe('meter-exhausted');
    clock.set('2026-12-01T00:00:00Z');
    expect(await r.open('z')).toMatchObject({ reason: 'metered', meter: { used: 1 } });
  });
});

describe('a failing store', () => {
  const broken: MeterStore = {
    peek: () => Promise.reject(new Error('ECONNREFUSED')),
    record: () => Promise.reject(new Error('ECONNREFUSED')),
  };
  const slow: MeterStore = {
    peek: () => new Promise(() => {}),
    record: () => new Promise(() => {}),
  };

  it('fails open to the cookie meter with the registered limit by default, with an event', async () => {
    const { reader, events } = setup({ store: broken, resolveReader: () => ({ status: 'registered', id: 'u1' }) });
    const d = await reader.open('a');
    expect(d).toMatchObject({ access: 'full', reason: 'metered', meter: { limit: 10, source: 'cookie' } });
    expect(reader.token).not.toBeNull();
    const error = events.find((e) => e.type === 'store-error');
    expect(error).toMatchObject({ type: 'store-error', policy: 'open', error: { code: 'ERR_STORE_FAILED' } });
  });

  it('fails closed to the prompt when configured, and times out a store that hangs', async () => {
    const { reader, events } = setup({
      store: slow,
      failure: { mode: 'closed', timeoutMs: 20 },
      resolveReader: () => ({ status: 'registered', id: 'u1' }),
    });
    const d = await reader.open('a');
    expect(d).toMatchObject({ access: 'prompt', reason: 'store-unavailable', counted: false });
    expect(events.find((e) => e.type === 'store-error')).toMatchObject({ error: { code: 'ERR_STORE_TIMEOUT' }, policy: 'closed' });
  });

  it('a store failure never grants a subscriber anything and never touches anonymous readers', async () => {
    const { reader } = setup({ store: broken });
    expect((await reader.open('a')).reason).toBe('metered');
  });
});

describe('decide() input handling', () => {
  it('rejects a missing article with ERR_INVALID_ARTICLE', async () => {
    const { paywall } = setup();
    await expect(paywall.decide(articleRequest(), undefined as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARTICLE' });
    await expect(paywall.decide(articleRequest(), { id: 5 } as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARTICLE' });
    await expect(paywall.decide(articleRequest(), { id: 'a', access: 'open' } as never)).rejects.toMatchObject({
      code: 'ERR_INVALID_ARTICLE',
    });
  });

  it('accepts any request-like object with method, url and headers.get', async () => {
    const { paywall } = setup();
    const d = await paywall.decide({ method: 'GET', url: '/articles/a', headers: { get: () => null } }, { id: 'a' });
    expect(d.reason).toBe('metered');
  });

  it('accepts ids of any length and characters', async () => {
    const { reader } = setup();
    expect((await reader.open('é/☃?&=;,"')).reason).toBe('metered');
    expect((await reader.open('x'.repeat(10_000))).reason).toBe('metered');
    expect((await reader.open('')).reason).toBe('metered');
  });
});

describe('the cookie stays small', () => {
  it('stays under 1024 bytes after a reader opens 1000 distinct articles in one period', async () => {
    const { reader } = setup();
    let largest = 0;
    for (let i = 0; i < 1000; i++) {
      const d = await reader.open(`article-${i}`);
      const header = d.headers.get('set-cookie');
      if (header) largest = Math.max(largest, header.length);
    }
    expect(largest).toBeGreaterThan(0);
    expect(largest).toBeLessThan(1024);
  });

  it('stays under 4096 bytes at the largest limit allowed (100), rolling window included', async () => {
    const { reader } = setup({ meters: { anonymous: { limit: 100 } }, period: { rollingDays: 30 } });
    let largest = 0;
    for (let i = 0; i < 150; i++) {
      const header = (await reader.open(`a${i}`)).headers.get('set-cookie');
      if (header) largest = Math.max(largest, header.length);
    }
    expect(largest).toBeGreaterThan(1024);
    expect(largest).toBeLessThan(4096);
  });
});

describe('applyDecisionHeaders', () => {
  it('appends Set-Cookie, sets Cache-Control and adds Cookie to Vary, keeping what the site set', async () => {
    const { reader } = setup();
    const d = await reader.open('a');
    const response = applyDecisionHeaders(
      new Response('page', { headers: { 'set-cookie': 'site=1', 'cache-control': 'public, max-age=600', vary: 'Accept-Encoding' } }),
      d,
    );
    expect(response.headers.getSetCookie()).toEqual(['site=1', d.headers.get('set-cookie')]);
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    expect(response.headers.get('vary')).toBe('Accept-Encoding, Cookie');
  });

  it('copies a response whose headers are immutable', async () => {
    const { reader } = setup();
    const d = await reader.open('a');
    const immutable = Response.redirect('https://news.example/', 302);
    const out = applyDecisionHeaders(immutable, d);
    expect(out).not.toBe(immutable);
    expect(out.status).toBe(302);
    expect(out.headers.get('cache-control')).toBe('private, no-store');
    expect(cookiePair(d)).not.toBeNull();
    expect(out.headers.getSetCookie()[0]?.startsWith(cookiePair(d) as string)).toBe(true);
    expect(tokenOf(d)).toBe(reader.token);
  });
});
