import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { createPaywall, type PaywallEvent, type PaywallOptions } from '../../src/index.js';
import { SECRET, SECRET_2, articleRequest, createReader, fakeClock } from '../helpers.js';

function setup(extra: Partial<PaywallOptions> = {}) {
  const clock = fakeClock('2026-11-10T09:00:00Z');
  const events: PaywallEvent[] = [];
  const paywall = createPaywall({ secret: SECRET, now: clock.now, onEvent: (e) => events.push(e), ...extra });
  return { paywall, events, clock, reader: createReader(paywall) };
}

const referrals = { budget: 2, sources: { search: ['google.com', 'bing.com'], social: ['t.co', 'facebook.com'] } };

describe('referral sampling', () => {
  it('off by default: a referrer changes nothing', async () => {
    const { reader } = setup();
    for (const id of ['a', 'b', 'c']) await reader.open(id);
    expect((await reader.open('d', { headers: { referer: 'https://www.google.com/' } })).reason).toBe('register-to-continue');
  });

  it('a referred reader with a spent meter gets the budget exactly, then the normal meter', async () => {
    const { reader, events } = setup({ referrals });
    for (const id of ['a', 'b', 'c']) await reader.open(id);
    const fromSearch = { headers: { referer: 'https://www.google.com/search?q=tram' } };
    const first = await reader.open('d', fromSearch);
    expect(first).toMatchObject({ access: 'full', reason: 'sampled', counted: true, meter: { used: 3, remaining: 0 } });
    expect(first.trace.find((t) => t.rule === 'sampled')?.note).toContain('search');
    expect((await reader.open('e', { headers: { referer: 'https://t.co/abc' } })).reason).toBe('sampled');
    const third = await reader.open('f', fromSearch);
    expect(third).toMatchObject({ access: 'prompt', reason: 'register-to-continue' });
    expect(third.trace.find((t) => t.rule === 'sampled')?.note).toContain('budget is spent');
    // A sampled article can be re-opened free.
    expect((await reader.open('d')).reason).toBe('already-read');
    expect(events.filter((e) => e.type === 'referral-sampled')).toHaveLength(2);
  });

  it('the budget is separate: the meter is used first, and the budget renews with the period', async () => {
    const { reader, clock } = setup({ referrals });
    const fromSearch = { headers: { referer: 'https://www.bing.com/' } };
    expect((await reader.open('a', fromSearch)).reason).toBe('metered');
    for (const id of ['b', 'c']) await reader.open(id);
    expect((await reader.open('d', fromSearch)).reason).toBe('sampled');
    expect((await reader.open('e', fromSearch)).reason).toBe('sampled');
    expect((await reader.open('f', fromSearch)).reason).toBe('register-to-continue');
    clock.set('2026-12-01T00:00:00Z');
    for (const id of ['g', 'h', 'i']) expect((await reader.open(id)).reason).toBe('metered');
    expect((await reader.open('j', fromSearch)).reason).toBe('sampled');
  });

  it.each([
    'https://google.com.evil.example/',
    'https://evilgoogle.com/',
    'https://www.google.community/',
    'not a url',
    'javascript:alert(1)',
    `https://${'a'.repeat(3000)}.google.com/`,
  ])('a spoofed or foreign referrer %s gains nothing', async (referer) => {
    const { reader } = setup({ referrals });
    for (const id of ['a', 'b', 'c']) await reader.open(id);
    expect((await reader.open('d', { headers: { referer } })).reason).toBe('register-to-continue');
  });

  it('a spoofed Referer on every request never unlocks more than the budget', async () => {
    const { reader } = setup({ referrals });
    const spoofed = { headers: { referer: 'https://www.google.com/' } };
    const full = [];
    for (let i = 0; i < 20; i++) full.push((await reader.open(`s${i}`, spoofed)).access === 'full');
    expect(full.filter(Boolean)).toHaveLength(3 + 2);
  });

  it('needs a calendar period and a sane budget', () => {
    expect(() => createPaywall({ secret: SECRET, referrals, period: { rollingDays: 30 } })).toThrow(
      expect.objectContaining({ option: 'referrals' }),
    );
    expect(() => createPaywall({ secret: SECRET, referrals: { ...referrals, budget: 50 } })).toThrow(
      expect.objectContaining({ option: 'referrals.budget' }),
    );
    expect(() => createPaywall({ secret: SECRET, referrals: { budget: 1, sources: { search: ['not a host'] } } })).toThrow(
      expect.objectContaining({ option: 'referrals.sources.search' }),
    );
  });
});

