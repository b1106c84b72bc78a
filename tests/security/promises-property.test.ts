/**
 * The promises, proven on generated traffic (issue 23). fast-check generates request sequences
 * that mix every feature on one paywall: anonymous, registered and subscribed readers; several
 * browsers behind one network; the site's meter and a named one; rules (free, subscribers with an
 * entitlement, a registration wall, an institution's network, a country, an A/B arm); experiments
 * of limits and of a rule's arm; gift links, capped or not; referrals; prefetches, HEADs, link
 * previews and subresources; spoofed forwarding and country headers and crawler user agents;
 * cleared cookies and replays of any earlier cookie; sign-in and sign-out; the fresh-meter cap
 * exceeded; hours passing. After every step, on the memory store and on a real redis-server, a
 * model of what the docs promise checks the decision:
 *
 * 1. budgets: what each browser (between cookie clears) reads on a meter never exceeds its
 *    allowance plus the referral budget, whatever cookies it replays; an account never exceeds
 *    its registered allowance; per network and hour, no more new meters read anything than the
 *    fresh-meter cap lets start; a gift opens for no more browsers than its cap;
 * 2. treatments: nothing is read in full that the reader's treatment does not allow, except by a
 *    verified crawler or through a gift whose giver could read it;
 * 3. origins: a country, an institution's network or a crawler's address is honoured only as the
 *    trusted proxy (or the connection itself) gave it, never from a header a client wrote;
 * 4. page views: what is not one never counts and never gets a full text it had not already;
 * 5. a response to a URL carrying a gift token is never indexed;
 * 6. the access log holds the decision as made, and no cookie or account;
 * 7. behind a cache, the page keyed and signed for a reader is the variant the decision allows,
 *    for that story only;
 * 8. an AI agent gets its operator's policy only when verified (published ranges here; Web Bot
 *    Auth in tests/agents), exactly the policy for its purpose, and never a counted view.
 *
 * Seeded and bounded in `npm test` (100 runs of 30 to 150 steps on each store configuration, half on
 * Redis); MW_PROPERTY_RUNS and MW_PROPERTY_SEED run it longer or otherwise, MW_PROPERTY_STATS=1
 * prints what the traffic met (the coverage of the mix).
 */
import fc from 'fast-check';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPaywall,
  type Decision,
  defineExperiments,
  defineGifts,
  defineRules,
  type MeterStore,
  type Paywall,
} from '../../src/index.js';
import { defineAgents } from '../../src/agents/index.js';
import { createRedisStore } from '../../src/stores/redis.js';
import { BROWSER_UA, SECRET } from '../helpers.js';
import { redisServerPath, startRedis, type TestRedis } from '../helpers-redis.js';

const RUNS = Number(process.env['MW_PROPERTY_RUNS'] ?? 100);
const SEED = Number(process.env['MW_PROPERTY_SEED'] ?? 23);
const START = Date.parse('2026-11-02T08:00:00Z');
const PER_HOUR = 3;
const LIMITS = { site: { anonymous: 3, registered: 5 }, sport: { anonymous: 2, registered: 4 } } as const;
const REFERRAL_BUDGET = 1;

/** The articles, with what a reader needs to read each in full (the model's own copy of the rules below). */
type Need = 'meter' | 'free' | 'subscriber' | 'premium' | 'account' | 'country' | 'campus' | 'arm';
interface Story {
  readonly id: string;
  readonly section: string;
  readonly need: Need;
  readonly meter: 'site' | 'sport' | null;
  readonly facts: Record<string, unknown>;
}
const RECENT = new Date(START - 3_600_000).toISOString();
const OLD = '2001-01-01T00:00:00Z';
const story = (id: string, section: string, need: Need, meter: Story['meter'], facts: Record<string, unknown> = {}): Story => ({
  id,
  section,
  need,
  meter,
  facts: { id, section, publishedAt: RECENT, ...facts },
});
const STORIES: readonly Story[] = [
  story('city-1', 'city', 'meter', 'site'),
  story('city-2', 'city', 'meter', 'site'),
  story('city-3', 'city', 'meter', 'site'),
  story('city-4', 'city', 'meter', 'site'),
  story('city-5', 'city', 'meter', 'site'),
  story('city-6', 'city', 'meter', 'site'),
  story('sport-1', 'sport', 'meter', 'sport'),
  story('sport-2', 'sport', 'meter', 'sport'),
  story('sport-3', 'sport', 'meter', 'sport'),
  story('culture-1', 'culture', 'arm', 'site'),
  story('culture-2', 'culture', 'arm', 'site'),
  story('ireland-1', 'ireland', 'country', 'site'),
  story('research-1', 'research', 'campus', 'site'),
  story('breaking-1', 'city', 'free', null, { type: 'breaking' }),
  story('free-1', 'city', 'free', null, { access: 'free' }),
  story('archive-1', 'city', 'subscriber', null, { publishedAt: OLD }),
  story('subs-1', 'city', 'subscriber', null, { access: 'subscribers' }),
  story('premium-1', 'city', 'premium', null, { tags: ['investigation'] }),
  story('newsletter-1', 'city', 'account', null, { type: 'newsletter' }),
];

