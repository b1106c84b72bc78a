/**
 * The simulator's HTML report in headless Chromium: it draws its three charts with the inlined
 * chart library, holds the tables, and makes no request of its own (a file opened offline).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { formatHtml } from '../../src/cli/simulate/html.js';
import { formatCsv, formatTable } from '../../src/cli/simulate/report.js';
import { simulate } from '../../src/cli/simulate/simulate.js';
import { DEMO_CONFIG, demoEntries } from '../fixtures/simulation.js';
import { CHROMIUM_ARGS, chromiumPath } from '../helpers-browser.js';

const executablePath = chromiumPath();
const title = executablePath
  ? 'the simulation report in headless Chromium'
  : 'the simulation report in headless Chromium — SKIPPED: no chromium on PATH (apt-get install chromium)';
if (!executablePath) console.warn(`[e2e] ${title}`);

describe.skipIf(!executablePath)(title, () => {
  it('draws three charts, shows the configurations side by side, and requests nothing', async () => {
    const result = await simulate(demoEntries(), DEMO_CONFIG);
    expect(result.configurations.map((c) => c.name)).toEqual([
      'meters.anonymous.limit=3',
      'meters.anonymous.limit=5',
      'meters.anonymous.limit=10',
    ]);
    // A lower limit walls more readers: the shares fall as the limit rises.
    const prompts = result.configurations.map((c) => c.metPrompt);
    expect(prompts[0]).toBeGreaterThan(prompts[1] as number);
    expect(prompts[1]).toBeGreaterThan(prompts[2] as number);
    expect(formatTable(result)).toContain('readers who met the prompt');
    expect(formatCsv(result).split('\n')[0]).toBe('configuration,dimension,key,metric,value');

    const dir = mkdtempSync(join(tmpdir(), 'meterwall-report-'));
    const browser = await chromium.launch({ executablePath: executablePath as string, headless: true, args: CHROMIUM_ARGS });
    try {
      const file = join(dir, 'report.html');
      writeFileSync(file, formatHtml(result));
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const requests: string[] = [];
      const errors: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      await page.goto(pathToFileURL(file).href);
      await page.waitForSelector('.uplot canvas');
      expect(await page.locator('.uplot').count()).toBe(3);
      expect(await page.locator('table').first().innerText()).toContain('meters.anonymous.limit=10');
      expect(await page.locator('.u-legend').first().innerText()).toContain('meters.anonymous.limit=3');
      expect(errors).toEqual([]);
      expect(requests).toEqual([pathToFileURL(file).href]);
      expect((await page.screenshot({ fullPage: true })).byteLength).toBeGreaterThan(20_000);
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
