/** meterwall in a Hono app (Node, Workers, Deno, Bun): `npx tsx examples/hono/app.ts`. */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createPaywall } from 'meterwall';
import { meterwall, type MeterwallVariables } from 'meterwall/hono';
import { STORIES, paywallOptions, renderer, storyPage, type ExampleSecrets } from '../shared/stories.js';

export function createApp(secrets: ExampleSecrets) {
  const paywall = createPaywall(paywallOptions(secrets));
  const app = new Hono<{ Variables: MeterwallVariables }>();
  app.use('/articles/:slug', meterwall(paywall, { article: (c) => STORIES[c.req.param('slug') ?? ''] }));
  app.get('/articles/:slug', (c) => {
    const story = STORIES[c.req.param('slug')];
    const decision = c.get('meterwall');
    if (!story || !decision) return c.text('Not found', 404);
    return c.html(storyPage(story, renderer.render(decision, story.html, story)));
  });
  return app;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const secrets = { meterSecret: process.env['METERWALL_SECRET'] ?? '', sessionSecret: process.env['SESSION_SECRET'] ?? '' };
  serve({ fetch: createApp(secrets).fetch, port: 3003, hostname: '127.0.0.1' });
  console.log('http://localhost:3003/articles/harbour-wall');
}
