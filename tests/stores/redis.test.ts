import { once } from 'node:events';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPaywall, type Decision, type PaywallEvent, type PaywallOptions } from '../../src/index.js';
import { createRedisStore } from '../../src/stores/redis.js';
import { SECRET, articleRequest } from '../helpers.js';
import { redisServerPath, startRedis, type TestRedis } from '../helpers-redis.js';
import { storeContract } from './contract.js';
import { replayScenarios } from '../replay-scenarios.js';

const binary = redisServerPath();
const title = binary
  ? 'the Redis store on a real redis-server'
  : 'the Redis store — SKIPPED: no redis-server on PATH (apt-get install redis-server)';
if (!binary) console.warn(`[redis] ${title}`);

describe.skipIf(!binary)(title, () => {
  let redis: TestRedis;
  const clients: Array<{ close(): Promise<unknown> }> = [];

  /** A node-redis client that fails fast while Redis is down (no offline queue). */
  async function nodeRedis() {
    const client = createClient({
      url: redis.url,
      disableOfflineQueue: true,
      socket: { reconnectStrategy: () => 50, connectTimeout: 1000 },
    });
    client.on('error', () => {}); // reconnects on its own; failures reach meterwall as rejected commands
    await client.connect();
    clients.push({ close: async () => client.destroy() });
    return client;
  }
  async function ioredis() {
    const client = new Redis(redis.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
    client.on('error', () => {});
    clients.push({ close: async () => client.disconnect() });
    await once(client, 'ready');
    return client;
  }
  let run = 0;
  const unique = () => `test${++run}:${Math.random().toString(36).slice(2)}:`;

  beforeAll(async () => {
    redis = await startRedis(binary as string);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
    await redis?.stop();
  });

  describe('node-redis client', () => {
    storeContract(async () => {
      const client = await nodeRedis();
      return { store: createRedisStore(client, { prefix: unique() }), key: (name) => name };
    });
  });

  describe('ioredis client', () => {
    storeContract(async () => {
      const client = await ioredis();
      return { store: createRedisStore(client, { prefix: unique() }), key: (name) => name };
    });
  });

  describe('replay attacks', () => {
    replayScenarios(async () => createRedisStore(await nodeRedis(), { prefix: unique() }));
  });

  it('refuses something that is not a Redis client', () => {
    expect(() => createRedisStore({} as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION', option: 'client' }));
  });

  function registered(store: ReturnType<typeof createRedisStore>, extra: Partial<PaywallOptions> = {}) {
    return createPaywall({ secret: SECRET, store, resolveReader: () => ({ status: 'registered', id: 'reader@example.com' }), ...extra });
  }

  it('200 concurrent views from one account on two paywalls sharing Redis: exactly the limit is counted', async () => {
    const prefix = unique();
    const one = registered(createRedisStore(await nodeRedis(), { prefix }));
    const two = registered(createRedisStore(await ioredis(), { prefix }));
    const decisions = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 ? one : two).decide(articleRequest(), { id: `story-${i}` })),
    );
    expect(decisions.filter((d) => d.counted)).toHaveLength(10);
    expect(decisions.filter((d) => d.access === 'full')).toHaveLength(10);
    expect(decisions.filter((d) => d.reason === 'meter-exhausted')).toHaveLength(190);
    // None lost: the store holds exactly the ten counted articles.
    const check = await nodeRedis();
    const [key] = await check.keys(`${prefix}*`);
    expect(await check.zCard(key as string)).toBe(10);
    // The raw email never appears in a key.
    expect(key).not.toContain('reader@example.com');
  });

  it('a meter expires at the end of its period', async () => {
    const prefix = unique();
    const client = await nodeRedis();
    const paywall = registered(createRedisStore(client, { prefix }), { period: { calendar: 'day', timeZone: 'UTC' } });
    const before = Date.now();
    await paywall.decide(articleRequest(), { id: 'a' });
    const [key] = await client.keys(`${prefix}*`);
    const ttl = await client.pTTL(key as string);
    const end = new Date(before);
    end.setUTCHours(24, 0, 0, 0);
    expect(ttl).toBeLessThanOrEqual(end.getTime() - before);
    expect(ttl).toBeGreaterThan(end.getTime() - before - 5_000);
  });

  it('the server killed mid-run and restarted: the failure policy holds, nothing escapes, the meter resumes', async () => {
    for (const mode of ['open', 'closed'] as const) {
      const prefix = unique();
      const events: PaywallEvent[] = [];
      const client = await nodeRedis();
      const paywall = registered(createRedisStore(client, { prefix }), {
        meters: { anonymous: { limit: 3 }, registered: { limit: 50 } },
        failure: { mode, timeoutMs: 200 },
        onEvent: (e) => events.push(e),
      });
      const read = (id: string): Promise<Decision> => paywall.decide(articleRequest(), { id: `${mode}-${id}` });

      for (let i = 0; i < 5; i++) expect((await read(`before-${i}`)).meter).toMatchObject({ source: 'store', used: i + 1 });
      await redis.kill();
      const during = await Promise.all(Array.from({ length: 20 }, (_, i) => read(`during-${i}`)));
      for (const d of during) {
        if (mode === 'open') expect(d).toMatchObject({ access: 'full', reason: 'metered', meter: { source: 'cookie' } });
        else expect(d).toMatchObject({ access: 'prompt', reason: 'store-unavailable', counted: false });
      }
      expect(events.some((e) => e.type === 'store-error' && e.policy === mode)).toBe(true);

      await redis.start();
      const deadline = Date.now() + 5_000;
      let after: Decision | undefined;
      while (Date.now() < deadline) {
        after = await read('after');
        if (after.meter?.source === 'store') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      // Every view acknowledged before the crash survived (AOF, fsync always): the meter resumes at 6.
      expect(after).toMatchObject({ access: 'full', meter: { source: 'store', used: 6 } });
    }
  });
});
