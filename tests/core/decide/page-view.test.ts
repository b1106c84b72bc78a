import { describe, expect, it } from 'vitest';
import { createAutomatedDetector } from '../../../src/core/decide/automated-clients.js';
import { notPageView, type PageViewSettings } from '../../../src/core/decide/page-view.js';
import { createPaywall, type PaywallEvent, type PaywallOptions } from '../../../src/index.js';
import { BROWSER_UA, SECRET, articleRequest, createReader, fakeClock } from '../../helpers.js';

const defaults: PageViewSettings = { scriptFetches: 'count', automated: createAutomatedDetector(), notPageView: undefined };
const check = (headers: Record<string, string>, method = 'GET', settings: Partial<PageViewSettings> = {}) =>
  notPageView(articleRequest({ 'user-agent': BROWSER_UA, ...headers }, method), { ...defaults, ...settings });

function setup(extra: Partial<PaywallOptions> = {}) {
  const events: PaywallEvent[] = [];
  const clock = fakeClock('2026-11-10T09:00:00Z');
  const paywall = createPaywall({ secret: SECRET, now: clock.now, onEvent: (e) => events.push(e), ...extra });
  return { paywall, events, reader: createReader(paywall) };
}

/** Opens 'unread' with the headers: it must not count, must not be full, and must set no cookie. */
async function expectNotCounted(headers: Record<string, string>, method = 'GET', extra: Partial<PaywallOptions> = {}) {
  const { reader, events } = setup(extra);
  await reader.open('read-before', { headers: { 'user-agent': BROWSER_UA } });
  const before = reader.token;
  const d = await reader.open('unread', { headers: { 'user-agent': BROWSER_UA, ...headers }, method });
  expect(d).toMatchObject({ reason: 'not-counted', counted: false, meter: { used: 1 } });
  expect(d.access).not.toBe('full');
  expect(d.headers.get('set-cookie')).toBeNull();
  expect(reader.token).toBe(before);
  const event = events.find((e) => e.type === 'view-not-counted');
  expect(event).toMatchObject({ type: 'view-not-counted', article: 'unread', reader: { status: 'anonymous' } });
  expect(d.trace.find((t) => t.rule === 'not-counted')).toMatchObject({ matched: true });
  // An article the reader read this period stays open: that is no free text.
  expect(await reader.open('read-before', { headers: { 'user-agent': BROWSER_UA, ...headers }, method })).toMatchObject({
    access: 'full',
    reason: 'already-read',
    counted: false,
  });
  return { decision: d, event: event as Extract<PaywallEvent, { type: 'view-not-counted' }> };
}

