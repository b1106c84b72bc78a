/**
 * The Express adapter (`meterwall/express`): middleware that decides for article requests and
 * puts the decision on `res.locals.meterwall`, with its headers already set on the response.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { invalidOption } from '../errors.js';
import type { Paywall } from '../core/paywall.js';
import type { Article, Decision } from '../types.js';
import { decideNode } from './node.js';

/** The parts of Express's `req` the `article` function usually reads. */
export interface ExpressRequestLike extends IncomingMessage {
  readonly params: Record<string, string>;
  readonly query: unknown;
  readonly path: string;
}

/** Options of {@link meterwall}. */
export interface ExpressMeterwallOptions<Req extends IncomingMessage> {
  /** The article a request is for, or `null` for pages that are not articles (no decision is made). */
  readonly article: (req: Req) => Article | null | undefined | Promise<Article | null | undefined>;
}

/** What the middleware needs of Express's `res`. */
interface ExpressResponse extends ServerResponse {
  locals: Record<string, unknown>;
}

/**
 * What the middleware puts on `res.locals`, for Express's own typing of locals: a handler typed
 * `(req, res: Response<string, MeterwallLocals>)` reads `res.locals.meterwall` as a `Decision`
 * (absent when `article` found none). Express types `res.locals` as `Record<string, any>` unless
 * a handler names its locals, and a `declare global { namespace Express { interface Locals } }`
 * augmentation reads as `any` through that index signature, so the generic is the way that types.
 */
export interface MeterwallLocals {
  /** The decision for this request; absent when the `article` function returned none. */
  meterwall?: Decision;
}

/**
 * Express middleware: `res.locals.meterwall` holds the decision for article requests.
 *
 * @example
 * ```ts
 * import type { Response } from 'express';
 * import { meterwall, type MeterwallLocals } from 'meterwall/express';
 * app.use('/articles/:slug', meterwall(paywall, { article: (req) => cms.article(req.params['slug'] ?? '') }));
 * app.get('/articles/:slug', (_req, res: Response<string, MeterwallLocals>) => {
 *   const decision = res.locals.meterwall;
 *   if (!decision) return void res.status(404).send('Not found');
 *   res.send(page(decision));
 * });
 * ```
 */
export function meterwall<Req extends IncomingMessage = ExpressRequestLike>(paywall: Paywall, options: ExpressMeterwallOptions<Req>) {
  if (typeof options?.article !== 'function') throw invalidOption('article', 'must be a function');
  return async (req: Req, res: ServerResponse, next: (error?: unknown) => void): Promise<void> => {
    try {
      const article = await options.article(req);
      if (article) {
        const decision: Decision = await decideNode(paywall, req, res, article);
        (res as ExpressResponse).locals.meterwall = decision;
      }
      next();
    } catch (error) {
      next(error);
    }
  };
}
