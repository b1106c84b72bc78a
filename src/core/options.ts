/**
 * Defaults and validation of {@link PaywallOptions}, done once at construction: a wrong option
 * throws a `TypeError` whose `option` names it; the result is frozen.
 */
import { invalidOption } from '../errors.js';
import { createMemoryStore } from '../stores/memory.js';
import type { CrawlerVerifier, MeterStore, PaywallEvent, PaywallOptions, ReaderInput, RequestLike } from '../types.js';
import { parseRange } from './ip.js';
import type { ProxySettings } from './request.js';
import { isCookieName, type CookieSettings } from './cookies.js';
import { MIN_SECRET_BYTES, normalizeSecrets, type SecretEntry } from './keys.js';
import { defaultClaims, type SessionSettings } from './readers.js';
import { utf8 } from './encoding.js';
import { createCalendarPeriod, createRollingPeriod, isValidTimeZone, type PeriodRule } from './period.js';
import { MAX_ENTRIES, MAX_SAMPLED } from './token.js';
import { createRenderer, type Renderer } from '../content/render.js';
import { createAutomatedDetector } from './automated-clients.js';
import type { PageViewSettings } from './page-view.js';

/** Options after defaults and validation. */
export interface ResolvedOptions {
  readonly secrets: readonly SecretEntry[];
  readonly anonymousLimit: number;
  /** `null`: no registered allowance (registered readers use the anonymous meter). */
  readonly registeredLimit: number | null;
  readonly period: PeriodRule;
  readonly cookie: CookieSettings;
  readonly issuer: string;
  readonly audience: string;
  readonly resolveReader:
    | ((request: RequestLike) => ReaderInput | null | undefined | Promise<ReaderInput | null | undefined>)
    | undefined;
  readonly store: MeterStore;
  readonly failure: { readonly timeoutMs: number; readonly mode: 'open' | 'closed' };
  readonly now: () => number;
  readonly onEvent: ((event: PaywallEvent) => void) | undefined;
  readonly cache: { readonly tokens: number; readonly hashes: number };
  readonly render: Renderer;
  readonly session: SessionSettings | undefined;
  readonly crawlers: { readonly verifiers: readonly CrawlerVerifier[]; readonly timeoutMs: number } | undefined;
  readonly proxy: ProxySettings | null;
  readonly referrals: { readonly budget: number; readonly sources: ReadonlyArray<{ readonly name: string; readonly hosts: readonly string[] }> } | undefined;
  readonly freshMeters: { readonly perHour: number } | undefined;
  readonly cdn: { readonly header: string; readonly sharedMaxAge: number; readonly enabled: boolean };
  readonly pageViews: PageViewSettings;
}

const KNOWN = new Set([
  'secret',
  'meters',
  'period',
  'cookie',
  'issuer',
  'audience',
  'resolveReader',
  'store',
  'failure',
  'now',
  'onEvent',
  'cache',
  'content',
  'session',
  'crawlers',
  'proxy',
  'referrals',
  'freshMeters',
  'cdn',
  'pageViews',
]);

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function objectOption(value: unknown, path: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isObject(value)) throw invalidOption(path, 'must be an object');
  return value;
}

