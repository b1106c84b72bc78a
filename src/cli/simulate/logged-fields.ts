/**
 * The fields meterwall logs of a decision (`paywall.accessLogFields`), read back from a JSON log
 * line and checked field by field: a line whose fields are not meterwall's is replayed as a
 * line from before meterwall, never trusted half-way.
 */
import type { AccessLogFields, LoggedAgent } from '../../core/decide/access-log.js';
import type { GiftRefusal, NotCountedCause } from '../../types.js';

export type { AccessLogFields } from '../../core/decide/access-log.js';

const HASH = /^[A-Za-z0-9_-]{1,64}$/;
const REFUSED = /^![a-z-]{1,32}$/;
const CAUSES = new Set<string>([
  'head',
  'method',
  'prefetch',
  'prerender',
  'subresource',
  'cross-site',
  'script-fetch',
  'automated',
  'site',
]);
const STATUSES = new Set<string>(['anonymous', 'registered', 'subscriber']);
const ACCESS = new Set<string>(['full', 'teaser', 'prompt']);
const GIFT = /^[a-z-]{1,32}$/;

const PURPOSES = new Set<string>(['training', 'search', 'user']);
const PRICE = /^USD \d{1,7}(\.\d{1,9})?$/i;
const priceOrNull = (value: unknown): value is string | null => value === null || (typeof value === 'string' && PRICE.test(value));

/** A logged verified agent, `null` for none, `undefined` when the field is not meterwall's. */
function loggedAgent(value: unknown): LoggedAgent | null | undefined {
  if (value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) return undefined;
  const a = value as Record<string, unknown>;
  const { operator, purpose, exact, max, token } = a;
  if (typeof operator !== 'string' || !/^[a-z0-9][a-z0-9_-]{0,63}$/.test(operator)) return undefined;
  if (typeof purpose !== 'string' || !PURPOSES.has(purpose) || !priceOrNull(exact) || !priceOrNull(max)) return undefined;
  if (!(token === null || token === 'accepted' || token === 'refused')) return undefined;
  return { operator, purpose: purpose as LoggedAgent['purpose'], exact, max, token };
}

const hashOrNull = (value: unknown): value is string | null => value === null || (typeof value === 'string' && HASH.test(value));

/** The meterwall fields of a log line, or `null` when `value` is not them. */
export function loggedFields(value: unknown): AccessLogFields | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const f = value as Record<string, unknown>;
  if (f['v'] !== 1) return null;
  const { browser, cookies, wrote, notPageView, status, account, entitlements, gift, client, access, reason } = f;
  const referer = f['referer'] ?? null;
  if (!(referer === null || (typeof referer === 'string' && referer.length <= 253))) return null;
  const country = f['country'] ?? null;
  if (!(country === null || (typeof country === 'string' && /^[A-Z]{2}$/.test(country)))) return null;
  const buckets = f['buckets'] ?? {};
  if (buckets === null || typeof buckets !== 'object' || Array.isArray(buckets)) return null;
  const drawn = Object.entries(buckets);
  if (drawn.length > 32 || !drawn.every(([k, v]) => k.length <= 100 && typeof v === 'string' && v.length <= 100)) return null;
  const crawler = f['crawler'] ?? false;
  if (typeof crawler !== 'boolean') return null;
  const agent = loggedAgent(f['agent'] ?? null);
  if (agent === undefined) return null;
  if (!hashOrNull(browser) || !hashOrNull(account)) return null;
  if (!Array.isArray(cookies) || cookies.length > 4 || !cookies.every((c) => typeof c === 'string' && (HASH.test(c) || REFUSED.test(c))))
    return null;
  if (!(wrote === '' || hashOrNull(wrote))) return null;
  if (!(notPageView === null || (typeof notPageView === 'string' && CAUSES.has(notPageView)))) return null;
  if (typeof status !== 'string' || !STATUSES.has(status)) return null;
  if (!Array.isArray(entitlements) || entitlements.length > 64 || !entitlements.every((e) => typeof e === 'string' && e.length <= 100))
    return null;
  if (!(gift === null || (typeof gift === 'string' && GIFT.test(gift)))) return null;
  if (!(client === null || (typeof client === 'string' && client.length <= 45))) return null;
  if (typeof access !== 'string' || !ACCESS.has(access) || typeof reason !== 'string' || reason.length > 40) return null;
  return {
    v: 1,
    browser,
    cookies: cookies as string[],
    wrote,
    notPageView: notPageView as NotCountedCause | null,
    status: status as AccessLogFields['status'],
    account,
    entitlements: entitlements as string[],
    gift: gift as 'ok' | GiftRefusal | null,
    client,
    referer,
    country,
    buckets: Object.fromEntries(drawn) as Record<string, string>,
    crawler,
    agent,
    access: access as AccessLogFields['access'],
    reason: reason as AccessLogFields['reason'],
  };
}