const RULES = [
  { name: 'breaking', when: { type: 'breaking', newerThan: '24h' }, treatment: 'free' },
  { name: 'archive', when: { olderThan: '365d' }, treatment: 'subscribers' },
  { name: 'investigations', when: { tag: 'investigation' }, treatment: { subscribers: { entitlements: ['premium'] } } },
  { name: 'newsletters', when: { type: 'newsletter' }, treatment: 'registered' },
  { name: 'campus', when: { section: 'research', network: ['198.51.100.0/24'] }, treatment: { institution: 'Riverside University' } },
  { name: 'irish edition', when: { section: 'ireland', country: 'IE' }, treatment: 'free' },
  { name: 'culture arm', when: { section: 'culture', bucket: { experiment: 'culture', variant: 'open' } }, treatment: 'free' },
  { name: 'sport', when: { section: 'sport' }, treatment: { metered: 'sport' } },
  { name: 'everything else', treatment: 'metered' },
] as const;
const EXPERIMENTS = [
  {
    name: 'culture',
    variants: [
      { name: 'control', weight: 1 },
      { name: 'open', weight: 1 },
    ],
  },
  {
    name: 'limit',
    variants: [
      { name: 'three', weight: 1 },
      { name: 'four', weight: 1, meters: { anonymous: { limit: 4 } } },
    ],
  },
] as const;
/** With experiments, every new anonymous meter draws arms; without, only what it reads asks the cap first, and the rest meets it in the writer. */
const withExperiments = { rules: defineRules(RULES), experiments: defineExperiments(EXPERIMENTS) };
const withoutExperiments = { rules: defineRules(RULES.filter((rule) => rule.name !== 'culture arm')) };

/** The accounts the readers may sign in as. */
const ACCOUNTS: Readonly<Record<string, { status: 'registered' | 'subscriber'; entitlements: string[] }>> = {
  'reg-a': { status: 'registered', entitlements: [] },
  'reg-b': { status: 'registered', entitlements: [] },
  'sub-a': { status: 'subscriber', entitlements: [] },
  'sub-p': { status: 'subscriber', entitlements: ['premium'] },
};
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
/** AI clients of one operator, by purpose; it publishes its crawlers' ranges (the crawler host's network here). */
const AI_AGENTS = ['GPTBot/1.2', 'OAI-SearchBot/1.0', 'ChatGPT-User/1.0'] as const;
type AiAgent = (typeof AI_AGENTS)[number];
/** What the site's policy gives each (training for a price, search refused, a person's agent licensed). */
const AI_POLICY = { 'GPTBot/1.2': 'paid', 'OAI-SearchBot/1.0': 'block', 'ChatGPT-User/1.0': 'licensed' } as const;
const AGENTS = defineAgents({
  operators: { openai: { ranges: ['66.249.66.0/24'], training: 'paid', search: 'block', user: 'licensed' } },
  price: 0.01,
});
const CRAWLER_IP = '66.249.66.1';
const PROXY = '10.0.0.1';

/** Where a browser connects from: directly, or through the site's trusted proxy (which reports its address and country). */
const NETWORKS = ['203.0.113', '192.0.2', '198.51.100'] as const;
type Network = (typeof NETWORKS)[number] | '66.249.66';

