/**
 * The meter kept in the cookie: pure operations on a token's state (which articles were read in
 * the current period, adding one, moving to a new period). No I/O, no clock of its own.
 */
import { runtime } from '#runtime';
import { LIMITS } from '../options/defaults.js';
import { ARTICLE_HASH_LENGTH } from './hashing.js';
import type { PeriodRule } from './period.js';
import { type MeterState, NO_NAMED } from './meter-token.js';

/** The window a meter counts in, for `now`. */
export interface MeterWindow {
  /** Views before this time (ms) no longer count. */
  readonly since: number;
  /** For calendar periods: the period's start (the token's `p`); `null` for rolling windows. */
  readonly period: number | null;
  /** For calendar periods: the period's end; `null` for rolling windows. */
  readonly end: number | null;
}

/** The window of `rule` at `now`. */
const lastWindows = new WeakMap<PeriodRule, MeterWindow>();

export function windowAt(rule: PeriodRule, now: number): MeterWindow {
  if (rule.kind === 'calendar') {
    // The same period for every request until it ends: reuse the object (one per rule: a named
    // meter may count in a period of its own).
    const cached = lastWindows.get(rule);
    if (cached !== undefined && cached.since <= now && now < (cached.end as number)) return cached;
    const { start, end } = rule.at(now);
    const window = Object.freeze({ since: start, period: start, end });
    lastWindows.set(rule, window);
    return window;
  }
  return { since: now - rule.windowMs, period: null, end: null };
}

/** A new, empty meter with a random reader id. */
export function freshMeter(window: MeterWindow, hashKid: string, rid = runtime.randomId(16)): MeterState {
  return {
    rid,
    period: window.period,
    hashKid,
    entries: '',
    times: window.period === null ? [] : null,
    merged: false,
    sampled: '',
    spent: 0,
    signedIn: false,
    named: NO_NAMED,
    gift: null,
  };
}

/**
 * The state as it counts in `window`: a token from an earlier calendar period starts empty
 * (same reader id); a rolling meter drops views older than the window. Returns the same object
 * when nothing changes, so the caller can tell whether to re-sign.
 */
export function inWindow(state: MeterState, window: MeterWindow, signingKid: string): MeterState {
  if (window.period !== null) {
    if (state.period === window.period && state.times === null) return state;
    // A new site period: the named meters that count in periods of their own keep their views
    // (each is checked against its own period when it counts).
    const fresh = freshMeter(window, signingKid, state.rid);
    let named: Record<string, string> | null = null;
    for (const name in state.named) {
      const value = state.named[name] as string;
      if (!value.includes(':')) continue;
      named ??= {};
      named[name] = value;
    }
    return named === null || state.hashKid !== signingKid ? fresh : { ...fresh, named };
  }
  if (state.times === null) return freshMeter(window, signingKid, state.rid); // a calendar token under a rolling rule
  const sinceSeconds = window.since / 1000;
  if (state.times.every((t) => t > sinceSeconds)) return state;
  let entries = '';
  const times: number[] = [];
  state.times.forEach((t, i) => {
    if (t > sinceSeconds) {
      entries += state.entries.slice(i * ARTICLE_HASH_LENGTH, (i + 1) * ARTICLE_HASH_LENGTH);
      times.push(t);
    }
  });
  return { ...state, entries, times };
}

/**
 * The views a meter started spent by the fresh-meter cap counts beyond its articles: at least the
 * largest limit, so it is spent on every meter (the site's and each named one) whatever the
 * limits or the reader's A/B variant. Decisions show it as the limit used.
 */
export const STARTED_SPENT = LIMITS.entries;

/** The state started spent on every meter (the fresh-meter cap's answer for a meter it refused). */
export function startedSpent(state: MeterState): MeterState {
  return state.spent >= STARTED_SPENT ? state : { ...state, spent: STARTED_SPENT };
}

/** Whether the fresh-meter cap started this meter spent. */
export function isStartedSpent(state: MeterState): boolean {
  return state.spent > 0;
}

/** Views counted on the meter: distinct articles read, plus any started spent. */
export function usedViews(state: MeterState): number {
  return state.entries.length / ARTICLE_HASH_LENGTH + state.spent;
}

