/** meterwall on Deno's own server: `deno run --allow-net --allow-env --allow-read examples/deno/server.ts` (METERWALL_SECRET, SESSION_SECRET; PORT, 0 for any). */
import { applyDecisionHeaders, createPaywall } from 'meterwall';
import { STORIES, paywallOptions, renderer, storyPage } from '../shared/stories.js';

declare const Deno: {
  env: { get(name: string): string | undefined };
  serve(
    options: { port: number; hostname: string; onListen(address: { port: number }): void },
    handler: (request: Request, info: { remoteAddr: { hostname: string } }) => Promise<Response>,
  ): unknown;
};

const paywall = createPaywall(
  paywallOptions({ meterSecret: Deno.env.get('METERWALL_SECRET') ?? '', sessionSecret: Deno.env.get('SESSION_SECRET') ?? '' }),
);

Deno.serve(
  {
    port: Number(Deno.env.get('PORT') ?? 3005),
    hostname: '127.0.0.1',
    onListen: ({ port }) => console.log(`listening on http://127.0.0.1:${port}/articles/harbour-wall`),
  },
  async (request, info) => {
    const slug = /^\/articles\/([a-z0-9-]+)$/.exec(new URL(request.url).pathname)?.[1];
    const story = slug === undefined ? undefined : STORIES[slug];
    if (!story) return new Response('Not found', { status: 404 });
    const decision = await paywall.decide(request, story, { ip: info.remoteAddr.hostname });
    const page = storyPage(story, renderer.render(decision, story.html, story));
    return applyDecisionHeaders(new Response(page, { headers: { 'content-type': 'text/html; charset=utf-8' } }), decision);
  },
);
