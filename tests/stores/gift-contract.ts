import { expect, it } from 'vitest';
import { createPaywall, defineGifts, type MeterStore, type PaywallEvent } from '../../src/index.js';
import { SECRET } from '../helpers.js';

/**
 * Gift links on a store shared by two paywalls (two servers, two Worker instances): the open cap
 * under 200 concurrent opens from fresh browsers, and a giver's allowance under concurrent
 * creation, each exactly, with no store error on the way. `stores()` gives the two paywalls'
 * stores (two clients of one database, or one store), under a prefix of their own.
 */
export function giftContract(stores: () => Promise<readonly [MeterStore, MeterStore]>): void {
  async function sharedPaywalls(maxOpens: number, limit: number, events: PaywallEvent[]) {
    const [a, b] = await stores();
    const make = (store: MeterStore) =>
      createPaywall({
        secret: SECRET,
        store,
        resolveReader: (request) => (request.headers.get('x-reader') === 'alice' ? { status: 'subscriber', id: 'alice' } : null),
        gifts: defineGifts({ maxOpens, allowance: { limit } }),
        onEvent: (event) => events.push(event),
        failure: { timeoutMs: 10_000 },
      });
    return [make(a), make(b)] as const;
  }

  it('gift links: 200 concurrent opens from fresh browsers on two paywalls, exactly the cap open the article', async () => {
    const events: PaywallEvent[] = [];
    const [one, two] = await sharedPaywalls(37, 10, events);
    const created = await one.createGift(new Request('https://news.example/a', { headers: { 'x-reader': 'alice' } }), { id: 'a' });
    if (!created.ok) throw new Error(created.reason);
    const url = `https://news.example/a?gift=${created.gift.token}`;
    const decisions = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? one : two).decide(new Request(url), { id: 'a' })));
    expect(events.filter((e) => e.type === 'store-error')).toEqual([]);
    expect(decisions.filter((d) => d.reason === 'gift')).toHaveLength(37);
    expect(decisions.filter((d) => d.reason === 'metered')).toHaveLength(163);
    expect(new Set(decisions.map((d) => d.gift?.opens).filter((n) => n != null))).toEqual(
      new Set(Array.from({ length: 37 }, (_, i) => i + 1)),
    );
    expect(events.filter((e) => e.type === 'gift-opened')).toHaveLength(37);
    expect(events.filter((e) => e.type === 'gift-refused' && e.reason === 'exhausted')).toHaveLength(163);
  }, 60_000);

  it('gift links: a giver creating 60 gifts at once on two paywalls, exactly the allowance is created', async () => {
    const events: PaywallEvent[] = [];
    const [one, two] = await sharedPaywalls(1, 10, events);
    const request = () => new Request('https://news.example/a', { headers: { 'x-reader': 'alice' } });
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? one : two).createGift(request(), { id: `s${i}` })));
    expect(events.filter((e) => e.type === 'store-error')).toEqual([]);
    expect(results.filter((r) => r.ok)).toHaveLength(10);
    expect(results.filter((r) => !r.ok && r.reason === 'allowance-spent')).toHaveLength(50);
    expect(await one.giftAllowance(request())).toMatchObject({ used: 10, remaining: 0 });
    expect(events.filter((e) => e.type === 'gift-created')).toHaveLength(10);
  }, 60_000);
}
