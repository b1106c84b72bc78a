// Takes the README's screenshots of the example site in headless Chromium: npm run screenshots.
import { chromium } from 'playwright-core';
import { ARTICLES } from '../examples/news-site/articles.js';
import { CHROMIUM_ARGS, chromiumPath, readerContext, startNewsSite } from '../tests/helpers-browser.js';

const executablePath = chromiumPath();
if (!executablePath) {
  console.error('No chromium on PATH (apt-get install chromium).');
  process.exit(1);
}
const { url, server } = await startNewsSite();
const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
const metered = ARTICLES.filter((a) => a.access === 'metered');
const out = new URL('../docs/', import.meta.url).pathname;

const desktop = await readerContext(browser, { viewport: { width: 1280, height: 900 }, javaScriptEnabled: false });
const page = await desktop.newPage();
await page.goto(url);
await page.screenshot({ path: `${out}front-page.png` });
for (const a of metered.slice(0, 3)) await page.goto(`${url}/articles/${a.slug}`);
await page.goto(`${url}/articles/${metered[3]?.slug}`);
await page.locator('.prompt').scrollIntoViewIfNeeded();
await page.evaluate(() => undefined).catch(() => undefined);
await page.screenshot({ path: `${out}article-prompt.png`, fullPage: true });

// A registered reader with a spent allowance meets the subscribe teaser.
await page.fill('#prompt-name', 'Ada Reader');
await page.fill('#prompt-email', 'ada@example.com');
await page.click('.prompt__register button[type=submit]');
for (const a of [...metered.slice(4), ...metered.slice(0, 3)]) {
  await page.goto(`${url}/articles/${a.slug}`);
  if ((await page.locator('.prompt').count()) > 0) break;
}
await page.screenshot({ path: `${out}article-teaser.png`, fullPage: true });

const mobile = await readerContext(browser, {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  javaScriptEnabled: false,
  isMobile: true,
});
const phone = await mobile.newPage();
for (const a of metered.slice(0, 4)) await phone.goto(`${url}/articles/${a.slug}`);
await phone.screenshot({ path: `${out}article-prompt-mobile.png`, fullPage: true });

await browser.close();
server.close();
console.log(`Screenshots written to ${out}`);
