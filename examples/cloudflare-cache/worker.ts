/**
 * The example news site behind a Cloudflare Worker that decides at the edge and keeps article
 * pages in the Cache API, one copy per article and variant (full, teaser, prompt). The origin is
 * the example site in CDN mode (`createNewsSite({ cdn: true })`, examples/news-site/cdn.ts): it
 * renders the variant the Worker signed, with nothing per reader on the page, and allows a shared
 * cache to keep it. The Worker decides by the site's own policy (examples/news-site/policy.ts)
 * with its meters on Durable Objects (every instance counts in the same objects).
 *
 *   npx wrangler secret put METERWALL_SECRET   # the origin's METERWALL_SECRET
 *   npx wrangler secret put SESSION_SECRET     # the origin's SESSION_SECRET (sessions are verified here)
 *   npx wrangler deploy                        # wrangler.jsonc: ORIGIN, the Durable Object binding
 *
 * Every article response says `X-Cache: HIT` or `MISS`. Anything else goes to the origin as is.
 */
import { type Article, applyDecisionHeaders, createPaywall, createRangeVerifier, type Paywall } from 'meterwall';
import { createDurableObjectStore, type DurableObjectNamespaceLike } from 'meterwall/durable-objects';
import { CDN_TTL, sharedOptions } from '../news-site/policy.js';

// The class behind the meter store: wrangler binds it by this name (wrangler.jsonc).
export { MeterwallStoreObject } from 'meterwall/durable-objects';

export interface Env {
  /** The origin's URL, e.g. https://origin.example.com (reachable only from this Worker). */
  readonly ORIGIN: string;
  readonly METERWALL_SECRET: string;
  readonly SESSION_SECRET: string;
  readonly METERWALL: DurableObjectNamespaceLike;
  /** Crawlers' published ranges as JSON (`{"googlebot":["66.249.64.0/27", …]}`); none by default. */
  readonly CRAWLER_RANGES?: string;
}

interface Context {
  waitUntil(promise: Promise<unknown>): void;
}

const ARTICLE = /^\/articles\/([a-z0-9-]+)$/;
/** The request header the origin reads a signed variant from (the paywall's `cdn.header`). */
const VARIANT_HEADER = 'x-meterwall-variant';

/** One paywall per isolate (its keys are imported once), made on the first request. */
let paywall: Paywall | null = null;
/** Origin fetches under way, by cache key: concurrent misses of one page make one origin request. */
const inFlight = new Map<string, Promise<Response>>();

function paywallFor(env: Env): Paywall {
  paywall ??= createPaywall({
    secret: env.METERWALL_SECRET,
    ...sharedOptions({ sessionSecret: new TextEncoder().encode(env.SESSION_SECRET) }),
    store: createDurableObjectStore(env.METERWALL),
    cdn: { sharedMaxAge: CDN_TTL },
    ...(env.CRAWLER_RANGES ? { crawlers: { verifiers: [createRangeVerifier(JSON.parse(env.CRAWLER_RANGES))] } } : {}),
  });
  return paywall;
}

/** A response from the cache, or from the origin (kept when it may be: a public 200 without `Set-Cookie`). */
async function cached(key: string, fromOrigin: () => Promise<Response>, ctx: Context): Promise<{ response: Response; hit: boolean }> {
  const cache = (caches as unknown as { default: Cache }).default;
  const hit = await cache.match(key);
  if (hit) return { response: hit, hit: true };
  let fetching = inFlight.get(key);
  if (fetching === undefined) {
    fetching = fromOrigin().then(async (response) => {
      const control = response.headers.get('cache-control') ?? '';
      if (
        response.status === 200 &&
        !response.headers.has('set-cookie') &&
        /\bpublic\b/.test(control) &&
        !/no-store|private/.test(control)
      ) {
        // The variant is in the key; the page varies on nothing else.
        const kept = new Response(await response.arrayBuffer(), response);
        kept.headers.delete('vary');
        await cache.put(key, kept.clone());
        return kept;
      }
      return response;
    });
    inFlight.set(key, fetching);
    ctx.waitUntil(fetching.finally(() => inFlight.delete(key)));
  }
  return { response: (await fetching).clone(), hit: false };
}

/** The article's facts (section, dates, access) from the origin, through the cache. */
async function articleFacts(env: Env, slug: string, ctx: Context): Promise<Article | null> {
  const url = new URL(`/meterwall/articles/${slug}`, env.ORIGIN).href;
  const { response } = await cached(url, () => fetch(url), ctx);
  if (response.status !== 200) return null;
  const facts = (await response.json()) as Article;
  return typeof facts.id === 'string' ? facts : null;
}

export default {
  async fetch(request: Request, env: Env, ctx: Context): Promise<Response> {
    const url = new URL(request.url);
    // The origin's internal routes (the articles' facts) are not for clients.
    if (url.pathname.startsWith('/meterwall/')) return new Response('Not found', { status: 404 });
    const slug = ARTICLE.exec(url.pathname)?.[1];
    if (slug === undefined || (request.method !== 'GET' && request.method !== 'HEAD')) {
      const forwarded = new Request(new URL(url.pathname + url.search, env.ORIGIN), request);
      forwarded.headers.delete(VARIANT_HEADER);
      return fetch(forwarded, { redirect: 'manual' });
    }
    const article = await articleFacts(env, slug, ctx);
    if (article === null) return new Response('Not found', { status: 404, headers: { 'cache-control': 'private, no-store' } });
    const site = paywallFor(env);
    const decision = await site.decide(request, article, { ip: request.headers.get('cf-connecting-ip') });
    const variant = decision.variant;
    // The cache key: the page and the bare variant, never the signed value (it changes every second).
    const page = new URL(`/articles/${slug}`, env.ORIGIN);
    const key = `${page.href}?variant=${variant}`;
    const { response, hit } = await cached(
      key,
      async () => fetch(page, { headers: { [VARIANT_HEADER]: await site.signVariant(variant, article) } }),
      ctx,
    );
    const served = new Response(request.method === 'HEAD' ? null : response.body, response);
    served.headers.set('X-Cache', hit ? 'HIT' : 'MISS');
    served.headers.delete('age');
    served.headers.delete('vary');
    // The reader's own headers: the meter cookie, Cache-Control: private, no-store, Vary: Cookie.
    return applyDecisionHeaders(served, decision);
  },
};
