/**
 * The Node adapter (`meterwall/node`): decides straight from an `IncomingMessage` and writes the
 * headers to the `ServerResponse`, without building a Fetch `Request`, `Headers` or `URL`.
 */
import { type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeader, ServerResponse } from 'node:http';
import { mergeVary, writeDecisionHeaders, type HeaderTarget } from '../core/decide/headers.js';
import { decideNow, type Paywall } from '../core/paywall.js';
import type { Article, Decision, RequestLike } from '../types.js';
import { isPromiseLike } from '../util/maybe-async.js';

const UPPER = /[A-Z]/;

/** Header reads straight from `req.headers` (lower-case names, as Node stores them). */
class NodeHeaders {
  readonly #raw: IncomingHttpHeaders;

  constructor(raw: IncomingHttpHeaders) {
    this.#raw = raw;
  }

  get(name: string): string | null {
    let value = this.#raw[name];
    if (value === undefined && UPPER.test(name)) value = this.#raw[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }
}

/** A `RequestLike` over an `IncomingMessage`; the absolute URL is built only when read. */
class NodeRequest implements RequestLike {
  readonly #req: IncomingMessage;
  readonly headers: NodeHeaders;

  constructor(req: IncomingMessage) {
    this.#req = req;
    this.headers = new NodeHeaders(req.headers);
  }

  get method(): string {
    return this.#req.method ?? 'GET';
  }

  get url(): string {
    const req = this.#req;
    const tls = (req.socket as { encrypted?: boolean } | undefined)?.encrypted === true;
    return `${tls ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`;
  }
}

/**
 * A `RequestLike` view of an `IncomingMessage`, without building a Fetch `Request`.
 *
 * @example
 * ```ts
 * import { toRequestLike } from 'meterwall/node';
 * const decision = await paywall.decide(toRequestLike(req), { id: 'budget-2027' });
 * ```
 */
export function toRequestLike(req: IncomingMessage): RequestLike {
  return new NodeRequest(req);
}

/**
 * Decides for a Node request and sets the decision's headers (`Set-Cookie` appended,
 * `Cache-Control`, `Vary`) on the response, which is otherwise left to the caller. The
 * connection's address is passed on for crawler verification (forwarding headers are read
 * only through the paywall's trusted proxies).
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { createPaywall } from 'meterwall';
 * import { decideNode } from 'meterwall/node';
 *
 * const paywall = createPaywall({ secret: process.env.METERWALL_SECRET! }); // 32+ random bytes
 * const story = { html: '<h1>Tram line to cross the river</h1><p>The whole story.</p>', teaser: '<h1>Tram line to cross the river</h1>' };
 * createServer(async (req, res) => {
 *   const decision = await decideNode(paywall, req, res, { id: req.url ?? '/' }); // your CMS's article id
 *   res.setHeader('content-type', 'text/html; charset=utf-8');
 *   res.end(decision.access === 'full' ? story.html : `${story.teaser}<p>Subscribe to read on (${decision.reason}).</p>`);
 * }).listen(3000);
 * ```
 */
export function decideNode(paywall: Paywall, req: IncomingMessage, res: ServerResponse, article: Article): Promise<Decision> {
  const decision = decideNow(paywall, new NodeRequest(req), article, { ip: req.socket?.remoteAddress });
  // A returning reader is decided synchronously: one promise for the caller, nothing more.
  return isPromiseLike(decision)
    ? Promise.resolve(decision).then((d) => writeHeaders(res, d))
    : Promise.resolve(writeHeaders(res, decision));
}

/** A Node response as a header target (several values joined as a `Headers` would). */
function nodeHeaderTarget(res: ServerResponse): HeaderTarget {
  return {
    get(name) {
      const value = res.getHeader(name);
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : String(value);
    },
    set: (name, value) => void res.setHeader(name, value),
    append: (name, value) => void res.appendHeader(name, value),
  };
}

function writeHeaders(res: ServerResponse, decision: Decision): Decision {
  if (!res.headersSent) writeDecisionHeaders(nodeHeaderTarget(res), decision);
  return decision;
}

const MERGING_VARY = Symbol.for('meterwall.mergeVaryHeaders');

/**
 * Makes every `ServerResponse` of this process merge a `Vary` header it is given with the one it
 * already has, instead of replacing it. For frameworks that overwrite `Vary` after the paywall
 * set it: Next.js's app router sets its own `Vary` on every page response, dropping the `Cookie`
 * a proxy or middleware added (vercel/next.js#85999). Call it once at start-up, from Next's
 * `instrumentation.ts`. A wider `Vary` is always safe for a cache; a response can no longer
 * narrow its own `Vary` by setting it again (remove it first with `removeHeader`). Idempotent.
 *
 * @example
 * ```ts
 * // instrumentation.ts: keep `Vary: Cookie` on page responses
 * export async function register() {
 *   if (process.env.NEXT_RUNTIME === 'nodejs') (await import('meterwall/node')).mergeVaryHeaders();
 * }
 * ```
 */
export function mergeVaryHeaders(): void {
  const proto = ServerResponse.prototype as ServerResponse & { [MERGING_VARY]?: true };
  if (proto[MERGING_VARY]) return;
  const setHeader = proto.setHeader;
  proto.setHeader = function setHeaderMergingVary(this: ServerResponse, name: string, value: OutgoingHttpHeader) {
    if (name.length === 4 && name.toLowerCase() === 'vary' && this.hasHeader('vary')) {
      const existing = this.getHeader('vary');
      const before = Array.isArray(existing) ? existing.join(', ') : String(existing);
      const added = Array.isArray(value) ? value.join(', ') : String(value);
      return setHeader.call(this, name, mergeVary(before, added));
    }
    return setHeader.call(this, name, value);
  } as typeof proto.setHeader;
  Object.defineProperty(proto, MERGING_VARY, { value: true });
}