type Kind = 'page' | 'prefetch' | 'head' | 'preview' | 'image';
type Step =
  | {
      readonly op: 'view';
      readonly browser: number;
      readonly story: number;
      readonly kind: Kind;
      readonly referer: boolean;
      readonly spoof: boolean;
      readonly crawler: boolean;
      /** An AI client's user agent (its purpose), and whether it offers a high enough price. */
      readonly ai: AiAgent | null;
      readonly offer: boolean;
    }
  | {
      readonly op: 'gift-open';
      readonly browser: number;
      readonly gift: number;
      /** Opened in a browser with its cookies cleared first (a link sent to a friend), and on the gift's own article or another one. */
      readonly fresh: boolean;
      readonly own: boolean;
      readonly story: number;
    }
  | { readonly op: 'gift-create'; readonly account: number; readonly story: number }
  | { readonly op: 'clear'; readonly browser: number }
  | { readonly op: 'replay'; readonly browser: number; readonly back: number }
  | { readonly op: 'sign-in'; readonly browser: number; readonly account: number }
  | { readonly op: 'sign-out'; readonly browser: number }
  | { readonly op: 'wait'; readonly minutes: number };

/** Six readers' browsers (two per network, one of each through the proxy) and the crawler's own host. */
const BROWSERS = 7;
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({
      op: fc.constant('view' as const),
      browser: fc.nat(BROWSERS - 1),
      story: fc.nat(STORIES.length - 1),
      kind: fc.oneof({ weight: 6, arbitrary: fc.constant<Kind>('page') }, fc.constantFrom<Kind>('prefetch', 'head', 'preview', 'image')),
      referer: fc.boolean(),
      spoof: fc.boolean(),
      crawler: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, fc.constant(true)),
      ai: fc.oneof({ weight: 8, arbitrary: fc.constant(null) }, fc.constantFrom<AiAgent>(...AI_AGENTS)),
      offer: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('gift-open' as const),
      browser: fc.nat(BROWSERS - 1),
      gift: fc.nat(7),
      fresh: fc.boolean(),
      own: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, fc.constant(false)),
      story: fc.nat(STORIES.length - 1),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('gift-create' as const),
      // Mostly the subscribers (2 and 3): they may give.
      account: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 2, max: 3 }) }, fc.nat(1)),
      story: fc.nat(STORIES.length - 1),
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('clear' as const), browser: fc.nat(BROWSERS - 1) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('replay' as const), browser: fc.nat(BROWSERS - 1), back: fc.nat(6) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('sign-in' as const), browser: fc.nat(BROWSERS - 1), account: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('sign-out' as const), browser: fc.nat(BROWSERS - 1) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('wait' as const), minutes: fc.integer({ min: 1, max: 90 }) }) },
);

/** A browser of the model: its network and address, whether it goes through the proxy, its account, its meter cookie and the cookies it had. */
interface Browser {
  readonly network: Network;
  readonly host: number;
  readonly proxied: boolean;
  readonly country: 'IE' | 'FR';
  account: string | null;
  cookie: string | null;
  history: string[];
  /** The browser between cookie clears: budgets are kept per lineage. */
  lineage: number;
}

interface Lineage {
  readonly network: string;
  /** The hour its first cookie was written (the fresh-meter cap counts meters by it). */
  mintedHour: number | null;
  /** Distinct articles read on each meter, and on the referral budget. */
  readonly read: { site: Set<string>; sport: Set<string>; sampled: Set<string> };
  /** It read something only an admitted meter may (a counted view, a referral view, an A/B arm). */
  admitted: boolean;
  limit: number | null;
}

const lineageOf = (network: string): Lineage => ({
  network,
  mintedHour: null,
  read: { site: new Set(), sport: new Set(), sampled: new Set() },
  admitted: false,
  limit: null,
});

interface Gift {
  readonly token: string;
  readonly story: string;
  readonly giverMayRead: boolean;
  readonly openedBy: Set<number>;
}

/** What a reader of `status` holding `entitlements` may read of `need` in full, by the docs (no meter, no gift, no crawler). */
function allowed(need: Need, status: 'anonymous' | 'registered' | 'subscriber', entitlements: readonly string[]): boolean {
  switch (need) {
    case 'subscriber':
      return status === 'subscriber';
    case 'premium':
      return status === 'subscriber' && entitlements.includes('premium');
    case 'account':
      return status !== 'anonymous';
    default:
      return true;
  }
}