describe('prefetch and prerender signals of browsers and frameworks', () => {
  it.each([
    ['Sec-Purpose: prefetch (link prefetch, Speculation Rules)', { 'sec-purpose': 'prefetch' }, 'prefetch', 'Sec-Purpose: prefetch'],
    [
      'Sec-Purpose: prefetch;prerender (Speculation Rules prerender)',
      { 'sec-purpose': 'prefetch;prerender' },
      'prerender',
      'Sec-Purpose: prefetch',
    ],
    [
      'Sec-Purpose: prefetch;anonymous-client-ip (private prefetch proxy)',
      { 'sec-purpose': 'prefetch;anonymous-client-ip' },
      'prefetch',
      'Sec-Purpose: prefetch',
    ],
    ['Purpose: prefetch (older browsers, Inertia, Next pages router)', { purpose: 'prefetch' }, 'prefetch', 'Purpose: prefetch'],
    ['X-Purpose: preview (Safari top sites)', { 'x-purpose': 'preview' }, 'prefetch', 'X-Purpose: preview'],
    ['X-Sec-Purpose: prefetch (Turbo 8 InstantClick)', { 'x-sec-purpose': 'prefetch' }, 'prefetch', 'X-Sec-Purpose: prefetch'],
    ['Sec-Fetch-Purpose: prefetch', { 'sec-fetch-purpose': 'prefetch' }, 'prefetch', 'Sec-Fetch-Purpose: prefetch'],
    ['Moz-Purpose: prefetch', { 'moz-purpose': 'prefetch' }, 'prefetch', 'Moz-Purpose: prefetch'],
    ['X-Moz: prefetch (Firefox link prefetch)', { 'x-moz': 'prefetch' }, 'prefetch', 'X-Moz: prefetch'],
    ['Next-Router-Prefetch (Next app router <Link>)', { rsc: '1', 'next-router-prefetch': '1' }, 'prefetch', 'Next-Router-Prefetch'],
    ['Next-Router-Prefetch: 2 (Next full prefetch)', { rsc: '1', 'next-router-prefetch': '2' }, 'prefetch', 'Next-Router-Prefetch'],
    [
      'Next-Router-Segment-Prefetch (Next segment cache)',
      { rsc: '1', 'next-router-segment-prefetch': '/_tree' },
      'prefetch',
      'Next-Router-Segment-Prefetch',
    ],
    [
      'X-Middleware-Prefetch (Next pages router behind a middleware)',
      { 'x-middleware-prefetch': '1', purpose: 'nothing' },
      'prefetch',
      'X-Middleware-Prefetch',
    ],
    ['HX-Preloaded (htmx preload extension)', { 'hx-preloaded': 'true' }, 'prefetch', 'HX-Preloaded'],
  ])('%s: not counted, no full text, and the trace and event say why', async (_name, headers, cause, signal) => {
    const { decision, event } = await expectNotCounted(headers);
    expect(event).toMatchObject({ cause, signal });
    expect(decision.trace.find((t) => t.rule === 'not-counted')?.note).toContain(signal);
  });

  it.each([
    ['HEAD', 'head'],
    ['POST', 'method'],
    ['OPTIONS', 'method'],
  ])('%s: not counted, no full text', async (method, cause) => {
    const { event } = await expectNotCounted({}, method);
    expect(event).toMatchObject({ cause, signal: method });
  });

  it('an ordinary navigation with unrelated purpose values still counts', async () => {
    const { reader } = setup();
    const d = await reader.open('a', {
      headers: { 'user-agent': BROWSER_UA, purpose: 'navigate', 'sec-purpose': 'nothing', 'sec-fetch-dest': 'document' },
    });
    expect(d).toMatchObject({ access: 'full', reason: 'metered', counted: true });
  });
});

