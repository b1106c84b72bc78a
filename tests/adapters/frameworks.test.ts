import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { build } from 'esbuild';
import { runtimeImports } from '../helpers-bundle.js';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll } from 'vitest';
import { BROWSER_UA } from '../helpers.js';
import { SECRETS, httpGet, journey, seen } from './journey.js';

process.env['METERWALL_SECRET'] = SECRETS.meterSecret;
process.env['SESSION_SECRET'] = SECRETS.sessionSecret;

const { createApp: createExpressApp } = await import('../../examples/express/app.js');
const { createApp: createFastifyApp } = await import('../../examples/fastify/app.js');
const { createApp: createHonoApp } = await import('../../examples/hono/app.js');

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
    plugins: [runtimeImports(['workerd', 'worker', 'browser'])],
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

journey('Express (meterwall/express)', () => httpGet(() => urls['express'] as string));
journey('Fastify (meterwall/fastify)', () => httpGet(() => urls['fastify'] as string));
journey('Hono on Node (meterwall/hono)', () => httpGet(() => urls['hono'] as string));
journey(
  'a Cloudflare Worker in workerd (the Fetch core)',
  () => async (path, cookie) =>
    seen(
      (await (mf as Miniflare).dispatchFetch(`https://news.example${path}`, {
        headers: cookie ? { cookie, 'user-agent': BROWSER_UA } : { 'user-agent': BROWSER_UA },
      })) as unknown as Response,
    ),
);

// Next.js runs as a real app (next build + next start): tests/e2e/next.test.ts drives the same journey.
