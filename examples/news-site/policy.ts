/**
 * The Riverside Courier's policy: its meters, the desk's rules, gifts, referrals and the session
 * it reads, on Web APIs only, so the site (app.ts), its simulator config and its CDN Worker
 * (examples/cloudflare-cache) decide by the same rules.
 */
import { defineGifts, defineRules, defineSession, type Article, type Experiment, type PaywallOptions, type Rule } from 'meterwall';
import type { StoryArticle } from './articles.js';

/** The site's session cookie (accounts.ts issues it) and its token's `iss` and `aud`. */
export const SESSION_COOKIE = '__Host-courier_session';
export const SESSION_ISSUER = 'riverside-courier';

/** The desk's A/B test: does a fourth free article bring more registrations? */
export const EXPERIMENT: Experiment = {
  name: 'anonymous limit',
  variants: [
    { name: 'three free', weight: 50 },
    { name: 'four free', weight: 50, meters: { anonymous: { limit: 4 } } },
  ],
};

/** The example's meters: small, so the whole journey can be clicked through in a minute. */
export const METERS = {
  anonymous: { limit: 3 },
  registered: { limit: 5 },
  // Sport counts on a meter of its own: two a month for anonymous readers, four registered.
  named: { sport: { anonymous: { limit: 2 }, registered: { limit: 4 } } },
} as const;

/**
 * The desk's rules, first match wins: breaking news is free on its first day, the archive (ten
 * years and older) is for subscribers, sport counts on its own meter, everything else on the
 * site's. An article's own `free` or
 * `subscribers` wins over them.
 */
export const RULES: readonly Rule[] = [
  { name: 'breaking news, free on its first day', when: { type: 'breaking', newerThan: '24h' }, treatment: 'free' },
  { name: 'the archive, for subscribers', when: { olderThan: '3650d' }, treatment: 'subscribers' },
  { name: 'sport, on its own meter', when: { section: 'Sport' }, treatment: { metered: 'sport' } },
  { name: 'everything else, metered', treatment: 'metered' },
];

/** Gift links: a subscriber's gifts a month, and the browsers one link opens for (unless `giftOpens` says otherwise). */
export const GIFT_ALLOWANCE = 10;
export const GIFT_OPENS = 5;
/** New meters a network may start per hour before new ones start spent (the server's setting). */
export const FRESH_METERS_PER_HOUR = 200;

/** The meter's period: a calendar month in London. */
export const PERIOD = { calendar: 'month', timeZone: 'Europe/London' } as const;

/** Readers from search or social get one more article a month once their meter is spent. */
export const REFERRALS = {
  budget: 1,
  sources: { search: ['google.com', 'bing.com', 'duckduckgo.com'], social: ['t.co', 'facebook.com', 'linkedin.com'] },
};

/** What the paywall is told about an article: its facts for the rules, and its own access only when it sets one. */
export function articleFacts(article: StoryArticle): Article {
  return {
    id: article.slug,
    section: article.section,
    publishedAt: article.published,
    ...(article.type ? { type: article.type } : {}),
    ...(article.access === 'metered' ? {} : { access: article.access }),
    ...(article.requires ? { requires: article.requires } : {}),
  };
}

/** The front page's note on what the desk's rules do with a story, for a reader arriving now. */
export function ruleNote(article: StoryArticle, now: number): string | null {
  if (article.access !== 'metered') return null;
  const age = now - Date.parse(article.published);
  if (article.type === 'breaking' && age < 24 * 3_600_000) return 'Free today: breaking news';
  if (age >= 3650 * 86_400_000) return 'Archive: subscribers only';
  if (article.section === 'Sport') return `Sport: ${METERS.named.sport.anonymous.limit} a month on its own meter`;
  return null;
}

/** How long a cache may keep an article's page (seconds), behind a CDN (cdn.ts). */
export const CDN_TTL = 300;

/**
 * The paywall options every copy of the site's paywall shares (the origin's, the CDN Worker's):
 * meters, rules, period, referrals, gifts and the session. `known` says whether a session's
 * account still exists (the origin checks its accounts; an edge trusts the signed token).
 */
export function sharedOptions(config: {
  readonly sessionSecret: Uint8Array;
  readonly giftOpens?: number | undefined;
  readonly known?: ((id: string) => boolean) | undefined;
}): Pick<PaywallOptions, 'meters' | 'rules' | 'period' | 'referrals' | 'gifts' | 'session'> {
  const known = config.known ?? (() => true);
  return {
    meters: METERS,
    rules: defineRules(RULES),
    period: PERIOD,
    referrals: REFERRALS,
    // Subscribers may gift ten articles a month; each link opens for five browsers within 30 days.
    gifts: defineGifts({ allowance: { limit: GIFT_ALLOWANCE }, maxOpens: config.giftOpens ?? GIFT_OPENS }),
    // meterwall reads the site's own session cookie and verifies it (HS256, pinned), then maps
    // its claims to a reader: a plan claim makes a subscriber.
    session: defineSession({
      cookie: SESSION_COOKIE,
      key: { secret: config.sessionSecret },
      algorithms: ['HS256'],
      issuer: SESSION_ISSUER,
      audience: SESSION_ISSUER,
      typ: 'JWT',
      claims(payload) {
        const id = payload['sub'];
        if (typeof id !== 'string' || !known(id)) return null; // an account from before a restart
        return typeof payload['plan'] === 'string' ? { status: 'subscriber', id, entitlements: ['digital'] } : { status: 'registered', id };
      },
    }),
  };
}
