/**
 * Verified AI agents on a real Node server and a real Hono app (@hono/node-server), requests
 * signed by Cloudflare's `web-bot-auth` package with RFC 9421's Ed25519 test key, key directories
 * served on 127.0.0.1. A verified operator gets the site's policy for its purpose; every forgery
 * (tampered, expired, an unknown key, `@authority` not covered, a replayed nonce on the memory
 * store and on a real redis-server, a spoofed `Signature-Agent`, a directory down or slow) gets
 * exactly what an unverified claimant gets; the pay-per-crawl `402` runs end to end.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createClient } from 'redis';
import { generateNonce } from 'web-bot-auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Article, createMemoryStore, createPaywall, type MeterStore, type Paywall, type PaywallEvent } from '../../src/index.js';
import { meterwall, type MeterwallVariables } from '../../src/adapters/hono.js';
import { defineAgents } from '../../src/agents/index.js';
import { decideNode } from '../../src/adapters/node.js';
import { createRedisStore } from '../../src/stores/redis.js';
import { type KeyDirectory, publicJwk, serveKeyDirectory, signedHeaders, strangerJwk } from '../helpers-agents.js';
import { redisServerPath, startRedis, type TestRedis } from '../helpers-redis.js';

const SECRET = 'agents-test-secret-0123456789-abcdefgh';
const ARTICLE: Article = { id: 'tram', section: 'news', publishedAt: '2026-12-01T00:00:00Z' };
const FULL = '<p>first</p><p>the whole story</p>';
const TEASER = '<p>first</p>';
const GPTBOT = 'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)';
const LICENSE = 'https://news.example/license.xml';

interface Served {
  readonly status: number;
  readonly body: string;
  readonly headers: Headers;
  readonly reason: string;
}

/** The site: a paywall with agents (`demo` licensed to read for people; `openai` training for a price), served by `kind`. */
async function site(kind: 'node' | 'hono', store: MeterStore, demo: KeyDirectory, openai: KeyDirectory, events: PaywallEvent[]) {
  const paywall: Paywall = createPaywall({
    secret: SECRET,
    store,
    meters: { anonymous: { limit: 3 } },
    onEvent: (event) => events.push(event),
    agents: defineAgents({
      operators: {
        demo: { directory: demo.origin, userAgents: { training: 'DemoBot' }, user: 'licensed', training: 'block', search: 'teaser' },
        openai: { directory: openai.origin, training: 'paid', search: 'block', user: 'teaser' },
      },
      price: (article) => (article.section === 'news' ? 0.02 : 0.01),
      license: { url: LICENSE, verify: (token) => token === 'rsl-good-token' },
      directoryTimeoutMs: 300,
    }),
  });
  const page = (access: string) => (access === 'full' ? FULL : TEASER);
  let server: Server;
  if (kind === 'node') {
    server = createServer(async (req, res) => {
      const decision = await decideNode(paywall, req, res, ARTICLE);
      res.statusCode = decision.status;
      res.setHeader('x-reason', decision.reason);
      res.end(decision.status === 403 ? 'Forbidden' : page(decision.access));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  } else {
    const app = new Hono<{ Variables: MeterwallVariables }>();
    app.use('/articles/:slug', meterwall(paywall, { article: () => ARTICLE }));
    app.get('/articles/:slug', (c) => {
      const decision = c.get('meterwall');
      if (!decision) return c.notFound();
      c.header('x-reason', decision.reason);
      return c.body(decision.status === 403 ? 'Forbidden' : page(decision.access), decision.status);
    });
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as unknown as Server;
    await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())));
  }
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    url: `${base}/articles/tram`,
    async get(headers: Record<string, string>): Promise<Served> {
      const response = await fetch(`${base}/articles/tram`, { headers });
      return {
        status: response.status,
        body: await response.text(),
        headers: response.headers,
        reason: response.headers.get('x-reason') ?? '',
      };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const redisBinary = redisServerPath();

describe('verified AI agents (Web Bot Auth), on a Node server and a Hono app', () => {
  let demo: KeyDirectory;
  let openai: KeyDirectory;
  let attacker: KeyDirectory;
  let stranger: JsonWebKey;
  let redis: TestRedis | null = null;

  beforeAll(async () => {
    stranger = await strangerJwk();
    [demo, openai, attacker] = await Promise.all([serveKeyDirectory(), serveKeyDirectory(), serveKeyDirectory([publicJwk(stranger)])]);
    if (redisBinary) redis = await startRedis(redisBinary);
  }, 30_000);
  afterAll(async () => {
    await Promise.all([demo?.close(), openai?.close(), attacker?.close()]);
    await redis?.stop();
  });

  for (const kind of ['node', 'hono'] as const)
    describe(kind === 'node' ? 'node:http with meterwall/node' : 'Hono with meterwall/hono', () => {
      const events: PaywallEvent[] = [];
      let s: Awaited<ReturnType<typeof site>>;
      beforeAll(async () => {
        s = await site(kind, createMemoryStore(), demo, openai, events);
      });
      afterAll(() => s?.close());

      it('a verified operator gets its policy: licensed text with the licence link, nothing counted, no meter cookie', async () => {
        const served = await s.get(await signedHeaders(s.url, { agent: demo.origin }));
        expect([served.status, served.body, served.reason]).toEqual([200, FULL, 'agent-licensed']);
        expect(served.headers.get('link')).toBe(`<${LICENSE}>; rel="license"; type="application/rsl+xml"`);
        expect(served.headers.getSetCookie()).toEqual([]);
        expect(events.filter((e) => e.type === 'agent-licensed').at(-1)).toMatchObject({
          operator: 'demo',
          purpose: 'user',
          article: 'tram',
        });
      });

      it('pay per crawl: 402 with the price, then the text for crawler-exact-price (or a high enough max), answered with crawler-charged', async () => {
        const asked = await s.get(await signedHeaders(s.url, { agent: openai.origin, userAgent: GPTBOT }));
        expect([asked.status, asked.body, asked.reason]).toEqual([402, TEASER, 'agent-payment-required']);
        expect(asked.headers.get('crawler-price')).toBe('USD 0.02');
        expect(asked.headers.get('www-authenticate')).toBe('License');
        const low = await s.get(
          await signedHeaders(s.url, { agent: openai.origin, userAgent: GPTBOT, headers: { 'crawler-max-price': 'USD 0.01' } }),
        );
        expect(low.status).toBe(402);
        for (const offer of [{ 'crawler-exact-price': 'USD 0.02' }, { 'crawler-max-price': 'USD 0.05' }]) {
          const paid = await s.get(await signedHeaders(s.url, { agent: openai.origin, userAgent: GPTBOT, headers: offer }));
          expect([paid.status, paid.body, paid.reason]).toEqual([200, FULL, 'agent-paid']);
          expect(paid.headers.get('crawler-charged')).toBe('USD 0.02');
        }
        expect(events.filter((e) => e.type === 'agent-paid').length).toBe(2);
        // An RSL licence token the site accepts reads as licensed.
        const token = await s.get(
          await signedHeaders(s.url, { agent: openai.origin, userAgent: GPTBOT, headers: { authorization: 'License rsl-good-token' } }),
        );
        expect([token.status, token.reason]).toEqual([200, 'agent-licensed']);
      });

      it("the operator's policy per purpose: search refused with 403, a person's agent the teaser; another signer cannot claim the purpose", async () => {
        const search = await s.get(
          await signedHeaders(s.url, { agent: openai.origin, userAgent: 'Mozilla/5.0 (compatible; OAI-SearchBot/1.0)' }),
        );
        expect([search.status, search.body, search.reason]).toEqual([403, 'Forbidden', 'agent-refused']);
        const user = await s.get(
          await signedHeaders(s.url, { agent: openai.origin, userAgent: 'Mozilla/5.0 (compatible; ChatGPT-User/1.0)' }),
        );
        expect([user.status, user.body, user.reason]).toEqual([200, TEASER, 'agent-teaser']);
        // GPTBot's user agent signed with demo's key: the signer is demo, and openai's purpose is not demo's to claim.
        const borrowed = await s.get(await signedHeaders(s.url, { agent: demo.origin, userAgent: GPTBOT }));
        expect(borrowed.reason).toBe('agent-licensed');
        expect(events.filter((e) => e.type === 'agent-refused').at(-1)).toMatchObject({ operator: 'openai', purpose: 'search' });
        // An operator meterwall does not know says its purposes by its own user-agent tokens.
        const demoBot = await s.get(await signedHeaders(s.url, { agent: demo.origin, userAgent: 'Mozilla/5.0 (compatible; DemoBot/2.0)' }));
        expect([demoBot.status, demoBot.reason]).toEqual([403, 'agent-refused']);
      });

      it('every forgery gets exactly what an unverified claimant gets (GPTBot by user agent alone): never the text, never a 402', async () => {
        const claimant = await s.get({ 'user-agent': GPTBOT });
        expect([claimant.status, claimant.body]).toEqual([200, TEASER]);
        const now = Date.now();
        const good = await signedHeaders(s.url, {
          agent: openai.origin,
          userAgent: GPTBOT,
          headers: { 'crawler-exact-price': 'USD 0.02' },
        });
        const forgeries: Array<[string, Record<string, string>]> = [
          ['tampered', { ...good, signature: good['signature']?.replace(/[A-Za-z]/, (c) => (c === 'A' ? 'B' : 'A')) as string }],
          [
            'expired',
            await signedHeaders(s.url, { agent: openai.origin, userAgent: GPTBOT, created: new Date(now - 120_000), validForMs: 60_000 }),
          ],
          ['valid too long', await signedHeaders(s.url, { agent: openai.origin, userAgent: GPTBOT, validForMs: 86_400_000 })],
          ['unknown key', await signedHeaders(s.url, { agent: openai.origin, userAgent: GPTBOT, key: stranger })],
          [
            '@authority not covered',
            await signedHeaders(s.url, { agent: openai.origin, userAgent: GPTBOT, components: ['signature-agent'] }),
          ],
          ['for another site', await signedHeaders('https://other.example/articles/tram', { agent: openai.origin, userAgent: GPTBOT })],
          [
            'spoofed Signature-Agent (a directory the site never named)',
            await signedHeaders(s.url, { agent: attacker.origin, userAgent: GPTBOT, key: stranger }),
          ],
          ['Signature-Agent swapped after signing', { ...good, 'signature-agent': `"${demo.origin}"` }],
        ];
        for (const [what, headers] of forgeries) {
          const served = await s.get({ ...headers, 'crawler-exact-price': 'USD 0.02' });
          expect([served.status, served.body, served.reason], what).toEqual([claimant.status, claimant.body, claimant.reason]);
          expect(served.headers.get('crawler-charged'), what).toBeNull();
        }
        // A replay of a good signed request: the first is paid for, the replay is a claimant.
        expect((await s.get(good)).reason).toBe('agent-paid');
        const replayed = await s.get(good);
        expect([replayed.status, replayed.body, replayed.reason]).toEqual([claimant.status, claimant.body, claimant.reason]);
      });

      it('a key directory that is down or slow verifies nothing', async () => {
        const claimant = await s.get({ 'user-agent': GPTBOT });
        for (const mode of ['down', 'slow'] as const) {
          // A directory not fetched yet: a new site whose cache is empty.
          const fresh = await site(kind, createMemoryStore(), demo, openai, []);
          openai.mode = mode;
          try {
            const started = Date.now();
            const served = await fresh.get(
              await signedHeaders(fresh.url, { agent: openai.origin, userAgent: GPTBOT, headers: { 'crawler-exact-price': 'USD 0.02' } }),
            );
            expect([served.status, served.body, served.reason], mode).toEqual([claimant.status, claimant.body, claimant.reason]);
            expect(Date.now() - started, mode).toBeLessThan(2000);
          } finally {
            openai.mode = 'up';
            await fresh.close();
          }
        }
      });
    });

  it.skipIf(!redisBinary)(
    'a replayed nonce is refused across two servers sharing a real redis-server',
    async () => {
      const client = createClient({ url: (redis as TestRedis).url });
      await client.connect();
      try {
        const [one, two] = await Promise.all([
          site('node', createRedisStore(client), demo, openai, []),
          site('hono', createRedisStore(client), demo, openai, []),
        ]);
        try {
          const headers = await signedHeaders(one.url, { agent: demo.origin });
          // Both servers listen on 127.0.0.1 with their own ports: the signature covers one's authority, so it is sent to one, then replayed to one and, re-signed for two, replayed there.
          expect((await one.get(headers)).reason).toBe('agent-licensed');
          expect((await one.get(headers)).reason).not.toBe('agent-licensed');
          const nonce = generateNonce();
          expect((await two.get(await signedHeaders(two.url, { agent: demo.origin, nonce }))).reason).toBe('agent-licensed');
          expect((await one.get(await signedHeaders(one.url, { agent: demo.origin, nonce }))).reason).not.toBe('agent-licensed');
        } finally {
          await Promise.all([one.close(), two.close()]);
        }
      } finally {
        await client.quit();
      }
    },
    30_000,
  );
});
