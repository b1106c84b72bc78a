// What a counted view costs on each store, in one run: a registered reader opening a new article
// (its account meter: one operation in the store, awaited), one view after another, on the memory
// store (the baseline), Redis over TCP (node-redis to a redis-server started here), Redis over HTTP
// (the @upstash/redis client to the tests' REST endpoint in front of that redis-server), Deno KV
// (@deno/kv on a database file) and Durable Objects (the views decided inside a Worker in workerd,
// through Miniflare, against the memory store in that same Worker). Rounds alternate the stores;
// the figure is the median of the per-round ratios to the memory store (this machine drifts).
//
//   npm run bench:stores            (node --import tsx bench/stores.ts; --write updates bench/README.md)
import { writeReadmeBlock } from './readme-block.mjs';
import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openKv } from '@deno/kv';
import { Redis } from '@upstash/redis';
import { Miniflare } from 'miniflare';
import { createClient } from 'redis';
import { createMemoryStore, createPaywall, type Decision, type MeterStore } from '../src/index.js';
import { createDenoKvStore, type DenoKvLike } from '../src/stores/deno-kv.js';
import { createRedisStore } from '../src/stores/redis.js';
import { createUpstashStore } from '../src/stores/upstash.js';
import { bundleWorker } from '../tests/helpers-bundle.js';
import { redisServerPath, startRedis } from '../tests/helpers-redis.js';
import { startUpstashEndpoint } from '../tests/helpers-upstash.js';

const ROUNDS = 7;
const VIEWS = 1500;
const SECRET = 'bench-stores-secret-0123456789-abcdef';
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';

/** Each reader's browser: the meter cookie its last view set, presented on the next (as a browser would). */
const jar = new Map<string, string>();
const request = (reader: string) => {
  const cookie = jar.get(reader) ?? null;
  return {
    method: 'GET',
    url: '/articles/x',
    headers: { get: (name: string) => (name === 'user-agent' ? UA : name === 'x-reader' ? reader : name === 'cookie' ? cookie : null) },
  };
};
const keep = (reader: string, decision: Decision): void => {
  const set = decision.headers.get('set-cookie');
  if (set) jar.set(reader, set.split(';')[0] as string);
};

/** µs per counted view on `store`: VIEWS new articles read one after another by readers taking turns. */
async function perView(store: MeterStore, round: number): Promise<number> {
  const paywall = createPaywall({
    secret: SECRET,
    store,
    meters: { anonymous: { limit: 3 }, registered: { limit: 100 } },
    failure: { timeoutMs: 10_000 },
    resolveReader: (req) => ({ status: 'registered', id: req.headers.get('x-reader') ?? 'nobody' }),
  });
  for (let i = 0; i < 50; i++) keep(`warm-${round}`, await paywall.decide(request(`warm-${round}`), { id: `warm-${i}` }));
  // Each reader's first view (a browser signing in: its meter merged into the account's) before the clock starts.
  for (let r = 0; r < 100; r++) keep(`r${round}-${r}`, await paywall.decide(request(`r${round}-${r}`), { id: `first-${r}` }));
  const started = performance.now();
  for (let i = 0; i < VIEWS; i++) {
    const reader = `r${round}-${i % 100}`;
    const decision = await paywall.decide(request(reader), { id: `a${i}` });
    keep(reader, decision);
    if (!decision.counted || decision.meter?.source !== 'store') throw new Error(`not a counted view on the store: ${decision.reason}`);
  }
  return ((performance.now() - started) * 1000) / VIEWS;
}

/** The Worker that measures inside workerd: the memory store and the Durable Objects store, in turn. */
const WORKER = `
import { createMemoryStore, createPaywall } from 'meterwall';
import { createDurableObjectStore } from 'meterwall/durable-objects';
export { MeterwallStoreObject } from 'meterwall/durable-objects';
export default {
  async fetch(request, env) {
    const { kind, round, views } = await request.json();
    const store = kind === 'memory' ? createMemoryStore() : createDurableObjectStore(env.METERWALL, { prefix: 'bench' + round + ':' });
    const paywall = createPaywall({
      secret: '${SECRET}', store, meters: { anonymous: { limit: 3 }, registered: { limit: 100 } }, failure: { timeoutMs: 10000 },
      resolveReader: (req) => ({ status: 'registered', id: req.headers.get('x-reader') }),
    });
    const jar = new Map();
    const req = (reader) => new Request('https://bench.test/articles/x', { headers: { 'user-agent': '${UA}', 'x-reader': reader, ...(jar.has(reader) ? { cookie: jar.get(reader) } : {}) } });
    const keep = (reader, d) => { const set = d.headers.get('set-cookie'); if (set) jar.set(reader, set.split(';')[0]); };
    for (let i = 0; i < 50; i++) keep('warm' + round, await paywall.decide(req('warm' + round), { id: 'warm-' + i }));
    for (let r = 0; r < 100; r++) keep('r' + round + '-' + r, await paywall.decide(req('r' + round + '-' + r), { id: 'first-' + r }));
    // workerd's clock moves only with I/O: the time is taken around the whole loop.
    const started = Date.now();
    for (let i = 0; i < views; i++) {
      const reader = 'r' + round + '-' + (i % 100);
      const d = await paywall.decide(req(reader), { id: 'a' + i });
      keep(reader, d);
      if (!d.counted || d.meter?.source !== 'store') return Response.json({ error: d.reason }, { status: 500 });
    }
    await fetch('https://bench.test/tick').catch(() => {});
    return Response.json({ ms: Date.now() - started });
  },
};`;