/** Views taken from the referral budget. */
export function sampledViews(state: MeterState): number {
  return state.sampled.length / ARTICLE_HASH_LENGTH;
}

/** Whether `hash` is one of the concatenated article hashes of `list`. */
export function contains(list: string, hash: string): boolean {
  for (let i = 0; i < list.length; i += ARTICLE_HASH_LENGTH) {
    if (list.startsWith(hash, i)) return true;
  }
  return false;
}

/** Whether the article hash is in the state (read on the meter or on the referral budget). */
export function hasRead(state: MeterState, hash: string | undefined): boolean {
  if (hash === undefined) return false;
  return contains(state.entries, hash) || contains(state.sampled, hash);
}

/** The state with one more article read on the referral budget. */
export function withSample(state: MeterState, hash: string): MeterState {
  return { ...state, sampled: state.sampled + hash };
}

/** The state with one more article read at `now`. */
export function withView(state: MeterState, hash: string, now: number): MeterState {
  return {
    ...state,
    entries: state.entries + hash,
    times: state.times === null ? null : [...state.times, Math.floor(now / 1000)],
  };
}

/** When the oldest counted view was read (ms), or `null`. Calendar meters do not keep times. */
export function oldestView(state: MeterState): number | null {
  if (state.times === null || state.times.length === 0) return null;
  return Math.min(...state.times) * 1000;
}

/** When the newest counted view was read (ms), or `null`. */
export function newestView(state: MeterState): number | null {
  if (state.times === null || state.times.length === 0) return null;
  return Math.max(...state.times) * 1000;
}

/** The state's views as article hashes with their times (calendar meters keep no times: `now`). */
export function viewsOf(state: MeterState, now: number): Array<{ article: string; at: number }> {
  const views: Array<{ article: string; at: number }> = [];
  for (let i = 0; i * ARTICLE_HASH_LENGTH < state.entries.length; i++) {
    const time = state.times?.[i];
    views.push({
      article: state.entries.slice(i * ARTICLE_HASH_LENGTH, (i + 1) * ARTICLE_HASH_LENGTH),
      at: time === undefined ? now : time * 1000,
    });
  }
  return views;
}

/**
 * The state as a named meter sees it: that meter's articles as the entries, nothing of the site
 * meter's (no times or referral views). The reader id, period, key id, the views started spent
 * and the signed-in and merged marks are the browser's, shared by every meter.
 */
export function namedView(state: MeterState, name: string, own: MeterWindow | null): MeterState {
  // A meter started spent is spent on every meter.
  return { ...state, entries: namedEntries(state.named[name], own), times: null, sampled: '' };
}

/**
 * A named meter's articles from its value in the token: the hashes, or for a meter with a period
 * of its own `<period start, base-36 seconds>:<hashes>`, empty once that period is over.
 */
function namedEntries(value: string | undefined, own: MeterWindow | null): string {
  if (value === undefined) return '';
  const { start, hashes } = namedValue(value);
  if (start === null) return own === null ? hashes : '';
  return own === null || own.period === null || start !== own.period ? '' : hashes;
}

/** A named meter's value in the token, read: its own period's start (ms), when it has one, and its article hashes. */
export function namedValue(value: string): { readonly start: number | null; readonly hashes: string } {
  const colon = value.indexOf(':');
  if (colon === -1) return { start: null, hashes: value };
  return { start: Number.parseInt(value.slice(0, colon), 36) * 1000, hashes: value.slice(colon + 1) };
}

/** `state` (the whole token) after `view` (its projection on the named meter `name`, counting in `own` when it has a period of its own) changed. */
export function withNamedView(state: MeterState, name: string, view: MeterState, own: MeterWindow | null): MeterState {
  const value = own === null || own.period === null ? view.entries : `${Math.floor(own.period / 1000).toString(36)}:${view.entries}`;
  const named = view.entries === '' ? state.named : { ...state.named, [name]: value };
  return { ...view, entries: state.entries, times: state.times, sampled: state.sampled, spent: state.spent, named, period: state.period };
}
