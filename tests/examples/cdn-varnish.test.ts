/**
 * The example site behind a real varnishd running the shipped VCL (examples/varnish/default.vcl):
 * article pages cached once per article and variant, decisions made per reader at the origin's
 * decision route, and nothing held back or per reader ever served from the cache to the wrong
 * reader (cdn-suite.ts, as behind the Worker); here also the origin asked directly, `npm run
 * example:cdn`, and one journey in headless Chromium.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createPaywall } from '../../src/index.js';
import { articleFacts } from '../../examples/news-site/policy.js';
import { startVarnish, varnishdPath } from '../../examples/varnish/varnish.js';
import { CHROMIUM_ARGS, chromiumPath, readerContext } from '../helpers-browser.js';
import { METERED, PER_READER, reader, shown } from '../helpers-cdn.js';
import { freePort } from '../helpers-redis.js';
import { edgeSuite, METER_SECRET } from './cdn-suite.js';

const varnishd = varnishdPath();
const title = varnishd
  ? 'the example site behind Varnish'
  : 'the example site behind Varnish — SKIPPED: no varnishd (apt-get install varnish)';
if (!varnishd) console.warn(`[cdn] ${title}`);
const executablePath = chromiumPath();

describe.skipIf(!varnishd)(title, () => {
  const ctx = edgeSuite(async (origin) => {
    const varnish = await startVarnish({ originPort: origin.port, port: await freePort(), binary: varnishd as string });
    return { url: varnish.url, stop: () => varnish.stop() };
  });

  it('the origin, asked directly: the teaser without a valid signed variant (bare, another article, expired)', async () => {
    const origin = ctx.started.url;
    const article = METERED[0] as (typeof METERED)[number];
    const other = METERED[1] as (typeof METERED)[number];
    const now = createPaywall({ secret: METER_SECRET, cdn: {} });
    const old = createPaywall({ secret: METER_SECRET, cdn: {}, now: () => Date.now() - 10 * 60_000 });
    const cases: Array<[string, string | null, 'full' | 'wall']> = [
      ['none', null, 'wall'],
      ['bare full', 'full', 'wall'],
      ['signed for another article', await now.signVariant('full', articleFacts(other)), 'wall'],
      ['expired', await old.signVariant('full', articleFacts(article)), 'wall'],
      ['signed for this article', await now.signVariant('full', articleFacts(article)), 'full'],
    ];
    for (const [what, value, expected] of cases) {
      const response = await fetch(`${origin}/articles/${article.slug}`, {
        headers: value === null ? {} : { 'x-meterwall-variant': value },
      });
      const html = await response.text();
      expect(shown(html, article), what).toBe(expected);
      expect(response.headers.getSetCookie(), what).toEqual([]);
      expect(response.headers.get('cache-control')).toBe('public, max-age=0, s-maxage=300');
    }
  });

  it('npm run example:cdn starts the site behind Varnish and prints its URL; without varnishd, says how to install it', async () => {
    const [port, originPort] = [await freePort(), await freePort()];
    const env = { ...process.env, PORT: String(port), ORIGIN_PORT: String(originPort), NO_COLOR: '1' };
    const child = spawn('npm', ['run', 'example:cdn'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let output = '';
        const timer = setTimeout(() => reject(new Error(`no URL: ${output}`)), 60_000);
        const read = (chunk: Buffer) => {
          output += chunk.toString();
          const found = /behind Varnish is running at (http:\/\/localhost:\d+)\//.exec(output)?.[1];
          if (found) {
            clearTimeout(timer);
            resolve(found);
          }
        };
        child.stdout?.on('data', read);
        child.stderr?.on('data', read);
      });
      expect(url).toBe(`http://localhost:${port}`);
      const article = METERED[0] as (typeof METERED)[number];
      const views = [await reader(`http://127.0.0.1:${port}`).get(`/articles/${article.slug}`)];
      views.push(await reader(`http://127.0.0.1:${port}`).get(`/articles/${article.slug}`));
      expect(views.map((v) => v.response.headers.get('x-cache'))).toEqual(['MISS', 'HIT']);
      expect(shown(views[1]?.html as string, article)).toBe('full');
    } finally {
      process.kill(-(child.pid as number), 'SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    const missing = spawnSync('npm', ['run', 'example:cdn'], { env: { ...env, VARNISHD: '/nonexistent/varnishd' }, encoding: 'utf8' });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('needs varnishd (Varnish 7), which is not installed');
    expect(missing.stderr).toContain('apt-get install varnish');
  }, 90_000);

  it.skipIf(!executablePath)('in headless Chromium: three articles, the wall, and never the held-back text behind it', async () => {
    const browser = await chromium.launch({ executablePath: executablePath as string, headless: true, args: CHROMIUM_ARGS });
    try {
      const context = await readerContext(browser, { javaScriptEnabled: false });
      const page = await context.newPage();
      const articles = METERED.slice(0, 4);
      const seen: string[] = [];
      for (const article of [...articles, articles[0]] as typeof articles) {
        const response = await page.goto(`${ctx.edge}/articles/${article.slug}`);
        expect(response?.headers()['x-cache']).toMatch(/^(HIT|MISS)$/);
        const source = (await response?.text()) ?? '';
        seen.push(shown(source, article));
        if (seen.at(-1) === 'wall') await expect(page.locator('.prompt h2').count()).resolves.toBe(1);
        for (const marker of PER_READER) expect(source).not.toContain(marker);
      }
      expect(seen).toEqual(['full', 'full', 'full', 'wall', 'full']);
      await context.close();
    } finally {
      await browser.close();
    }
  });
});
