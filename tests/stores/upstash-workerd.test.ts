/**
 * `meterwall/upstash` at the edge: a Worker bundled as Wrangler bundles it (the `workerd`
 * conditions, `@upstash/redis/cloudflare`, no Node APIs), run in workerd through Miniflare as two
 * separate Worker instances, both counting one account's meter over HTTP in the same redis-server
 * (behind the tests' REST endpoint): 200 concurrent views, exactly the limit counted.
 */
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorker } from '../helpers-bundle.js';
import { redisServerPath, startRedis, type TestRedis } from '../helpers-redis.js';
import { startUpstashEndpoint, type UpstashEndpoint } from '../helpers-upstash.js';

const binary = redisServerPath();
const title = binary
  ? 'the HTTP Redis store in workerd (Miniflare)'
  : 'the HTTP Redis store in workerd — SKIPPED: no redis-server on PATH (apt-get install redis-server)';
if (!binary) console.warn(`[upstash] ${title}`);

const WORKER = `
import { Redis } from '@upstash/redis/cloudflare';
import { createPaywall } from 'meterwall';
import { createUpstashStore } from 'meterwall/upstash';
export default {
  async fetch(request, env) {
    const redis = new Redis({ url: env.REST_URL, token: env.REST_TOKEN, retry: { retries: 1, backoff: () => 10 } });
    const paywall = createPaywall({
      secret: env.METER_SECRET,
      store: createUpstashStore(redis, { prefix: env.PREFIX }),
      resolveReader: () => ({ status: 'registered', id: 'reader@example.com' }),
      // 200 requests at once through one test machine's workerd, endpoint and redis-server: a
      // store answer may take longer than the default wait, which would let the failure policy answer.
      failure: { timeoutMs: 10000 },
    });
    const id = new URL(request.url).searchParams.get('id');
    const decision = await paywall.decide(request, { id });
    return Response.json({ counted: decision.counted, access: decision.access, reason: decision.reason, source: decision.meter?.source ?? null });
  },
};`;

describe.skipIf(!binary)(title, () => {
  let redis: TestRedis;
  let endpoint: UpstashEndpoint;
  const workers: Miniflare[] = [];

  beforeAll(async () => {
    redis = await startRedis(binary as string);
    endpoint = await startUpstashEndpoint(redis.url);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.dispose()));
    await endpoint?.close();
    await redis?.stop();
  });

  it('two Worker instances, 200 concurrent views of one account: exactly the limit counted, the rest walled', async () => {
    const script = await bundleWorker({ contents: WORKER });
    const bindings = {
      REST_URL: endpoint.url,
      REST_TOKEN: endpoint.token,
      METER_SECRET: 'workerd-upstash-secret-0123456789-abcdef',
      PREFIX: `workerd:${Date.now()}:`,
    };
    for (let i = 0; i < 2; i++) workers.push(new Miniflare({ modules: true, script, compatibilityDate: '2025-09-01', bindings }));
    const decisions = (await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const response = await (workers[i % 2] as Miniflare).dispatchFetch(`https://news.example/articles?id=story-${i}`, {
          headers: {
            'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36',
          },
        });
        return response.json();
      }),
    )) as Array<{ counted: boolean; access: string; reason: string; source: string | null }>;
    expect(decisions.filter((d) => d.counted)).toHaveLength(10);
    expect(decisions.filter((d) => d.access === 'full')).toHaveLength(10);
    expect(decisions.filter((d) => d.reason === 'meter-exhausted')).toHaveLength(190);
    expect(decisions.every((d) => d.source === 'store')).toBe(true);
    expect(endpoint.commands.filter((c) => c === 'EVALSHA' || c === 'EVAL').length).toBeGreaterThanOrEqual(200);
  }, 120_000);
});
