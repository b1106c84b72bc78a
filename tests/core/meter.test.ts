import { describe, expect, it } from 'vitest';
import {
  freshMeter,
  hasRead,
  inWindow,
  newestView,
  oldestView,
  sampledViews,
  usedViews,
  viewsOf,
  windowAt,
  withSample,
  withView,
} from '../../src/core/meter.js';
import { createCalendarPeriod, createRollingPeriod } from '../../src/core/period.js';

const A = 'AAAAAAAA';
const B = 'BBBBBBBB';
const C = 'CCCCCCCC';
const DAY = 86_400_000;

describe('meter windows', () => {
  it('a calendar window is the period, the same object until the period ends', () => {
    const month = createCalendarPeriod('month', 'UTC');
    const first = windowAt(month, Date.parse('2026-03-10T12:00:00Z'));
    expect(first).toEqual({
      since: Date.parse('2026-03-01T00:00:00Z'),
      period: Date.parse('2026-03-01T00:00:00Z'),
      end: Date.parse('2026-04-01T00:00:00Z'),
    });
    expect(windowAt(month, Date.parse('2026-03-31T23:59:59Z'))).toBe(first);
    const next = windowAt(month, Date.parse('2026-04-01T00:00:00Z'));
    expect(next.period).toBe(Date.parse('2026-04-01T00:00:00Z'));
  });

  it('a rolling window reaches back its days from now and has no period', () => {
    const now = Date.parse('2026-03-10T12:00:00Z');
    expect(windowAt(createRollingPeriod(7), now)).toEqual({ since: now - 7 * DAY, period: null, end: null });
  });
});

describe('meter state', () => {
  const month = windowAt(createCalendarPeriod('month', 'UTC'), Date.parse('2026-03-10T12:00:00Z'));

  it('a fresh meter is empty, keeps times only for rolling windows, and gets a random reader id', () => {
    const meter = freshMeter(month, 'k1');
    expect(meter).toMatchObject({ period: month.period, hashKid: 'k1', entries: '', times: null, sampled: '', spent: 0, merged: false });
    expect(meter.rid).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(freshMeter(month, 'k1').rid).not.toBe(meter.rid);
    expect(freshMeter({ since: 0, period: null, end: null }, 'k1').times).toEqual([]);
  });

  it('counts distinct articles plus views started spent; the referral budget apart', () => {
    let meter = freshMeter(month, 'k1', 'reader');
    meter = withView(withView(meter, A, 1000), B, 2000);
    expect(usedViews(meter)).toBe(2);
    expect(usedViews({ ...meter, spent: 3 })).toBe(5);
    meter = withSample(meter, C);
    expect(sampledViews(meter)).toBe(1);
    expect(usedViews(meter)).toBe(2);
    expect([hasRead(meter, A), hasRead(meter, B), hasRead(meter, C), hasRead(meter, 'DDDDDDDD'), hasRead(meter, undefined)]).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
  });

  it('matches whole hashes only, never a string straddling two of them', () => {
    const meter = withView(withView(freshMeter(month, 'k1'), 'abcdefgh', 0), 'ijklmnop', 0);
    expect(hasRead(meter, 'efghijkl')).toBe(false);
    expect(hasRead(meter, 'ijklmnop')).toBe(true);
  });

  it('a token of an earlier calendar period starts empty with the same reader id; the current one is kept as is', () => {
    const march = withView(freshMeter(month, 'k1', 'reader'), A, 0);
    expect(inWindow(march, month, 'k2')).toBe(march);
    const april = windowAt(createCalendarPeriod('month', 'UTC'), Date.parse('2026-04-02T00:00:00Z'));
    const moved = inWindow(march, april, 'k2');
    expect(moved).toMatchObject({ rid: 'reader', period: april.period, hashKid: 'k2', entries: '' });
  });

  it('a rolling meter drops views older than the window and keeps entries and times aligned', () => {
    const now = Date.parse('2026-03-10T12:00:00Z');
    const window = windowAt(createRollingPeriod(7), now);
    let meter = freshMeter(window, 'k1', 'reader');
    meter = withView(meter, A, now - 9 * DAY);
    meter = withView(meter, B, now - 2 * DAY);
    meter = withView(meter, C, now - 8 * DAY);
    const kept = inWindow(meter, window, 'k1');
    expect(kept.entries).toBe(B);
    expect(kept.times).toEqual([Math.floor((now - 2 * DAY) / 1000)]);
    expect(inWindow(kept, window, 'k1')).toBe(kept);
  });

  it('a calendar token under a rolling rule starts empty', () => {
    const calendar = withView(freshMeter(month, 'k1', 'reader'), A, 0);
    const rolling = windowAt(createRollingPeriod(30), Date.parse('2026-03-10T12:00:00Z'));
    expect(inWindow(calendar, rolling, 'k1')).toMatchObject({ rid: 'reader', entries: '', times: [] });
  });

  it('reports the oldest and newest views and lists them with their times', () => {
    const window = { since: 0, period: null, end: null };
    expect(oldestView(freshMeter(window, 'k1'))).toBeNull();
    const meter = withView(withView(freshMeter(window, 'k1'), A, 5_000_500), B, 9_000_000);
    expect([oldestView(meter), newestView(meter)]).toEqual([5_000_000, 9_000_000]);
    expect(viewsOf(meter, 1)).toEqual([
      { article: A, at: 5_000_000 },
      { article: B, at: 9_000_000 },
    ]);
    const calendar = withView(freshMeter(month, 'k1'), A, 0);
    expect(oldestView(calendar)).toBeNull();
    expect(viewsOf(calendar, 42)).toEqual([{ article: A, at: 42 }]);
  });
});