function integer(value: unknown, path: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidOption(path, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

function text(value: unknown, path: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.length === 0 || value.length > 256) {
    throw invalidOption(path, 'must be a non-empty string of at most 256 characters');
  }
  return value;
}

function fn<T>(value: unknown, path: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw invalidOption(path, 'must be a function');
  return value as T;
}

function resolvePeriod(value: unknown): PeriodRule {
  if (value === undefined) return createCalendarPeriod('month', 'UTC');
  const period = objectOption(value, 'period');
  if ('rollingDays' in period) {
    if ('calendar' in period) throw invalidOption('period', 'takes either calendar or rollingDays, not both');
    return createRollingPeriod(integer(period['rollingDays'], 'period.rollingDays', 30, 1, 366));
  }
  const unit = period['calendar'];
  if (unit !== 'day' && unit !== 'week' && unit !== 'month') {
    throw invalidOption('period.calendar', "must be 'day', 'week' or 'month' (or give period.rollingDays)");
  }
  const timeZone = text(period['timeZone'], 'period.timeZone', 'UTC');
  if (!isValidTimeZone(timeZone)) throw invalidOption('period.timeZone', `is not a time zone this runtime knows: ${timeZone}`);
  if (period['weekStartsOn'] !== undefined && unit !== 'week') {
    throw invalidOption('period.weekStartsOn', "applies only to calendar: 'week'");
  }
  return createCalendarPeriod(unit, timeZone, integer(period['weekStartsOn'], 'period.weekStartsOn', 1, 0, 6));
}

function resolveCookie(value: unknown): CookieSettings {
  const cookie = objectOption(value, 'cookie');
  for (const key of Object.keys(cookie)) {
    if (!['name', 'sameSite', 'secure', 'path', 'domain'].includes(key)) throw invalidOption(`cookie.${key}`, 'is not a cookie option');
  }
  const name = text(cookie['name'], 'cookie.name', '__Host-meterwall');
  if (!isCookieName(name)) throw invalidOption('cookie.name', 'is not a valid cookie name');
  const sameSite = cookie['sameSite'] ?? 'lax';
  if (sameSite !== 'lax' && sameSite !== 'strict' && sameSite !== 'none') {
    throw invalidOption('cookie.sameSite', "must be 'lax', 'strict' or 'none'");
  }
  const secure = cookie['secure'] ?? true;
  if (typeof secure !== 'boolean') throw invalidOption('cookie.secure', 'must be a boolean');
  const path = text(cookie['path'], 'cookie.path', '/');
  if (!path.startsWith('/') || /[;\s]/.test(path)) throw invalidOption('cookie.path', 'must start with / and hold no ; or spaces');
  const domain = cookie['domain'];
  if (domain !== undefined && (typeof domain !== 'string' || !/^\.?[A-Za-z0-9.-]+$/.test(domain))) {
    throw invalidOption('cookie.domain', 'must be a host name');
  }
  const lower = name.toLowerCase();
  if (lower.startsWith('__host-')) {
    if (!secure) throw invalidOption('cookie.secure', 'must be true for a __Host- cookie');
    if (path !== '/') throw invalidOption('cookie.path', "must be '/' for a __Host- cookie");
    if (domain !== undefined) throw invalidOption('cookie.domain', 'must not be set for a __Host- cookie');
  }
  if (lower.startsWith('__secure-') && !secure) throw invalidOption('cookie.secure', 'must be true for a __Secure- cookie');
  if (sameSite === 'none' && !secure) throw invalidOption('cookie.secure', "must be true with sameSite 'none'");
  return { name, sameSite, secure, path, domain: domain as string | undefined };
}

function resolveMeters(value: unknown): { anonymous: number; registered: number | null } {
  if (value === undefined) return { anonymous: 3, registered: 10 };
  const meters = objectOption(value, 'meters');
  for (const key of Object.keys(meters)) {
    if (key !== 'anonymous' && key !== 'registered') throw invalidOption(`meters.${key}`, 'is not a meter (anonymous, registered)');
  }
  const anonymous = objectOption(meters['anonymous'], 'meters.anonymous');
  const anonymousLimit = integer(anonymous['limit'], 'meters.anonymous.limit', 3, 0, MAX_ENTRIES);
  if (meters['registered'] === undefined) return { anonymous: anonymousLimit, registered: null };
  const registered = objectOption(meters['registered'], 'meters.registered');
  return { anonymous: anonymousLimit, registered: integer(registered['limit'], 'meters.registered.limit', 10, 0, MAX_ENTRIES) };
}

function resolveStore(value: unknown, now: () => number): MeterStore {
  if (value === undefined) return createMemoryStore({ now });
  if (!isObject(value) || typeof value['peek'] !== 'function' || typeof value['record'] !== 'function') {
    throw invalidOption('store', 'must implement MeterStore (peek and record)');
  }
  return value as unknown as MeterStore;
}

function resolveNow(value: unknown): () => number {
  const now = fn<() => number | Date>(value, 'now');
  if (!now) return Date.now;
  return () => {
    const t = now();
    return typeof t === 'number' ? t : t.getTime();
  };
}

const HMAC_ALGORITHMS = new Set(['HS256', 'HS384', 'HS512']);
const PUBLIC_ALGORITHMS = new Set(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519']);

function stringOrList(value: unknown, path: string): string | readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value !== '') return value;
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' && v !== '')) return Object.freeze([...value]);
  throw invalidOption(path, 'must be a non-empty string or list of strings');
}

