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
import { type SimulationResult, simulate } from '../../src/cli/simulate/run.js';
import type { CandidateStats } from '../../src/cli/simulate/stats.js';
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
      expect(await page.locator('.uplot').count()).toBe(5);
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

  /** A result of `n` configurations with counts in the millions, over `days` days. */
  function big(n: number, days: number): SimulationResult {
    const day = (i: number) => new Date(Date.UTC(2026, 10, 1 + i)).toISOString().slice(0, 10);
    const configurations: CandidateStats[] = Array.from({ length: n }, (_, c) => {
      const byDay = new Map(
        Array.from({ length: days }, (_, i) => [
          day(i),
          { views: 2_345_678 + i * 1000 + c, full: 1_000_000, teaser: 100_000 + c, prompt: 1_234_567 - c * 50_000 },
        ]),
      );
      return {
        name: `meters.anonymous.limit=${c + 1}, meters.registered.limit=${c + 5}`,
        readers: 3_000_000,
        notPageViews: 12_345,
        metPrompt: 1_000_000,
        metTeaser: 10_000,
        total: { views: 2_345_678 * days, full: 1_000_000 * days, teaser: 100_000 * days, prompt: 1_234_567 * days },
        reasons: new Map(),
        viewsPerReader: { '1': 1_500_000, '2': 600_000, '3': 400_000, '4-5': 300_000, '6-10': 150_000, '11-20': 40_000, '21+': 10_000 },
        bySection: new Map([
          ['news', { views: 1, full: 1, teaser: 0, prompt: 0 }],
          ['sport', { views: 1, full: 1, teaser: 0, prompt: 0 }],
        ]),
        byDay,
      };
    });
    return { configurations, articleRequests: 2_345_678 * days, otherRequests: 0, keying: new Map(), addresses: 0 };
  }

  for (const [device, viewport] of [
    ['a phone', { width: 390, height: 844 }],
    ['a desktop', { width: 1280, height: 900 }],
  ] as const)
    it(`on ${device}: twelve configurations in twelve colours, labels unclipped, nothing wider than the screen, daily counts`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'meterwall-report-'));
      const browser = await chromium.launch({ executablePath: executablePath as string, headless: true, args: CHROMIUM_ARGS });
      try {
        for (const days of [1, 30]) {
          const file = join(dir, `report-${days}.html`);
          writeFileSync(file, formatHtml(big(12, days)));
          const page = await browser.newPage({ viewport, deviceScaleFactor: device === 'a phone' ? 3 : 1, isMobile: device === 'a phone' });
          const errors: string[] = [];
          page.on('pageerror', (error) => errors.push(error.message));
          await page.goto(pathToFileURL(file).href);
          await page.waitForSelector('.uplot canvas');
          const seen = await page.evaluate(() => {
            type Axis = { _size: number; _values: string[] | null; font: string[] | string };
            type Chart = { axes: Axis[]; root: HTMLElement; scales: { x: { min: number; max: number } } };
            const charts = (window as unknown as { meterwallCharts: Chart[] }).meterwallCharts;
            const measure = document.createElement('canvas').getContext('2d') as CanvasRenderingContext2D;
            measure.font = '12px system-ui, sans-serif';
            const legend = [...document.querySelectorAll('.u-legend')][0] as HTMLElement;
            const markers = [...legend.querySelectorAll('.u-series:not(:first-child) .u-marker')].map(
              (m) => getComputedStyle(m).borderColor,
            );
            return {
              overflow: document.documentElement.scrollWidth - window.innerWidth,
              wide: [...document.querySelectorAll('body *')]
                .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth && !e.closest('.scroll'))
                .map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`),
              charts: charts.map((u) => ({
                right: u.root.getBoundingClientRect().right,
                clipped: u.axes
                  .slice(1)
                  .map((axis) => Math.max(0, ...(axis._values ?? []).map((v) => measure.measureText(v).width)) - axis._size)
                  .filter((over) => over > -8),
                xSpanDays: (u.scales.x.max - u.scales.x.min) / 86400,
              })),
              colours: new Set(markers).size,
              lede: (document.querySelector('.lede') as HTMLElement).innerText,
              dayTable: [...document.querySelectorAll('h2')].some((h) => h.textContent?.startsWith('By day')),
            };
          });
          expect(errors).toEqual([]);
          expect(seen.overflow, `the page is no wider than the screen: ${seen.wide.join(', ')}`).toBeLessThanOrEqual(0);
          for (const chart of seen.charts) {
            expect(chart.right).toBeLessThanOrEqual(viewport.width);
            expect(chart.clipped, 'an axis narrower than its labels').toEqual([]);
          }
          expect(seen.colours).toBe(12);
          expect(seen.dayTable).toBe(true);
          if (days === 1) {
            expect(seen.lede).toContain('one day, 2026-11-01');
            // The date axis of one day spans days, not years.
            expect(seen.charts.slice(0, 4).map((c) => c.xSpanDays)).toEqual([2, 2, 2, 2]);
          } else expect(seen.lede).toContain('30 days from 2026-11-01 to 2026-11-30');
          await page.close();
        }
      } finally {
        await browser.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }, 60_000);
});
