import { describe, expect, it } from 'vitest';
import {
  createPaywall,
  createRenderer,
  renderBanner,
  renderPrompt,
  type ContentOptions,
  type Decision,
  type DecisionReason,
  type MeterPeriod,
  type PaywallOptions,
} from '../../src/index.js';
import { SECRET, articleRequest, createReader, fakeClock } from '../helpers.js';

/** A decision-shaped object for rendering tests. */
function decision(
  access: Decision['access'],
  reason: DecisionReason,
  meter: { used: number; limit: number; resetsAt: string; period?: MeterPeriod } | null,
): Decision {
  return {
    access,
    reason,
    reader: { status: 'anonymous', entitlements: [] },
    meter: meter && {
      period: { calendar: 'month', timeZone: 'UTC' },
      ...meter,
      remaining: Math.max(0, meter.limit - meter.used),
      resetsAt: new Date(meter.resetsAt),
      source: 'cookie',
    },
    counted: false,
    variant: access,
    trace: [],
    headers: new Headers(),
  };
}

const RESET = '2026-12-01T00:00:00Z';
const HOSTILE = `<img src=x onerror=alert(1)>"'&`;

describe('the prompt', () => {
  it('register-to-continue: heading, body, register and subscribe links, sign in', () => {
    const html = renderPrompt(decision('prompt', 'register-to-continue', { used: 3, limit: 3, resetsAt: RESET }));
    expect(html).toContain('<section class="meterwall-prompt meterwall-prompt--register" aria-labelledby="meterwall-prompt-heading">');
    expect(html).toContain('<h2 id="meterwall-prompt-heading">Register for free to continue reading</h2>');
    expect(html).toContain('To continue reading this article, register for free and get limited access each month.');
    expect(html).toContain('<a class="meterwall-button" href="/register">Register for free</a>');
    expect(html).toContain('Cancel or pause at any time.');
    expect(html).toContain('Already a subscriber? <a href="/signin">Sign in</a>');
  });

  it.each<[DecisionReason, Decision['access'], string]>([
    ['meter-exhausted', 'teaser', 'meterwall-prompt--subscribe'],
    ['subscribers-only', 'teaser', 'meterwall-prompt--subscribers-only'],
    ['missing-entitlement', 'teaser', 'meterwall-prompt--upgrade'],
    ['store-unavailable', 'teaser', 'meterwall-prompt--unavailable'],
    ['not-counted', 'prompt', 'meterwall-prompt--register'],
    ['not-counted', 'teaser', 'meterwall-prompt--subscribe'],
  ])('%s (%s) shows %s', (reason, access, kind) => {
    const html = renderPrompt(decision(access, reason, { used: 3, limit: 3, resetsAt: RESET }));
    expect(html).toContain(kind);
    expect(html).toContain('Sign in');
  });

  it('a full decision has no prompt', () => {
    expect(renderPrompt(decision('full', 'metered', { used: 1, limit: 3, resetsAt: RESET }))).toBe('');
  });

  it('escapes every configurable text', () => {
    const keys = [
      'registerHeading',
      'registerBody',
      'registerAction',
      'exhaustedHeading',
      'subscribersOnlyHeading',
      'upgradeHeading',
      'upgradeBody',
      'upgradeAction',
      'subscribeBody',
      'subscribeAction',
      'subscribeAlternative',
      'unavailableHeading',
      'unavailableBody',
      'signInQuestion',
      'signInAction',
      'resets',
    ];
    const texts = Object.fromEntries(keys.map((k) => [k, `${k} ${HOSTILE}`]));
    const periods = { day: HOSTILE, week: HOSTILE, month: HOSTILE, rolling: HOSTILE };
    const options = { texts: { ...texts, banner: { other: `banner ${HOSTILE}` }, periods, cadence: periods } };
    const reasons: Array<[Decision['access'], DecisionReason]> = [
      ['prompt', 'register-to-continue'],
      ['teaser', 'meter-exhausted'],
      ['teaser', 'subscribers-only'],
      ['teaser', 'missing-entitlement'],
      ['teaser', 'store-unavailable'],
    ];
    let all = '';
    for (const [access, reason] of reasons) {
      const d = decision(access, reason, { used: 3, limit: 3, resetsAt: RESET });
      all += renderPrompt(d, options) + renderBanner(d, options);
    }
    expect(all).not.toContain('<img');
    expect(all).not.toMatch(/"'&(?!amp;|quot;|#39;|lt;|gt;)/);
    for (const key of keys) expect(all).toContain(`${key} &lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;`);
  });

  it('refuses javascript:, protocol-relative and odd URLs with a TypeError naming the option', () => {
    for (const url of [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      '//evil.example/x',
      '/\\evil.example',
      'data:text/html,x',
      'ftp://x',
      ' /register',
      '/a b',
    ]) {
      expect(() => renderPrompt(decision('prompt', 'register-to-continue', null), { urls: { register: url } })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_OPTION', option: 'options.urls.register' }),
      );
    }
    expect(() => createRenderer({ prompt: { urls: { signIn: 'javascript:x' } } })).toThrow(
      expect.objectContaining({ option: 'content.prompt.urls.signIn' }),
    );
  });

  it('fills {returnTo} percent-encoded and escaped, never echoing it raw', () => {
    const html = renderPrompt(
      decision('prompt', 'register-to-continue', null),
      { urls: { register: '/join?next={returnTo}', signIn: 'https://id.news.example/login?return={returnTo}' } },
      { returnTo: '/articles/x?a="><script>alert(1)</script>' },
    );
    expect(html).toContain('href="/join?next=%2Farticles%2Fx%3Fa%3D%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E"');
    expect(html).not.toContain('<script');
  });

  it('the markup can be replaced by the site, which receives the filled texts and checked URLs', () => {
    const html = renderPrompt(decision('prompt', 'register-to-continue', { used: 3, limit: 3, resetsAt: RESET }), {
      renderPrompt: (c) => `<div data-kind="${c.kind}">${c.texts.registerHeading}|${c.urls.register}|${c.resetDate}</div>`,
    });
    expect(html).toBe('<div data-kind="register">Register for free to continue reading|/register|1 December 2026</div>');
  });
});

describe('the banner', () => {
  it('counts down with correct plurals and the reset date', () => {
    expect(renderBanner(decision('full', 'metered', { used: 1, limit: 3, resetsAt: RESET }))).toBe(
      '<p class="meterwall-banner" role="status">2 of 3 free articles left this month. <span class="meterwall-banner__reset">Your free articles reset on 1 December 2026.</span></p>',
    );
    expect(renderBanner(decision('full', 'metered', { used: 0, limit: 1, resetsAt: RESET }))).toContain(
      '1 of 1 free article left this month.',
    );
    expect(renderBanner(decision('full', 'metered', { used: 2, limit: 3, resetsAt: RESET }))).toContain(
      '1 of 3 free articles left this month.',
    );
    expect(renderBanner(decision('full', 'subscriber', null))).toBe('');
  });

  it('plural forms follow the locale', () => {
    const texts = {
      banner: { one: '{remaining} artykuł', few: '{remaining} artykuły', many: '{remaining} artykułów', other: '{remaining} artykułu' },
    };
    const pl = (limit: number) => renderBanner(decision('full', 'metered', { used: 0, limit, resetsAt: RESET }), { locale: 'pl', texts });
    expect(pl(1)).toContain('1 artykuł.');
    expect(pl(3)).toContain('3 artykuły.');
    expect(pl(5)).toContain('5 artykułów.');
  });

  it('shows the reset date in the reader’s time zone', () => {
    // The London month ends at 2027-03-31T23:00Z: 1 April in London, still 31 March in New York.
    const d = decision('full', 'metered', { used: 1, limit: 3, resetsAt: '2027-03-31T23:00:00Z' });
    expect(renderBanner(d, { timeZone: 'Europe/London' })).toContain('reset on 1 April 2027');
    expect(renderBanner(d, { timeZone: 'America/New_York' })).toContain('reset on 31 March 2027');
    expect(renderBanner(d, { locale: 'en-US', timeZone: 'Europe/London' })).toContain('reset on April 1, 2027');
  });

  it('names the period the decision’s meter counts in', () => {
    const week = decision('full', 'metered', { used: 1, limit: 3, resetsAt: RESET, period: { calendar: 'week', timeZone: 'UTC' } });
    expect(renderBanner(week)).toContain('left this week');
    const rolling = decision('full', 'metered', { used: 1, limit: 3, resetsAt: RESET, period: { rollingDays: 30 } });
    expect(renderBanner(rolling)).toContain('left in this 30-day window');
    // Without a meter, the prompt's texts describe the period the options name.
    const wall = decision('prompt', 'register-to-continue', null);
    expect(renderPrompt(wall, { period: { calendar: 'day', timeZone: 'UTC' } })).toContain('get limited access each day.');
    expect(renderPrompt(wall)).toContain('get limited access each month.');
  });
});

describe('createRenderer', () => {
  const article = `<p>First paragraph.</p><p>Second paragraph.</p><p>Third ZQXHELDBACK paragraph.</p><p>Fourth.</p>`;

  function setup(content: ContentOptions = {}, extra: Partial<PaywallOptions> = {}) {
    const clock = fakeClock('2026-11-23T12:00:00Z');
    const paywall = createPaywall({ secret: SECRET, now: clock.now, period: { calendar: 'month', timeZone: 'Europe/London' }, ...extra });
    return { paywall, renderer: createRenderer(content), reader: createReader(paywall) };
  }

  it('a full decision: the whole article wrapped in the paywalled class, a banner, JSON-LD without a prompt', async () => {
    const { renderer, reader } = setup();
    const d = await reader.open('tram');
    const r = renderer.render(d, article, { id: 'tram', headline: 'Tram', url: 'https://news.example/articles/tram' });
    expect(r.html).toBe(`<div class="meterwall-paywalled">${article}</div>`);
    expect(r.prompt).toBe('');
    expect(r.banner).toContain('2 of 3 free articles left this month');
    const data = JSON.parse(r.structuredData.replace(/^<script type="application\/ld\+json">|<\/script>$/g, ''));
    expect(data).toMatchObject({
      '@type': 'NewsArticle',
      headline: 'Tram',
      isAccessibleForFree: false,
      hasPart: { '@type': 'WebPageElement', isAccessibleForFree: false, cssSelector: '.meterwall-paywalled' },
    });
    expect(data.articleBody).toBeUndefined();
  });

  it('a prompt decision: the cut, the prompt, and nothing held back anywhere in the result', async () => {
    const { renderer, reader } = setup({ articleBody: true });
    for (const id of ['a', 'b', 'c']) await reader.open(id);
    const d = await reader.open('tram');
    expect(d.access).toBe('prompt');
    const r = renderer.render(d, article, { id: 'tram', url: '/articles/tram' });
    expect(r.html).toBe('<p>First paragraph.</p><p>Second paragraph.</p>');
    expect(r.prompt).toContain('Register for free');
    expect(JSON.stringify(r)).not.toContain('ZQXHELDBACK');
    expect(r.structuredData).not.toContain('articleBody');
  });

  it('articleBody (plain text) only in a full decision, when enabled', async () => {
    const { renderer, reader } = setup({ articleBody: true });
    const d = await reader.open('tram');
    const r = renderer.render(d, article, { id: 'tram' });
    expect(r.structuredData).toContain('"articleBody":"First paragraph.Second paragraph.Third ZQXHELDBACK paragraph.Fourth."');
  });

  it('a free article is accessible for free, unwrapped, with no hasPart', async () => {
    const { renderer, reader } = setup();
    const d = await reader.open({ id: 'f', access: 'free' });
    const r = renderer.render(d, article, { id: 'f', access: 'free' });
    expect(r.html).toBe(article);
    expect(r.structuredData).toContain('"isAccessibleForFree":true');
    expect(r.structuredData).not.toContain('hasPart');
  });

  it('JSON-LD cannot be broken out of', async () => {
    const { renderer, reader } = setup();
    const d = await reader.open('x');
    const r = renderer.render(d, article, { id: 'x', headline: '</script><script>alert(1)</script>' });
    expect(r.structuredData.match(/<\/script>/g)).toHaveLength(1);
    expect(r.structuredData).toContain('\\u003c/script\\u003e');
  });

  it('caches cuts by article id and version: a new version is cut again', async () => {
    const { renderer, reader } = setup({ teaser: { paragraphs: 1 } });
    for (const id of ['a', 'b', 'c']) await reader.open(id);
    const d = await reader.open('tram');
    expect(renderer.render(d, '<p>v1</p><p>x</p>', { id: 'tram', version: 1 }).html).toBe('<p>v1</p>');
    // Same id and version: the cached cut (the site promised the content did not change).
    expect(renderer.render(d, '<p>changed</p><p>x</p>', { id: 'tram', version: 1 }).html).toBe('<p>v1</p>');
    expect(renderer.render(d, '<p>v2</p><p>x</p>', { id: 'tram', version: 2 }).html).toBe('<p>v2</p>');
    // Without a version nothing is cached.
    expect(renderer.render(d, '<p>v3</p><p>x</p>', { id: 'tram' }).html).toBe('<p>v3</p>');
  });

  it('content options are validated at construction', () => {
    expect(() => createRenderer({ teaser: { paragraphs: -1 } })).toThrow(expect.objectContaining({ option: 'content.teaser.paragraphs' }));
    expect(() => createRenderer({ paywalledClass: 'a b' })).toThrow(expect.objectContaining({ option: 'content.paywalledClass' }));
    expect(() => createRenderer({ prompt: { locale: 'not a locale!' } })).toThrow(
      expect.objectContaining({ option: 'content.prompt.locale' }),
    );
    // Rendering moved out of createPaywall: the old option says where it went.
    expect(() => createPaywall({ secret: SECRET, content: {} } as never)).toThrow(
      expect.objectContaining({ option: 'content', message: expect.stringContaining('createRenderer') }),
    );
  });

  it('the banner date uses the meter’s zone unless the call names the reader’s', async () => {
    const { paywall, renderer } = setup();
    const d = await paywall.decide(articleRequest(), { id: 'a' });
    expect(renderer.render(d, article, { id: 'a' }).banner).toContain('reset on 1 December 2026');
    expect(renderer.render(d, article, { id: 'a' }, { timeZone: 'America/Los_Angeles' }).banner).toContain('reset on 30 November 2026');
  });
});
