/**
 * Gift links on a real redis-server shared by two paywalls (two servers of one site): the open
 * cap under 200 concurrent opens from fresh browsers, and a giver's allowance under concurrent
 * creation, each hold exactly.
 */
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPaywall, defineGifts, type PaywallEvent } from '../../src/index.js';
import { createRedisStore } from '../../src/stores/redis.js';
import { SECRET } from '../helpers.js';
import { redisServerPath, startRedis, type TestRedis } from '../helpers-redis.js';

const binary = redisServerPath();
const title = binary
  ? 'gift links on a real redis-server'
  : 'gift links on Redis — SKIPPED: no redis-server on PATH (apt-get install redis-server)';
if (!binary) console.warn(`[redis] ${title}`);

describe.skipIf(!binary)(title, () => {
  let redis: TestRedis;
  const clients: Array<{ destroy(): void }> = [];
  beforeAll(async () => {
    redis = await startRedis(binary as string);
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await redis?.stop();
  });

  async function sharedPaywalls(maxOpens: number, limit: number, events: PaywallEvent[]) {
    const prefix = `gifts${Math.random().toString(36).slice(2)}:`;
    const make = async () => {
      const client = createClient({ url: redis.url, disableOfflineQueue: true });
      client.on('error', () => {});
      await client.connect();
      clients.push(client);
      return createPaywall({
        secret: SECRET,
        store: createRedisStore(client, { prefix }),
        resolveReader: (request) => (request.headers.get('x-reader') === 'alice' ? { status: 'subscriber', id: 'alice' } : null),
        gifts: defineGifts({ maxOpens, allowance: { limit } }),
        onEvent: (event) => events.push(event),
        failure: { timeoutMs: 5000 },
      });
    };
    return [await make(), await make()] as const;
  }

  it('200 concurrent opens from fresh browsers on two servers: exactly the cap open the article', async () => {
    const events: PaywallEvent[] = [];
    const [one, two] = await sharedPaywalls(37, 10, events);
    const created = await one.createGift(new Request('https://news.example/a', { headers: { 'x-reader': 'alice' } }), { id: 'a' });
    if (!created.ok) throw new Error(created.reason);
    const url = `https://news.example/a?gift=${created.gift.token}`;
    const decisions = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? one : two).decide(new Request(url), { id: 'a' })));
    expect(decisions.filter((d) => d.reason === 'gift')).toHaveLength(37);
    expect(decisions.filter((d) => d.reason === 'metered')).toHaveLength(163);
    expect(new Set(decisions.map((d) => d.gift?.opens).filter((n) => n != null))).toEqual(
      new Set(Array.from({ length: 37 }, (_, i) => i + 1)),
    );
    expect(events.filter((e) => e.type === 'gift-opened')).toHaveLength(37);
    expect(events.filter((e) => e.type === 'gift-refused' && e.reason === 'exhausted')).toHaveLength(163);
  });

  it('a giver creating 60 gifts at once on two servers: exactly the allowance is created', async () => {
    const events: PaywallEvent[] = [];
    const [one, two] = await sharedPaywalls(1, 10, events);
    const request = () => new Request('https://news.example/a', { headers: { 'x-reader': 'alice' } });
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? one : two).createGift(request(), { id: `s${i}` })));
    expect(results.filter((r) => r.ok)).toHaveLength(10);
    expect(results.filter((r) => !r.ok && r.reason === 'allowance-spent')).toHaveLength(50);
    expect(await one.giftAllowance(request())).toMatchObject({ used: 10, remaining: 0 });
    expect(events.filter((e) => e.type === 'gift-created')).toHaveLength(10);
  });
});
