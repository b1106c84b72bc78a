import { describe, expect, it } from 'vitest';
import { createCalendarPeriod } from '../../src/core/period.js';

const iso = (t: number) => new Date(t).toISOString();

function windowOf(unit: 'day' | 'week' | 'month', zone: string, at: string, weekStartsOn?: number) {
  const rule = createCalendarPeriod(unit, zone, weekStartsOn);
  if (rule.kind !== 'calendar') throw new Error('expected a calendar rule');
  const { start, end } = rule.at(Date.parse(at));
  return { start: iso(start), end: iso(end), hours: (end - start) / 3_600_000 };
}

describe('calendar periods', () => {
  it('a UTC month runs from the 1st 00:00 to the next 1st, across a year end', () => {
    expect(windowOf('month', 'UTC', '2026-11-23T19:00:00Z')).toMatchObject({
      start: '2026-11-01T00:00:00.000Z',
      end: '2026-12-01T00:00:00.000Z',
    });
    expect(windowOf('month', 'UTC', '2026-12-31T23:59:59.999Z').end).toBe('2027-01-01T00:00:00.000Z');
  });

  it('Europe/London, end of March: the month ends at BST midnight, the day of the change has 23 hours', () => {
    // Clocks go forward 2027-03-28 01:00 GMT → 02:00 BST.
    expect(windowOf('month', 'Europe/London', '2027-03-15T12:00:00Z')).toMatchObject({
      start: '2027-03-01T00:00:00.000Z',
      end: '2027-03-31T23:00:00.000Z', // 1 April 00:00 BST
    });
    expect(windowOf('month', 'Europe/London', '2027-04-01T00:30:00+01:00')).toMatchObject({
      start: '2027-03-31T23:00:00.000Z',
      end: '2027-04-30T23:00:00.000Z',
    });
    expect(windowOf('day', 'Europe/London', '2027-03-28T12:00:00Z')).toEqual({
      start: '2027-03-28T00:00:00.000Z',
      end: '2027-03-28T23:00:00.000Z',
      hours: 23,
    });
  });

  it('Europe/London: an instant just before BST midnight belongs to March, just after to April', () => {
    expect(windowOf('month', 'Europe/London', '2027-03-31T22:59:59.999Z').start).toBe('2027-03-01T00:00:00.000Z');
    expect(windowOf('month', 'Europe/London', '2027-03-31T23:00:00.000Z').start).toBe('2027-03-31T23:00:00.000Z');
  });

  it('America/New_York, early November: the day clocks fall back has 25 hours, the month starts at EDT midnight', () => {
    // Clocks go back 2026-11-01 02:00 EDT → 01:00 EST.
    expect(windowOf('day', 'America/New_York', '2026-11-01T12:00:00Z')).toEqual({
      start: '2026-11-01T04:00:00.000Z',
      end: '2026-11-02T05:00:00.000Z',
      hours: 25,
    });
    expect(windowOf('month', 'America/New_York', '2026-11-15T12:00:00Z')).toMatchObject({
      start: '2026-11-01T04:00:00.000Z',
      end: '2026-12-01T05:00:00.000Z',
    });
    // 31 October 23:30 EDT is still October there, though already November in UTC.
    expect(windowOf('month', 'America/New_York', '2026-11-01T03:30:00Z').start).toBe('2026-10-01T04:00:00.000Z');
  });

  it('weeks start on Monday by default, or on the day given, in the zone', () => {
    // 2026-11-23 is a Monday.
    expect(windowOf('week', 'UTC', '2026-11-25T10:00:00Z')).toMatchObject({
      start: '2026-11-23T00:00:00.000Z',
      end: '2026-11-30T00:00:00.000Z',
    });
    expect(windowOf('week', 'UTC', '2026-11-25T10:00:00Z', 0).start).toBe('2026-11-22T00:00:00.000Z');
    // The week containing the New York fall-back has 169 hours.
    expect(windowOf('week', 'America/New_York', '2026-10-30T12:00:00Z')).toEqual({
      start: '2026-10-26T04:00:00.000Z',
      end: '2026-11-02T05:00:00.000Z',
      hours: 169,
    });
  });

  it('a zone whose DST gap swallows midnight starts the day at the first instant that exists', () => {
    // America/Havana springs forward at 00:00 → 01:00 (2026-03-08); the day starts at 01:00 CDT.
    const day = windowOf('day', 'America/Havana', '2026-03-08T12:00:00Z');
    expect(day.start).toBe('2026-03-08T05:00:00.000Z');
    expect(day.hours).toBe(23);
  });

  it('a zone with a half-hour offset', () => {
    expect(windowOf('day', 'Asia/Kolkata', '2026-11-23T20:00:00Z')).toEqual({
      start: '2026-11-23T18:30:00.000Z',
      end: '2026-11-24T18:30:00.000Z',
      hours: 24,
    });
  });

  it('every instant falls in its period, and consecutive periods meet exactly (month, Europe/London)', () => {
    const rule = createCalendarPeriod('month', 'Europe/London');
    if (rule.kind !== 'calendar') throw new Error('expected calendar');
    let t = Date.parse('2026-01-01T00:00:00Z');
    let previousEnd: number | undefined;
    for (let i = 0; i < 24; i++) {
      const { start, end } = rule.at(t);
      expect(start).toBeLessThanOrEqual(t);
      expect(end).toBeGreaterThan(t);
      if (previousEnd !== undefined) expect(start).toBe(previousEnd);
      expect(rule.at(end - 1)).toEqual({ start, end });
      previousEnd = end;
      t = end;
    }
  });
});