function resolveSession(value: unknown, secrets: readonly SecretEntry[]): SessionSettings | undefined {
  if (value === undefined) return undefined;
  const session = objectOption(value, 'session');
  for (const key of Object.keys(session)) {
    if (!['cookie', 'bearer', 'key', 'algorithms', 'issuer', 'audience', 'typ', 'clockToleranceSeconds', 'claims', 'cacheSize'].includes(key)) {
      throw invalidOption(`session.${key}`, 'is not a session option');
    }
  }
  const cookie = session['cookie'];
  if (cookie !== undefined && (typeof cookie !== 'string' || !isCookieName(cookie))) throw invalidOption('session.cookie', 'must be a cookie name');
  const bearer = session['bearer'] ?? true;
  if (typeof bearer !== 'boolean') throw invalidOption('session.bearer', 'must be a boolean');
  if (cookie === undefined && !bearer) throw invalidOption('session.cookie', 'is needed when bearer is false');

  const key = objectOption(session['key'], 'session.key');
  const kinds = ['secret', 'publicKey', 'jwksUrl'].filter((k) => key[k] !== undefined);
  if (kinds.length !== 1) throw invalidOption('session.key', 'takes exactly one of secret, publicKey or jwksUrl');
  let keyConfig: SessionSettings['key'];
  if (kinds[0] === 'secret') {
    const raw = key['secret'];
    const bytes = typeof raw === 'string' ? utf8(raw) : raw instanceof Uint8Array ? raw : undefined;
    if (!bytes || bytes.byteLength < MIN_SECRET_BYTES) throw invalidOption('session.key.secret', `must be a string or Uint8Array of at least ${MIN_SECRET_BYTES} bytes`);
    if (secrets.some((s) => s.bytes.byteLength === bytes.byteLength && s.bytes.every((b, i) => b === bytes[i]))) {
      throw invalidOption('session.key.secret', 'must differ from the meter secret');
    }
    keyConfig = { kind: 'secret', secret: new Uint8Array(bytes) };
  } else if (kinds[0] === 'publicKey') {
    const material = key['publicKey'];
    const pem = typeof material === 'string' && /-----BEGIN PUBLIC KEY-----/.test(material);
    const jwk = isObject(material) && typeof material['kty'] === 'string' && material['kty'] !== 'oct' && !('d' in material);
    if (!pem && !jwk) throw invalidOption('session.key.publicKey', 'must be a PEM public key (SPKI) or a public JWK (no private parts)');
    keyConfig = { kind: 'public', key: material as string | JsonWebKey };
  } else {
    let url: URL;
    try {
      url = new URL(String(key['jwksUrl']));
    } catch {
      throw invalidOption('session.key.jwksUrl', 'must be a URL');
    }
    const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) throw invalidOption('session.key.jwksUrl', 'must use https (http only on localhost)');
    keyConfig = {
      kind: 'jwks',
      url,
      timeoutMs: integer(key['timeoutMs'], 'session.key.timeoutMs', 1000, 1, 30_000),
      cooldownMs: integer(key['cooldownMs'], 'session.key.cooldownMs', 30_000, 0, 3_600_000),
      cacheMaxAgeMs: integer(key['cacheMaxAgeMs'], 'session.key.cacheMaxAgeMs', 600_000, 1_000, 86_400_000),
      failureBackoffMs: integer(key['failureBackoffMs'], 'session.key.failureBackoffMs', 5_000, 0, 600_000),
    };
  }
  const algorithms = session['algorithms'];
  const allowed = keyConfig.kind === 'secret' ? HMAC_ALGORITHMS : PUBLIC_ALGORITHMS;
  if (!Array.isArray(algorithms) || algorithms.length === 0 || algorithms.some((a) => !allowed.has(a))) {
    throw invalidOption('session.algorithms', `must list the accepted algorithms, from ${[...allowed].join(', ')}`);
  }
  const typ = session['typ'];
  if (typ !== undefined && (typeof typ !== 'string' || typ === '')) throw invalidOption('session.typ', 'must be a non-empty string');
  return Object.freeze({
    cookie,
    bearer,
    key: Object.freeze(keyConfig),
    algorithms: Object.freeze([...algorithms]),
    issuer: stringOrList(session['issuer'], 'session.issuer'),
    audience: stringOrList(session['audience'], 'session.audience'),
    typ,
    clockToleranceSeconds: integer(session['clockToleranceSeconds'], 'session.clockToleranceSeconds', 0, 0, 60),
    claims: fn<SessionSettings['claims']>(session['claims'], 'session.claims') ?? defaultClaims,
    cacheSize: integer(session['cacheSize'], 'session.cacheSize', 10_000, 1, 10_000_000),
  });
}

