/**
 * The Node adapter (`meterwall/node`): decides straight from an `IncomingMessage` and writes the
 * headers to the `ServerResponse`, without building a Fetch `Request`, `Headers` or `URL`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decisionHeaderList, type Paywall } from '../core/paywall.js';
import type { Article, Decision, RequestLike } from '../types.js';

/** A `RequestLike` view of an `IncomingMessage`: header reads go straight to `req.headers`. */
export function toRequestLike(req: IncomingMessage): RequestLike {
  const headers = req.headers;
  return {
    method: req.method ?? 'GET',
    get url(): string {
      const tls = (req.socket as { encrypted?: boolean } | undefined)?.encrypted === true;
      return `${tls ? 'https' : 'http'}://${headers.host ?? 'localhost'}${req.url ?? '/'}`;
    },
    headers: {
      get(name: string): string | null {
        const value = headers[name.toLowerCase()];
        if (value === undefined) return null;
        return Array.isArray(value) ? value.join(', ') : value;
      },
    },
  };
}

/**
 * Decides for a Node request and sets the decision's headers (`Set-Cookie` appended,
 * `Cache-Control`, `Vary`) on the response, which is otherwise left to the caller.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { decideNode } from 'meterwall/node';
 * createServer(async (req, res) => {
 *   const decision = await decideNode(paywall, req, res, { id: 'budget-2027' });
 *   res.end(decision.access === 'full' ? fullHtml : teaserHtml);
 * });
 * ```
 */
export async function decideNode(
  paywall: Paywall,
  req: IncomingMessage,
  res: ServerResponse,
  article: Article,
): Promise<Decision> {
  const decision = await paywall.decide(toRequestLike(req), article);
  if (!res.headersSent) {
    for (const [name, value] of decisionHeaderList(decision)) {
      if (name === 'Cache-Control') res.setHeader(name, value);
      else res.appendHeader(name, value);
    }
  }
  return decision;
}
