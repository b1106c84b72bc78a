/**
 * Meter periods: calendar days, weeks and months in an IANA time zone (through `Intl`, so
 * correct across DST changes), and rolling windows of N days.
 */
import type { MeterPeriod } from '../types.js';

/** A calendar period as half-open UTC interval [start, end) in ms since epoch. */
export interface PeriodWindow {
  readonly start: number;
  readonly end: number;
}

/** A resolved period rule. `calendar` periods are cached: one `Intl` computation per period. */
export type PeriodRule = (
  | { readonly kind: 'calendar'; readonly unit: 'day' | 'week' | 'month'; readonly timeZone: string; at(now: number): PeriodWindow }
  | { readonly kind: 'rolling'; readonly days: number; readonly windowMs: number }
) & {
  /** The period as decisions report it (`meter.period`). */
  readonly description: MeterPeriod;
};

const DAY_MS = 86_400_000;

interface LocalDate {
  readonly year: number;
  readonly month: number; // 1..12
  readonly day: number;
}

/** Converts between instants and local dates of one time zone. */
interface Zone {
  localDate(t: number): LocalDate;
  startOfDay(date: LocalDate): number;
}

function createZone(timeZone: string): Zone {
  if (timeZone === 'UTC') {
    return {
      localDate(t) {
        const d = new Date(t);
        return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
      },
      startOfDay: (date) => Date.UTC(date.year, date.month - 1, date.day),
    };
  }
  // Built once per zone: constructing a DateTimeFormat costs about 0.1 ms.
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const wallClock = (t: number): number[] => {
    const fields = [0, 0, 0, 0, 0, 0];
    for (const part of format.formatToParts(t)) {
      const index = FIELD_INDEX[part.type];
      if (index !== undefined) fields[index] = Number(part.value);
    }
    return fields;
  };
  /** Local wall time minus UTC at instant t, in ms (whole seconds). */
  const offsetAt = (t: number): number => {
    const [y = 0, mo = 1, d = 1, h = 0, mi = 0, s = 0] = wallClock(t);
    return Date.UTC(y, mo - 1, d, h, mi, s) - (t - mod(t, 1000));
  };
  const localDate = (t: number): LocalDate => {
    const [year = 0, month = 1, day = 1] = wallClock(t);
    return { year, month, day };
  };
  return {
    localDate,
    startOfDay(date) {
      // The earliest instant whose local date is `date`. Local midnight may not exist (a DST gap
      // at midnight) or may exist twice (a fall-back at midnight): try the offsets in force a day
      // either side and keep the earliest candidate that lands on the wanted date.
      const guess = Date.UTC(date.year, date.month - 1, date.day);
      let best = Number.POSITIVE_INFINITY;
      for (const probe of [guess - DAY_MS, guess, guess + DAY_MS]) {
        const candidate = guess - offsetAt(probe);
        if (candidate < best && sameDate(localDate(candidate), date)) best = candidate;
      }
      return best;
    },
  };
}

const FIELD_INDEX: Partial<Record<string, number>> = { year: 0, month: 1, day: 2, hour: 3, minute: 4, second: 5 };

function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

function sameDate(a: LocalDate, b: LocalDate): boolean {
  return a.year === b.year && a.month === b.month && a.day === b.day;
}

/** Adds days to a calendar date (no time zone involved). */
function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Creates a calendar period rule for a unit and zone; the last period is cached. */
export function createCalendarPeriod(unit: 'day' | 'week' | 'month', timeZone: string, weekStartsOn = 1): PeriodRule {
  const zone = createZone(timeZone);
  let cached: PeriodWindow = { start: 0, end: 0 };
  const compute = (now: number): PeriodWindow => {
    const today = zone.localDate(now);
    let first: LocalDate;
    let next: LocalDate;
    if (unit === 'day') {
      first = today;
      next = addDays(today, 1);
    } else if (unit === 'week') {
      const weekday = new Date(Date.UTC(today.year, today.month - 1, today.day)).getUTCDay();
      first = addDays(today, -mod(weekday - weekStartsOn, 7));
      next = addDays(first, 7);
    } else {
      first = { year: today.year, month: today.month, day: 1 };
      next = today.month === 12 ? { year: today.year + 1, month: 1, day: 1 } : { year: today.year, month: today.month + 1, day: 1 };
    }
    return { start: zone.startOfDay(first), end: zone.startOfDay(next) };
  };
  return {
    kind: 'calendar',
    unit,
    timeZone,
    description: Object.freeze({ calendar: unit, timeZone }),
    at(now) {
      if (now < cached.start || now >= cached.end) cached = compute(now);
      return cached;
    },
  };
}

/** Creates a rolling-window rule: a view counts for `days` × 24 h after it was spent. */
export function createRollingPeriod(days: number): PeriodRule {
  return { kind: 'rolling', days, windowMs: days * DAY_MS, description: Object.freeze({ rollingDays: days }) };
}