describe('Fetch Metadata: only documents, frames and the site’s own script fetches are page views', () => {
  const subresources = [
    'audio',
    'audioworklet',
    'embed',
    'font',
    'image',
    'json',
    'manifest',
    'object',
    'paintworklet',
    'report',
    'script',
    'serviceworker',
    'sharedworker',
    'style',
    'track',
    'video',
    'webidentity',
    'worker',
    'xslt',
  ];
  it.each(subresources)('Sec-Fetch-Dest: %s is a subresource: not counted, no full text', async (dest) => {
    const { event } = await expectNotCounted({ 'sec-fetch-dest': dest, 'sec-fetch-mode': 'no-cors', 'sec-fetch-site': 'same-origin' });
    expect(event).toMatchObject({ cause: 'subresource', signal: `Sec-Fetch-Dest: ${dest}` });
  });

  it('an odd destination value is a subresource, shown without echoing it', async () => {
    const { event } = await expectNotCounted({ 'sec-fetch-dest': '<script>x</script>' });
    expect(event).toMatchObject({ cause: 'subresource', signal: 'Sec-Fetch-Dest: other' });
  });

  it.each([
    ['a cross-site iframe', { 'sec-fetch-dest': 'iframe', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' }],
    ['a cross-site frame', { 'sec-fetch-dest': 'frame', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' }],
    ['a cross-site script fetch', { 'sec-fetch-dest': 'empty', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'cors' }],
  ])('%s is not the site’s own page view: not counted', async (_name, headers) => {
    const { event } = await expectNotCounted(headers);
    expect(event.cause).toBe('cross-site');
  });

  it.each([
    [
      'a top-level navigation from another site (a search result)',
      { 'sec-fetch-dest': 'document', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' },
    ],
    ['a typed address', { 'sec-fetch-dest': 'document', 'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate', 'sec-fetch-user': '?1' }],
    ['a same-origin iframe', { 'sec-fetch-dest': 'iframe', 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'navigate' }],
    [
      'Next’s RSC fetch for a client-side navigation',
      { 'sec-fetch-dest': 'empty', 'sec-fetch-site': 'same-origin', rsc: '1', 'next-router-state-tree': '%5B%22%22%5D' },
    ],
    ['a same-site script fetch (Turbo, Inertia visit)', { 'sec-fetch-dest': 'empty', 'sec-fetch-site': 'same-site', 'x-inertia': 'true' }],
    ['a client without Fetch Metadata', {}],
  ])('%s is a page view: counted', async (_name, headers) => {
    const { reader } = setup();
    const d = await reader.open('a', { headers: { 'user-agent': BROWSER_UA, ...headers } });
    expect(d).toMatchObject({ access: 'full', reason: 'metered', counted: true });
  });

  it("scriptFetches: 'ignore' counts documents only (for fetch-based prefetchers without a purpose header)", async () => {
    const ignore = { pageViews: { scriptFetches: 'ignore' as const } };
    const { event } = await expectNotCounted(
      { 'sec-fetch-dest': 'empty', 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' },
      'GET',
      ignore,
    );
    expect(event).toMatchObject({ cause: 'script-fetch', signal: 'Sec-Fetch-Dest: empty' });
    const { reader } = setup(ignore);
    expect(await reader.open('a', { headers: { 'user-agent': BROWSER_UA, 'sec-fetch-dest': 'document' } })).toMatchObject({
      counted: true,
    });
  });
});

describe('automated clients: link previews, monitors, headless browsers, HTTP libraries', () => {
  const automated = {
    Slackbot: 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
    Twitterbot: 'Twitterbot/1.0',
    facebookexternalhit: 'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
    LinkedInBot: 'LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)',
    Discordbot: 'Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)',
    WhatsApp: 'WhatsApp/2.23.20.0 A',
    TelegramBot: 'TelegramBot (like TwitterBot)',
    'iMessage link preview':
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like Gecko) Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0',
    'Teams preview':
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/91.0.4472.114 Safari/537.36 Edg/91.0.864.59 MicrosoftPreview/2.0 +https://aka.ms/MicrosoftPreview',
    'Skype preview': 'Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5 skype-url-preview@microsoft.com',
    'Bluesky card': 'Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)',
    'Mastodon preview': 'http.rb/5.1.1 (Mastodon/4.2.0; +https://mastodon.social/) Bot',
    UptimeRobot: 'Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)',
    Pingdom: 'Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)',
    StatusCake:
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/71.0.3578.98 Safari/537.36 StatusCake',
    HeadlessChrome: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36',
    Lighthouse:
      'Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse',
    curl: 'curl/8.5.0',
    Wget: 'Wget/1.21.4',
    'python-requests': 'python-requests/2.31.0',
    'Go http client': 'Go-http-client/1.1',
    'Node fetch': 'node',
    GPTBot: 'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.1; +https://openai.com/gptbot)',
  };
  it.each(Object.entries(automated))('%s: not counted, no full text', async (_name, ua) => {
    const { event } = await expectNotCounted({ 'user-agent': ua });
    expect(event.cause).toBe('automated');
    expect(event.signal.startsWith('user agent: ')).toBe(true);
  });

  it.each([
    ['Chrome', BROWSER_UA],
    ['Firefox', 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'],
    [
      'Safari on iPhone',
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
    ],
    [
      'Edge',
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0',
    ],
    [
      'Samsung Internet',
      'Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36',
    ],
    [
      'the Facebook in-app browser',
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/430.0.0.0;FBBV/0;FBDV/iPhone15,2;FBMD/iPhone;FBSN/iOS;FBSV/17.0;FBSS/3;FBCR/;FBID/phone;FBLC/en_US;FBOP/5]',
    ],
    [
      'the Google app',
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) GSA/300.0.598994205 Mobile/15E148 Safari/604.1',
    ],
  ])('%s is a reader: counted', async (_name, ua) => {
    const { reader } = setup();
    expect(await reader.open('a', { headers: { 'user-agent': ua } })).toMatchObject({ reason: 'metered', counted: true });
  });

  it('an oversized user agent is automated on its face', () => {
    expect(check({ 'user-agent': `Mozilla/5.0 ${'x'.repeat(2000)}` })).toEqual({
      cause: 'automated',
      signal: 'user agent: oversized user agent',
    });
  });

  it('a site may pass its own detector, or turn detection off', async () => {
    const own = { pageViews: { automatedClients: (ua: string) => (ua.includes('OurAppPreview') ? 'our app preview' : null) } };
    const { event } = await expectNotCounted({ 'user-agent': 'OurAppPreview/1.0' }, 'GET', own);
    expect(event.signal).toBe('user agent: our app preview');
    // Its own detector replaces isbot's list.
    const { reader } = setup(own);
    expect(await reader.open('a', { headers: { 'user-agent': 'curl/8.5.0' } })).toMatchObject({ counted: true });
    const off = setup({ pageViews: { automatedClients: false } });
    expect(await off.reader.open('a', { headers: { 'user-agent': 'Slackbot-LinkExpanding 1.0' } })).toMatchObject({ counted: true });
  });

  it('a detector that throws is ignored: the request counts as a page view', async () => {
    const { reader } = setup({
      pageViews: {
        automatedClients: () => {
          throw new Error('broken');
        },
      },
    });
    expect(await reader.open('a', { headers: { 'user-agent': BROWSER_UA } })).toMatchObject({ counted: true });
  });

  it('a verified search crawler keeps its own path: full text, nothing counted', async () => {
    const googlebot = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
    const { paywall } = setup({ crawlers: { verifiers: [{ verify: (name, ip) => name === 'googlebot' && ip === '66.249.66.1' }] } });
    const verified = await paywall.decide(articleRequest({ 'user-agent': googlebot }), { id: 'x' }, { ip: '66.249.66.1' });
    expect(verified).toMatchObject({ access: 'full', reason: 'crawler', counted: false });
    // The same user agent from elsewhere is an automated client claiming to be Googlebot.
    const spoofed = await paywall.decide(articleRequest({ 'user-agent': googlebot }), { id: 'x' }, { ip: '203.0.113.9' });
    expect(spoofed).toMatchObject({ access: 'prompt', reason: 'not-counted', counted: false });
  });

  it('answers are remembered per user agent, so the pattern runs once per distinct one', () => {
    let calls = 0;
    const detect = createAutomatedDetector((ua) => {
      calls++;
      return ua === 'bot' ? 'bot' : null;
    });
    for (let i = 0; i < 100; i++) detect(i % 2 ? 'bot' : BROWSER_UA);
    expect(calls).toBe(2);
  });
});

describe('the site’s own signals', () => {
  it('notPageView names a signal of the site; a throw is ignored', async () => {
    const own = {
      pageViews: {
        notPageView: (request: { headers: { get(name: string): string | null } }) =>
          request.headers.get('x-our-prefetch') ? 'X-Our-Prefetch' : null,
      },
    };
    const { event } = await expectNotCounted({ 'x-our-prefetch': '1' }, 'GET', own);
    expect(event).toMatchObject({ cause: 'site', signal: 'X-Our-Prefetch' });
    const throwing = setup({
      pageViews: {
        notPageView: () => {
          throw new Error('broken');
        },
      },
    });
    expect(await throwing.reader.open('a', { headers: { 'user-agent': BROWSER_UA } })).toMatchObject({ counted: true });
  });

  it('options are validated, naming the option', () => {
    expect(() => createPaywall({ secret: SECRET, pageViews: { scriptFetches: 'never' as 'ignore' } })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTION', option: 'pageViews.scriptFetches' }),
    );
    expect(() => createPaywall({ secret: SECRET, pageViews: { automatedClients: true as unknown as false } })).toThrow(
      expect.objectContaining({ option: 'pageViews.automatedClients' }),
    );
    expect(() => createPaywall({ secret: SECRET, pageViews: { notPageview: () => null } as never })).toThrow(
      expect.objectContaining({ option: 'pageViews.notPageview' }),
    );
  });
});

describe('what each request does to the meter, for every reader', () => {
  it('a registered reader’s prefetch only peeks at the account meter', async () => {
    const { reader } = setup({ resolveReader: () => ({ status: 'registered', id: 'u1' }) });
    const d = await reader.open('a', { headers: { 'next-router-prefetch': '1' } });
    expect(d).toMatchObject({ access: 'teaser', reason: 'not-counted', counted: false, meter: { used: 0, source: 'store' } });
    expect(d.headers.get('set-cookie')).toBeNull();
    expect(await reader.open('a')).toMatchObject({ reason: 'metered', counted: true, meter: { used: 1 } });
  });

  it('the page-view check is not run for a returning reader re-opening an article', async () => {
    let asked = 0;
    const { reader } = setup({
      pageViews: {
        notPageView: () => {
          asked++;
          return null;
        },
      },
    });
    await reader.open('a');
    expect(asked).toBe(1);
    for (let i = 0; i < 5; i++) expect(await reader.open('a')).toMatchObject({ reason: 'already-read' });
    expect(asked).toBe(1);
  });
});
