/**
 * `gifts`: gift links, validated once into plain data (the query parameter, the giver's
 * allowance and its calendar period, how long a link lasts, the open cap, who may give).
 */
import { invalidOption } from '../errors.js';
import { isValidTimeZone } from '../util/http.js';
import { at, integer, names, object, oneOf, optional, record, rejectUnknown, text } from '../util/schema.js';
import { DEFAULTS, LIMITS } from './defaults.js';
import { duration } from './rules-options.js';
import type { GiftSettings, PeriodSettings } from './settings.js';

/** The allowance's period once the site's is known: its own time zone, else the site's (UTC for a rolling window). */
export function giftsIn(gifts: GiftSettings, site: PeriodSettings): GiftSettings {
  if (gifts.period.timeZone !== undefined) return gifts;
  const timeZone = site.kind === 'calendar' ? site.timeZone : DEFAULTS.period.timeZone;
  return Object.freeze({ ...gifts, period: Object.freeze({ ...gifts.period, timeZone }) });
}

/** The longest a gift link may last: a year. */
const MAX_EXPIRY_MS = 366 * 86_400_000;

const allowancePeriod = /* @__PURE__ */ object(
  {
    calendar: oneOf(['day', 'week', 'month'] as const, DEFAULTS.gifts.allowance.calendar),
    timeZone: text(),
    weekStartsOn: optional(integer(0, 6)),
  },
  'a period option',
);

/** `gifts`, validated (by `defineGifts`); the allowance's time zone is left to the site's period when not given. */
export function resolveGifts(value: unknown): GiftSettings {
  const gifts = record(value, 'gifts');
  rejectUnknown(gifts, 'gifts', ['param', 'allowance', 'expiresIn', 'maxOpens', 'entitlements'], 'a gifts option');
  const param = text(DEFAULTS.gifts.param)(gifts['param'], 'gifts.param');
  // The parameter's name is written into URLs as it is: letters, digits, - and _ only.
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(param)) throw invalidOption('gifts.param', 'must be 1 to 32 letters, digits, - or _');
  const allowance = record(gifts['allowance'], 'gifts.allowance');
  rejectUnknown(allowance, 'gifts.allowance', ['limit', 'period'], 'an allowance option');
  const limit = integer(0, LIMITS.gifts, DEFAULTS.gifts.allowance.limit)(allowance['limit'], 'gifts.allowance.limit');
  const own = allowancePeriod(allowance['period'], 'gifts.allowance.period');
  const timeZone = own.timeZone;
  if (timeZone !== undefined && !isValidTimeZone(timeZone))
    throw invalidOption('gifts.allowance.period.timeZone', `is not a time zone this runtime knows: ${timeZone}`);
  if (own.weekStartsOn !== undefined && own.calendar !== 'week')
    throw invalidOption('gifts.allowance.period.weekStartsOn', "applies only to calendar: 'week'");
  const expiresInMs = duration(gifts['expiresIn'] ?? DEFAULTS.gifts.expiresIn, 'gifts.expiresIn');
  if (expiresInMs > MAX_EXPIRY_MS) throw invalidOption('gifts.expiresIn', 'must be at most 366 days');
  const maxOpens = gifts['maxOpens'] === undefined ? null : integer(1, LIMITS.opens)(gifts['maxOpens'], 'gifts.maxOpens');
  const entitlements = names(/^.{1,100}$/s, 'entitlement names')(gifts['entitlements'], at('gifts', 'entitlements'));
  return Object.freeze({
    param,
    limit,
    period: Object.freeze({
      kind: 'calendar' as const,
      unit: own.calendar,
      timeZone,
      weekStartsOn: own.weekStartsOn ?? DEFAULTS.period.weekStartsOn,
    }),
    expiresInMs,
    maxOpens,
    entitlements,
  });
}
