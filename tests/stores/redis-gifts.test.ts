/**
 * Gift links on a real redis-server shared by two paywalls (two servers of one site): the open
 * cap under 200 concurrent opens from fresh browsers, and a giver's allowance under concurrent
 * creation, each hold exactly.
 */
import { createClient } from 'redis';
import { afterAll, beforeAll, describe } from 'vitest';
import { createRedisStore } from '../../src/stores/redis.js';
import { redisServerPath, startRedis, type TestRedis } from '../helpers-redis.js';
import { giftContract } from './gift-contract.js';

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

  giftContract(async () => {
    const prefix = `gifts${Math.random().toString(36).slice(2)}:`;
    const make = async () => {
      const client = createClient({ url: redis.url, disableOfflineQueue: true });
      client.on('error', () => {});
      await client.connect();
      clients.push(client);
      return createRedisStore(client, { prefix });
    };
    return [await make(), await make()] as const;
  });
});
