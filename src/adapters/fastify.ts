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
  meterwall?: Decision | null;
}

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

/** Options of {@link meterwallPlugin}. */
export interface FastifyMeterwallOptions {
  /** The paywall. */
  readonly paywall: Paywall;
  /** The article a request is for, or `null` for other pages (no decision is made). */
  readonly article: (request: FastifyRequestLike) => Article | null | undefined | Promise<Article | null | undefined>;
}

/**
 * Fastify plugin: `request.meterwall` holds the decision for article requests.
 *
 * @example
 * ```ts
 * import { meterwallPlugin } from 'meterwall/fastify';
 * await app.register(meterwallPlugin, { paywall, article: (request) => cms.article(request.params.slug) });
 * app.get('/articles/:slug', (request) => page(request.meterwall));
 * ```
 */
export async function meterwallPlugin(fastify: FastifyInstanceLike, options: FastifyMeterwallOptions): Promise<void> {
  if (typeof options?.article !== 'function') throw invalidOption('article', 'must be a function');
  const { paywall } = options;
  fastify.decorateRequest('meterwall', null);
  fastify.addHook('preHandler', async (request, reply) => {
    const article = await options.article(request);
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
(meterwallPlugin as unknown as Record<symbol, unknown>)[Symbol.for('skip-override')] = true;
(meterwallPlugin as unknown as Record<symbol, unknown>)[Symbol.for('fastify.display-name')] = 'meterwall';
