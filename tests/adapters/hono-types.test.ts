/**
 * The README's Hono snippet, as written, compiles under the project's strict settings (this file
 * is type-checked with the rest of the suite) and decides in a real Hono app.
 */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { type Article, createPaywall, type Decision } from '../../src/index.js';
import { type MeterwallVariables, meterwall } from '../../src/adapters/hono.js';
import { BROWSER_UA, SECRET } from '../helpers.js';

const paywall = createPaywall({ secret: SECRET });
const cms = { article: (slug: string): Article | null => (slug === 'tram' ? { id: 'tram' } : null) };
const page = (decision: Decision): string => `<p>${decision.access}</p>`;

describe('meterwall/hono typing', () => {
  it('c.get("meterwall") is a Decision or undefined with MeterwallVariables, and the docs snippet runs: a 404 for no article', async () => {
    // The docs' snippet, unchanged:
    const app = new Hono<{ Variables: MeterwallVariables }>();
    app.use('/articles/:slug', meterwall(paywall, { article: (c) => cms.article(c.req.param('slug') ?? '') }));
    app.get('/articles/:slug', (c) => {
      const decision = c.get('meterwall');
      return decision ? c.html(page(decision)) : c.notFound();
    });

    const response = await app.request('/articles/tram', { headers: { 'user-agent': BROWSER_UA } });
    expect(await response.text()).toBe('<p>full</p>');
    expect(response.headers.get('set-cookie')).toMatch(/^__Host-meterwall=/);
    const missing = await app.request('/articles/no-such-article', { headers: { 'user-agent': BROWSER_UA } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('set-cookie')).toBeNull();
  });

  it('the types refuse a handler that forgets the missing decision (it answered a 500 before)', () => {
    const app = new Hono<{ Variables: MeterwallVariables }>();
    // @ts-expect-error c.get('meterwall') may be undefined: a page that is not an article
    app.get('/articles/:slug', (c) => c.html(page(c.get('meterwall'))));
    expect(app).toBeDefined();
  });
});
