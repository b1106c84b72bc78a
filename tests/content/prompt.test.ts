import { describe, expect, it } from 'vitest';
import { createRenderer, renderBanner, renderPrompt, type Decision, type DecisionReason, type MeterPeriod } from '../../src/index.js';

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
    rule: null,
    institution: null,
    buckets: {},
    gift: null,
    wouldBe: null,
    status: 200,
    agent: null,
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
