// Takes the README's picture of the simulator's HTML report (the demo traffic of
// tests/fixtures/simulation.ts, three anonymous limits) in headless Chromium, on a desktop and on a phone.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { formatHtml } from '../src/cli/simulate/html.js';
import { simulate } from '../src/cli/simulate/run.js';
import { DEMO_CONFIG, demoEntries } from '../tests/fixtures/simulation.js';
import { CHROMIUM_ARGS, chromiumPath } from '../tests/helpers-browser.js';

const executablePath = chromiumPath();
if (!executablePath) {
  console.error('No chromium on PATH (apt-get install chromium).');
  process.exit(1);
}
const dir = mkdtempSync(join(tmpdir(), 'meterwall-report-'));
const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
try {
  const file = join(dir, 'report.html');
  writeFileSync(file, formatHtml(await simulate(demoEntries(), DEMO_CONFIG)));
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('.uplot canvas');
  await page.screenshot({ path: new URL('../docs/simulate-report.png', import.meta.url).pathname, fullPage: true });
  // And on a phone: the charts one under the other, the tables scrolling sideways.
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true });
  await phone.goto(pathToFileURL(file).href);
  await phone.waitForSelector('.uplot canvas');
  await phone.waitForTimeout(200);
  await phone.screenshot({ path: new URL('../docs/simulate-report-phone.png', import.meta.url).pathname, fullPage: false });
} finally {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}