describe('the fresh-meter cap', () => {
  const capped = { freshMeters: { perHour: 3 } };

  it('beyond the cap, new meters from the same /24 start spent: the register prompt, never a hard wall', async () => {
    const { paywall, events } = setup(capped);
    const fresh = (ip: string) => paywall.decide(articleRequest(), { id: 'story' }, { ip });
    for (const ip of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) expect((await fresh(ip)).reason).toBe('metered');
    const fourth = await fresh('203.0.113.4');
    expect(fourth).toMatchObject({ access: 'prompt', reason: 'register-to-continue', counted: false, meter: { used: 3, remaining: 0 } });
    expect(events).toContainEqual({ type: 'fresh-meter-capped', network: '203.0.113.0/24', count: 4 });
    // The spent meter is written, so the same browser stays at the prompt: started spent on every
    // meter, whatever its limit (the largest a limit may be).
    expect(decodeJwt((fourth.headers.get('set-cookie') as string).split(';')[0]?.split('=')[1] as string)['x']).toBe(100);
    // Another network is not affected.
    expect((await fresh('198.51.100.1')).reason).toBe('metered');
  });

  it('IPv6 networks are /48s; returning readers never count; the next hour starts over', async () => {
    const { paywall, clock } = setup(capped);
    const reader = createReader(paywall);
    await reader.open('a');
    for (let i = 1; i <= 3; i++) await paywall.decide(articleRequest(), { id: 'story' }, { ip: `2001:db8:1:${i}::1` });
    expect((await paywall.decide(articleRequest(), { id: 'story' }, { ip: '2001:db8:1:ffff::9' })).reason).toBe('register-to-continue');
    expect((await paywall.decide(articleRequest(), { id: 'story' }, { ip: '2001:db8:2::9' })).reason).toBe('metered');
    clock.set('2026-11-10T10:00:00Z');
    expect((await paywall.decide(articleRequest(), { id: 'story' }, { ip: '2001:db8:1:ffff::9' })).reason).toBe('metered');
  });

  it('is refused without a registered allowance (it would be a hard wall) and with a rolling window', () => {
    expect(() => createPaywall({ secret: SECRET, meters: { anonymous: { limit: 3 } }, ...capped })).toThrow(
      expect.objectContaining({ option: 'freshMeters' }),
    );
    expect(() => createPaywall({ secret: SECRET, period: { rollingDays: 7 }, ...capped })).toThrow(
      expect.objectContaining({ option: 'freshMeters' }),
    );
    expect(() =>
      createPaywall({
        secret: SECRET,
        store: {
          peek: async () => ({ used: 0, read: false, oldestAt: null }),
          record: async () => ({ used: 0, read: false, oldestAt: null, added: true }),
        },
        ...capped,
      }),
    ).toThrow(expect.objectContaining({ option: 'freshMeters' }));
  });
});

