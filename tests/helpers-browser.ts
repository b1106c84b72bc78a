import { commandPath } from './helpers-binaries.js';
import { createServer, type Server } from 'node:http';
import type { Browser, BrowserContext, BrowserContextOptions } from 'playwright-core';
import { BROWSER_UA } from './helpers.js';
import type { AddressInfo } from 'node:net';
import { createNewsSite } from '../examples/news-site/app.js';

/** The Chromium binary on PATH (Debian's `chromium`), or `null` when there is none. */
export function chromiumPath(): string | null {
  return commandPath('chromium') ?? commandPath('chromium-browser');
}

/** Launch flags that keep Chromium quiet on a machine without network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Starts the example site on a free 127.0.0.1 port. */
export async function startNewsSite(
  options: { experiment?: boolean; giftOpens?: number } = {},
): Promise<{ url: string; server: Server; site: ReturnType<typeof createNewsSite> }> {
  const site = createNewsSite({
    meterSecret: 'e2e-meter-secret-0123456789-abcdefgh',
    sessionSecret: new TextEncoder().encode('e2e-session-secret-0123456789-abcdef'),
    ...options,
  });
  const server = createServer((req, res) => void site.handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, site };
}

/**
 * A browser context that reads like a reader's Chrome: headless Chromium announces itself as
 * `HeadlessChrome`, an automated client whose requests meterwall never counts.
 */
export function readerContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  return browser.newContext({ userAgent: BROWSER_UA, ...options });
}