/** Runs the steps on one paywall; throws (with the step) when a promise breaks. */
async function check(
  steps: readonly Step[],
  store: () => Promise<MeterStore | undefined>,
  maxOpens: number | undefined,
  features: typeof withExperiments | typeof withoutExperiments,
): Promise<void> {
  let now = START;
  const browsers: Browser[] = Array.from({ length: BROWSERS }, (_, i) => ({
    network: i === BROWSERS - 1 ? '66.249.66' : (NETWORKS[i % NETWORKS.length] as Network),
    host: i === BROWSERS - 1 ? 1 : 10 + i,
    proxied: i % 2 === 1 && i !== BROWSERS - 1,
    country: i % 4 === 1 ? 'IE' : 'FR',
    account: null,
    cookie: null,
    history: [],
    lineage: i,
  }));
  const lineages: Lineage[] = browsers.map((b) => lineageOf(b.network));
  const accounts = new Map<string, { site: Set<string>; sport: Set<string> }>();
  const gifts: Gift[] = [];
  const made = await store();
  const paywall: Paywall = createPaywall({
    secret: SECRET,
    now: () => now,
    meters: {
      anonymous: { limit: LIMITS.site.anonymous },
      registered: { limit: LIMITS.site.registered },
      named: { sport: { anonymous: { limit: LIMITS.sport.anonymous }, registered: { limit: LIMITS.sport.registered } } },
    },
    period: { calendar: 'month', timeZone: 'UTC' },
    ...features,
    gifts: defineGifts({ allowance: { limit: 3 }, ...(maxOpens === undefined ? {} : { maxOpens }) }),
    referrals: { budget: REFERRAL_BUDGET, sources: { search: ['google.com'] } },
    freshMeters: { perHour: PER_HOUR },
    cdn: { sharedMaxAge: 300 },
    agents: AGENTS,
    proxy: { trustedRanges: ['10.0.0.0/8'], countryHeader: 'cf-ipcountry' },
    crawlers: { verifiers: [{ verify: (crawler, ip) => crawler === 'googlebot' && ip === CRAWLER_IP }] },
    resolveReader: (request) => {
      const id = request.headers.get('x-account');
      const account = id === null ? undefined : ACCOUNTS[id];
      return id === null || account === undefined ? null : { status: account.status, id, entitlements: account.entitlements };
    },
    ...(made === undefined ? {} : { store: made }),
  });

  const send = async (b: Browser, path: string, headers: Record<string, string>, method = 'GET'): Promise<Decision> => {
    const all: Record<string, string> = { 'user-agent': BROWSER_UA, ...headers };
    if (b.cookie !== null) all['cookie'] = `__Host-meterwall=${b.cookie}`;
    if (b.account !== null) all['x-account'] = b.account;
    if (b.proxied) {
      // The trusted proxy appends the address it saw and reports the country.
      all['x-forwarded-for'] = [headers['x-forwarded-for'], `${b.network}.${b.host}`].filter(Boolean).join(', ');
      all['cf-ipcountry'] = b.country;
    }
    const lower = new Map(Object.entries(all).map(([k, v]) => [k.toLowerCase(), v]));
    const request = {
      method,
      url: `https://news.example${path}`,
      headers: { get: (name: string) => lower.get(name.toLowerCase()) ?? null },
    };
    const story = STORIES.find((s) => path.startsWith(`/articles/${s.id}`)) as Story;
    const context = { ip: b.proxied ? PROXY : `${b.network}.${b.host}` };
    const decision = await paywall.decide(request, story.facts as { id: string }, context);
    // 6. The access log fields (issue 25): the decision as made, origins only as trusted, and never a secret of the reader's.
    const fields = await paywall.accessLogFields(request, decision, context);
    expect([fields.access, fields.reason], `${path}: logged another decision`).toEqual([decision.access, decision.reason]);
    if (fields.country !== null) expect(b.proxied, `${path}: a country logged that no trusted proxy reported`).toBe(true);
    const line = JSON.stringify(fields);
    for (const secret of [b.cookie, b.account])
      if (secret) expect(line.includes(secret), `${path}: the log holds a cookie or an account`).toBe(false);
    // 7. Behind a cache (issue 27): the page a cache hands this reader is the one the decision
    // allows. The edge keys on the decision's access, and the value it signs for the origin opens
    // that variant of this story and of no other.
    expect(decision.headers.get('x-meterwall-variant'), `${path}: the cache key is not the decision`).toBe(decision.access);
    const signed = await paywall.signVariant(decision.variant, story.facts as { id: string });
    const at = (value: string) => ({
      method: 'GET',
      url: request.url,
      headers: { get: (n: string) => (n === 'x-meterwall-variant' ? value : null) },
    });
    expect(await paywall.readVariant(at(signed), story.facts as { id: string }), `${path}: the signed variant`).toBe(decision.access);
    const other = STORIES.find((t) => t.id !== story.id) as Story;
    expect(await paywall.readVariant(at(signed), other.facts as { id: string }), `${path}: a variant signed for another story`).toBe(null);
    const set = decision.headers.get('set-cookie');
    if (set !== null) {
      const value = set.slice(set.indexOf('=') + 1, set.indexOf(';'));
      if (value !== '') expect(line.includes(value), `${path}: the log holds the cookie it set`).toBe(false);
      if (b.cookie === null) (lineages[b.lineage] as Lineage).mintedHour ??= Math.floor(now / 3_600_000);
      b.cookie = value;
      b.history.push(value);
    }
    return decision;
  };

  for (const [index, s] of steps.entries()) {
    const where = `step ${index} ${JSON.stringify(s)}`;
    if (s.op === 'wait') {
      now += s.minutes * 60_000;
      continue;
    }
    if (s.op === 'gift-create') {
      const id = Object.keys(ACCOUNTS)[s.account] as string;
      const giver = ACCOUNTS[id] as (typeof ACCOUNTS)[string];
      const target = STORIES[s.story] as Story;
      const request = {
        method: 'POST',
        url: `https://news.example/articles/${target.id}/gift`,
        headers: { get: (n: string) => (n === 'x-account' ? id : null) },
      };
      const result = await paywall.createGift(request, target.facts as { id: string });
      const mayRead = allowed(target.need, giver.status, giver.entitlements);
      // A gift is made only of what its giver may read in full (and within their allowance).
      if (result.ok) expect(mayRead, `${where}: a gift of what its giver may not read`).toBe(true);
      else if (giver.status === 'subscriber' && result.reason === 'not-entitled') expect(mayRead, where).toBe(false);
      if (result.ok) gifts.push({ token: result.gift.token, story: target.id, giverMayRead: mayRead, openedBy: new Set() });
      continue;
    }
    const b = browsers[s.browser] as Browser;
    if (s.op === 'clear') {
      b.cookie = null;
      b.history = [];
      b.lineage = lineages.push(lineageOf(b.network)) - 1;
      continue;
    }
    if (s.op === 'replay') {
      b.cookie = b.history[Math.max(0, b.history.length - 1 - s.back)] ?? b.cookie;
      continue;
    }
    if (s.op === 'sign-in') {
      b.account = Object.keys(ACCOUNTS)[s.account] as string;
      continue;
    }
    if (s.op === 'sign-out') {
      b.account = null;
      continue;
    }
    const chosen = s.op === 'gift-open' ? gifts[s.gift % Math.max(1, gifts.length)] : undefined;
    if (s.op === 'gift-open' && chosen === undefined) continue;
    if (s.op === 'gift-open' && s.fresh) {
      b.cookie = null;
      b.history = [];
      b.lineage = lineages.push(lineageOf(b.network)) - 1;
    }
    const target = (s.op === 'gift-open' && s.own ? STORIES.find((t) => t.id === chosen?.story) : STORIES[s.story]) as Story;
    const lineage = lineages[b.lineage] as Lineage;
    const account = b.account === null ? null : (ACCOUNTS[b.account] as (typeof ACCOUNTS)[string]);
    let decision: Decision;
    let path = `/articles/${target.id}`;
    let gift: Gift | undefined;
    const headers: Record<string, string> = {};
    if (s.op === 'gift-open') {
      gift = chosen as Gift;
      path += `?gift=${gift.token}`;
      decision = await send(b, path, headers);
    } else {
      if (s.referer) headers['referer'] = 'https://www.google.com/search?q=riverside';
      if (s.spoof) {
        // What a client writes itself: another address, a country.
        headers['x-forwarded-for'] = s.crawler ? CRAWLER_IP : '198.51.100.77';
        if (!b.proxied) headers['cf-ipcountry'] = 'IE';
      }
      if (s.crawler) headers['user-agent'] = GOOGLEBOT;
      if (s.ai !== null) headers['user-agent'] = `Mozilla/5.0 (compatible; ${s.ai}; +https://openai.com/bot)`;
      if (s.ai !== null && s.offer) headers['crawler-max-price'] = 'USD 1';
      if (s.kind === 'prefetch') headers['sec-purpose'] = 'prefetch';
      if (s.kind === 'preview') headers['user-agent'] = 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)';
      if (s.kind === 'image') headers['sec-fetch-dest'] = 'image';
      decision = await send(b, path, headers, s.kind === 'head' ? 'HEAD' : 'GET');
    }
    const { access, reason } = decision;
    const status = account?.status ?? 'anonymous';
    for (const seen of [
      `${reason}${decision.rule ? ` (${decision.rule})` : ''}`,
      ...decision.trace
        .filter((t) => /started spent|older cookie|refused|replayed/.test(t.note))
        .map((t) => `trace: ${t.note.replace(/\d+/g, 'N')}`),
      ...(decision.buckets['culture'] === 'open' ? ['arm: culture open'] : []),
    ])
      SEEN.set(seen, (SEEN.get(seen) ?? 0) + 1);

    // 5. A URL carrying a gift token is never indexed.
    if (path.includes('?gift=')) expect(decision.headers.get('x-robots-tag'), `${where}: a gift URL indexable`).toBe('noindex');

    // 3. Origins: only what the trusted proxy (or the connection) said.
    const realIp = `${b.network}.${b.host}`;
    if (decision.rule === 'irish edition')
      expect(b.proxied && b.country === 'IE', `${where}: a country no trusted proxy reported`).toBe(true);
    if (reason === 'institution') expect(b.network, `${where}: an institution's network from a header`).toBe('198.51.100');
    if (reason === 'crawler') expect(realIp, `${where}: a crawler verified on a spoofed address`).toBe(CRAWLER_IP);

    // 8. AI agents: the policy only for one verified from its published ranges (never a user agent
    // alone, never a spoofed address), exactly what the policy says for its purpose; nothing counted.
    if (reason.startsWith('agent-')) {
      const ai = s.op === 'view' ? s.ai : null;
      expect(ai, `${where}: ${reason} for no AI client`).not.toBeNull();
      expect(realIp, `${where}: an AI agent verified on a spoofed address`).toBe(CRAWLER_IP);
      const policy = AI_POLICY[ai as AiAgent];
      const offered = s.op === 'view' && s.offer;
      const expected = { paid: offered ? 'agent-paid' : 'agent-payment-required', block: 'agent-refused', licensed: 'agent-licensed' }[
        policy
      ];
      expect(reason, where).toBe(expected);
      expect(decision.counted, `${where}: an agent's view counted`).toBe(false);
      expect(decision.status, where).toBe({ 'agent-refused': 403, 'agent-payment-required': 402 }[reason as string] ?? 200);
    } else expect(decision.status, `${where}: a status for no agent`).toBe(200);

    // 4. Not a page view: never counted, never a full text it had not.
    if (s.op === 'view' && s.kind !== 'page') {
      expect(decision.counted, `${where}: counted`).toBe(false);
      if (access === 'full') expect(['metered', 'sampled', 'gift'], `${where}: a full text for a ${s.kind}`).not.toContain(reason);
    }
    if (access !== 'full') continue;

    // 2. Treatments: what the reader may read, a crawler, or a gift whose giver could.
    if (reason === 'gift') {
      expect(gift?.story, `${where}: a gift opened another article`).toBe(target.id);
      expect(gift?.giverMayRead, `${where}: a gift opened what its giver may not read`).toBe(true);
      gift?.openedBy.add(b.lineage);
      if (maxOpens !== undefined)
        expect((gift as Gift).openedBy.size, `${where}: more browsers than the gift's cap`).toBeLessThanOrEqual(maxOpens);
    } else if (reason !== 'crawler' && reason !== 'agent-licensed' && reason !== 'agent-paid') {
      expect(
        allowed(target.need, status, account?.entitlements ?? []),
        `${where}: ${reason} for a ${status} reader of a ${target.need} story`,
      ).toBe(true);
    }

    // 1. Budgets.
    const meter = target.meter;
    const spends = reason === 'metered' || reason === 'sampled' || decision.rule === 'culture arm';
    if (meter === null || !spends) continue;
    if (status === 'registered' && reason === 'metered') {
      const own = accounts.get(b.account as string) ?? { site: new Set<string>(), sport: new Set<string>() };
      accounts.set(b.account as string, own);
      own[meter].add(target.id);
      expect(own[meter].size, `${where}: an account past its registered allowance`).toBeLessThanOrEqual(LIMITS[meter].registered);
    } else if (status === 'anonymous') {
      if (reason === 'sampled') lineage.read.sampled.add(target.id);
      else if (reason === 'metered') lineage.read[meter].add(target.id);
      lineage.admitted = true;
      // The limit's arm is the browser's for the period (a meter the cap started spent is in the control arm).
      const limit = decision.buckets['limit'] === 'four' ? 4 : LIMITS.site.anonymous;
      lineage.limit ??= limit;
      expect(limit, `${where}: a browser redrew its arm`).toBe(lineage.limit);
      expect(lineage.read.site.size, `${where}: a browser past its allowance`).toBeLessThanOrEqual(limit);
      expect(lineage.read.sport.size, `${where}: a browser past its sport allowance`).toBeLessThanOrEqual(LIMITS.sport.anonymous);
      expect(lineage.read.sampled.size, `${where}: past the referral budget`).toBeLessThanOrEqual(REFERRAL_BUDGET);
      // Per network and hour, no more new meters read anything than the cap lets start.
      const admitted = lineages.filter((l) => l.network === lineage.network && l.mintedHour === lineage.mintedHour && l.admitted);
      expect(admitted.length, `${where}: more new meters read on one network this hour than the cap`).toBeLessThanOrEqual(PER_HOUR);
    }
  }
}

