/**
 * The Next.js adapter (`meterwall/next`): decide in middleware (edge or Node runtime), set the
 * meter cookie on the response, and hand the page a signed variant it can trust.
 */
// 'next/server.js': Next has no exports map, so Node's ESM loader needs the file name.
import { NextResponse, type NextRequest } from 'next/server.js';
import { invalidOption } from '../errors.js';
import { applyDecisionHeaders } from '../core/decide/headers.js';
import { decideNow, type Paywall } from '../core/paywall.js';
import type { Article, Decision, Variant } from '../types.js';

/** The request header that carries the signed variant from middleware to the page. */
export const VARIANT_HEADER = 'x-meterwall-variant';

/**
 * A paywall, or a function that makes it on first use. Pass the function when the paywall's
 * options come from the environment: `next build` evaluates the proxy and the pages to collect
 * their configuration, where a site's secrets are often not set, and `createPaywall` refuses a
 * missing secret. Made on the first request instead, a missing secret fails there, with the
 * same `InvalidOptionError`. The function is called for every request: keep the paywall it makes
 * (`paywall ??= createPaywall(…)`).
 */
export type PaywallSource = Paywall | (() => Paywall);

const paywallOf = (source: PaywallSource): Paywall => (typeof source === 'function' ? source() : source);

/** Options of {@link meterwall}. */
export interface NextMeterwallOptions {
  /** The article a request is for, or `null` for other pages (the request passes through). */
  readonly article: (request: NextRequest) => Article | null | undefined | Promise<Article | null | undefined>;
  /**
   * The client's address (Next no longer gives one; behind your own proxy, read the header it sets and configure `proxy`).
   * @default undefined
   */
  readonly ip?: (request: NextRequest) => string | null | undefined;
}

/**
 * Decides for a `NextRequest` (a Fetch `Request`), in middleware or a route handler.
 *
 * @example
 * ```ts
 * import { type NextRequest, NextResponse } from 'next/server';
 * import { decideNext, withDecision } from 'meterwall/next';
 * export async function GET(request: NextRequest) {
 *   const decision = await decideNext(paywall, request, { id: 'budget-2027' });
 *   return withDecision(NextResponse.json({ access: decision.access }), decision);
 * }
 * ```
 */
export function decideNext(paywall: Paywall, request: NextRequest, article: Article, ip?: string | null): Promise<Decision> {
  return Promise.resolve(decideNow(paywall, request, article, { ip }));
}

/**
 * Adds a decision's headers (`Set-Cookie`, `Cache-Control`, `Vary`) to a `NextResponse`.
 *
 * @example
 * ```ts
 * import { NextResponse } from 'next/server';
 * import { withDecision } from 'meterwall/next';
 * const response = withDecision(NextResponse.next(), decision);
 * ```
 */
export function withDecision<R extends Response>(response: R, decision: Decision): R {
  return applyDecisionHeaders(response, decision) as R;
}

/**
 * Whether `request` is a fetch of Next's client router (a `<Link>` prefetch, or a client-side
 * navigation) rather than a page load. Before a proxy runs, Next removes what told them apart
 * (the `RSC`, `Next-Router-Prefetch`, `Next-Router-Segment-Prefetch` and
 * `Next-Router-State-Tree` headers, the `_rsc` query; measured on Next 16.4 and 16.5 with
 * `next start`); what it leaves is the `Next-Url` header its router sends with every fetch, and
 * a `Sec-Fetch-Dest` that is not `document`. The stripped signals are read too, for a site that
 * keeps them (`skipProxyUrlNormalize`).
 */
function isRouterFetch(request: NextRequest): boolean {
  const headers = request.headers;
  if (headers.get('sec-fetch-dest') === 'document') return false;
  return (
    headers.has('next-url') ||
    headers.has('rsc') ||
    headers.has('next-router-prefetch') ||
    headers.has('next-router-state-tree') ||
    request.nextUrl.searchParams.has('_rsc')
  );
}

