import { commandPath } from './helpers-binaries.js';
import { createServer, type Server } from 'node:http';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { BROWSER_UA } from './helpers.js';
import type { AddressInfo } from 'node:net';
import type { Mail } from '../examples/news-site/accounts.js';
import { createNewsSite, type NewsSiteOptions } from '../examples/news-site/app.js';

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

/** A started example site, with the mail it sent. */
export interface StartedSite {
  readonly url: string;
  readonly server: Server;
  readonly site: ReturnType<typeof createNewsSite>;
  /** Every message the site sent, oldest first. */
  readonly outbox: Mail[];
  /** The link in the last message sent to `email` (a registration's confirmation link). */
  linkFor(email: string): string;
}

/** Starts the example site on a free 127.0.0.1 port, its origin that address, its mail kept in `outbox`. */
export async function startNewsSite(options: Omit<Partial<NewsSiteOptions>, 'origin' | 'mail'> = {}): Promise<StartedSite> {
  const outbox: Mail[] = [];
  let site: ReturnType<typeof createNewsSite> | undefined;
  const server = createServer((req, res) => void site?.handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  site = createNewsSite({
    meterSecret: 'e2e-meter-secret-0123456789-abcdefgh',
    sessionSecret: new TextEncoder().encode('e2e-session-secret-0123456789-abcdef'),
    ...options,
    origin: url,
    mail: (message) => outbox.push(message),
  });
  return {
    url,
    server,
    site,
    outbox,
    linkFor(email) {
      const message = outbox.filter((m) => m.to === email.toLowerCase()).at(-1);
      if (!message?.link) throw new Error(`no mail with a link to ${email}`);
      return message.link;
    },
  };
}

/**
 * Registers in `page` as a reader does: the form (`#field-…` on the register page, or the
 * prompt's own), then the link from the confirmation email, then "Finish registering".
 */
export async function registerIn(
  page: Page,
  started: StartedSite,
  reader: { readonly name: string; readonly email: string; readonly password?: string },
  from: 'page' | 'prompt' = 'page',
): Promise<void> {
  const prefix = from === 'page' ? '#field' : '#prompt';
  if (from === 'page') await page.goto(`${started.url}/register`);
  await page.fill(`${prefix}-name`, reader.name);
  await page.fill(`${prefix}-email`, reader.email);
  await page.fill(`${prefix}-password`, reader.password ?? 'correct horse battery staple');
  await page.click(from === 'page' ? 'form[action^="/register"] button[type=submit]' : '.prompt__register button[type=submit]');
  await page.locator('h1', { hasText: 'Check your email' }).waitFor();
  await page.goto(started.linkFor(reader.email));
  await page.click('form[action="/register/confirm"] button[type=submit]');
  await page.waitForLoadState();
}

/**
 * A browser context that reads like a reader's Chrome: headless Chromium announces itself as
 * `HeadlessChrome`, an automated client whose requests meterwall never counts.
 */
export function readerContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  return browser.newContext({ userAgent: BROWSER_UA, ...options });
}