function resolveCrawlers(value: unknown): ResolvedOptions['crawlers'] {
  if (value === undefined) return undefined;
  const crawlers = objectOption(value, 'crawlers');
  for (const key of Object.keys(crawlers)) if (key !== 'verifiers' && key !== 'timeoutMs') throw invalidOption(`crawlers.${key}`, 'is not a crawlers option');
  const verifiers = crawlers['verifiers'];
  if (!Array.isArray(verifiers) || verifiers.length === 0 || verifiers.some((v) => !isObject(v) || typeof v['verify'] !== 'function')) {
    throw invalidOption('crawlers.verifiers', 'must list at least one verifier ({ verify(crawler, ip) })');
  }
  return Object.freeze({ verifiers: Object.freeze([...verifiers] as CrawlerVerifier[]), timeoutMs: integer(crawlers['timeoutMs'], 'crawlers.timeoutMs', 1000, 1, 30_000) });
}

function resolveProxy(value: unknown): ProxySettings | null {
  if (value === undefined) return null;
  const proxy = objectOption(value, 'proxy');
  for (const key of Object.keys(proxy)) {
    if (!['trustedHops', 'trustedRanges', 'header'].includes(key)) throw invalidOption(`proxy.${key}`, 'is not a proxy option');
  }
  const header = proxy['header'] ?? 'x-forwarded-for';
  if (header !== 'x-forwarded-for' && header !== 'forwarded') throw invalidOption('proxy.header', "must be 'x-forwarded-for' or 'forwarded'");
  if ((proxy['trustedHops'] === undefined) === (proxy['trustedRanges'] === undefined)) {
    throw invalidOption('proxy', 'takes either trustedHops or trustedRanges');
  }
  if (proxy['trustedHops'] !== undefined) {
    return Object.freeze({ hops: integer(proxy['trustedHops'], 'proxy.trustedHops', 1, 1, 10), ranges: Object.freeze([]), header });
  }
  const list = proxy['trustedRanges'];
  if (!Array.isArray(list) || list.length === 0) throw invalidOption('proxy.trustedRanges', 'must list CIDR ranges');
  const ranges = list.map((text, i) => {
    const range = parseRange(text);
    if (!range) throw invalidOption(`proxy.trustedRanges[${i}]`, `is not a CIDR range: ${String(text)}`);
    if (range.prefix === 0) throw invalidOption(`proxy.trustedRanges[${i}]`, 'trusts every address');
    return range;
  });
  return Object.freeze({ hops: 0, ranges: Object.freeze(ranges), header });
}

const HOST = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/;

function resolveReferrals(value: unknown, period: PeriodRule): ResolvedOptions['referrals'] {
  if (value === undefined) return undefined;
  const referrals = objectOption(value, 'referrals');
  for (const key of Object.keys(referrals)) if (key !== 'budget' && key !== 'sources') throw invalidOption(`referrals.${key}`, 'is not a referrals option');
  if (period.kind !== 'calendar') throw invalidOption('referrals', 'needs a calendar period (the budget is per period)');
  const budget = integer(referrals['budget'], 'referrals.budget', 0, 1, MAX_SAMPLED);
  if (referrals['budget'] === undefined) throw invalidOption('referrals.budget', 'is required');
  const sources = objectOption(referrals['sources'], 'referrals.sources');
  const list = Object.entries(sources).map(([name, hosts]) => {
    if (!Array.isArray(hosts) || hosts.length === 0 || hosts.some((h) => typeof h !== 'string' || !HOST.test(h.toLowerCase()))) {
      throw invalidOption(`referrals.sources.${name}`, 'must list host names such as google.com');
    }
    return Object.freeze({ name, hosts: Object.freeze(hosts.map((h: string) => h.toLowerCase())) });
  });
  if (list.length === 0) throw invalidOption('referrals.sources', 'must name at least one source');
  return Object.freeze({ budget, sources: Object.freeze(list) });
}

function resolveFreshMeters(value: unknown, store: MeterStore, period: PeriodRule, registration: boolean): ResolvedOptions['freshMeters'] {
  if (value === undefined) return undefined;
  const fresh = objectOption(value, 'freshMeters');
  for (const key of Object.keys(fresh)) if (key !== 'perHour') throw invalidOption(`freshMeters.${key}`, 'is not a freshMeters option');
  if (typeof store.countFresh !== 'function') throw invalidOption('freshMeters', 'needs a store with countFresh (the memory and Redis stores have it)');
  if (!registration) throw invalidOption('freshMeters', 'needs meters.registered: a capped reader is offered registration, never a hard wall');
  if (period.kind !== 'calendar') throw invalidOption('freshMeters', 'needs a calendar period');
  if (fresh['perHour'] === undefined) throw invalidOption('freshMeters.perHour', 'is required');
  return Object.freeze({ perHour: integer(fresh['perHour'], 'freshMeters.perHour', 0, 1, 1_000_000) });
}

