/** meterwall in an Express app: `npx tsx examples/express/app.ts`. */
import express, { type Response } from 'express';
import { createPaywall } from 'meterwall';
import { meterwall, type MeterwallLocals } from 'meterwall/express';
import { STORIES, paywallOptions, renderer, storyPage, type ExampleSecrets } from '../shared/stories.js';

export function createApp(secrets: ExampleSecrets) {
  const paywall = createPaywall(paywallOptions(secrets));
  const app = express();
  app.use('/articles/:slug', meterwall(paywall, { article: (req) => STORIES[req.params['slug'] as string] }));
  app.get('/articles/:slug', (req, res: Response<string, MeterwallLocals>) => {
    const story = STORIES[req.params.slug];
    const decision = res.locals.meterwall;
    if (!story || !decision) return void res.status(404).send('Not found');
    res.type('html').send(storyPage(story, renderer.render(decision, story.html, story)));
  });
  return app;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const secrets = { meterSecret: process.env['METERWALL_SECRET'] ?? '', sessionSecret: process.env['SESSION_SECRET'] ?? '' };
  createApp(secrets).listen(3001, '127.0.0.1', () => console.log('http://localhost:3001/articles/harbour-wall'));
}
