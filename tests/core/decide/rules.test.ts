/**
 * The site's rules, through the real decide() pipeline: every condition and treatment, first
 * match wins, the article's own access wins, content age across a DST change, a network rule
 * behind a trusted proxy (and not without one), the trace, the decision's `rule` and
 * `institution`, and the events.
 */
import { describe, expect, it } from 'vitest';
import {
  type Article,
  createPaywall,
  defineRules,
  type PaywallEvent,
  type PaywallOptions,
  type ReaderInput,
  type Rule,
  type RuleConditions,
} from '../../../src/index.js';
import { articleRequest, createReader, fakeClock, SECRET } from '../../helpers.js';

const CAMPUS = '198.51.100.0/24';

function paywallWith(rules: readonly Rule[], extra: Partial<PaywallOptions> = {}, reader?: ReaderInput) {
  const events: PaywallEvent[] = [];
  const paywall = createPaywall({
    secret: SECRET,
    rules: defineRules(rules),
    onEvent: (event) => events.push(event),
    ...(reader ? { resolveReader: () => reader } : {}),
    ...extra,
  });
  return { paywall, events };
}

const decideOnce = (
  rules: readonly Rule[],
  article: Article,
  headers: Record<string, string> = {},
  options: Partial<PaywallOptions> = {},
  reader?: ReaderInput,
) => paywallWith(rules, options, reader).paywall.decide(articleRequest(headers), article, { ip: '203.0.113.9' });