/** What the generated traffic met, by reason and rule (printed with MW_PROPERTY_STATS=1: the coverage of the mix). */
const SEEN = new Map<string, number>();

const binary = redisServerPath();
if (!binary)
  console.warn('[redis] the promises on generated traffic on Redis — SKIPPED: no redis-server on PATH (apt-get install redis-server)');

describe('the promises on generated traffic that mixes every feature', () => {
  let redis: TestRedis | undefined;
  const clients: Array<{ destroy(): void }> = [];
  beforeAll(async () => {
    if (binary) redis = await startRedis(binary);
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await redis?.stop();
    if (process.env['MW_PROPERTY_STATS'])
      console.log(
        [...SEEN]
          .sort((a, b) => b[1] - a[1])
          .map(([k, v]) => `${v}\t${k}`)
          .join('\n'),
      );
  });

  const memory = async (): Promise<MeterStore | undefined> => undefined;
  const onRedis = async (): Promise<MeterStore | undefined> => {
    if (!redis) return undefined;
    const client = createClient({ url: redis.url, disableOfflineQueue: true });
    client.on('error', () => {});
    await client.connect();
    clients.push(client);
    return createRedisStore(client, { prefix: `property${Math.random().toString(36).slice(2)}:` });
  };

  it.each([
    ['the memory store, gifts capped at 2, experiments', memory, 2, withExperiments, RUNS],
    ['the memory store, gifts uncapped, no experiments', memory, undefined, withoutExperiments, RUNS],
    ['a real redis-server, gifts capped at 2, experiments', onRedis, 2, withExperiments, Math.ceil(RUNS / 2)],
    ['a real redis-server, gifts uncapped, no experiments', onRedis, undefined, withoutExperiments, Math.ceil(RUNS / 2)],
  ] as const)(
    '%s',
    async (name, store, maxOpens, features, runs) => {
      if (name.includes('redis') && !binary) return; // said above: no redis-server on PATH
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 30, maxLength: 150, size: 'max' }), (steps) =>
          check(steps, store, maxOpens, features),
        ),
        { numRuns: runs, seed: SEED, endOnFailure: !name.includes('memory') },
      );
    },
    300_000,
  );
});
