/**
 * Faults during a run: Redis stopped, slowed and restarted under the example site; a JWKS
 * endpoint down and slow. The failure policy holds, no request fails, and after recovery no
 * counted view is lost.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE, SESSION_ISSUER } from '../../examples/news-site/accounts.js';
import { createNewsSite, ruleNote } from '../../examples/news-site/app.js';
import { ARTICLES } from '../../examples/news-site/articles.js';
import { createPaywall, defineSession, type PaywallEvent } from '../../src/index.js';
import { createRedisStore } from '../../src/stores/redis.js';
import { redisServerPath, startRedis, type TestRedis } from '../helpers-redis.js';
import { browserFetch } from '../helpers.js';

const binary = redisServerPath();
const SESSION_SECRET = new TextEncoder().encode('faults-suite-session-secret-0123456789');
const metered = ARTICLES.filter((a) => a.access === 'metered' && ruleNote(a, Date.now()) === null).map((a) => a.slug);

describe.skipIf(!binary)(
  binary
    ? 'Redis stopped, slowed and restarted under the example site'
    : 'Redis faults — SKIPPED: no redis-server on PATH (apt-get install redis-server)',
  () => {
    let redis: TestRedis;
    const cleanup: Array<() => Promise<unknown>> = [];

    beforeAll(async () => {
      redis = await startRedis(binary as string);
    });
    afterAll(async () => {
      for (const c of cleanup) await c().catch(() => {});
      await redis?.stop();
    });

    async function client() {
      const c = createClient({ url: redis.url, disableOfflineQueue: true, socket: { reconnectStrategy: () => 50, connectTimeout: 500 } });
      c.on('error', () => {});
      await c.connect();
      cleanup.push(async () => c.destroy());
      return c;
    }

    async function site(mode: 'open' | 'closed') {
      const events: PaywallEvent[] = [];
      const news = createNewsSite({
        meterSecret: 'faults-suite-meter-secret-0123456789-ab',
        sessionSecret: SESSION_SECRET,
        store: createRedisStore(await client(), { prefix: `faults-${mode}-${Date.now()}:` }),
        onEvent: (e) => events.push(e),
      });
      // The example reads failure.mode from its defaults (open); closed is tried on a paywall of the same shape.
      const server = createServer((req, res) => void news.handle(req, res));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      cleanup.push(() => new Promise((resolve) => server.close(resolve)));
      const account = news.accounts.create('Faulty Reader', `faulty-${mode}@example.com`);
      const session = await new SignJWT({ name: account.name })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(account.id)
        .setIssuer(SESSION_ISSUER)
        .setAudience(SESSION_ISSUER)
        .setExpirationTime('1h')
        .sign(SESSION_SECRET);
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      let meter = '';
      const read = async (slug: string) => {
        const cookie = `${SESSION_COOKIE}=${session}${meter ? `; __Host-meterwall=${meter}` : ''}`;
        const response = await browserFetch(`${base}/articles/${slug}?debug=1`, { headers: { cookie } });
        const set = response.headers.getSetCookie().find((c) => c.startsWith('__Host-meterwall='));
        if (set) meter = set.split(';')[0]?.split('=')[1] ?? meter;
        const body = await response.text();
        return {
          status: response.status,
          reason: /data-debug="reason">([^<]+)</.exec(body)?.[1],
          meter: /data-debug="meter">([^<]+)</.exec(body)?.[1] ?? '',
        };
      };
      return { read, events };
    }

    it('fails open while Redis is down or paused, and merges the views counted meanwhile back into the account', async () => {
      const { read, events } = await site('open');
      const [a, b, c, d, e] = metered as [string, string, string, string, string];
      expect((await read(a)).meter).toContain('1 of 5 used');
      expect((await read(b)).meter).toContain('2 of 5 used');

      await redis.kill();
      const down = await read(c);
      expect(down).toMatchObject({ status: 200, reason: 'metered' });
      expect(down.meter).toContain('(cookie)');
      expect(events.some((ev) => ev.type === 'store-error' && ev.policy === 'open')).toBe(true);

      await redis.start();
      // Wait for the site's client to reconnect (re-reading an article counts nothing).
      for (let i = 0; i < 50 && !(await read(a)).meter.includes('(store)'); i++) await new Promise((r) => setTimeout(r, 100));
      // Slowed: every client is paused for a second; the store timeout (250 ms) answers first.
      const admin = await client();
      await admin.sendCommand(['CLIENT', 'PAUSE', '1000', 'ALL']);
      const started = Date.now();
      const slow = await read(d);
      expect(Date.now() - started).toBeLessThan(900);
      expect(slow).toMatchObject({ status: 200, reason: 'metered' });
      expect(events.some((ev) => ev.type === 'store-error' && 'error' in ev && ev.error.code === 'ERR_STORE_TIMEOUT')).toBe(true);
      await new Promise((r) => setTimeout(r, 1100));

      // Recovered: the two views counted in the cookie are merged into the account, none lost.
      let after = await read(e);
      for (let i = 0; i < 20 && !after.meter.includes('(store)'); i++) {
        await new Promise((r) => setTimeout(r, 100));
        after = await read(e);
      }
      expect(after.meter).toMatch(/5 of 5 used.*\(store\)/);
      expect(events.some((ev) => ev.type === 'meter-merged')).toBe(true);
      // And the articles read during the outage are read on the account.
      expect((await read(c)).reason).toBe('already-read');
      expect((await read(d)).reason).toBe('already-read');
    }, 60_000);
  },
);

describe('fails closed with Redis down: the prompt, nothing counted, the meter resumes', () => {
  it.skipIf(!binary)(
    binary
      ? 'counts nothing while down and resumes from the store'
      : 'counts nothing while down — SKIPPED: no redis-server on PATH (apt-get install redis-server)',
    async () => {
      const redis = await startRedis(binary as string);
      const c = createClient({ url: redis.url, disableOfflineQueue: true, socket: { reconnectStrategy: () => 50 } });
      c.on('error', () => {});
      await c.connect();
      try {
        const paywall = createPaywall({
          secret: 'faults-suite-meter-secret-0123456789-ab',
          store: createRedisStore(c),
          failure: { mode: 'closed', timeoutMs: 200 },
          resolveReader: () => ({ status: 'registered', id: 'closed-reader' }),
        });
        const read = (id: string) => paywall.decide(new Request('https://news.example/'), { id });
        expect((await read('a')).meter?.used).toBe(1);
        await redis.kill();
        const down = await Promise.all([read('b'), read('c'), read('d')]);
        for (const d of down) expect(d).toMatchObject({ access: 'prompt', reason: 'store-unavailable', counted: false });
        await redis.start();
        let after = await read('e');
        for (let i = 0; i < 30 && after.reason === 'store-unavailable'; i++) {
          await new Promise((r) => setTimeout(r, 100));
          after = await read('e');
        }
        expect(after).toMatchObject({ access: 'full', reason: 'metered', meter: { used: 2, source: 'store' } });
      } finally {
        c.destroy();
        await redis.stop();
      }
    },
    60_000,
  );
});

describe('a JWKS endpoint down and slow', () => {
  let server: Server;
  let url: string;
  let jwk: JWK;
  let privateKey: CryptoKey;
  let mode: 'up' | 'down' | 'slow' = 'up';

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    privateKey = pair.privateKey;
    jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' };
    server = createServer((_req, res) => {
      if (mode === 'down') {
        res.statusCode = 503;
        return res.end();
      }
      setTimeout(() => res.end(JSON.stringify({ keys: [jwk] })), mode === 'slow' ? 2_000 : 0);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const token = (jti: string) =>
    new SignJWT({ plan: 'digital', jti })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setSubject('acct-9')
      .setExpirationTime('1h')
      .sign(privateKey);

  function paywallFor(failure: 'open' | 'closed') {
    const events: PaywallEvent[] = [];
    const paywall = createPaywall({
      secret: 'faults-jwks-meter-secret-0123456789-abcd',
      failure: { mode: failure },
      onEvent: (e) => events.push(e),
      session: defineSession({
        cookie: 'sid',
        key: { jwksUrl: url, timeoutMs: 300, cooldownMs: 0, cacheMaxAgeMs: 1_000, failureBackoffMs: 300 },
        algorithms: ['ES256'],
        claims: (p) => (p['plan'] ? { status: 'subscriber', id: String(p['sub']) } : { status: 'registered', id: String(p['sub']) }),
      }),
    });
    let meter = '';
    const read = async (sid: string, id: string) => {
      const d = await paywall.decide(
        new Request('https://news.example/', { headers: { cookie: `sid=${sid}${meter ? `; __Host-meterwall=${meter}` : ''}` } }),
        { id },
      );
      const set = d.headers.get('set-cookie');
      if (set) meter = set.split(';')[0]?.split('=')[1] ?? meter;
      return d;
    };
    return { read, events };
  }

  it.each(['down', 'slow'] as const)(
    'JWKS %s: open gives an anonymous reader, closed gives the prompt; neither grants a subscription',
    async (fault) => {
      mode = fault;
      try {
        const open = paywallFor('open');
        const started = Date.now();
        const anonymous = await open.read(await token(`${fault}-1`), 'a');
        expect(Date.now() - started).toBeLessThan(1_500);
        expect(anonymous).toMatchObject({ access: 'full', reason: 'metered', reader: { status: 'anonymous' } });
        expect(open.events.some((e) => e.type === 'session-error' && e.policy === 'open')).toBe(true);
        const closed = paywallFor('closed');
        expect(await closed.read(await token(`${fault}-2`), 'a')).toMatchObject({
          access: 'prompt',
          reason: 'session-unavailable',
          counted: false,
        });
      } finally {
        mode = 'up';
      }
    },
    20_000,
  );

  it('after recovery the reader is a subscriber again', async () => {
    const { read } = paywallFor('open');
    mode = 'down';
    expect((await read(await token('r1'), 'a')).reader.status).toBe('anonymous');
    mode = 'up';
    await new Promise((r) => setTimeout(r, 350)); // the back-off after the failure
    expect(await read(await token('r2'), 'b')).toMatchObject({ access: 'full', reason: 'subscriber' });
  }, 20_000);
});
