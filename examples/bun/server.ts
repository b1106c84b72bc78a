/** meterwall on Bun's own server: `bun run examples/bun/server.ts` (METERWALL_SECRET, SESSION_SECRET; PORT, 0 for any). */
import { applyDecisionHeaders, createPaywall } from 'meterwall';
import { STORIES, paywallOptions, renderer, storyPage } from '../shared/stories.js';

declare const Bun: {
  env: Record<string, string | undefined>;
  serve(options: {
    port: number;
    hostname: string;
    fetch(request: Request, server: { requestIP(r: Request): { address: string } | null }): Promise<Response>;
  }): { port: number };
};

const paywall = createPaywall(
  paywallOptions({ meterSecret: Bun.env['METERWALL_SECRET'] ?? '', sessionSecret: Bun.env['SESSION_SECRET'] ?? '' }),
);

const server = Bun.serve({
  port: Number(Bun.env['PORT'] ?? 3004),
  hostname: '127.0.0.1',
  async fetch(request, server) {
    const slug = /^\/articles\/([a-z0-9-]+)$/.exec(new URL(request.url).pathname)?.[1];
    const story = slug === undefined ? undefined : STORIES[slug];
    if (!story) return new Response('Not found', { status: 404 });
    const decision = await paywall.decide(request, story, { ip: server.requestIP(request)?.address });
    const page = storyPage(story, renderer.render(decision, story.html, story));
    return applyDecisionHeaders(new Response(page, { headers: { 'content-type': 'text/html; charset=utf-8' } }), decision);
  },
});
console.log(`listening on http://127.0.0.1:${server.port}/articles/harbour-wall`);
