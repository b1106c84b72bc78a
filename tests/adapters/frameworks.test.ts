import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { build } from 'esbuild';
import { SignJWT } from 'jose';
import { Miniflare } from 'miniflare';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SECRETS = { meterSecret: 'framework-meter-secret-0123456789-abc', sessionSecret: 'framework-session-secret-0123456789-a' };
process.env['METERWALL_SECRET'] = SECRETS.meterSecret;
process.env['SESSION_SECRET'] = SECRETS.sessionSecret;

const { createApp: createExpressApp } = await import('../../examples/express/app.js');
const { createApp: createFastifyApp } = await import('../../examples/fastify/app.js');
const { createApp: createHonoApp } = await import('../../examples/hono/app.js');
const { middleware } = await import('../../examples/next-middleware/middleware.js');
const { GET: nextRoute } = await import('../../examples/next-middleware/app/articles/[slug]/route.js');

/** What a test reads from one response. */
interface Seen {
  readonly status: number;
  readonly body: string;
  readonly meterCookie: string | undefined;
  readonly cacheControl: string | null;
  readonly vary: string | null;
}

type Get = (path: string, cookie?: string) => Promise<Seen>;

async function seen(response: Response): Promise<Seen> {
  return {
    status: response.status,
    body: await response.text(),
    meterCookie: response.headers.getSetCookie().find((c) => c.startsWith('__Host-meterwall=')),
    cacheControl: response.headers.get('cache-control'),
    vary: response.headers.get('vary'),
  };
}

const session = (plan?: string) =>
  new SignJWT(plan ? { plan } : {})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('reader-7')
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(SECRETS.sessionSecret));

