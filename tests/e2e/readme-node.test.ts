/**
 * The README's ten-line node:http server, where every path is an article (the worst case),
 * opened in headless Chromium: the page's favicon and image requests reach
 * `decideNode` like the article does, and spend nothing.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPaywall, type PaywallEvent } from '../../src/index.js';
import { decideNode } from '../../src/adapters/node.js';
import { CHROMIUM_ARGS, chromiumPath, readerContext } from '../helpers-browser.js';

const executablePath = chromiumPath();
const title = executablePath
  ? "the README's node:http server in headless Chromium"
  : "the README's node:http server in headless Chromium — SKIPPED: no chromium on PATH (apt-get install chromium)";
if (!executablePath) console.warn(`[e2e] ${title}`);

/** The README's story, with a favicon and images, so the page makes subresource requests. */
const story = {
  html: '<!doctype html><link rel="icon" href="/favicon.ico"><h1>Tram line to cross the river</h1><img src="/images/lead.jpg" alt=""><img src="/articles/other" alt=""><p>HELD-BACK ending</p>',
  teaser: '<!doctype html><link rel="icon" href="/favicon.ico"><h1>Tram line to cross the river</h1>',
};

describe.skipIf(!executablePath)(title, () => {
  let browser: Browser;
  let server: Server;
  let base: string;
  const decided: Array<{ path: string; reason: string; counted: boolean }> = [];
  const events: PaywallEvent[] = [];

  beforeAll(async () => {
    const paywall = createPaywall({ secret: 'readme-node-secret-0123456789-abcdef', onEvent: (e) => events.push(e) });
    // The README's lines, as written (every path is an article), recording each decision.
    server = createServer(async (req, res) => {
      const decision = await decideNode(paywall, req, res, { id: req.url ?? '/' }); // your CMS's article id
      decided.push({ path: req.url ?? '', reason: decision.reason, counted: decision.counted });
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(decision.access === 'full' ? story.html : `${story.teaser}<p>Subscribe to read on (${decision.reason}).</p>`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: executablePath as string, headless: true, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  it('the favicon and the images of a page spend no view; the article spends one; a reload none', async () => {
    const context = await readerContext(browser);
    const page = await context.newPage();
    await page.goto(`${base}/articles/budget`);
    await page.waitForLoadState('networkidle');
    await expect(page.locator('h1').textContent()).resolves.toBe('Tram line to cross the river');
    const meter = async () =>
      decodeJwt((await context.cookies()).find((c) => c.name === '__Host-meterwall')?.value as string)['a'] as string;
    expect((await meter()).length / 8).toBe(1);
    const byPath = (path: string) => decided.filter((d) => d.path === path);
    expect(byPath('/favicon.ico').length).toBeGreaterThan(0);
    expect(byPath('/images/lead.jpg').length).toBeGreaterThan(0);
    expect(byPath('/articles/other').length).toBeGreaterThan(0);
    for (const path of ['/favicon.ico', '/images/lead.jpg', '/articles/other']) {
      for (const d of byPath(path)) expect(d).toMatchObject({ reason: 'not-counted', counted: false });
    }
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'view-not-counted', article: '/favicon.ico', cause: 'subresource', signal: 'Sec-Fetch-Dest: image' }),
    );
    expect(byPath('/articles/budget')).toEqual([{ path: '/articles/budget', reason: 'metered', counted: true }]);

    await page.reload();
    await page.waitForLoadState('networkidle');
    expect((await meter()).length / 8).toBe(1);
    expect(byPath('/articles/budget').at(-1)).toMatchObject({ reason: 'already-read', counted: false });
    await context.close();
  });

  it('as the README says: /a, /b and /c are read in full, /d asks the reader to subscribe', async () => {
    const context = await readerContext(browser);
    const page = await context.newPage();
    for (const path of ['/a', '/b', '/c']) {
      await page.goto(`${base}${path}`);
      await expect(page.locator('body').textContent()).resolves.toContain('HELD-BACK ending');
    }
    await page.goto(`${base}/d`);
    const body = (await page.locator('body').textContent()) ?? '';
    expect(body).not.toContain('HELD-BACK');
    expect(body).toMatch(/Subscribe to read on \((register-to-continue|meter-exhausted)\)\./);
    await context.close();
  });
});
