import type { Server } from 'node:http';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ruleNote } from '../../examples/news-site/app.js';
import { ARTICLES } from '../../examples/news-site/articles.js';
import { CHROMIUM_ARGS, chromiumPath, readerContext, registerIn, type StartedSite, startNewsSite } from '../helpers-browser.js';

const executablePath = chromiumPath();
const title = executablePath
  ? 'the example news site in headless Chromium'
  : 'the example news site in headless Chromium — SKIPPED: no chromium on PATH (apt-get install chromium)';
if (!executablePath) console.warn(`[e2e] ${title}`);

// The stories the desk's rules leave on the meter (not breaking news on its first day, not the archive).
const metered = ARTICLES.filter((a) => a.access === 'metered' && ruleNote(a, Date.now()) === null);
const breaking = ARTICLES.find((a) => ruleNote(a, Date.now())?.startsWith('Free'));
const archived = ARTICLES.find((a) => ruleNote(a, Date.now())?.startsWith('Archive'));
const free = ARTICLES.find((a) => a.access === 'free');
const subscribersOnly = ARTICLES.find((a) => a.access === 'subscribers');

describe.skipIf(!executablePath)(title, () => {
  let browser: Browser;
  let server: Server;
  let base: string;
  let started: StartedSite;

  beforeAll(async () => {
    started = await startNewsSite();
    server = started.server;
    base = started.url;
    browser = await chromium.launch({ executablePath: executablePath as string, headless: true, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  /** Opens an article like a reader clicking a link; returns the page and the raw HTML served. */
  async function open(page: Page, slug: string): Promise<{ source: string; banner: string | null; prompt: string | null }> {
    const response = await page.goto(`${base}/articles/${slug}`);
    expect(response?.status()).toBe(200);
    const source = (await response?.text()) ?? '';
    const text = async (selector: string) => {
      const found = page.locator(selector);
      return (await found.count()) > 0 ? await found.first().textContent() : null;
    };
    return { source, banner: await text('.meterwall-banner'), prompt: await text('.prompt h2') };
  }

  async function newReader(): Promise<{ context: BrowserContext; page: Page }> {
    // JavaScript off: the site must work without it, and view-source is what a reader gets.
    const context = await readerContext(browser, { javaScriptEnabled: false });
    return { context, page: await context.newPage() };
  }

  it('the front page lists the articles, one free and one for subscribers, and says what the rules do with two more', async () => {
    const { context, page } = await newReader();
    await page.goto(base);
    await expect(page.locator('.lead-story__headline, .card__headline').count()).resolves.toBe(ARTICLES.length);
    await expect(page.locator('.badge--free:not([data-rule])').count()).resolves.toBe(1);
    await expect(page.locator('.badge--subscribers:not([data-rule])').count()).resolves.toBe(1);
    await expect(page.locator('[data-rule]').allTextContents()).resolves.toEqual([
      'Sport: 2 a month on its own meter',
      'Free today: breaking news',
      'Archive: subscribers only',
    ]);
    // Article pages are linked from the front page.
    await page.click(`a[href="/articles/${metered[1]?.slug}"] >> nth=0`);
    expect(page.url()).toBe(`${base}/articles/${metered[1]?.slug}`);
    await context.close();
  });

  it('a new reader: three in full, the prompt, register, the subscribe teaser, subscribe, sign out', async () => {
    const { context, page } = await newReader();
    const [a1, a2, a3, a4, ...more] = metered;
    if (!a1 || !a2 || !a3 || !a4 || !free || !subscribersOnly) throw new Error('fixture');

    // Three articles in full, the count going down.
    expect((await open(page, a1.slug)).banner).toContain('2 of 3 free articles left this month');
    expect((await open(page, a2.slug)).banner).toContain('1 of 3 free articles left this month');
    const third = await open(page, a3.slug);
    expect(third.banner).toContain('0 of 3 free articles left this month');
    expect(third.source).toContain(a3.paragraphs.at(-1)?.slice(0, 60));

    // A free article is open and spends nothing.
    expect((await open(page, free.slug)).source).toContain(free.paragraphs.at(-1)?.slice(0, 60));

    // The fourth: the register prompt, and the page source lacks the held-back paragraphs.
    const fourth = await open(page, a4.slug);
    expect(fourth.prompt).toBe('Register for free to continue reading');
    expect(await page.locator('.prompt').textContent()).toContain(
      'To continue reading this article, register for free and get limited access each month.',
    );
    await expect(page.locator('.prompt').textContent()).resolves.toContain('Cancel or pause at any time');
    await expect(page.locator('.prompt').textContent()).resolves.toContain('Already a subscriber?');
    expect(fourth.source).toContain(a4.paragraphs[0]?.slice(0, 60));
    for (const held of a4.paragraphs.slice(2)) expect(fourth.source).not.toContain(held.slice(0, 40));
    expect(fourth.source).toContain('"isAccessibleForFree":false');
    expect(fourth.source).toContain('"cssSelector":".meterwall-paywalled"');

    // Re-opening an article already read stays free and does not count.
    const again = await open(page, a1.slug);
    expect(again.prompt).toBeNull();
    expect(again.banner).toContain('0 of 3 free articles left this month');

    // Register from the prompt (the confirmation link comes by email): back on the article, now
    // on the registered allowance.
    await open(page, a4.slug);
    await registerIn(page, started, { name: 'Ada Reader', email: 'ada@example.com' }, 'prompt');
    expect(page.url()).toBe(`${base}/articles/${a4.slug}`);
    await expect(page.locator('.account-name').textContent()).resolves.toContain('Ada Reader');
    const registered = (await page.locator('.meterwall-banner').textContent()) ?? '';
    expect(registered).toMatch(/(\d) of 5 free articles left this month/);
    let left = Number(/(\d) of 5/.exec(registered)?.[1]);

    // Spend the registered allowance, counting down, until the subscribe teaser.
    const queue = [...more, a1, a2, a3];
    let teaser: { slug: string; source: string } | undefined;
    for (const article of queue) {
      const result = await open(page, article.slug);
      if (result.prompt) {
        expect(left).toBe(0);
        expect(result.prompt).toBe("You've read your free articles this month");
        await expect(page.locator('.prompt').textContent()).resolves.toContain('Unlimited access to every article');
        for (const held of article.paragraphs.slice(2)) expect(result.source).not.toContain(held.slice(0, 40));
        teaser = { slug: article.slug, source: result.source };
        break;
      }
      const now = Number(/(\d) of 5/.exec(result.banner ?? '')?.[1]);
      expect(now).toBe(left - 1);
      left = now;
    }
    expect(teaser).toBeDefined();
    // The subscribers-only article shows its teaser to a registered reader.
    expect((await open(page, subscribersOnly.slug)).prompt).toBe('This article is for subscribers');

    // Subscribe through the mock checkout: full access everywhere, subscribers-only included.
    await page.goto(`${base}/subscribe`);
    await page.check('input[name=plan][value=annual]');
    await page.click('form[action="/subscribe"] button[type=submit]');
    await expect(page.locator('h1').textContent()).resolves.toBe('You are a subscriber');
    for (const article of [teaser as { slug: string }, subscribersOnly, ...metered]) {
      const result = await open(page, article.slug);
      expect(result.prompt).toBeNull();
      const full = ARTICLES.find((a) => a.slug === article.slug);
      expect(result.source).toContain(full?.paragraphs.at(-1)?.slice(0, 60));
    }

    // Signing out returns to the anonymous meter of this browser, which hands out nothing more
    // this month: what was read stays open, anything else asks to sign in again.
    await page.click('.masthead__account button[type=submit]');
    await expect(page.locator('.masthead__account').textContent()).resolves.toContain('Sign in');
    expect((await open(page, a1.slug)).banner).toContain('0 of 3 free articles left this month');
    expect((await open(page, more[0]?.slug ?? '')).prompt).toBe('Sign in to continue reading');
    await expect(page.locator('.prompt').textContent()).resolves.toContain('You signed out on this device.');
    await context.close();
  });

  it('a teaser shows the promo and newsletter boxes and 2 paragraphs of the article; the box signs up', async () => {
    const { context, page } = await newReader();
    const article = subscribersOnly;
    if (!article) throw new Error('fixture');
    expect((await open(page, article.slug)).prompt).toBe('This article is for subscribers');
    // What the reader sees in the body, as Chromium rendered it.
    const seen = (await page.locator('.story__body').innerText()).replace(/\s+/g, ' ');
    expect(seen).toContain('Subscribe to The Riverside Courier');
    expect(seen).toContain('Sign up for The Riverside Courier’s free newsletters');
    await expect(page.locator('.story__body > p').allInnerTexts()).resolves.toEqual(article.paragraphs.slice(0, 2));
    await expect(page.locator('.author-bio').innerText()).resolves.toContain(article.author);
    await page.click('.newsletter-signup a.button');
    await page.fill('#field-email', 'reader@example.com');
    await page.click('form[action="/newsletters"] button[type=submit]');
    await expect(page.locator('h1').textContent()).resolves.toBe('You’re signed up');
    await page.click('text=Back to the article');
    expect(page.url()).toBe(`${base}/articles/${article.slug}`);
    await context.close();
  });

  it('the desk’s rules: sport on its own meter, breaking news free on its first day (no view spent), the archive for subscribers', async () => {
    const { context, page } = await newReader();
    await page.goto(`${base}/articles/${breaking?.slug}?debug=1`);
    await expect(page.locator('[data-debug=reason]').textContent()).resolves.toBe('rule-free');
    await expect(page.locator('[data-debug=rule]').textContent()).resolves.toBe('breaking news, free on its first day');
    await page.goto(`${base}/articles/${archived?.slug}?debug=1`);
    await expect(page.locator('[data-debug=access]').textContent()).resolves.toBe('teaser');
    await expect(page.locator('[data-debug=reason]').textContent()).resolves.toBe('subscribers-only');
    await expect(page.locator('[data-debug=rule]').textContent()).resolves.toBe('the archive, for subscribers');
    const sportStory = ARTICLES.find((a) => a.section === 'Sport');
    await page.goto(`${base}/articles/${sportStory?.slug}?debug=1`);
    await expect(page.locator('[data-debug=rule]').textContent()).resolves.toBe('sport, on its own meter');
    await expect(page.locator('[data-debug=meter]').textContent()).resolves.toContain('1 of 2 used');
    // None of them spent a view of the site's meter: its first story is still view 1 of 3.
    await page.goto(`${base}/articles/${metered[0]?.slug}?debug=1`);
    await expect(page.locator('[data-debug=meter]').textContent()).resolves.toContain('1 of 3 used');
    await expect(page.locator('[data-debug=rule]').textContent()).resolves.toBe('everything else, metered');
    await context.close();
  });

  it('the debug panel shows the decision', async () => {
    const { context, page } = await newReader();
    await page.goto(`${base}/articles/${metered[0]?.slug}?debug=1`);
    await expect(page.locator('[data-debug=access]').textContent()).resolves.toBe('full');
    await expect(page.locator('[data-debug=reason]').textContent()).resolves.toBe('metered');
    await expect(page.locator('[data-debug=meter]').textContent()).resolves.toContain('1 of 3 used');
    await expect(page.locator('.debug tbody tr').count()).resolves.toBeGreaterThan(4);
    await context.close();
  });

  it('a form error re-shows what the reader typed, with a clear message', async () => {
    const { context, page } = await newReader();
    await page.goto(`${base}/register`);
    await page.fill('#field-name', 'Grace');
    await page.fill('#field-email', 'grace-at-example');
    await page.click('form[action="/register"] button[type=submit]');
    await expect(page.locator('.error-summary').textContent()).resolves.toContain('Enter an email address like name@example.com.');
    await expect(page.inputValue('#field-name')).resolves.toBe('Grace');
    await expect(page.inputValue('#field-email')).resolves.toBe('grace-at-example');
    await context.close();
  });

  it('with the A/B test on (--experiment), the debug panel names the reader’s variant and its limit applies', async () => {
    const experimental = await startNewsSite({ experiment: true });
    try {
      const seen = new Set<string>();
      for (let r = 0; r < 20 && seen.size < 2; r++) {
        const { context, page } = await newReader();
        let full = 0;
        let variant = '';
        for (const article of metered.slice(0, 5)) {
          await page.goto(`${experimental.url}/articles/${article.slug}?debug=1`);
          variant = (await page.locator('[data-debug=buckets]').textContent()) ?? '';
          if ((await page.locator('[data-debug=access]').textContent()) === 'full') full++;
        }
        expect(variant).toMatch(/^anonymous limit: (three|four) free$/);
        expect(full).toBe(variant.endsWith('three free') ? 3 : 4);
        seen.add(variant);
        await context.close();
      }
      expect(seen.size).toBe(2);
    } finally {
      await new Promise<void>((resolve) => experimental.server.close(() => resolve()));
    }
  });
});
