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
  it('c.get("meterwall") is a Decision with MeterwallVariables, and the README snippet runs', async () => {
    // The README's snippet, unchanged:
    const app = new Hono<{ Variables: MeterwallVariables }>();
    app.use('/articles/:slug', meterwall(paywall, { article: (c) => cms.article(c.req.param('slug') ?? '') }));
    app.get('/articles/:slug', (c) => c.html(page(c.get('meterwall'))));

    const response = await app.request('/articles/tram', { headers: { 'user-agent': BROWSER_UA } });
    expect(await response.text()).toBe('<p>full</p>');
    expect(response.headers.get('set-cookie')).toMatch(/^__Host-meterwall=/);
  });
});
