/**
 * The Hono adapter (`meterwall/hono`): middleware that decides for article requests, puts the
 * decision on the context (`c.get('meterwall')`) and adds its headers to the response. Runs
 * wherever Hono runs (Node, Workers, Deno, Bun): it uses the Fetch `Request` only.
 */
import { invalidOption } from '../errors.js';
import { applyDecisionHeaders } from '../core/decide/headers.js';
import { decideNow, type Paywall } from '../core/paywall.js';
import type { Article, Decision } from '../types.js';

/** What the middleware needs of a Hono context. */
export interface HonoContextLike {
  readonly req: { readonly raw: Request; param(name: string): string | undefined; header(name: string): string | undefined };
  set(key: 'meterwall', value: Decision): void;
  /** The response the handler produced (Hono's `c.res`). */
  res: Response;
}

/**
 * The context variables the middleware sets, for `new Hono<{ Variables: MeterwallVariables }>()`:
 * then `c.get('meterwall')` is typed in handlers, as `undefined` too: the middleware decides only
 * when `article` found one, so a handler must say what a request for no article gets (a 404).
 */
export interface MeterwallVariables {
  /** The decision, on article requests; `undefined` when `article` found none. */
  meterwall: Decision | undefined;
}

/** Options of {@link meterwall}. */
export interface HonoMeterwallOptions<C extends HonoContextLike> {
  /** The article a request is for, or `null` for other pages (no decision is made). */
  readonly article: (c: C) => Article | null | undefined | Promise<Article | null | undefined>;
  /**
   * The client's connection address (e.g. `c.req.header('cf-connecting-ip')` on Workers, or
   * `c.env.incoming.socket.remoteAddress` with `@hono/node-server`).
   * @default undefined
   */
  readonly ip?: (c: C) => string | null | undefined;
}

/**
 * Hono middleware: `c.get('meterwall')` holds the decision for article requests.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { meterwall, type MeterwallVariables } from 'meterwall/hono';
 * const app = new Hono<{ Variables: MeterwallVariables }>();
 * app.use('/articles/:slug', meterwall(paywall, { article: (c) => cms.article(c.req.param('slug') ?? '') }));
 * app.get('/articles/:slug', (c) => {
 *   const decision = c.get('meterwall');
 *   return decision ? c.html(page(decision)) : c.notFound();
 * });
 * ```
 */
export function meterwall<C extends HonoContextLike>(paywall: Paywall, options: HonoMeterwallOptions<C>) {
  if (typeof options?.article !== 'function') throw invalidOption('article', 'must be a function');
  return async (c: C, next: () => Promise<void>): Promise<void> => {
    const article = await options.article(c);
    if (!article) return next();
    const decision = await decideNow(paywall, c.req.raw, article, { ip: options.ip?.(c) });
    c.set('meterwall', decision);
    await next();
    // On the response the handler built, whichever way it built it.
    const response = applyDecisionHeaders(c.res, decision);
    if (response !== c.res) {
      // A copy (the handler's headers were immutable): Hono's setter would merge the old headers
      // back over ours, Set-Cookie included, so the old response is let go first.
      (c as { res: Response | undefined }).res = undefined;
      c.res = response;
    }
  };
}
