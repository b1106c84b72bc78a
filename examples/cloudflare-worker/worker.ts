/** meterwall in a Cloudflare Worker (module syntax); bindings METERWALL_SECRET and SESSION_SECRET. */
import { applyDecisionHeaders, createPaywall, type Paywall } from 'meterwall';
import { STORIES, paywallOptions, renderer, storyPage } from '../shared/stories.js';

interface Env {
  readonly METERWALL_SECRET: string;
  readonly SESSION_SECRET: string;
}

let paywall: Paywall | undefined; // created once per isolate, on the first request

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    paywall ??= createPaywall(paywallOptions({ meterSecret: env.METERWALL_SECRET, sessionSecret: env.SESSION_SECRET }));
    const slug = /^\/articles\/([a-z0-9-]+)$/.exec(new URL(request.url).pathname)?.[1];
    const story = slug === undefined ? undefined : STORIES[slug];
    if (!story) return new Response('Not found', { status: 404 });
    const decision = await paywall.decide(request, story, { ip: request.headers.get('cf-connecting-ip') });
    const page = storyPage(story, renderer.render(decision, story.html, story));
    return applyDecisionHeaders(new Response(page, { headers: { 'content-type': 'text/html; charset=utf-8' } }), decision);
  },
};
