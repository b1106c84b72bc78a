/**
 * The docs' Fastify snippet, as written (it is compiled with the suite, so its typing is
 * checked: the request decoration by `declare module 'fastify'`, the route's `Params`), in a
 * real Fastify app: the article is served as text/html with the decision's headers, a missing
 * article is a 404, and a route without the opt-in is left alone.
 */
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { type Article, createPaywall, type Decision } from '../../src/index.js';
import { type FastifyRequestLike, meterwall } from '../../src/adapters/fastify.js';
import { BROWSER_UA, SECRET } from '../helpers.js';

declare module 'fastify' {
  interface FastifyRequest {
    meterwall: Decision | null; // set by the plugin: null on routes that did not opt in
  }
}

const paywall = createPaywall({ secret: SECRET });
const cms = { article: async (slug: string): Promise<Article | null> => (slug === 'tram' ? { id: 'tram' } : null) };
const page = (decision: Decision): string => `<p>${decision.access}</p>`;

describe('meterwall/fastify: the docs snippet', () => {
  it('serves the article as text/html with the decision; a missing article is a 404; other routes are left alone', async () => {
    const app = Fastify();
    // The snippet, unchanged:
    await app.register(meterwall, { paywall });
    const config = { meterwall: (request: FastifyRequestLike) => cms.article((request.params as { slug: string }).slug) };
    app.get<{ Params: { slug: string } }>('/articles/:slug', { config }, async (request, reply) => {
      if (!request.meterwall) return reply.code(404).send('Not found');
      return reply.type('text/html').send(page(request.meterwall));
    });
    app.get('/about', async (request) => ({ decided: request.meterwall !== null }));
    // @ts-expect-error -- the decision may be missing (a route that did not opt in, no article): the types say so
    app.get('/unchecked', async (request) => page(request.meterwall));

    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    try {
      const found = await fetch(`${base}/articles/tram`, { headers: { 'user-agent': BROWSER_UA } });
      expect(found.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await found.text()).toBe('<p>full</p>');
      expect(found.headers.get('set-cookie')).toMatch(/^__Host-meterwall=/);
      expect((await fetch(`${base}/articles/nothing`, { headers: { 'user-agent': BROWSER_UA } })).status).toBe(404);
      const about = await fetch(`${base}/about`, { headers: { 'user-agent': BROWSER_UA } });
      expect(await about.json()).toEqual({ decided: false });
      expect(about.headers.get('set-cookie')).toBeNull();
    } finally {
      await app.close();
    }
  });
});
