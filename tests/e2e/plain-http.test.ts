/**
 * Issue 24, item 7, in a real browser: Chromium keeps the Secure `__Host-` meter cookie on
 * http://localhost (and 127.0.0.1) and drops it on a plain-http host such as http://dev.test
 * (mapped to 127.0.0.1), where the wall then never shows; the paywall warns once, there only.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPaywall } from '../../src/index.js';
import { decideNode } from '../../src/adapters/node.js';
import { BROWSER_UA, SECRET } from '../helpers.js';
import { CHROMIUM_ARGS, chromiumPath } from '../helpers-browser.js';

const executablePath = chromiumPath();
const title = executablePath
  ? 'a Secure meter cookie over plain http, in headless Chromium'
  : 'a Secure meter cookie over plain http, in headless Chromium — SKIPPED: no chromium on PATH (apt-get install chromium)';

describe.skipIf(!executablePath)(title, () => {
  let browser: Browser;
  let server: Server;
  let port: number;
  const warnings: string[] = [];
  const paywall = createPaywall({ secret: SECRET, meters: { anonymous: { limit: 2 } } });

  beforeAll(async () => {
    vi.spyOn(console, 'warn').mockImplementation((text: unknown) => void warnings.push(String(text)));
    server = createServer(async (req, res) => {
      const id = req.url ?? '/';
      const decision = await decideNode(paywall, req, res, { id });
      res.setHeader('content-type', 'text/plain');
      res.end(`${decision.access} ${decision.reason}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    browser = await chromium.launch({
      executablePath: executablePath as string,
      headless: true,
      args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP dev.test 127.0.0.1'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    server?.close();
    vi.restoreAllMocks();
  });

  /** Reads three articles at `origin` in a new browser; the reasons, and the cookies it kept. */
  async function readThree(origin: string): Promise<{ reasons: string[]; kept: string[] }> {
    const context = await browser.newContext({ userAgent: BROWSER_UA });
    const page = await context.newPage();
    const reasons: string[] = [];
    for (const id of ['a', 'b', 'c']) {
      await page.goto(`${origin}/articles/${id}`);
      reasons.push((await page.textContent('body')) ?? '');
    }
    const kept = (await context.cookies()).map((cookie) => cookie.name);
    await context.close();
    return { reasons, kept };
  }

  it('on http://localhost and http://127.0.0.1 the cookie is kept and the wall shows, without a warning', async () => {
    for (const host of ['localhost', '127.0.0.1']) {
      const { reasons, kept } = await readThree(`http://${host}:${port}`);
      expect(kept).toEqual(['__Host-meterwall']);
      expect(reasons).toEqual(['full metered', 'full metered', 'teaser meter-exhausted']);
    }
    expect(warnings).toEqual([]);
  }, 60_000);

  it('on http://dev.test the cookie is dropped, every article is metered, and the paywall says why, once', async () => {
    const { reasons, kept } = await readThree(`http://dev.test:${port}`);
    expect(kept).toEqual([]);
    expect(reasons).toEqual(['full metered', 'full metered', 'full metered']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`http://dev.test is plain http: browsers will not store it there`);
  }, 60_000);
});
