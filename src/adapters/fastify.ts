/**
 * The Fastify adapter (`meterwall/fastify`): a plugin whose `preHandler` hook decides for
 * article requests, puts the decision on `request.meterwall` and sets its headers on the reply.
 */
import type { IncomingMessage } from 'node:http';
import { invalidOption } from '../errors.js';
import { writeDecisionHeaders } from '../core/decide/headers.js';
import { decideNow, type Paywall } from '../core/paywall.js';
import type { Article, Decision } from '../types.js';
import { toRequestLike } from './node.js';

/** What the plugin needs of a Fastify request. */
export interface FastifyRequestLike {
  readonly raw: IncomingMessage;
  /** The route's parameters (Fastify's `request.params`). */
  readonly params?: unknown;
  /** The matched route's options; its `config.meterwall` opts the route in (Fastify 4.10 and later). */
  readonly routeOptions?: { readonly config?: unknown };
  meterwall?: Decision | null;
}

/** Finds the article a request is for, or `null` when it is not an article page (no decision is made). */
export type FastifyArticleFinder = (request: FastifyRequestLike) => Article | null | undefined | Promise<Article | null | undefined>;

/** What the plugin needs of a Fastify reply. */
export interface FastifyReplyLike {
  header(name: string, value: string): unknown;
  getHeader(name: string): unknown;
}

/** What the plugin needs of a Fastify instance. */
export interface FastifyInstanceLike {
  decorateRequest(name: string, value: null): unknown;
  addHook(name: 'preHandler', hook: (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<void>): unknown;
}

/** Options of {@link meterwall}. */
export interface FastifyMeterwallOptions {
  /** The paywall. */
  readonly paywall: Paywall;
  /**
   * The article any request is for, or `null` for every other page (the home page, `/favicon.ico`,
   * `/about`: anything it answers for those is decided as an article). Leave it out to let only
   * the routes that opt in with `config: { meterwall: finder }` be decided.
   * @default undefined
   */
  readonly article?: FastifyArticleFinder;
}

/**
 * The Fastify plugin (every framework's integration is named `meterwall`): `request.meterwall` holds the decision for article requests. A route opts in
 * with `config: { meterwall: (request) => article }`; other routes are left alone (`meterwall`
 * stays `null`, no header is written). An `article` option applies to every route instead.
 *
 * @example
 * ```ts
 * await app.register(meterwall, { paywall });
 * const config = { meterwall: (request: FastifyRequestLike) => cms.article((request.params as { slug: string }).slug) };
 * app.get<{ Params: { slug: string } }>('/articles/:slug', { config }, async (request, reply) => {
 *   if (!request.meterwall) return reply.code(404).send('Not found');
 *   return reply.type('text/html').send(page(request.meterwall));
 * });
 * ```
 */
export async function meterwall(fastify: FastifyInstanceLike, options: FastifyMeterwallOptions): Promise<void> {
  if (options?.article !== undefined && typeof options.article !== 'function') throw invalidOption('article', 'must be a function');
  const { paywall } = options;
  fastify.decorateRequest('meterwall', null);
  fastify.addHook('preHandler', async (request, reply) => {
    const config = request.routeOptions?.config as { meterwall?: unknown } | undefined;
    const routeFinder = config?.meterwall;
    if (routeFinder !== undefined && typeof routeFinder !== 'function') throw invalidOption('config.meterwall', 'must be a function');
    const find = (routeFinder as FastifyArticleFinder | undefined) ?? options.article;
    if (find === undefined) return;
    const article = await find(request);
    if (!article) return;
    const decision = await decideNow(paywall, toRequestLike(request.raw), article, { ip: request.raw.socket?.remoteAddress });
    request.meterwall = decision;
    writeDecisionHeaders(
      {
        get: (name) => {
          const value = reply.getHeader(name);
          return value === undefined || value === null ? null : Array.isArray(value) ? value.join(', ') : String(value);
        },
        set: (name, value) => void reply.header(name, value),
        append: (name, value) => void reply.header(name, value), // Fastify appends Set-Cookie values
      },
      decision,
    );
  });
}

// Like fastify-plugin: the hook applies to the whole application, not an encapsulated child.
(meterwall as unknown as Record<symbol, unknown>)[Symbol.for('skip-override')] = true;
(meterwall as unknown as Record<symbol, unknown>)[Symbol.for('fastify.display-name')] = 'meterwall';

/**
 * The Fastify plugin under its former name.
 * @deprecated Renamed `meterwall`, as every framework's integration is (`meterwall/express`,
 * `meterwall/hono`, `meterwall/next`); this alias goes in the next release.
 */
export const meterwallPlugin: typeof meterwall = meterwall;
