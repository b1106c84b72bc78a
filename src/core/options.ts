/**
 * Defaults and validation of {@link PaywallOptions}, done once at construction: a wrong option
 * throws a `TypeError` whose `option` names it; the result is frozen.
 */
import { invalidOption } from '../errors.js';
import { createMemoryStore } from '../stores/memory.js';
import type { MeterStore, PaywallEvent, PaywallOptions, ReaderInput, RequestLike } from '../types.js';
import { isCookieName, type CookieSettings } from './cookies.js';
import { normalizeSecrets, type SecretEntry } from './keys.js';
import { createCalendarPeriod, createRollingPeriod, isValidTimeZone, type PeriodRule } from './period.js';
import { MAX_ENTRIES } from './token.js';
import { createRenderer, type Renderer } from '../content/render.js';

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
  const period = resolvePeriod(options.period);
  const render = createRenderer(
    options.content,
    period.kind === 'calendar'
      ? { unit: period.unit, days: 0, timeZone: period.timeZone }
      : { unit: 'rolling', days: period.days, timeZone: 'UTC' },
  );
  return Object.freeze({
    secrets: Object.freeze(normalizeSecrets(options.secret)),
    anonymousLimit: meters.anonymous,
    registeredLimit: meters.registered,
    period,
    cookie: Object.freeze(resolveCookie(options.cookie)),
    issuer: text(options.issuer, 'issuer', 'meterwall'),
    audience: text(options.audience, 'audience', 'meterwall:meter'),
    resolveReader: fn<ResolvedOptions['resolveReader']>(options.resolveReader, 'resolveReader'),
    store: resolveStore(options.store, now),
    failure: Object.freeze({ timeoutMs: integer(failure['timeoutMs'], 'failure.timeoutMs', 250, 1, 60_000), mode }),
    now,
    onEvent: fn<(event: PaywallEvent) => void>(options.onEvent, 'onEvent'),
    cache: Object.freeze({
      tokens: integer(cache['tokens'], 'cache.tokens', 10_000, 1, 10_000_000),
      hashes: integer(cache['hashes'], 'cache.hashes', 10_000, 1, 10_000_000),
    }),
    render,
  });
}