/**
 * The answer to a router fetch for an article: no content, not a React Server Components
 * payload, so Next's router loads the page as a whole document instead (its fallback for any
 * answer that is not one). A prefetch so gets nothing and spends nothing; a click becomes a page
 * load, which the proxy decides for and counts once.
 */
function loadAsDocument(): NextResponse {
  return new NextResponse(null, { status: 204, headers: { 'cache-control': 'private, no-store' } });
}

/**
 * The Next.js integration (every framework's is named `meterwall`): a whole proxy (`proxy.ts`,
 * Next 16) or middleware (`middleware.ts`): decides for article requests, forwards the signed
 * variant to the page as a request header (read it with `readPageVariant`), and sets the meter
 * cookie. Requests for which `article` gives `null` (other pages, an unknown slug: a 404) pass
 * through untouched, deciding and spending nothing.
 *
 * Next removes its prefetch headers before a proxy runs, so at the proxy a `<Link>` prefetch
 * and a click look the same. An article is therefore always loaded as a whole page: a fetch of
 * Next's router for one is answered with no content, which makes Next load the page as a
 * document (a prefetch gets nothing and spends nothing; a click spends one view). The matcher's
 * `missing` conditions keep prefetches from reaching the proxy at all, which saves it the work.
 *
 * @example
 * ```ts
 * // proxy.ts (Next 16; on Next 15 or earlier: middleware.ts, exporting `middleware`)
 * import { meterwall } from 'meterwall/next';
 * export const proxy = meterwall(getPaywall, {
 *   // Real articles only: `null` for anything else (an unknown slug is a 404, and spends nothing).
 *   article: (request) => cms.article(request.nextUrl.pathname.split('/').pop() ?? ''),
 * });
 * export const config = {
 *   matcher: [
 *     {
 *       source: '/articles/:slug*',
 *       // Next's prefetches never reach the proxy: less work (they would spend nothing anyway).
 *       missing: [
 *         { type: 'header', key: 'next-router-prefetch' },
 *         { type: 'header', key: 'purpose', value: 'prefetch' },
 *       ],
 *     },
 *   ],
 * };
 * ```
 */
export function meterwall(source: PaywallSource, options: NextMeterwallOptions) {
  if (typeof options?.article !== 'function') throw invalidOption('article', 'must be a function');
  return async (request: NextRequest): Promise<NextResponse> => {
    const article = await options.article(request);
    if (!article) return NextResponse.next();
    if (isRouterFetch(request)) return loadAsDocument();
    const paywall = paywallOf(source);
    const decision = await decideNow(paywall, request, article, { ip: options.ip?.(request) });
    const headers = new Headers(request.headers);
    headers.set(VARIANT_HEADER, await paywall.signVariant(decision.variant, article));
    return withDecision(NextResponse.next({ request: { headers } }), decision);
  };
}

/**
 * In the page or route handler behind `meterwall`: the variant the middleware decided
 * for `article` (the same article the middleware's `article` option gave), or `teaser` when the
 * header is missing, forged, signed for another article or expired (never the full text by
 * default).
 *
 * @example
 * ```ts
 * import { headers } from 'next/headers';
 * import { readPageVariant } from 'meterwall/next';
 * const variant = await readPageVariant(getPaywall, await headers(), story); // the article the proxy's `article` option gave
 * ```
 */
export async function readPageVariant(source: PaywallSource, headers: Headers, article: Article): Promise<Variant> {
  // readVariant reads only the variant header; this view gives it the one the middleware set.
  const value = headers.get(VARIANT_HEADER);
  return (await paywallOf(source).readVariant({ method: 'GET', url: '/', headers: { get: () => value } }, article)) ?? 'teaser';
}

/**
 * The Next.js proxy under its former name.
 * @deprecated Renamed `meterwall`, as every framework's integration is (`meterwall/express`,
 * `meterwall/fastify`, `meterwall/hono`); this alias goes in the next release.
 */
export const paywallMiddleware: typeof meterwall = meterwall;
