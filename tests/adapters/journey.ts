/**
 * The same reader journey for every framework and runtime: a first view, an exhausted meter, a
 * subscriber. Each example serves the stories of examples/shared with the same secrets.
 */
import { SignJWT, decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { browserFetch } from '../helpers.js';

export const SECRETS = { meterSecret: 'framework-meter-secret-0123456789-abc', sessionSecret: 'framework-session-secret-0123456789-a' };

/** What a test reads from one response. */
export interface Seen {
  readonly status: number;
  readonly body: string;
  readonly meterCookie: string | undefined;
  readonly cacheControl: string | null;
  readonly vary: string | null;
}

export type Get = (path: string, cookie?: string) => Promise<Seen>;

export async function seen(response: Response): Promise<Seen> {
  return {
    status: response.status,
    body: await response.text(),
    meterCookie: response.headers.getSetCookie().find((c) => c.startsWith('__Host-meterwall=')),
    cacheControl: response.headers.get('cache-control'),
    vary: response.headers.get('vary'),
  };
}

const session = (plan?: string) =>
  new SignJWT(plan ? { plan } : {})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('reader-7')
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(SECRETS.sessionSecret));

/** The same journey for every framework: a first view, an exhausted meter, a subscriber. */
export function journey(name: string, get: () => Get, options: { banner?: boolean; vary?: boolean } = {}): void {
  const { banner = true, vary = true } = options;
  describe(name, () => {
    it('an anonymous reader’s first view: the full text, the meter cookie, private caching', async () => {
      const first = await get()('/articles/harbour-wall');
      expect(first.status).toBe(200);
      expect(first.body).toContain('HELD-BACK: the final cost came in under budget.');
      if (banner) expect(first.body).toContain('2 of 3 free articles left this month');
      expect(first.meterCookie).toMatch(/^__Host-meterwall=[\w-]+\.[\w-]+\.[\w-]+; Max-Age=\d+; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
      expect(first.cacheControl).toBe('private, no-store');
      if (vary) expect(first.vary?.toLowerCase()).toContain('cookie');
    });

    it('an exhausted meter: the cut text and the prompt, nothing held back, no new cookie', async () => {
      let cookie: string | undefined;
      for (const slug of ['harbour-wall', 'night-buses', 'market-hall']) {
        const page = await get()(`/articles/${slug}`, cookie);
        expect(page.body).toContain('HELD-BACK');
        cookie = page.meterCookie?.split(';')[0] ?? cookie;
      }
      const wall = await get()('/articles/river-festival', cookie);
      expect(wall.status).toBe(200);
      expect(wall.body).toContain('The river festival will move to September next year.');
      expect(wall.body).not.toContain('HELD-BACK');
      expect(wall.body).toContain('Register for free to continue reading');
      expect(wall.meterCookie).toBeUndefined();
      expect(wall.cacheControl).toBe('private, no-store');
      // Re-opening a story already read stays free.
      expect((await get()('/articles/night-buses', cookie)).body).toContain('HELD-BACK');
    });

    it('a subscriber reads in full and spends nothing: the meter cookie only marks the browser as signed in, once', async () => {
      let cookie = `session=${await session('digital')}`;
      const set: string[] = [];
      for (const slug of ['harbour-wall', 'night-buses', 'market-hall', 'river-festival', 'harbour-wall']) {
        const page = await get()(`/articles/${slug}`, cookie);
        expect(page.status).toBe(200);
        expect(page.body).toContain('HELD-BACK');
        expect(page.cacheControl).toBe('private, no-store');
        if (page.meterCookie) {
          set.push(page.meterCookie);
          cookie += `; ${page.meterCookie.split(';')[0]}`;
        }
      }
      expect(set).toHaveLength(1);
      expect(decodeJwt((set[0] as string).split(';')[0]?.split('=')[1] as string)).toMatchObject({ a: '', o: 1 });
    });
  });
}

/** A `Get` over HTTP, as a reader's browser. */
export const httpGet =
  (base: () => string): Get =>
  async (path, cookie) =>
    seen(await browserFetch(base() + path, { headers: cookie ? { cookie } : {} }));
