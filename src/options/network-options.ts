/**
 * The options about where a request comes from and how it is treated: crawlers, trusted
 * proxies, referral sampling, the fresh-meter cap, CDN variants and what counts as a page view.
 */
import { invalidOption } from '../errors.js';
import type { CrawlerVerifier, MeterStore, RequestLike } from '../types.js';
import { HOST_NAME } from '../util/hosts.js';
import { parseRange } from '../util/ip.js';
import { DEFAULTS, LIMITS } from './defaults.js';
import type { PageViewOptionSettings, PeriodSettings, ProxySettings, ResolvedOptions } from './settings.js';
import { at, callback, integer, object, oneOf, optional, record, rejectUnknown } from '../util/schema.js';

type NetworkSettings = Pick<ResolvedOptions, 'crawlers' | 'proxy' | 'referrals' | 'freshMeters' | 'cdn' | 'pageViews'>;

const crawlers = /* @__PURE__ */ optional(
  object(
    {
      verifiers: (value, path): readonly CrawlerVerifier[] => {
        if (
          !Array.isArray(value) ||
          value.length === 0 ||
          value.some((v) => v === null || typeof v !== 'object' || typeof v.verify !== 'function')
        ) {
          throw invalidOption(path, 'must list at least one verifier ({ verify(crawler, ip) })');
        }
        return Object.freeze([...value] as CrawlerVerifier[]);
      },
      timeoutMs: integer(1, 30_000, DEFAULTS.crawlers.timeoutMs),
    },
    'a crawlers option',
  ),
);

/** `crawlers`: verifiers of crawler claims, or `undefined`. */
export function resolveCrawlers(value: unknown): NetworkSettings['crawlers'] {
  return crawlers(value, 'crawlers');
}

/** `proxy`: which proxies are trusted to report the client address, or `null`. */
export function resolveProxy(value: unknown): ProxySettings | null {
  if (value === undefined) return null;
  const proxy = record(value, 'proxy');
  rejectUnknown(proxy, 'proxy', ['trustedHops', 'trustedRanges', 'header', 'countryHeader'], 'a proxy option');
  const header = oneOf(['x-forwarded-for', 'forwarded'] as const, DEFAULTS.proxy.header)(proxy['header'], 'proxy.header');
  const country = proxy['countryHeader'];
  if (country !== undefined && (typeof country !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(country)))
    throw invalidOption('proxy.countryHeader', 'must be a header name, e.g. "cf-ipcountry"');
  const countryHeader = country === undefined ? undefined : country.toLowerCase();
  if ((proxy['trustedHops'] === undefined) === (proxy['trustedRanges'] === undefined))
    throw invalidOption('proxy', 'takes either trustedHops or trustedRanges');
  if (proxy['trustedHops'] !== undefined) {
    return Object.freeze({
      hops: integer(1, 10)(proxy['trustedHops'], 'proxy.trustedHops'),
      ranges: Object.freeze([]),
      header,
      countryHeader,
    });
  }
  const list = proxy['trustedRanges'];
  if (!Array.isArray(list) || list.length === 0) throw invalidOption('proxy.trustedRanges', 'must list CIDR ranges');
  const ranges = list.map((item, i) => {
    const range = parseRange(item);
    if (!range) throw invalidOption(at('proxy.trustedRanges', i), `is not a CIDR range: ${String(item)}`);
    if (range.prefix === 0) throw invalidOption(at('proxy.trustedRanges', i), 'trusts every address');
    return range;
  });
  return Object.freeze({ hops: 0, ranges: Object.freeze(ranges), header, countryHeader });
}

/** `referrals`: a small budget of views for readers referred by search or social, or `undefined`. */
export function resolveReferrals(value: unknown, period: PeriodSettings): NetworkSettings['referrals'] {
  if (value === undefined) return undefined;
  const referrals = record(value, 'referrals');
  rejectUnknown(referrals, 'referrals', ['budget', 'sources'], 'a referrals option');
  if (period.kind !== 'calendar') throw invalidOption('referrals', 'needs a calendar period (the budget is per period)');
  const budget = integer(1, LIMITS.sampled)(referrals['budget'], 'referrals.budget');
  const sources = record(referrals['sources'], 'referrals.sources');
  const list = Object.entries(sources).map(([name, hosts]) => {
    if (!Array.isArray(hosts) || hosts.length === 0 || hosts.some((h) => typeof h !== 'string' || !HOST_NAME.test(h.toLowerCase()))) {
      throw invalidOption(at('referrals.sources', name), 'must list host names such as google.com');
    }
    return Object.freeze({ name, hosts: Object.freeze(hosts.map((h: string) => h.toLowerCase())) });
  });
  if (list.length === 0) throw invalidOption('referrals.sources', 'must name at least one source');
  return Object.freeze({ budget, sources: Object.freeze(list) });
}

/** `freshMeters`: the cap on new meters per network and hour, or `undefined`. */
export function resolveFreshMeters(
  value: unknown,
  store: MeterStore | undefined,
  period: PeriodSettings,
  registration: boolean,
): NetworkSettings['freshMeters'] {
  if (value === undefined) return undefined;
  const fresh = record(value, 'freshMeters');
  rejectUnknown(fresh, 'freshMeters', ['perHour'], 'a freshMeters option');
  if (store !== undefined && typeof store.countFresh !== 'function')
    throw invalidOption('freshMeters', 'needs a store with countFresh (the memory and Redis stores have it)');
  if (!registration)
    throw invalidOption('freshMeters', 'needs meters.registered: a capped reader is offered registration, never a hard wall');
  if (period.kind !== 'calendar') throw invalidOption('freshMeters', 'needs a calendar period');
  return Object.freeze({ perHour: integer(1, 1_000_000)(fresh['perHour'], 'freshMeters.perHour') });
}

const cdn = /* @__PURE__ */ object(
  {
    header: (value, path): string => {
      if (value === undefined) return DEFAULTS.cdn.header;
      if (typeof value !== 'string' || !/^[a-z0-9-]{1,64}$/i.test(value)) throw invalidOption(path, 'must be a header name');
      return value.toLowerCase();
    },
    sharedMaxAge: integer(1, 31_536_000, DEFAULTS.cdn.sharedMaxAge),
    signatureMaxAge: integer(1, 900, DEFAULTS.cdn.signatureMaxAge),
  },
  'a cdn option',
);

/** `cdn`: signed variant headers for a shared cache (off unless given). */
export function resolveCdn(value: unknown): NetworkSettings['cdn'] {
  return Object.freeze({ ...cdn(value, 'cdn'), enabled: value !== undefined });
}

const pageViews = /* @__PURE__ */ object(
  {
    scriptFetches: oneOf(['count', 'ignore'] as const, DEFAULTS.pageViews.scriptFetches),
    automatedClients: (value, path) => {
      if (value !== undefined && value !== false && typeof value !== 'function')
        throw invalidOption(path, 'must be a function (userAgent) => match, or false');
      return value as ((userAgent: string) => string | boolean | null | undefined) | false | undefined;
    },
    notPageView: callback<(request: RequestLike) => string | boolean | null | undefined>(),
  },
  'a pageViews option',
);

/** `pageViews`: which requests are page views (only they spend a view). */
export function resolvePageViews(value: unknown): PageViewOptionSettings {
  return pageViews(value, 'pageViews');
}
