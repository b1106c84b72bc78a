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
 * The Next.js integration (every framework's is named `meterwall`): a whole proxy (`proxy.ts`, Next 16) or middleware (`middleware.ts`): decides for article requests, forwards the signed variant to the
 * page as a request header (read it with `readPageVariant`), and sets the meter cookie. Next
 * removes its prefetch headers before a middleware runs, so the matcher must keep prefetches
 * out (`missing`), or each `<Link>` prefetch would look like a page view.
 *
 * @example
 * ```ts
 * // proxy.ts (Next 16; on Next 15 or earlier: middleware.ts, exporting `middleware`)
 * import { meterwall } from 'meterwall/next';
 * export const proxy = meterwall(getPaywall, { article: (request) => ({ id: request.nextUrl.pathname.split('/').pop() ?? '' }) });
 * export const config = {
 *   matcher: [
 *     {
 *       source: '/articles/:slug*',
 *       // Next removes its prefetch headers before a proxy runs: keep prefetches out here.
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
