/** meterwall in a Fastify app: `npx tsx examples/fastify/app.ts`. */
import Fastify from 'fastify';
import { createPaywall } from 'meterwall';
import { meterwall } from 'meterwall/fastify';
import { STORIES, paywallOptions, renderer, storyPage, type ExampleSecrets } from '../shared/stories.js';

declare module 'fastify' {
  interface FastifyRequest {
    meterwall: import('meterwall').Decision | null;
  }
}

export async function createApp(secrets: ExampleSecrets) {
  const paywall = createPaywall(paywallOptions(secrets));
  const app = Fastify();
  await app.register(meterwall, { paywall });
  // Only this route opts in: every other page is left alone.
  const config = { meterwall: (request: { params?: unknown }) => STORIES[(request.params as { slug: string }).slug] ?? null };
  app.get<{ Params: { slug: string } }>('/articles/:slug', { config }, async (request, reply) => {
    const story = STORIES[request.params.slug];
    if (!story || !request.meterwall) return reply.code(404).send('Not found');
    return reply.type('text/html').send(storyPage(story, renderer.render(request.meterwall, story.html, story)));
  });
  app.get('/', async (_request, reply) => reply.type('text/html').send('<h1>Front page</h1>'));
  app.get('/about', async (_request, reply) => reply.type('text/html').send('<h1>About us</h1>'));
  return app;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const secrets = { meterSecret: process.env['METERWALL_SECRET'] ?? '', sessionSecret: process.env['SESSION_SECRET'] ?? '' };
  const app = await createApp(secrets);
  await app.listen({ port: 3002, host: '127.0.0.1' });
  console.log('http://localhost:3002/articles/harbour-wall');
}
