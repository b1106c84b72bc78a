/**
 * The options of `createPaywall`, declared once: each option's check and default (from
 * {@link DEFAULTS}) in one schema, unknown keys refused at every depth with the option that was
 * probably meant. Validation returns data only; `createPaywall` builds keys, store and caches.
 */
import { invalidOption } from '../errors.js';
import type { MeterStore, PaywallEvent, PaywallOptions } from '../types.js';
import { isCookieName, isValidTimeZone } from '../util/http.js';
import { DEFAULT_METER } from './rules-options.js';
import { DEFAULTS, LIMITS } from './defaults.js';
import { resolveCdn, resolveCrawlers, resolveFreshMeters, resolvePageViews, resolveProxy, resolveReferrals } from './network-options.js';
import { at, bool, callback, integer, object, oneOf, record, rejectUnknown, text, type Check } from '../util/schema.js';

import { normalizeSecrets } from './secrets.js';
import type { CookieSettings, PeriodSettings, ResolvedOptions } from './settings.js';

const TOP_LEVEL = [
  'secret',
  'meters',
  'period',
  'cookie',
  'issuer',
  'audience',
  'resolveReader',
  'session',
  'crawlers',
  'agents',
  'proxy',
  'referrals',
  'freshMeters',
  'cdn',
  'pageViews',
  'rules',
  'experiments',
  'gifts',
  'store',
  'failure',
  'now',
  'onEvent',
  'cache',
  'enforce',
] as const;

const limit = (fallback: number): Check<{ readonly limit: number }> =>
  object({ limit: integer(0, LIMITS.entries, fallback) }, 'a meter option');

type MeterLimits = { readonly anonymous: number; readonly registered: number | null };
type NamedLimits = MeterLimits & { readonly period: PeriodSettings | null };
const METER_NAME = /^[a-z0-9_-]{1,32}$/;
const MAX_NAMED_METERS = 8;

function resolveMeters(value: unknown): MeterLimits & { readonly named: ReadonlyMap<string, NamedLimits> } {
  const meters = record(value, 'meters');
  rejectUnknown(meters, 'meters', ['anonymous', 'registered', 'named'], 'a meter');
  const anonymous = limit(DEFAULTS.meters.anonymous.limit)(meters['anonymous'], 'meters.anonymous').limit;
  // Without `meters`, both allowances; with `meters` but no `registered`, no register step.
  const registered =
    value !== undefined && meters['registered'] === undefined
      ? null
      : limit(DEFAULTS.meters.registered.limit)(meters['registered'], 'meters.registered').limit;
  checkOrder(anonymous, registered, 'meters');
  return { anonymous, registered, named: resolveNamedMeters(meters['named'], registered !== null) };
}

/** A registered allowance below the anonymous one would send a reader who registers straight to the subscribe teaser. */
function checkOrder(anonymous: number, registered: number | null, path: string): void {
  if (registered !== null && registered < anonymous)
    throw invalidOption(
      at(path, 'registered'),
      `is ${registered}, below the anonymous limit (${anonymous}): "register to continue" would lead straight to the subscribe teaser`,
    );
}

