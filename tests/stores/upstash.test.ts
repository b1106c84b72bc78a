/**
 * `meterwall/upstash` through the real `@upstash/redis` client, over HTTP, against a real
 * redis-server behind the tests' own REST endpoint (helpers-upstash.ts): the store contract, the
 * scripts sent once and then called by their SHA, 200 concurrent views from two paywalls counted
 * exactly, and both failure modes while the endpoint is unreachable.
 */
import { Redis } from '@upstash/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPaywall, type Decision, type PaywallEvent, type PaywallOptions } from '../../src/index.js';
import { createUpstashStore } from '../../src/stores/upstash.js';
import { articleRequest, SECRET } from '../helpers.js';
import { redisServerPath, startRedis, type TestRedis } from '../helpers-redis.js';
import { startUpstashEndpoint, type UpstashEndpoint } from '../helpers-upstash.js';
import { replayScenarios } from '../replay-scenarios.js';
import { storeContract } from './contract.js';
import { giftContract } from './gift-contract.js';

const binary = redisServerPath();
const title = binary
  ? 'the HTTP Redis store (Upstash REST) on a real redis-server'
  : 'the HTTP Redis store (Upstash REST) — SKIPPED: no redis-server on PATH (apt-get install redis-server)';
if (!binary) console.warn(`[upstash] ${title}`);

describe.skipIf(!binary)(title, () => {
  let redis: TestRedis;
  let endpoint: UpstashEndpoint;
  let run = 0;
  const unique = () => `test${++run}:${Math.random().toString(36).slice(2)}:`;
  /** A client as an edge site would make it: one retry, so an unreachable database fails soon. */
  const client = () => new Redis({ url: endpoint.url, token: endpoint.token, retry: { retries: 1, backoff: () => 10 } });

  beforeAll(async () => {
    redis = await startRedis(binary as string);
    endpoint = await startUpstashEndpoint(redis.url);
  });
  afterAll(async () => {
    await endpoint?.close();
    await redis?.stop();
  });

  storeContract(async () => ({ store: createUpstashStore(client(), { prefix: unique() }), key: (name) => name }));
  giftContract(async () => {
    const prefix = unique();
    return [createUpstashStore(client(), { prefix }), createUpstashStore(client(), { prefix })] as const;
  });

  describe('replay attacks', () => {
    replayScenarios(async () => createUpstashStore(client(), { prefix: unique() }));
  });

  it('refuses something that is not an Upstash client', () => {
    expect(() => createUpstashStore({} as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION', option: 'client' }));
  });

  it('sends a script the server does not know once (EVAL), then calls it by its SHA', async () => {
    const admin = client();
    await admin.scriptFlush();
    const store = createUpstashStore(client(), { prefix: unique() });
    endpoint.commands.length = 0;
    const view = { limit: 5, at: Date.now(), since: 0, expiresAt: Date.now() + 60_000 };
    await store.record('m', 'a', view);
    await store.record('m', 'b', view);
    await store.record('m', 'c', view);
    expect(endpoint.commands).toEqual(['EVALSHA', 'EVAL', 'EVALSHA', 'EVALSHA']);
  });

  function registered(store: ReturnType<typeof createUpstashStore>, extra: Partial<PaywallOptions> = {}) {
    return createPaywall({ secret: SECRET, store, resolveReader: () => ({ status: 'registered', id: 'reader@example.com' }), ...extra });
  }

  it('200 concurrent views from one account on two paywalls, each with its own client: exactly the limit is counted', async () => {
    const prefix = unique();
    const one = registered(createUpstashStore(client(), { prefix }));
    const two = registered(createUpstashStore(client(), { prefix }));
    const decisions = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 ? one : two).decide(articleRequest(), { id: `story-${i}` })),
    );
    expect(decisions.filter((d) => d.counted)).toHaveLength(10);
    expect(decisions.filter((d) => d.reason === 'meter-exhausted')).toHaveLength(190);
    const keys = await client().keys(`${prefix}*`);
    expect(keys).toHaveLength(1);
    expect(await client().zcard(keys[0] as string)).toBe(10);
    expect(keys[0]).not.toContain('reader@example.com');
  });

  it('the endpoint unreachable: the failure policy answers in either mode, and the meter resumes when it is back', async () => {
    for (const mode of ['open', 'closed'] as const) {
      const events: PaywallEvent[] = [];
      const paywall = registered(createUpstashStore(client(), { prefix: unique() }), {
        meters: { anonymous: { limit: 3 }, registered: { limit: 50 } },
        failure: { mode, timeoutMs: 500 },
        onEvent: (e) => events.push(e),
      });
      const read = (id: string): Promise<Decision> => paywall.decide(articleRequest(), { id: `${mode}-${id}` });
      for (let i = 0; i < 3; i++) expect((await read(`before-${i}`)).meter).toMatchObject({ source: 'store', used: i + 1 });
      await endpoint.pause();
      try {
        const during = await Promise.all(Array.from({ length: 10 }, (_, i) => read(`during-${i}`)));
        for (const d of during) {
          if (mode === 'open') expect(d).toMatchObject({ access: 'full', reason: 'metered', meter: { source: 'cookie' } });
          else expect(d).toMatchObject({ access: 'prompt', reason: 'store-unavailable', counted: false });
        }
        expect(events.some((e) => e.type === 'store-error' && e.policy === mode)).toBe(true);
      } finally {
        await endpoint.resume();
      }
      expect(await read('after')).toMatchObject({ access: 'full', meter: { source: 'store', used: 4 } });
    }
  });
});
