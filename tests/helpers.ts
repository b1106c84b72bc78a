import { type Article, type Decision, defineSession, type Paywall, type RequestLike, type SessionOptions } from '../src/index.js';

/** A 32-byte secret for tests. */
export const SECRET = 'test-secret-0123456789-abcdefghij';
export const SECRET_2 = 'second-secret-0123456789-abcdefgh';

/** A controllable clock. */
export function fakeClock(start: string | number) {
  let t = typeof start === 'string' ? Date.parse(start) : start;
  return {
    now: () => t,
    set(to: string | number) {
      t = typeof to === 'string' ? Date.parse(to) : to;
    },
    advance(ms: number) {
      t += ms;
    },
  };
}

/** A GET request for an article page with optional headers. */
export function articleRequest(headers: Record<string, string> = {}, method = 'GET'): Request {
  return new Request('https://news.example/articles/x', { method, headers });
}

/** The `name=value` part of a decision's `Set-Cookie`, or null. */
export function cookiePair(decision: Decision): string | null {
  const header = decision.headers.get('set-cookie');
  return header === null ? null : (header.split(';')[0] as string);
}

/** The token value in a decision's `Set-Cookie`, or null. */
export function tokenOf(decision: Decision): string | null {
  const pair = cookiePair(decision);
  return pair === null ? null : pair.slice(pair.indexOf('=') + 1);
}

/** A browser-like reader: keeps the meter cookie between requests, as a browser would. */
export function createReader(paywall: Paywall, cookieName = '__Host-meterwall') {
  let token: string | null = null;
  const reader = {
    get token() {
      return token;
    },
    set token(value: string | null) {
      token = value;
    },
    async open(article: Article | string, init: { headers?: Record<string, string>; method?: string } = {}): Promise<Decision> {
      const headers: Record<string, string> = { ...init.headers };
      if (token !== null) headers['cookie'] = `${cookieName}=${token}${headers['cookie'] ? `; ${headers['cookie']}` : ''}`;
      const request: RequestLike = articleRequest(headers, init.method ?? 'GET');
      const decision = await paywall.decide(request, typeof article === 'string' ? { id: article } : article);
      const next = tokenOf(decision);
      if (next !== null) token = next;
      return decision;
    },
  };
  return reader;
}

/**
 * A desktop Chrome user agent. Node's `fetch` says `node`, and headless Chromium
 * `HeadlessChrome`: meterwall rightly takes both for automated clients, whose requests are
 * never page views. Tests that play a reader send this one.
 */
export const BROWSER_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';

/** `fetch` as a reader's browser: with {@link BROWSER_UA} unless the caller gives a user agent. */
export function browserFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has('user-agent')) headers.set('user-agent', BROWSER_UA);
  return fetch(url, { ...init, headers });
}

/**
 * Options as a table test writes them, with a plain `session` object made into a session by
 * `defineSession` (as a site does), so its mistakes are reported as the site would see them.
 */
export function withSession<T>(options: T): T {
  const session = (options as { session?: unknown } | null)?.session;
  if (session === null || typeof session !== 'object' || Object.getOwnPropertySymbols(session).length > 0) return options;
  return { ...options, session: defineSession(session as SessionOptions) };
}

/** A small deterministic PRNG (mulberry32) in [0, 1), so a generated stream is the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