function resolveNamedMeters(value: unknown, registered: boolean): ReadonlyMap<string, NamedLimits> {
  const named = record(value, 'meters.named');
  const names = Object.keys(named);
  if (names.length > MAX_NAMED_METERS) throw invalidOption('meters.named', `has ${names.length} meters; at most ${MAX_NAMED_METERS}`);
  const out = new Map<string, NamedLimits>();
  for (const name of names) {
    const path = at('meters.named', name);
    if (!METER_NAME.test(name) || name === DEFAULT_METER)
      throw invalidOption(
        path,
        `is not a meter name: 1 to 32 lower-case letters, digits, - or _, and not "${DEFAULT_METER}" (the site's own meter)`,
      );
    const meter = record(named[name], path);
    rejectUnknown(meter, path, ['anonymous', 'registered', 'period'], 'a named meter option');
    const period = meter['period'] === undefined ? null : resolvePeriod(meter['period'], at(path, 'period'));
    if (period?.kind === 'rolling') throw invalidOption(at(path, 'period'), 'must be a calendar period (day, week or month)');
    if (meter['anonymous'] === undefined) throw invalidOption(at(path, 'anonymous'), 'is required: the anonymous allowance on this meter');
    if (registered !== (meter['registered'] !== undefined))
      throw invalidOption(
        at(path, 'registered'),
        registered
          ? 'is required, as the site’s meter has a registered allowance'
          : 'is not allowed: the site’s meter has no registered allowance',
      );
    const anonymous = limit(0)(meter['anonymous'], at(path, 'anonymous')).limit;
    const registeredLimit = registered ? limit(0)(meter['registered'], at(path, 'registered')).limit : null;
    checkOrder(anonymous, registeredLimit, path);
    out.set(name, Object.freeze({ anonymous, registered: registeredLimit, period }));
  }
  return out;
}

const calendar = /* @__PURE__ */ object(
  {
    calendar: oneOf(['day', 'week', 'month'] as const, DEFAULTS.period.calendar),
    timeZone: text(DEFAULTS.period.timeZone),
    weekStartsOn: (value, path) => (value === undefined ? undefined : integer(0, 6)(value, path)),
  },
  'a period option',
);

function resolvePeriod(value: unknown, path = 'period'): PeriodSettings {
  const period = record(value, path);
  if ('rollingDays' in period) {
    if ('calendar' in period) throw invalidOption(path, 'takes either calendar or rollingDays, not both');
    rejectUnknown(period, path, ['rollingDays'], 'an option of a rolling period');
    return Object.freeze({ kind: 'rolling', days: integer(1, 366)(period['rollingDays'], at(path, 'rollingDays')) });
  }
  rejectUnknown(period, path, ['calendar', 'timeZone', 'weekStartsOn'], 'a period option');
  if (value !== undefined && period['calendar'] === undefined)
    throw invalidOption(at(path, 'calendar'), `is required: 'day', 'week' or 'month' (or give ${at(path, 'rollingDays')})`);
  const { calendar: unit, timeZone, weekStartsOn } = calendar(value, path);
  if (!isValidTimeZone(timeZone)) throw invalidOption(at(path, 'timeZone'), `is not a time zone this runtime knows: ${timeZone}`);
  if (weekStartsOn !== undefined && unit !== 'week') throw invalidOption(at(path, 'weekStartsOn'), "applies only to calendar: 'week'");
  return Object.freeze({ kind: 'calendar', unit, timeZone, weekStartsOn: weekStartsOn ?? DEFAULTS.period.weekStartsOn });
}

const cookieShape = /* @__PURE__ */ object(
  {
    name: text(DEFAULTS.cookie.name),
    sameSite: oneOf(['lax', 'strict', 'none'] as const, DEFAULTS.cookie.sameSite),
    secure: (value, path) => {
      if (value === undefined) return DEFAULTS.cookie.secure;
      if (typeof value !== 'boolean') throw invalidOption(path, 'must be a boolean');
      return value;
    },
    path: text(DEFAULTS.cookie.path),
    domain: text(),
  },
  'a cookie option',
);

function resolveCookie(value: unknown): CookieSettings {
  const { name, sameSite, secure, path, domain } = cookieShape(value, 'cookie');
  if (!isCookieName(name)) throw invalidOption('cookie.name', 'is not a valid cookie name');
  if (!/^\/[\x21-\x3A\x3C-\x7E]*$/.test(path))
    throw invalidOption('cookie.path', 'must start with / and hold only visible ASCII, no ; or spaces');
  if (domain !== undefined && !/^\.?[A-Za-z0-9.-]+$/.test(domain)) throw invalidOption('cookie.domain', 'must be a host name');
  const lower = name.toLowerCase();
  if (lower.startsWith('__host-')) {
    if (!secure) throw invalidOption('cookie.secure', 'must be true for a __Host- cookie');
    if (path !== '/') throw invalidOption('cookie.path', "must be '/' for a __Host- cookie");
    if (domain !== undefined) throw invalidOption('cookie.domain', 'must not be set for a __Host- cookie');
  }
  if (lower.startsWith('__secure-') && !secure) throw invalidOption('cookie.secure', 'must be true for a __Secure- cookie');
  if (sameSite === 'none' && !secure) throw invalidOption('cookie.secure', "must be true with sameSite 'none'");
  return Object.freeze({ name, sameSite, secure, path, domain });
}

