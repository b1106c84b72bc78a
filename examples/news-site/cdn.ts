/**
 * The example site behind a shared cache (`createNewsSite({ cdn: true })`, `npm run example:cdn`):
 * the edge (Varnish, examples/varnish; or a Worker, examples/cloudflare-cache) asks for the
 * reader's decision, then takes the article's page for that variant from its cache, and only on a
 * miss from the origin. Three routes:
 *
 * - `GET /meterwall/decide/articles/<slug>[?…]`: the reader's decision, counted like a page view
 *   (the request's own headers say whether it is one): `204` with `x-meterwall-variant` (the bare
 *   variant, the edge's cache key), `x-meterwall-variant-signed` (for the origin request), and the
 *   decision's own headers (`Set-Cookie`, `Cache-Control: private, no-store`). The edge must not
 *   let clients reach it under this name (the VCL answers 404 to `/meterwall/…` from outside).
 * - `GET /articles/<slug>`: the page for the variant signed in `x-meterwall-variant` (for this
 *   article, unexpired), the teaser without one; nothing per reader on it (no meter banner, no
 *   account, no gift box), `Cache-Control: public, max-age=0, s-maxage=…`, `Vary: x-meterwall-variant`.
 * - `GET /meterwall/articles/<slug>`: the article's facts as JSON (id, section, dates, access), for
 *   an edge that decides itself; cacheable like a page.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decisionForVariant, type Decision, type Paywall } from 'meterwall';
import { decideNode, toRequestLike } from 'meterwall/node';
import type { StoryArticle } from './articles.js';
import { articleFacts, CDN_TTL } from './policy.js';

/** The request header a signed variant comes in (the paywall's `cdn.header`). */
export const VARIANT_HEADER = 'x-meterwall-variant';
/** The response header the decision route puts the signed variant in. */
export const SIGNED_HEADER = 'x-meterwall-variant-signed';

export interface CdnSite {
  readonly paywall: Paywall;
  readonly findArticle: (slug: string) => StoryArticle | undefined;
  /** The article's page for `decision`, with nothing per reader. */
  readonly page: (article: StoryArticle, decision: Decision) => string;
  readonly send: (res: ServerResponse, status: number, body: string, headers?: Record<string, string>) => void;
}

const DECIDE = /^\/meterwall\/decide(\/articles\/([a-z0-9-]+))$/;
const FACTS = /^\/meterwall\/articles\/([a-z0-9-]+)$/;
const PAGE = /^\/articles\/([a-z0-9-]+)$/;

/** Answers `req` when it is one of the routes above (`true`), or leaves it to the site (`false`). */
export async function cdnRoute(site: CdnSite, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') return false;
  const decide = DECIDE.exec(url.pathname);
  if (decide) {
    const article = site.findArticle(decide[2] as string);
    if (!article) return notFound(site, res);
    // The decision reads the URL the reader asked for (a gift link's token is in its query).
    req.url = `${decide[1]}${url.search}`;
    const facts = articleFacts(article);
    const decision = await decideNode(site.paywall, req, res, facts);
    if (decision.status !== 200) {
      // An AI agent refused (403) or asked to pay (402): the edge delivers this answer as it is.
      site.send(res, decision.status, decision.status === 402 ? 'Payment required' : 'Forbidden', {
        'Content-Type': 'text/plain; charset=utf-8',
      });
      return true;
    }
    res.statusCode = 204;
    res.setHeader(VARIANT_HEADER, decision.variant);
    res.setHeader(SIGNED_HEADER, await site.paywall.signVariant(decision.variant, facts));
    res.end();
    return true;
  }
  const facts = FACTS.exec(url.pathname);
  if (facts) {
    const article = site.findArticle(facts[1] as string);
    if (!article) return notFound(site, res);
    site.send(res, 200, JSON.stringify(articleFacts(article)), {
      'Content-Type': 'application/json',
      'Cache-Control': `public, max-age=0, s-maxage=${CDN_TTL}`,
    });
    return true;
  }
  const page = PAGE.exec(url.pathname);
  if (page) {
    const article = site.findArticle(page[1] as string);
    if (!article) return false;
    const facts = articleFacts(article);
    // Only a variant the edge signed, for this article and minutes old at most; anyone else, the teaser.
    const variant = (await site.paywall.readVariant(toRequestLike(req), facts)) ?? 'teaser';
    const headers: Record<string, string> = {};
    site.paywall.variantHeaders(variant).forEach((value, name) => {
      headers[name] = value;
    });
    site.send(res, 200, site.page(article, decisionForVariant(variant, facts)), headers);
    return true;
  }
  return false;
}

function notFound(site: CdnSite, res: ServerResponse): true {
  site.send(res, 404, 'Not found', { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'private, no-store' });
  return true;
}
