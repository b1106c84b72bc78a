/**
 * meterwall on Deno's own server with its meter store on Deno KV, so every instance (Deno Deploy's,
 * or several processes on one database file) counts and claims in the same place:
 *
 *   deno run --unstable-kv --allow-net --allow-env --allow-read --allow-write examples/deno-kv/server.ts
 *
 * METERWALL_SECRET and SESSION_SECRET (32+ bytes each); KV_PATH, the database file (Deno's default
 * database when unset, Deno Deploy's own there); PORT (0 for any).
 */
import { applyDecisionHeaders, createPaywall } from 'meterwall';
import { createDenoKvStore, type DenoKvLike } from 'meterwall/deno-kv';
import { paywallOptions, renderer, STORIES, storyPage } from '../shared/stories.js';

declare const Deno: {
  env: { get(name: string): string | undefined };
  openKv(path?: string): Promise<DenoKvLike>;
  serve(
    options: { port: number; hostname: string; onListen(address: { port: number }): void },
    handler: (request: Request, info: { remoteAddr: { hostname: string } }) => Promise<Response>,
  ): unknown;
};

const kv = await Deno.openKv(Deno.env.get('KV_PATH'));
const paywall = createPaywall({
  ...paywallOptions({ meterSecret: Deno.env.get('METERWALL_SECRET') ?? '', sessionSecret: Deno.env.get('SESSION_SECRET') ?? '' }),
  store: createDenoKvStore(kv),
});

Deno.serve(
  {
    port: Number(Deno.env.get('PORT') ?? 3006),
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