describe('rules: conditions', () => {
  const free = (name: string, when: RuleConditions): Rule[] => [{ name, when, treatment: 'free' }];
  const cases: Array<[string, RuleConditions, Article, Article]> = [
    ['section', { section: ['sport', 'culture'] }, { id: 'a', section: 'sport' }, { id: 'b', section: 'news' }],
    ['tag', { tag: 'elections' }, { id: 'a', tags: ['politics', 'elections'] }, { id: 'b', tags: ['politics'] }],
    ['type', { type: 'newsletter' }, { id: 'a', type: 'newsletter' }, { id: 'b' }],
  ];
  it.each(cases)('%s: matches the article it names and no other', async (_name, when, yes, no) => {
    const matched = await decideOnce(free(_name, when), yes);
    expect(matched).toMatchObject({ access: 'full', reason: 'rule-free', rule: _name, counted: false });
    expect(matched.trace).toContainEqual({ rule: 'rules', matched: true, note: `"${_name}": free` });
    const missed = await decideOnce(free(_name, when), no, {});
    expect(missed).toMatchObject({ reason: 'metered', rule: null, counted: true });
    expect(missed.trace).toContainEqual({ rule: 'rules', matched: false, note: 'no rule matched: metered' });
  });

  it('reader and entitlements: the reader’s status and what their plan holds', async () => {
    const rules: Rule[] = [{ name: 'registered read opinion free', when: { reader: 'registered', section: 'opinion' }, treatment: 'free' }];
    const opinion = { id: 'o', section: 'opinion' };
    expect((await decideOnce(rules, opinion, {}, {}, { status: 'registered', id: 'u1' })).reason).toBe('rule-free');
    expect((await decideOnce(rules, opinion)).reason).toBe('metered');
    const plan: Rule[] = [{ name: 'puzzles plan', when: { entitlements: ['puzzles'] }, treatment: 'free' }];
    expect((await decideOnce(plan, { id: 'p' }, {}, {}, { status: 'registered', id: 'u1', entitlements: ['puzzles'] })).reason).toBe(
      'rule-free',
    );
    expect((await decideOnce(plan, { id: 'p' }, {}, {}, { status: 'registered', id: 'u2', entitlements: [] })).reason).not.toBe(
      'rule-free',
    );
  });

  it('newerThan / olderThan: by the article’s age; an article without publishedAt never matches', async () => {
    const clock = fakeClock('2027-05-10T12:00:00Z');
    const rules: Rule[] = [
      { name: 'breaking', when: { newerThan: '24h' }, treatment: 'free' },
      { name: 'archive', when: { olderThan: '30d' }, treatment: 'subscribers' },
    ];
    const decide = (article: Article) => paywallWith(rules, { now: clock.now }).paywall.decide(articleRequest(), article);
    expect((await decide({ id: 'a', publishedAt: '2027-05-10T01:00:00Z' })).reason).toBe('rule-free');
    expect((await decide({ id: 'b', publishedAt: new Date('2027-05-09T11:59:00Z') })).reason).toBe('metered');
    expect((await decide({ id: 'c', publishedAt: '2027-04-10T12:00:00Z' })).reason).toBe('subscribers-only');
    expect((await decide({ id: 'd', publishedAt: '2027-04-10T12:00:01Z' })).reason).toBe('metered');
    expect((await decide({ id: 'e' })).reason).toBe('metered');
  });

  it('content age counts elapsed hours across a DST change (Europe/London, 28 March 2027)', async () => {
    const clock = fakeClock('2027-03-28T11:30:00Z');
    const rules: Rule[] = [{ name: 'first day free', when: { newerThan: '1d' }, treatment: 'free' }];
    const options = { now: clock.now, period: { calendar: 'month', timeZone: 'Europe/London' } } as const;
    const article = { id: 'dst', publishedAt: '2027-03-27T12:00:00+00:00' }; // noon GMT, the day before clocks go forward
    expect((await paywallWith(rules, options).paywall.decide(articleRequest(), article)).reason).toBe('rule-free'); // 23.5 h
    clock.set('2027-03-28T12:00:00Z'); // 12:00 GMT = 13:00 BST: the wall clock says 25 h, but 24 h have elapsed
    expect((await paywallWith(rules, options).paywall.decide(articleRequest(), article)).reason).toBe('metered');
  });

  it('network: behind one trusted proxy the forwarded address counts; without one, X-Forwarded-For is ignored', async () => {
    const rules: Rule[] = [{ name: 'campus', when: { network: [CAMPUS] }, treatment: { institution: 'Riverside University' } }];
    const forwarded = { 'x-forwarded-for': '198.51.100.23' };
    const behind = await decideOnce(rules, { id: 'a' }, forwarded, { proxy: { trustedHops: 1 } });
    expect(behind).toMatchObject({
      access: 'full',
      reason: 'institution',
      institution: 'Riverside University',
      rule: 'campus',
      counted: false,
    });
    const spoofed = await decideOnce(rules, { id: 'a' }, forwarded);
    expect(spoofed).toMatchObject({ reason: 'metered', institution: null, rule: null });
    // The connection's own address is trusted without a proxy.
    const direct = await paywallWith(rules).paywall.decide(articleRequest(), { id: 'a' }, { ip: '198.51.100.7' });
    expect(direct.reason).toBe('institution');
  });

  it('country: read from the trusted proxy’s header, only when one is configured', async () => {
    const rules: Rule[] = [{ name: 'irish readers', when: { country: ['ie'] }, treatment: 'free' }];
    const options = { proxy: { trustedHops: 1, countryHeader: 'CF-IPCountry' } };
    expect((await decideOnce(rules, { id: 'a' }, { 'cf-ipcountry': 'IE' }, options)).reason).toBe('rule-free');
    expect((await decideOnce(rules, { id: 'a' }, { 'cf-ipcountry': 'GB' }, options)).reason).toBe('metered');
    expect((await decideOnce(rules, { id: 'a' }, {}, options)).reason).toBe('metered');
    expect(() => createPaywall({ secret: SECRET, rules: defineRules(rules) })).toThrow(/proxy\.countryHeader/);
  });
});

