/**
 * The Next.js example as a real app: `next build` + `next start` on 127.0.0.1, with the
 * library's `meterwall/next` middleware as the README shows. Over HTTP it serves the same
 * journey as every other framework; in headless Chromium, the `<Link>` prefetches Next sends
 * for a front page spend no view, a click spends exactly one, a reload none.
 */
import { decodeJwt } from 'jose';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORIES } from '../../examples/shared/stories.js';
import { SECRETS, httpGet, journey } from '../adapters/journey.js';
import { CHROMIUM_ARGS, chromiumPath, readerContext } from '../helpers-browser.js';
import { browserFetch } from '../helpers.js';
import { buildNextExample, startNext, type BuiltNextApp, type NextServer } from '../helpers-next.js';

const env = { METERWALL_SECRET: SECRETS.meterSecret, SESSION_SECRET: SECRETS.sessionSecret };
let app: BuiltNextApp | undefined;
let server: NextServer | undefined;

beforeAll(async () => {
  app = await buildNextExample(env);
  server = await startNext(app, env);
}, 300_000);

afterAll(async () => {
  await server?.stop();
  app?.remove();
});

const base = () => (server as NextServer).url;

// The page renders by the signed variant alone (no per-reader banner). Next's page renderer
// replaces the middleware's `Vary` with its own; `Cache-Control: private, no-store` survives.
journey('Next.js 16 (next build + next start, meterwall/next middleware)', () => httpGet(base), { banner: false, vary: false });

describe('Next.js: what the middleware forwards', () => {
  it('a variant header sent by a client is replaced by the middleware’s: a spent meter still gets the wall', async () => {
    let cookie: string | undefined;
    for (const slug of ['harbour-wall', 'night-buses', 'market-hall']) {
      const response = await browserFetch(`${base()}/articles/${slug}`, { headers: cookie ? { cookie } : {} });
      cookie = response.headers.getSetCookie()[0]?.split(';')[0] ?? cookie;
    }
    const forged = await browserFetch(`${base()}/articles/river-festival`, {
      headers: { cookie: cookie as string, 'x-meterwall-variant': 'full' },
    });
    const body = await forged.text();
    expect(body).not.toContain('HELD-BACK');
    expect(body).toContain('Register for free to continue reading');
  });
});

const executablePath = chromiumPath();
const title = executablePath
  ? 'Next.js in headless Chromium: prefetches are not page views'
  : 'Next.js in headless Chromium — SKIPPED: no chromium on PATH (apt-get install chromium)';
if (!executablePath) console.warn(`[e2e] ${title}`);

describe.skipIf(!executablePath)(title, () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: executablePath as string, headless: true, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** Articles counted on the browser's meter cookie (decoded as any observer would, without the secret). */
  async function views(context: BrowserContext): Promise<number> {
    const meter = (await context.cookies()).find((c) => c.name === '__Host-meterwall');
    return meter ? (decodeJwt(meter.value)['a'] as string).length / 8 : 0;
  }

  it(`opening a page with ${Object.keys(STORIES).length} <Link>s spends no view; clicking one spends exactly one; reloading it spends none`, async () => {
    const context = await readerContext(browser);
    const page = await context.newPage();
    const prefetches: string[] = [];
    page.on('request', (request) => {
      const headers = request.headers();
      if (request.url().includes('/articles/') && headers['next-router-prefetch']) prefetches.push(request.url());
    });
    await page.goto(base());
    await expect(page.locator('a[href^="/articles/"]').count()).resolves.toBe(Object.keys(STORIES).length);
    await page.waitForLoadState('networkidle');
    // Next prefetched every link, and none of it spent a view.
    expect(new Set(prefetches.map((url) => new URL(url).pathname)).size).toBe(Object.keys(STORIES).length);
    expect(await views(context)).toBe(0);

    await page.click('a[href="/articles/night-buses"]');
    await page.waitForSelector('article[data-variant]');
    await page.waitForLoadState('networkidle');
    expect(page.url()).toBe(`${base()}/articles/night-buses`);
    await expect(page.locator('article').getAttribute('data-variant')).resolves.toBe('full');
    await expect(page.locator('article').textContent()).resolves.toContain('HELD-BACK: drivers will be recruited locally.');
    expect(await views(context)).toBe(1);

    await page.reload();
    await page.waitForLoadState('networkidle');
    await expect(page.locator('article').textContent()).resolves.toContain('HELD-BACK: drivers will be recruited locally.');
    expect(await views(context)).toBe(1);

    // Back to the front page and its prefetches again: still one.
    await page.goBack();
    await page.waitForLoadState('networkidle');
    expect(await views(context)).toBe(1);
    await context.close();
  });
});
