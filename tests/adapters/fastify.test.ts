/**
 * The Fastify plugin in a real Fastify app on 127.0.0.1: routes that opt in are decided, every
 * other page (the front page, /about, /favicon.ico, a 404) is left alone, and the option is checked.
 */
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPaywall } from '../../src/index.js';
import { meterwall, meterwallPlugin } from '../../src/adapters/fastify.js';
import { BROWSER_UA, browserFetch, SECRET } from '../helpers.js';

const STORIES: Record<string, { id: string }> = { tram: { id: 'tram' }, budget: { id: 'budget' } };
let app: FastifyInstance;
let base = '';

beforeAll(async () => {
  app = Fastify();
  await app.register(meterwall, { paywall: createPaywall({ secret: SECRET }) });
  const config = { meterwall: (request: { params?: unknown }) => STORIES[(request.params as { slug: string }).slug] ?? null };
  app.get<{ Params: { slug: string } }>('/articles/:slug', { config }, async (request) => ({
    access: request.meterwall?.access ?? null,
  }));
  for (const path of ['/', '/about', '/favicon.ico']) {
    app.get(path, async (request) => ({ page: path, decided: request.meterwall !== null }));
  }
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await app.close();
});

describe('meterwall/fastify in a real Fastify app', () => {
  it.each(['/', '/about', '/favicon.ico'])('%s is left alone: no decision, no cookie, no Vary, status 200', async (path) => {
    const response = await browserFetch(`${base}${path}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ page: path, decided: false });
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(response.headers.get('vary')).toBeNull();
  });

  it('a route that opts in is decided: the decision, the meter cookie, Vary: Cookie', async () => {
    const response = await browserFetch(`${base}/articles/tram`);
    expect(await response.json()).toEqual({ access: 'full' });
    expect(response.headers.get('set-cookie')).toMatch(/^__Host-meterwall=/);
    expect(response.headers.get('vary')).toMatch(/Cookie/);
    expect(response.headers.get('cache-control')).toContain('private');
  });

  it('an unknown article on an opted-in route is not decided (the handler answers)', async () => {
    const response = await browserFetch(`${base}/articles/nope`);
    expect(await response.json()).toEqual({ access: null });
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('a 404 is left alone', async () => {
    const response = await fetch(`${base}/no/such/page`, { headers: { 'user-agent': BROWSER_UA } });
    expect(response.status).toBe(404);
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('refuses an article option that is not a function, naming it', async () => {
    const other = Fastify();
    await expect(
      other.register(meterwall, { paywall: createPaywall({ secret: SECRET }), article: 'x' as never }).ready(),
    ).rejects.toMatchObject({
      code: 'ERR_INVALID_OPTION',
      option: 'article',
    });
  });
});

describe('names', () => {
  it('the plugin is `meterwall`, as every framework integration is; `meterwallPlugin` stays one release as a deprecated alias', () => {
    expect(meterwallPlugin).toBe(meterwall);
  });
});