async function workerd(): Promise<Miniflare> {
  return new Miniflare({
    modules: true,
    script: await bundleWorker({ contents: WORKER }),
    compatibilityDate: '2025-09-01',
    durableObjects: { METERWALL: 'MeterwallStoreObject' },
    outboundService: () => new Response('tick'),
  });
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

const binary = redisServerPath();
if (binary === null) throw new Error('bench/stores.ts needs redis-server (apt-get install redis-server)');
const dir = mkdtempSync(join(tmpdir(), 'meterwall-bench-stores-'));
const redis = await startRedis(binary);
const endpoint = await startUpstashEndpoint(redis.url);
const tcp = createClient({ url: redis.url, disableOfflineQueue: true });
tcp.on('error', () => {});
await tcp.connect();
const kv = await openKv(join(dir, 'bench.sqlite'));
const mf = await workerd();
try {
  const kinds = {
    memory: (_round: number) => createMemoryStore(),
    redis: (round: number) => createRedisStore(tcp, { prefix: `bench${round}:` }),
    upstash: (round: number) =>
      createUpstashStore(new Redis({ url: endpoint.url, token: endpoint.token, retry: false }), { prefix: `bench-http${round}:` }),
    denoKv: (round: number) => createDenoKvStore(kv as unknown as DenoKvLike, { prefix: `bench${round}` }),
  };
  const ratios: Record<string, number[]> = { redis: [], upstash: [], denoKv: [], durableObjects: [] };
  const micros: Record<string, number[]> = { memory: [], redis: [], upstash: [], denoKv: [], workerdMemory: [], durableObjects: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? Object.keys(kinds) : Object.keys(kinds).reverse();
    const seen: Record<string, number> = {};
    for (const kind of order) seen[kind] = await perView(kinds[kind as keyof typeof kinds](round), round);
    for (const [kind, us] of Object.entries(seen)) micros[kind]?.push(us);
    for (const kind of ['redis', 'upstash', 'denoKv']) ratios[kind]?.push((seen[kind] as number) / (seen['memory'] as number));
    const inWorker: Record<string, number> = {};
    for (const kind of round % 2 === 0 ? ['memory', 'do'] : ['do', 'memory']) {
      const response = await mf.dispatchFetch('https://bench.test/', {
        method: 'POST',
        body: JSON.stringify({ kind, round, views: VIEWS }),
      });
      const body = (await response.json()) as { ms?: number; error?: string };
      if (body.ms === undefined) throw new Error(`workerd: ${body.error}`);
      inWorker[kind] = (body.ms * 1000) / VIEWS;
    }
    micros['workerdMemory']?.push(inWorker['memory'] as number);
    micros['durableObjects']?.push(inWorker['do'] as number);
    ratios['durableObjects']?.push((inWorker['do'] as number) / Math.max(1, inWorker['memory'] as number));
  }
  const out = {
    rounds: ROUNDS,
    views: VIEWS,
    us: Object.fromEntries(Object.entries(micros).map(([k, v]) => [k, median(v)])),
    vsMemory: Object.fromEntries(Object.entries(ratios).map(([k, v]) => [k, median(v)])),
  };
  console.log(JSON.stringify(out));
  if (process.argv.includes('--write')) {
    const us = (k: string) => (out.us[k] as number).toFixed(1);
    const x = (k: string) => (out.vsMemory[k] as number).toFixed(1);
    const block = `<!-- stores:start -->
Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version} (\`npm run bench:stores\`): ${ROUNDS} rounds alternating the stores, ${VIEWS} counted views each, medians of per-round ratios. Every store runs on this machine (redis-server, its REST endpoint and workerd on 127.0.0.1): the figures are what the store's own work and one local round trip cost; a store across a network adds that network's round trip. The sources run through tsx and each view's cookie is read from \`decision.headers\`, so the memory store's baseline here is above the built figures of the decide benchmark above; read the ratios.

**A counted view of a registered reader (the account's meter: one store operation, awaited) on each store**

| store | µs per counted view | × the memory store |
|---|---|---|
| memory (\`createMemoryStore\`, the baseline) | ${us('memory')} µs | 1.0× |
| Redis over TCP (\`meterwall/redis\`, node-redis) | ${us('redis')} µs | **${x('redis')}×** |
| Redis over HTTP (\`meterwall/upstash\`, @upstash/redis to a REST endpoint in front of redis-server) | ${us('upstash')} µs | **${x('upstash')}×** |
| Deno KV (\`meterwall/deno-kv\`, @deno/kv on a database file) | ${us('denoKv')} µs | **${x('denoKv')}×** |
| Durable Objects (\`meterwall/durable-objects\`, in workerd; against the memory store in the same Worker: ${us('workerdMemory')} µs) | ${us('durableObjects')} µs | **${x('durableObjects')}×** |
<!-- stores:end -->`;
    writeReadmeBlock('stores', block, 'Stores');
  }
} finally {
  await mf.dispose();
  kv.close();
  await tcp.close();
  await endpoint.close();
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
}