describe('rules: treatments', () => {
  it('free: nothing counted, and a cookie-less reader gets no meter', async () => {
    const decision = await decideOnce([{ name: 'all free', treatment: 'free' }], { id: 'a' });
    expect(decision).toMatchObject({ access: 'full', reason: 'rule-free', counted: false, meter: expect.anything() });
    expect(decision.headers.get('set-cookie')).toBeNull();
  });

  it('registered: a registration wall (prompt, no meter) for anonymous readers; any account reads', async () => {
    const rules: Rule[] = [{ name: 'newsletters', when: { type: 'newsletter' }, treatment: 'registered' }];
    const letter = { id: 'n', type: 'newsletter' };
    const anonymous = await decideOnce(rules, letter);
    expect(anonymous).toMatchObject({ access: 'prompt', reason: 'registration-wall', counted: false });
    expect(anonymous.headers.get('set-cookie')).toBeNull();
    expect(await decideOnce(rules, letter, {}, {}, { status: 'registered', id: 'u1' })).toMatchObject({
      access: 'full',
      reason: 'registered-reader',
      counted: false,
    });
  });

  it('subscribers, with and without entitlements', async () => {
    const rules: Rule[] = [
      { name: 'investigations', when: { section: 'investigations' }, treatment: { subscribers: { entitlements: ['premium'] } } },
      { name: 'archive', when: { section: 'archive' }, treatment: 'subscribers' },
    ];
    const digital = { status: 'subscriber', id: 's1', entitlements: ['digital'] } as const;
    expect((await decideOnce(rules, { id: 'a', section: 'archive' })).reason).toBe('subscribers-only');
    expect((await decideOnce(rules, { id: 'a', section: 'archive' }, {}, {}, digital)).reason).toBe('subscriber');
    expect((await decideOnce(rules, { id: 'i', section: 'investigations' }, {}, {}, digital)).reason).toBe('missing-entitlement');
    expect(
      (await decideOnce(rules, { id: 'i', section: 'investigations' }, {}, {}, { ...digital, entitlements: ['digital', 'premium'] }))
        .reason,
    ).toBe('subscriber');
  });

  it('institution: the decision and an institution-access event name it; not counted', async () => {
    const { paywall, events } = paywallWith([
      { name: 'campus', when: { network: [CAMPUS] }, treatment: { institution: 'Riverside University' } },
    ]);
    const decision = await paywall.decide(articleRequest(), { id: 'story' }, { ip: '198.51.100.200' });
    expect(decision).toMatchObject({ access: 'full', reason: 'institution', institution: 'Riverside University' });
    expect(events).toContainEqual({ type: 'institution-access', article: 'story', institution: 'Riverside University', rule: 'campus' });
    expect(events.some((e) => e.type === 'view-counted')).toBe(false);
    // A prefetch from the campus is not an access to report.
    events.length = 0;
    await paywall.decide(articleRequest({ 'sec-purpose': 'prefetch' }), { id: 'story' }, { ip: '198.51.100.200' });
    expect(events.some((e) => e.type === 'institution-access')).toBe(false);
  });

  it('metered: the meter decides, as without rules', async () => {
    const { paywall } = paywallWith([{ name: 'news is metered', when: { section: 'news' }, treatment: { metered: 'default' } }]);
    const reader = createReader(paywall);
    const reasons = [];
    for (const id of ['a', 'b', 'c', 'd']) reasons.push((await reader.open({ id, section: 'news' })).reason);
    expect(reasons).toEqual(['metered', 'metered', 'metered', 'register-to-continue']);
  });
});

describe('rules: order', () => {
  it('the first matching rule wins, and the trace and the decision name it', async () => {
    const rules: Rule[] = [
      { name: 'sport free', when: { section: 'sport' }, treatment: 'free' },
      { name: 'football for subscribers', when: { tag: 'football' }, treatment: 'subscribers' },
      { name: 'everything else', treatment: 'metered' },
    ];
    const decision = await decideOnce(rules, { id: 'a', section: 'sport', tags: ['football'] });
    expect(decision).toMatchObject({ reason: 'rule-free', rule: 'sport free' });
    const other = await decideOnce(rules, { id: 'b', section: 'news', tags: ['football'] });
    expect(other).toMatchObject({ reason: 'subscribers-only', rule: 'football for subscribers' });
    const rest = await decideOnce(rules, { id: 'c' });
    expect(rest).toMatchObject({ reason: 'metered', rule: 'everything else' });
    expect(rest.trace[1]).toEqual({ rule: 'rules', matched: true, note: '"everything else": metered by the default meter' });
  });

  it('an article’s own access or requires wins over every rule', async () => {
    const rules: Rule[] = [{ name: 'all free', treatment: 'free' }];
    const own = await decideOnce(rules, { id: 'a', access: 'subscribers' });
    expect(own).toMatchObject({ reason: 'subscribers-only', rule: null });
    expect(own.trace).toContainEqual({ rule: 'rules', matched: false, note: 'the article sets its own access: no rule applies' });
    expect((await decideOnce(rules, { id: 'b', requires: ['premium'] })).reason).toBe('subscribers-only');
  });

  it('a bad article fact is the site’s mistake: ERR_INVALID_ARTICLE', async () => {
    const { paywall } = paywallWith([]);
    await expect(paywall.decide(articleRequest(), { id: 'a', publishedAt: 'last tuesday' })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARTICLE',
    });
    await expect(paywall.decide(articleRequest(), { id: 'a', tags: 'sport' as never })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARTICLE',
    });
  });
});