/** The same journey for every framework: a first view, an exhausted meter, a subscriber. */
function journey(name: string, get: () => Get, options: { banner: boolean } = { banner: true }): void {
  describe(name, () => {
    it('an anonymous reader’s first view: the full text, the meter cookie, private caching', async () => {
      const first = await get()('/articles/harbour-wall');
      expect(first.status).toBe(200);
      expect(first.body).toContain('HELD-BACK: the final cost came in under budget.');
      if (options.banner) expect(first.body).toContain('2 of 3 free articles left this month');
      expect(first.meterCookie).toMatch(/^__Host-meterwall=[\w-]+\.[\w-]+\.[\w-]+; Max-Age=\d+; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
      expect(first.cacheControl).toBe('private, no-store');
      expect(first.vary?.toLowerCase()).toContain('cookie');
    });

    it('an exhausted meter: the cut text and the prompt, nothing held back, no new cookie', async () => {
      let cookie: string | undefined;
      for (const slug of ['harbour-wall', 'night-buses', 'market-hall']) {
        const page = await get()(`/articles/${slug}`, cookie);
        expect(page.body).toContain('HELD-BACK');
        cookie = page.meterCookie?.split(';')[0] ?? cookie;
      }
      const wall = await get()('/articles/river-festival', cookie);
      expect(wall.status).toBe(200);
      expect(wall.body).toContain('The river festival will move to September next year.');
      expect(wall.body).not.toContain('HELD-BACK');
      expect(wall.body).toContain('Register for free to continue reading');
      expect(wall.meterCookie).toBeUndefined();
      expect(wall.cacheControl).toBe('private, no-store');
      // Re-opening a story already read stays free.
      expect((await get()('/articles/night-buses', cookie)).body).toContain('HELD-BACK');
    });

    it('a subscriber reads in full, with no meter cookie', async () => {
      const cookie = `session=${await session('digital')}`;
      for (const slug of ['harbour-wall', 'night-buses', 'market-hall', 'river-festival', 'harbour-wall']) {
        const page = await get()(`/articles/${slug}`, cookie);
        expect(page.status).toBe(200);
        expect(page.body).toContain('HELD-BACK');
        expect(page.meterCookie).toBeUndefined();
        expect(page.cacheControl).toBe('private, no-store');
      }
    });
  });
}

let servers: Server[] = [];
const urls: Record<string, string> = {};
let mf: Miniflare | undefined;

beforeAll(async () => {
  const listen = async (server: Server) => {
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  urls['express'] = await listen(createExpressApp(SECRETS).listen(0, '127.0.0.1'));
  const fastify = await createFastifyApp(SECRETS);
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  servers.push(fastify.server);
  urls['fastify'] = `http://127.0.0.1:${(fastify.server.address() as AddressInfo).port}`;
  const hono = serve({ fetch: createHonoApp(SECRETS).fetch, port: 0, hostname: '127.0.0.1' }) as unknown as Server;
  await new Promise<void>((resolve) => (hono.listening ? resolve() : hono.once('listening', () => resolve())));
  urls['hono'] = await listen(hono);

  // The Worker, bundled as Wrangler would, running in workerd through Miniflare.
  const bundle = await build({
    entryPoints: ['examples/cloudflare-worker/worker.ts'],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    target: 'es2022',
    alias: { meterwall: './src/index.ts' },
    logLevel: 'silent',
  });
  mf = new Miniflare({
    modules: true,
    script: bundle.outputFiles[0]?.text ?? '',
    compatibilityDate: '2025-09-01',
    bindings: { METERWALL_SECRET: SECRETS.meterSecret, SESSION_SECRET: SECRETS.sessionSecret },
  });
}, 60_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  servers = [];
  await mf?.dispose();
});

const httpGet = (base: () => string): Get => async (path, cookie) => seen(await fetch(base() + path, { headers: cookie ? { cookie } : {} }));

journey('Express (meterwall/express)', () => httpGet(() => urls['express'] as string));
journey('Fastify (meterwall/fastify)', () => httpGet(() => urls['fastify'] as string));
journey('Hono on Node (meterwall/hono)', () => httpGet(() => urls['hono'] as string));
journey('a Cloudflare Worker in workerd (the Fetch core)', () => async (path, cookie) =>
  seen((await (mf as Miniflare).dispatchFetch(`https://news.example${path}`, { headers: cookie ? { cookie } : {} })) as unknown as Response),
);

/** Next: the middleware runs first, then the route receives the request headers it forwarded. */
const nextGet: Get = async (path, cookie) => {
  const url = `https://news.example${path}`;
  const request = new NextRequest(url, { headers: cookie ? { cookie } : {} });
  const decided = await middleware(request);
  const forwarded = new Headers(request.headers);
  for (const name of (decided.headers.get('x-middleware-override-headers') ?? '').split(',').filter(Boolean)) {
    const value = decided.headers.get(`x-middleware-request-${name}`);
    if (value !== null) forwarded.set(name, value);
  }
  const page = await nextRoute(new Request(url, { headers: forwarded }), { params: Promise.resolve({ slug: path.split('/').pop() ?? '' }) });
  const body = await page.text();
  // Next sends the middleware's headers (the meter cookie) with the route's response.
  const merged = new Headers(page.headers);
  for (const c of decided.headers.getSetCookie()) merged.append('set-cookie', c);
  if (!merged.has('vary') && decided.headers.get('vary')) merged.set('vary', decided.headers.get('vary') as string);
  return seen(new Response(body, { status: page.status, headers: merged }));
};
// The Next page renders by the signed variant alone (no per-reader banner), as a cacheable page would.
journey('Next.js middleware and route (meterwall/next)', () => nextGet, { banner: false });

describe('signed variants between the Next middleware and the page', () => {
  it('a forged variant header sent by a client is not trusted: the page falls back to the teaser', async () => {
    const request = new Request('https://news.example/articles/harbour-wall', { headers: { 'x-meterwall-variant': 'full' } });
    const page = await nextRoute(request, { params: Promise.resolve({ slug: 'harbour-wall' }) });
    const body = await page.text();
    expect(body).not.toContain('HELD-BACK');
    expect(body).toContain('meterwall-prompt');
  });
});

