/**
 * Whether a request is a reader's page view, the only kind of request that may spend a view: a
 * top-level navigation, or the app's own fetch for a client-side navigation. Everything else
 * (other methods, prefetch and prerender signals of browsers and frameworks, subresources,
 * fetches from other sites, automated clients, the site's own signals) is "not a page view",
 * with the signal that said so. Read lazily, once per decision, only when the answer matters.
 */
import type { NotCountedCause, RequestLike } from '../../types.js';
import type { AutomatedDetector } from './automated-clients.js';

/** A request that is not a page view: the kind of signal, and the signal itself (for traces and events). */
export interface NotPageView {
  readonly cause: NotCountedCause;
  /** The header or match that said so, e.g. `Next-Router-Prefetch` or `Sec-Fetch-Dest: image`. */
  readonly signal: string;
}

/** Page-view settings (internal, validated). */
export interface PageViewSettings {
  /** Whether a same-site script fetch (`Sec-Fetch-Dest: empty`) may count. */
  readonly scriptFetches: 'count' | 'ignore';
  /** Automated clients by user agent, or `null` when detection is off. */
  readonly automated: AutomatedDetector | null;
  /** The site's own signals, asked last. */
  readonly notPageView: ((request: RequestLike) => string | boolean | null | undefined) | undefined;
}

/**
 * Headers that announce a speculative load and the values that mean one: the standard
 * `Sec-Purpose` (link prefetch, Speculation Rules; `prefetch;prerender` for a prerender), the
 * older `Purpose` / `X-Purpose` / `X-Moz` / `Moz-Purpose` / `Sec-Fetch-Purpose`, Turbo's
 * `X-Sec-Purpose`, and Inertia's `Purpose: prefetch`.
 */
const PURPOSE_HEADERS = [
  ['sec-purpose', 'Sec-Purpose'],
  ['purpose', 'Purpose'],
  ['x-purpose', 'X-Purpose'],
  ['x-sec-purpose', 'X-Sec-Purpose'],
  ['sec-fetch-purpose', 'Sec-Fetch-Purpose'],
  ['moz-purpose', 'Moz-Purpose'],
  ['x-moz', 'X-Moz'],
] as const;
const SPECULATIVE = /\b(prefetch|prerender|preview)\b/i;
const PRERENDER = /\bprerender\b/i;

/**
 * Framework headers present only on prefetches: Next's app router (`Next-Router-Prefetch`,
 * and `Next-Router-Segment-Prefetch` for its segment cache), Next's pages router behind a
 * middleware (`X-Middleware-Prefetch`), and htmx's preload extension (`HX-Preloaded`).
 */
const PREFETCH_HEADERS = [
  ['next-router-prefetch', 'Next-Router-Prefetch'],
  ['next-router-segment-prefetch', 'Next-Router-Segment-Prefetch'],
  ['x-middleware-prefetch', 'X-Middleware-Prefetch'],
  ['hx-preloaded', 'HX-Preloaded'],
] as const;

/** Fetch Metadata destinations a page view may have; every other one is a subresource. */
const FRAME = /* @__PURE__ */ new Set(['iframe', 'frame']);
const TOKEN = /^[a-z-]{1,24}$/;

const HEAD: NotPageView = /* @__PURE__ */ Object.freeze({ cause: 'head', signal: 'HEAD' });

function shown(value: string): string {
  return TOKEN.test(value) ? value : 'other';
}

/** The request's method, unless it is `GET` (only `GET` may count). */
function byMethod(method: string): NotPageView | null {
  if (method === 'GET' || method === 'get') return null;
  if (method === 'HEAD' || method === 'head') return HEAD;
  return { cause: 'method', signal: /^[A-Za-z]{1,16}$/.test(method) ? method.toUpperCase() : 'other method' };
}

/**
 * Why `request` is not a page view, or `null` when it is one. Reads only headers; never throws
 * for what a client sends. The site's own check runs last and is ignored when it throws.
 */
export function notPageView(request: RequestLike, settings: PageViewSettings): NotPageView | null {
  const method = byMethod(request.method);
  if (method !== null) return method;
  const headers = request.headers;
  for (const [name, label] of PURPOSE_HEADERS) {
    const value = headers.get(name);
    if (value === null) continue;
    const found = SPECULATIVE.exec(value);
    if (found) {
      const signal = `${label}: ${(found[1] as string).toLowerCase()}`;
      return { cause: PRERENDER.test(value) ? 'prerender' : 'prefetch', signal };
    }
  }
  for (const [name, label] of PREFETCH_HEADERS) {
    if (headers.get(name) !== null) return { cause: 'prefetch', signal: label };
  }
  const dest = headers.get('sec-fetch-dest');
  if (dest !== null && dest !== 'document') {
    const crossSite = headers.get('sec-fetch-site') === 'cross-site';
    if (dest === 'empty') {
      if (crossSite) return { cause: 'cross-site', signal: 'Sec-Fetch-Dest: empty from another site' };
      if (settings.scriptFetches === 'ignore') return { cause: 'script-fetch', signal: 'Sec-Fetch-Dest: empty' };
    } else if (FRAME.has(dest)) {
      if (crossSite) return { cause: 'cross-site', signal: `Sec-Fetch-Dest: ${dest} in another site` };
    } else {
      return { cause: 'subresource', signal: `Sec-Fetch-Dest: ${shown(dest)}` };
    }
  }
  if (settings.automated !== null) {
    const userAgent = headers.get('user-agent');
    const match = userAgent === null || userAgent === '' ? null : settings.automated(userAgent);
    if (match !== null) return { cause: 'automated', signal: `user agent: ${match}` };
  }
  if (settings.notPageView !== undefined) {
    let answer: string | boolean | null | undefined;
    try {
      answer = settings.notPageView(request);
    } catch {
      answer = null;
    }
    if (answer === true) return { cause: 'site', signal: 'site signal' };
    if (typeof answer === 'string' && answer !== '') return { cause: 'site', signal: answer.slice(0, 64) };
  }
  return null;
}
