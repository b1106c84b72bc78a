/**
 * The example site behind a shared cache (Varnish, a Worker's Cache API), as the tests drive it:
 * a reader with a cookie jar, what a page must and must not carry, and the origin's own count of
 * the article pages it rendered.
 */
import type { IncomingMessage, Server } from 'node:http';
import { expect } from 'vitest';
import { escapeHtml } from '../src/index.js';
import { ARTICLES, type StoryArticle } from '../examples/news-site/articles.js';
import { ruleNote } from '../examples/news-site/policy.js';
import type { StartedSite } from './helpers-browser.js';
import { BROWSER_UA } from './helpers.js';

/** Stories the desk's rules leave on the site's meter (not sport, breaking news or the archive). */
export const METERED = ARTICLES.filter((a) => a.access === 'metered' && ruleNote(a, Date.now()) === null);
export const SUBSCRIBERS_ONLY = ARTICLES.find((a) => a.access === 'subscribers') as StoryArticle;

/** The article's last paragraph, as the page writes it: held back from every wall. */
export const heldBack = (article: StoryArticle): string => escapeHtml(article.paragraphs.at(-1) as string);

/** What only one reader's page may carry: the meter banner, the signed-in account, the gift box, the debug panel. */
export const PER_READER = ['meterwall-banner', 'account-name', 'class="gift"', 'gift-note', 'class="debug"'];

export interface Reader {
  /** GET (or `init`'s method) of `path` with the reader's cookies; keeps what it sets. */
  get(path: string, init?: RequestInit): Promise<{ response: Response; html: string }>;
  readonly cookies: Map<string, string>;
}

/** A browser-like reader of `base`: a person's user agent and a cookie jar (no Secure check: plain HTTP on loopback). */
export function reader(base: string, headers: Record<string, string> = {}): Reader {
  const cookies = new Map<string, string>();
  return {
    cookies,
    async get(path, init = {}) {
      const sent = new Headers(init.headers);
      if (!sent.has('user-agent')) sent.set('user-agent', headers['user-agent'] ?? BROWSER_UA);
      for (const [name, value] of Object.entries(headers)) if (!sent.has(name)) sent.set(name, value);
      if (cookies.size > 0) sent.set('cookie', [...cookies].map(([n, v]) => `${n}=${v}`).join('; '));
      const response = await fetch(base + path, { redirect: 'manual', ...init, headers: sent });
      for (const line of response.headers.getSetCookie()) {
        const pair = line.split(';')[0] as string;
        const at = pair.indexOf('=');
        const name = pair.slice(0, at);
        const value = pair.slice(at + 1);
        if (/max-age=0/i.test(line) || value === '') cookies.delete(name);
        else cookies.set(name, value);
      }
      return { response, html: await response.text() };
    },
  };
}

/** What a page shows of an article: all of it, or a wall. */
export function shown(html: string, article: StoryArticle): 'full' | 'wall' {
  return html.includes(heldBack(article)) ? 'full' : 'wall';
}

/** Counts the article pages the origin renders (`GET /articles/<slug>`), by slug and variant asked for. */
export function countRenders(server: Server): { readonly renders: Map<string, number>; total(slug?: string): number } {
  const renders = new Map<string, number>();
  // First among the listeners: the site's handler rewrites a decision request's URL.
  server.prependListener('request', (req: IncomingMessage) => {
    const slug = /^\/articles\/([a-z0-9-]+)$/.exec(req.url ?? '')?.[1];
    if (slug === undefined || req.method === 'POST') return;
    const variant = String(req.headers['x-meterwall-variant'] ?? 'none').split('.')[0];
    const key = `${slug} ${variant}`;
    renders.set(key, (renders.get(key) ?? 0) + 1);
  });
  return {
    renders,
    total(slug) {
      let n = 0;
      for (const [key, count] of renders) if (slug === undefined || key.startsWith(`${slug} `)) n += count;
      return n;
    },
  };
}

const form = (body: Record<string, string>): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(body).toString(),
});

/** A reader of `edge` who registers and subscribes there, as the forms do (the mail comes from `site`); they then hold the session. */
export async function subscriberAt(edge: string, site: StartedSite, email: string): Promise<Reader> {
  const r = reader(edge);
  const password = 'correct horse battery staple';
  expect((await r.get('/register', form({ name: 'Sam', email, password, returnTo: '/' }))).response.status).toBe(200);
  const token = new URL(site.linkFor(email)).searchParams.get('token') as string;
  expect((await r.get('/register/confirm', form({ token }))).response.status).toBe(303);
  expect((await r.get('/subscribe', form({ plan: 'monthly', returnTo: '/' }))).response.status).toBe(303);
  return r;
}

/** A reader of `edge` who has read the first three metered stories (their meter is spent). */
export async function spentAt(edge: string): Promise<Reader> {
  const r = reader(edge);
  for (const article of METERED.slice(0, 3)) expect(shown((await r.get(`/articles/${article.slug}`)).html, article)).toBe('full');
  return r;
}

/**
 * An anonymous reader's journey through `edge`: four metered stories and the first again. Every
 * page is private to the browser and carries nothing per reader; returns what each showed.
 */
export async function anonymousJourney(edge: string): Promise<{ readonly seen: string[]; readonly reader: Reader }> {
  const r = reader(edge);
  const seen: string[] = [];
  const [first, ...rest] = METERED.slice(0, 4);
  for (const article of [first, ...rest, first] as StoryArticle[]) {
    const { response, html } = await r.get(`/articles/${article.slug}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    expect(response.headers.get('x-cache')).toMatch(/^(HIT|MISS)$/);
    for (const marker of PER_READER) expect(html).not.toContain(marker);
    seen.push(shown(html, article));
  }
  return { seen, reader: r };
}