function resolveCdn(value: unknown): ResolvedOptions['cdn'] {
  const cdn = objectOption(value, 'cdn');
  for (const key of Object.keys(cdn)) if (key !== 'header' && key !== 'sharedMaxAge') throw invalidOption(`cdn.${key}`, 'is not a cdn option');
  const header = cdn['header'] ?? 'x-meterwall-variant';
  if (typeof header !== 'string' || !/^[a-z0-9-]{1,64}$/i.test(header)) throw invalidOption('cdn.header', 'must be a header name');
  return Object.freeze({
    header: header.toLowerCase(),
    sharedMaxAge: integer(cdn['sharedMaxAge'], 'cdn.sharedMaxAge', 300, 1, 31_536_000),
    enabled: value !== undefined,
  });
}

function resolvePageViews(value: unknown): PageViewSettings {
  const views = objectOption(value, 'pageViews');
  for (const key of Object.keys(views)) {
    if (!['scriptFetches', 'automatedClients', 'notPageView'].includes(key)) throw invalidOption(`pageViews.${key}`, 'is not a pageViews option');
  }
  const scriptFetches = views['scriptFetches'] ?? 'count';
  if (scriptFetches !== 'count' && scriptFetches !== 'ignore') throw invalidOption('pageViews.scriptFetches', "must be 'count' or 'ignore'");
  const automated = views['automatedClients'];
  if (automated !== undefined && automated !== false && typeof automated !== 'function') {
    throw invalidOption('pageViews.automatedClients', 'must be a function (userAgent) => match, or false');
  }
  return Object.freeze({
    scriptFetches,
    automated: automated === false ? null : createAutomatedDetector(automated as Parameters<typeof createAutomatedDetector>[0]),
    notPageView: fn<PageViewSettings['notPageView']>(views['notPageView'], 'pageViews.notPageView'),
  });
}

/** Validates options and fills in defaults. Throws a `TypeError` (`code` `ERR_INVALID_OPTION`, `option`) on misuse. */
export function resolveOptions(options: PaywallOptions): ResolvedOptions {
  if (!isObject(options)) throw invalidOption('options', 'must be an object');
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw invalidOption(key, 'is not a meterwall option');
  }
  const meters = resolveMeters(options.meters);
  const failure = objectOption(options.failure, 'failure');
  const mode = failure['mode'] ?? 'open';
  if (mode !== 'open' && mode !== 'closed') throw invalidOption('failure.mode', "must be 'open' or 'closed'");
  const cache = objectOption(options.cache, 'cache');
  const now = resolveNow(options.now);
  const secrets = Object.freeze(normalizeSecrets(options.secret));
  if (options.session !== undefined && options.resolveReader !== undefined) {
    throw invalidOption('session', 'cannot be combined with resolveReader: look accounts up in session.claims instead');
  }
  const period = resolvePeriod(options.period);
  const store = resolveStore(options.store, now);
  const render = createRenderer(
    options.content,
    period.kind === 'calendar'
      ? { unit: period.unit, days: 0, timeZone: period.timeZone }
      : { unit: 'rolling', days: period.days, timeZone: 'UTC' },
  );
  return Object.freeze({
    secrets,
    anonymousLimit: meters.anonymous,
    registeredLimit: meters.registered,
    period,
    cookie: Object.freeze(resolveCookie(options.cookie)),
    issuer: text(options.issuer, 'issuer', 'meterwall'),
    audience: text(options.audience, 'audience', 'meterwall:meter'),
    resolveReader: fn<ResolvedOptions['resolveReader']>(options.resolveReader, 'resolveReader'),
    store,
    failure: Object.freeze({ timeoutMs: integer(failure['timeoutMs'], 'failure.timeoutMs', 250, 1, 60_000), mode }),
    now,
    onEvent: fn<(event: PaywallEvent) => void>(options.onEvent, 'onEvent'),
    cache: Object.freeze({
      tokens: integer(cache['tokens'], 'cache.tokens', 10_000, 1, 10_000_000),
      hashes: integer(cache['hashes'], 'cache.hashes', 10_000, 1, 10_000_000),
    }),
    render,
    session: resolveSession(options.session, secrets),
    crawlers: resolveCrawlers(options.crawlers),
    proxy: resolveProxy(options.proxy),
    referrals: resolveReferrals(options.referrals, period),
    freshMeters: resolveFreshMeters(options.freshMeters, store, period, meters.registered !== null),
    cdn: resolveCdn(options.cdn),
    pageViews: resolvePageViews(options.pageViews),
  });
}
