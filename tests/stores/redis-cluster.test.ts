/**
 * The Redis store on a real Redis Cluster (three masters on loopback ports, joined with
 * redis-cli), through node-redis's createCluster and ioredis's Cluster: the store contract, and
 * 200 concurrent views on two paywalls counted exactly. Each script touches one key, so it runs
 * on whichever master holds that key's slot.
 */
import { Cluster } from 'ioredis';
import { createCluster } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPaywall } from '../../src/index.js';
import { createRedisStore } from '../../src/stores/redis.js';
import { commandPath } from '../helpers-binaries.js';
import { SECRET, articleRequest } from '../helpers.js';
import { redisServerPath, startRedisCluster, type TestRedisCluster } from '../helpers-redis.js';
import { storeContract } from './contract.js';
import { giftContract } from './gift-contract.js';

const binary = redisServerPath();
const cli = commandPath('redis-cli');
const title =
  binary && cli
    ? 'the Redis store on a real Redis Cluster (3 masters)'
    : 'the Redis store on a Redis Cluster — SKIPPED: no redis-server or redis-cli on PATH (apt-get install redis-server)';
if (!binary || !cli) console.warn(`[redis-cluster] ${title}`);

describe.skipIf(!binary || !cli)(title, () => {
  let cluster: TestRedisCluster;
  const clients: Array<{ close(): Promise<unknown> }> = [];
  let run = 0;
  const unique = () => `cluster${++run}:${Math.random().toString(36).slice(2)}:`;

  async function nodeRedis() {
    const client = createCluster({
      rootNodes: cluster.ports.map((port) => ({ url: `redis://127.0.0.1:${port}` })),
      defaults: { disableOfflineQueue: true, socket: { connectTimeout: 2000 } },
    });
    client.on('error', () => {});
    await client.connect();
    clients.push({ close: async () => client.destroy() });
    return client;
  }
  async function ioredis() {
    const client = new Cluster(
      cluster.ports.map((port) => ({ host: '127.0.0.1', port })),
      { enableOfflineQueue: true, redisOptions: { maxRetriesPerRequest: 1 } },
    );
    client.on('error', () => {});
    clients.push({ close: async () => client.disconnect() });
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve());
      client.once('error', reject);
    });
    return client;
  }

  beforeAll(async () => {
    cluster = await startRedisCluster(binary as string, cli as string);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
    await cluster?.stop();
  });

  describe('node-redis createCluster', () => {
    storeContract(async () => ({ store: createRedisStore(await nodeRedis(), { prefix: unique() }), key: (name) => name }));
    giftContract(async () => {
      const prefix = unique();
      return [createRedisStore(await nodeRedis(), { prefix }), createRedisStore(await ioredis(), { prefix })] as const;
    });
  });

  describe('ioredis Cluster', () => {
    storeContract(async () => ({ store: createRedisStore(await ioredis(), { prefix: unique() }), key: (name) => name }));
  });

  it('200 concurrent views from one account on two paywalls sharing the cluster: exactly the limit is counted', async () => {
    const prefix = unique();
    const reader = () => ({ status: 'registered' as const, id: 'reader@example.com' });
    const one = createPaywall({ secret: SECRET, store: createRedisStore(await nodeRedis(), { prefix }), resolveReader: reader });
    const two = createPaywall({ secret: SECRET, store: createRedisStore(await ioredis(), { prefix }), resolveReader: reader });
    const decisions = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 ? one : two).decide(articleRequest(), { id: `story-${i}` })),
    );
    expect(decisions.filter((d) => d.counted)).toHaveLength(10);
    expect(decisions.filter((d) => d.reason === 'meter-exhausted')).toHaveLength(190);
  }, 30_000);

  it('the meters of many readers spread over every master', async () => {
    const prefix = unique();
    const client = await ioredis();
    const store = createRedisStore(client, { prefix });
    const now = Date.now();
    for (let i = 0; i < 60; i++) {
      await store.record(`reader-${i}`, 'a', { limit: 3, at: now, since: now - 1000, expiresAt: now + 60_000 });
    }
    const perMaster = await Promise.all(client.nodes('master').map((node) => node.keys(`${prefix}*`)));
    expect(perMaster.map((keys) => keys.length).reduce((a, b) => a + b, 0)).toBe(60);
    expect(perMaster.every((keys) => keys.length > 0)).toBe(true);
  });
});
