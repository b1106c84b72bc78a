/**
 * A Cloudflare Worker that meters articles with meterwall, its store on Durable Objects: every
 * instance of the Worker, wherever it runs, claims and counts in the same objects, so a meter
 * cookie replayed on many instances at once still opens no more than its limit.
 *
 *   npx wrangler secret put METERWALL_SECRET   # 32+ random bytes: openssl rand -base64 32
 *   npx wrangler deploy                        # wrangler.jsonc binds the namespace
 *
 * Articles are /articles/<slug>; anything else is not found.
 */
import { applyDecisionHeaders, createPaywall, type Paywall } from 'meterwall';
import { createDurableObjectStore, type DurableObjectNamespaceLike } from 'meterwall/durable-objects';

// The class behind the store: wrangler binds it by this name (wrangler.jsonc).
export { MeterwallStoreObject } from 'meterwall/durable-objects';

export interface Env {
  readonly METERWALL: DurableObjectNamespaceLike;
  readonly METERWALL_SECRET: string;
}

/** One paywall per isolate (its keys are imported once), made on the first request. */
let paywall: Paywall | null = null;

function paywallFor(env: Env): Paywall {
  paywall ??= createPaywall({
    secret: env.METERWALL_SECRET,
    store: createDurableObjectStore(env.METERWALL),
    meters: { anonymous: { limit: 3 } },
  });
  return paywall;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const slug = /^\/articles\/([a-z0-9-]+)$/.exec(new URL(request.url).pathname)?.[1];
    if (slug === undefined) return new Response('Not found', { status: 404 });
    const decision = await paywallFor(env).decide(request, { id: slug });
    const body =
      decision.access === 'full'
        ? `<h1>${slug}</h1><p>The whole article.</p>`
        : `<h1>${slug}</h1><p>The first paragraph.</p><p>You have read your free articles this month.</p>`;
    return applyDecisionHeaders(new Response(body, { headers: { 'content-type': 'text/html; charset=utf-8' } }), decision);
  },
};
