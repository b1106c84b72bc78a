/**
 * Gift links on the example site in headless Chromium: a subscriber gifts an article from its
 * page and copies the link; fresh browsers open it in full without spending a view, each counted
 * once, re-opening free; after the cap a fresh browser gets the normal decision (the meter, and
 * for an archive story the subscribers' wall).
 */
import type { Server } from 'node:http';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ruleNote } from '../../examples/news-site/app.js';
import { ARTICLES } from '../../examples/news-site/articles.js';
import { CHROMIUM_ARGS, chromiumPath, readerContext, registerIn, type StartedSite, startNewsSite } from '../helpers-browser.js';

const executablePath = chromiumPath();
const title = executablePath
  ? 'gift links on the example site in headless Chromium'
  : 'gift links in headless Chromium — SKIPPED: no chromium on PATH (apt-get install chromium)';
if (!executablePath) console.warn(`[e2e] ${title}`);

const metered = ARTICLES.filter((a) => a.access === 'metered' && ruleNote(a, Date.now()) === null);
const archived = ARTICLES.find((a) => ruleNote(a, Date.now())?.startsWith('Archive'));

describe.skipIf(!executablePath)(title, () => {
  let browser: Browser;
  let server: Server;
  let base: string;
  let started: StartedSite;

  beforeAll(async () => {
    started = await startNewsSite({ giftOpens: 2 });
    server = started.server;
    base = started.url;
    browser = await chromium.launch({ executablePath: executablePath as string, headless: true, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  /** A new browser profile (JavaScript off: the site needs none). */
  async function freshPage(): Promise<Page> {
    const context = await readerContext(browser, { javaScriptEnabled: false });
    return context.newPage();
  }

  /** Gifts `slug` from its page and returns the link the gift page shows. */
  async function gift(page: Page, slug: string, left: number): Promise<string> {
    await page.goto(`${base}/articles/${slug}`);
    await expect(page.locator('.gift button').textContent()).resolves.toBe(`Gift this article (${left} of 10 left this month)`);
    await page.click('.gift button');
    await expect(page.locator('h1').textContent()).resolves.toBe('Your gift link');
    const link = await page.locator('#gift-link').inputValue();
    expect(link).toMatch(new RegExp(`^${base}/articles/${slug}\\?gift=[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$`));
    await expect(page.locator('.gift-created').textContent()).resolves.toContain(`${left - 1} of 10 gifts left this month`);
    return link;
  }

  it('a subscriber gifts an article; fresh browsers read it in full without spending a view; after the cap, the normal wall', async () => {
    const [story, other] = metered;
    if (!story || !other || !archived) throw new Error('fixture');

    // A reader registers and subscribes through the site's own forms.
    const subscriber = await freshPage();
    await registerIn(subscriber, started, { name: 'Gwen Giver', email: 'gwen@example.com' });
    await subscriber.goto(`${base}/subscribe`);
    await subscriber.check('input[name=plan][value=monthly]');
    await subscriber.click('form[action="/subscribe"] button[type=submit]');
    await expect(subscriber.locator('h1').textContent()).resolves.toBe('You are a subscriber');

    const link = await gift(subscriber, story.slug, 10);
    await subscriber.goto(`${base}/articles/${story.slug}`);
    await expect(subscriber.locator('.gift button').textContent()).resolves.toBe('Gift this article (9 of 10 left this month)');

    // Two fresh browsers open it in full, with the note and the invitation, spending no view.
    const opened: Page[] = [];
    for (let i = 0; i < 2; i++) {
      const friend = await freshPage();
      const response = await friend.goto(link);
      expect(response?.status()).toBe(200);
      const headers = response?.headers() ?? {};
      expect(headers['x-robots-tag']).toBe('noindex');
      expect(headers['referrer-policy']).toBe('same-origin');
      expect(headers['cache-control']).toBe('private, no-store');
      const source = (await response?.text()) ?? '';
      expect(source).toContain(story.paragraphs.at(-1)?.slice(0, 60));
      expect(source).toContain('"isAccessibleForFree":false');
      await expect(friend.locator('.gift-note').textContent()).resolves.toBe('A subscriber shared this article with you.');
      await expect(friend.locator('.gift-invitation').textContent()).resolves.toContain('Register for free');
      await expect(friend.locator('.prompt').count()).resolves.toBe(0);
      // The meter is untouched: the next article is the first of three.
      await friend.goto(`${base}/articles/${other.slug}`);
      await expect(friend.locator('.meterwall-banner').textContent()).resolves.toContain('2 of 3 free articles left this month');
      opened.push(friend);
    }
    // Re-opening in a browser that opened it is free.
    await opened[0]?.goto(link);
    await expect(opened[0]?.locator('.gift-note').count()).resolves.toBe(1);

    // The third fresh browser: the cap is reached, the link is an ordinary visit (a counted view).
    const late = await freshPage();
    const response = await late.goto(link);
    const source = (await response?.text()) ?? '';
    await expect(late.locator('.gift-note').count()).resolves.toBe(0);
    await expect(late.locator('.meterwall-banner').textContent()).resolves.toContain('2 of 3 free articles left this month');
    // A URL carrying a gift token is never indexed, whatever it opens (issue 23, finding 6).
    expect(response?.headers()['x-robots-tag']).toBe('noindex');
    expect(source).toContain(story.paragraphs.at(-1)?.slice(0, 60));

    // An archive story (subscribers only by the desk's rules): gifted, it opens; past the cap,
    // a fresh browser meets the subscribers' wall and the page holds no held-back paragraph.
    const archiveLink = await gift(subscriber, archived.slug, 9);
    for (let i = 0; i < 2; i++) {
      const friend = await freshPage();
      const text = (await (await friend.goto(archiveLink))?.text()) ?? '';
      expect(text).toContain(archived.paragraphs.at(-1)?.slice(0, 60));
    }
    const walled = await freshPage();
    const wall = (await (await walled.goto(archiveLink))?.text()) ?? '';
    await expect(walled.locator('.prompt h2').textContent()).resolves.toBe('This article is for subscribers');
    for (const held of archived.paragraphs.slice(2)) expect(wall).not.toContain(held.slice(0, 40));
  }, 60_000);
});