function resolveStore(value: unknown): MeterStore | undefined {
  if (value === undefined) return undefined;
  if (
    value === null ||
    typeof value !== 'object' ||
    typeof (value as MeterStore).peek !== 'function' ||
    typeof (value as MeterStore).record !== 'function'
  ) {
    throw invalidOption('store', 'must implement MeterStore (peek and record)');
  }
  return value as MeterStore;
}

function resolveNow(value: unknown): () => number {
  const now = callback<() => number | Date>()(value, 'now');
  if (!now) return Date.now;
  return () => {
    const t = now();
    return typeof t === 'number' ? t : t.getTime();
  };
}

const failure = /* @__PURE__ */ object(
  { timeoutMs: integer(1, 60_000, DEFAULTS.failure.timeoutMs), mode: oneOf(['open', 'closed'] as const, DEFAULTS.failure.mode) },
  'a failure option',
);
const cache = /* @__PURE__ */ object(
  { tokens: integer(1, 10_000_000, DEFAULTS.cache.tokens), hashes: integer(1, 10_000_000, DEFAULTS.cache.hashes) },
  'a cache option',
);

/** Validates `createPaywall`'s options and fills in defaults; throws an `InvalidOptionError` naming the option. */
export function resolveOptions(options: PaywallOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw invalidOption('options', 'must be an object');
  if ('content' in options) {
    throw invalidOption(
      'content',
      'moved to createRenderer(content): rendering is separate from deciding, so an edge that only decides does not carry it',
    );
  }
  rejectUnknown(options as unknown as Record<string, unknown>, '', TOP_LEVEL, 'a meterwall option');
  const secrets = Object.freeze(normalizeSecrets(options.secret));
  const meters = resolveMeters(options.meters);
  const period = resolvePeriod(options.period);
  if (meters.named.size > 0 && period.kind === 'rolling')
    throw invalidOption('meters.named', 'count in calendar periods only: use period.calendar, or one meter with a rolling window');
  const store = resolveStore(options.store);
  // `rules`, `experiments`, `session` and `gifts` are features: contracts/resolve.ts finds and checks them.
  return Object.freeze({
    secrets,
    anonymousLimit: meters.anonymous,
    registeredLimit: meters.registered,
    namedMeters: meters.named,
    period,
    cookie: resolveCookie(options.cookie),
    issuer: text(DEFAULTS.issuer)(options.issuer, 'issuer'),
    audience: text(DEFAULTS.audience)(options.audience, 'audience'),
    resolveReader: callback<NonNullable<ResolvedOptions['resolveReader']>>()(options.resolveReader, 'resolveReader'),
    store,
    failure: failure(options.failure, 'failure'),
    now: resolveNow(options.now),
    onEvent: callback<(event: PaywallEvent) => void>()(options.onEvent, 'onEvent'),
    enforce: bool(DEFAULTS.enforce)(options.enforce, 'enforce'),
    cache: cache(options.cache, 'cache'),
    crawlers: resolveCrawlers(options.crawlers),
    proxy: resolveProxy(options.proxy),
    referrals: resolveReferrals(options.referrals, period),
    freshMeters: resolveFreshMeters(options.freshMeters, store, period, meters.registered !== null),
    cdn: resolveCdn(options.cdn),
    pageViews: resolvePageViews(options.pageViews),
  });
}