describe('CDN variants', () => {
  it('off by default: no variant header, every personalised response private, no-store', async () => {
    const { reader } = setup();
    const d = await reader.open('a');
    expect([...d.headers.keys()]).toEqual(['cache-control', 'set-cookie', 'vary']);
    expect(d.headers.get('cache-control')).toBe('private, no-store');
  });

  it('on: the decision carries the variant; the browser response stays private with its cookie', async () => {
    const { reader } = setup({ cdn: { sharedMaxAge: 600 } });
    const first = await reader.open('a');
    expect(first.headers.get('x-meterwall-variant')).toBe('full');
    expect(first.headers.get('cache-control')).toBe('private, no-store');
    expect(first.headers.get('set-cookie')).not.toBeNull();
    for (const id of ['b', 'c']) await reader.open(id);
    expect((await reader.open('d')).headers.get('x-meterwall-variant')).toBe('prompt');
  });

  it('the origin trusts only a variant the edge signed, with any of the paywall’s secrets', async () => {
    const edge = setup({ cdn: {} }).paywall;
    const origin = setup({ secret: [SECRET_2, SECRET], cdn: {} }).paywall;
    const article = { id: 'budget-2027' };
    const signed = await edge.signVariant('full', article);
    expect(signed).toMatch(/^full\.[0-9a-z]+\.[\w.-]+\.[\w-]{43}$/);
    expect(await origin.readVariant(articleRequest({ 'x-meterwall-variant': signed }), article)).toBe('full');
    expect(await origin.readVariant(articleRequest({ 'x-meterwall-variant': 'full' }), article)).toBeNull();
    const altered = `${signed.slice(0, -1)}${signed.endsWith('A') ? 'E' : 'A'}`;
    expect(await origin.readVariant(articleRequest({ 'x-meterwall-variant': altered }), article)).toBeNull();
    expect(
      await origin.readVariant(
        articleRequest({ 'x-meterwall-variant': (await edge.signVariant('teaser', article)).replace('teaser', 'full') }),
        article,
      ),
    ).toBeNull();
    expect(await origin.readVariant(articleRequest(), article)).toBeNull();
    const stranger = setup({ secret: SECRET_2.split('').reverse().join(''), cdn: {} }).paywall;
    expect(await stranger.readVariant(articleRequest({ 'x-meterwall-variant': signed }), article)).toBeNull();
    await expect(edge.signVariant('everything' as never, article)).rejects.toMatchObject({ option: 'variant' });
  });

  it('a signed variant is bound to its article and expires within minutes (issue 23, finding 7)', async () => {
    const { paywall: edge, clock } = setup({ cdn: {} });
    const budget = { id: 'budget-2027' };
    const signed = await edge.signVariant('full', budget);
    const request = articleRequest({ 'x-meterwall-variant': signed });
    expect(await edge.readVariant(request, budget)).toBe('full');
    // Leaked, it opens no other article, and not for long.
    expect(await edge.readVariant(request, { id: 'tram-line' })).toBeNull();
    clock.advance(119_000);
    expect(await edge.readVariant(request, budget)).toBe('full');
    clock.advance(2_000);
    expect(await edge.readVariant(request, budget)).toBeNull();
    // A longer life is a setting, at most 15 minutes.
    const { paywall: slow, clock: slowClock } = setup({ cdn: { signatureMaxAge: 900 } });
    const kept = articleRequest({ 'x-meterwall-variant': await slow.signVariant('teaser', budget) });
    slowClock.advance(899_000);
    expect(await slow.readVariant(kept, budget)).toBe('teaser');
    slowClock.advance(2_000);
    expect(await slow.readVariant(kept, budget)).toBeNull();
    expect(() => setup({ cdn: { signatureMaxAge: 3600 } })).toThrow(/cdn\.signatureMaxAge/);
    // Misuse: no article to bind to.
    await expect(edge.signVariant('full', undefined as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARTICLE' });
    await expect(edge.readVariant(request, undefined as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARTICLE' });
  });

  it('gives the cacheable headers of a variant page', () => {
    const { paywall } = setup({ cdn: { sharedMaxAge: 120, header: 'x-variant' } });
    const headers = paywall.variantHeaders('teaser');
    expect(Object.fromEntries(headers)).toEqual({
      'cache-control': 'public, max-age=0, s-maxage=120',
      vary: 'x-variant',
      'x-variant': 'teaser',
    });
  });
});
