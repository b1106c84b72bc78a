import { describe, expect, it } from 'vitest';
import { evaluatePolicy, type MeterInput, type PolicyInput } from '../../../src/core/decide/policy.js';
import type { NotPageView } from '../../../src/core/decide/page-view.js';
import type { Reader } from '../../../src/index.js';

const anonymous: Reader = { status: 'anonymous', entitlements: [] };
const registered: Reader = { status: 'registered', id: 'u1', entitlements: [] };
const subscriber: Reader = { status: 'subscriber', id: 's1', entitlements: ['digital'] };
const premium: Reader = { status: 'subscriber', id: 's2', entitlements: ['digital', 'premium'] };

const base: PolicyInput = {
  access: 'metered',
  rule: null,
  institution: null,
  requires: [],
  reader: anonymous,
  crawler: false,
  notPageView: null,
  registration: true,
};
const head: NotPageView = { cause: 'head', signal: 'HEAD' };
const prefetch: NotPageView = { cause: 'prefetch', signal: 'Sec-Purpose: prefetch' };
const prerender: NotPageView = { cause: 'prerender', signal: 'Sec-Purpose: prerender' };
const fresh: MeterInput = { used: 0, limit: 3, read: false };
const spent: MeterInput = { used: 3, limit: 3, read: false };

function decide(input: Partial<PolicyInput>, meter: MeterInput = fresh) {
  const outcome = evaluatePolicy({ ...base, ...input }, meter);
  return { access: outcome.access, reason: outcome.reason, count: outcome.count };
}

describe('evaluatePolicy: one reason code per rule, in order', () => {
  it('free-article: full, nothing counted, even for a spent meter and a HEAD', () => {
    expect(decide({ access: 'free' }, spent)).toEqual({ access: 'full', reason: 'free-article', count: false });
    expect(decide({ access: 'free', notPageView: head }, spent)).toEqual({ access: 'full', reason: 'free-article', count: false });
  });

  it('subscriber: full on metered and subscribers-only articles, never counted', () => {
    expect(decide({ reader: subscriber }, spent)).toEqual({ access: 'full', reason: 'subscriber', count: false });
    expect(decide({ reader: subscriber, access: 'subscribers' })).toEqual({ access: 'full', reason: 'subscriber', count: false });
    expect(decide({ reader: premium, requires: ['premium'] })).toEqual({ access: 'full', reason: 'subscriber', count: false });
  });

  it('crawler: full, not counted, but only when verified (the flag)', () => {
    expect(decide({ crawler: true, access: 'subscribers' }, spent)).toEqual({ access: 'full', reason: 'crawler', count: false });
    expect(decide({ crawler: false, access: 'subscribers' })).toEqual({ access: 'teaser', reason: 'subscribers-only', count: false });
  });

  it('subscribers-only: teaser for anonymous and registered readers whatever their meter', () => {
    expect(decide({ access: 'subscribers' })).toEqual({ access: 'teaser', reason: 'subscribers-only', count: false });
    expect(decide({ access: 'subscribers', reader: registered }, { ...fresh, read: true })).toEqual({
      access: 'teaser',
      reason: 'subscribers-only',
      count: false,
    });
  });

  it('missing-entitlement: a subscriber without the required entitlement gets the teaser', () => {
    expect(decide({ reader: subscriber, requires: ['premium'] })).toEqual({
      access: 'teaser',
      reason: 'missing-entitlement',
      count: false,
    });
  });

  it('an article that requires entitlements is never opened by the meter', () => {
    expect(decide({ requires: ['premium'] }, fresh)).toEqual({ access: 'teaser', reason: 'subscribers-only', count: false });
  });

  it('already-read: full and free of charge, even with a spent meter or an uncounted request', () => {
    expect(decide({}, { ...spent, read: true })).toEqual({ access: 'full', reason: 'already-read', count: false });
    expect(decide({ notPageView: prefetch }, { ...fresh, read: true })).toEqual({ access: 'full', reason: 'already-read', count: false });
  });

  it('not-counted: HEAD and prefetch get what they would without spending a view', () => {
    expect(decide({ notPageView: head })).toEqual({ access: 'prompt', reason: 'not-counted', count: false });
    expect(decide({ notPageView: prefetch, reader: registered })).toEqual({ access: 'teaser', reason: 'not-counted', count: false });
    expect(decide({ notPageView: prerender, registration: false })).toEqual({ access: 'teaser', reason: 'not-counted', count: false });
  });

  it('metered: full and counted while views are left', () => {
    expect(decide({}, { used: 2, limit: 3, read: false })).toEqual({ access: 'full', reason: 'metered', count: true });
  });

  it('sampled: a referred reader with a spent meter and referral budget left; otherwise the wall', () => {
    const search = (remaining: number) => ({ source: 'search', remaining });
    expect(decide({}, { ...spent, sampling: search(1) })).toEqual({ access: 'full', reason: 'sampled', count: true });
    expect(decide({}, { ...spent, sampling: search(0) })).toEqual({ access: 'prompt', reason: 'register-to-continue', count: false });
    // The meter is used first; a HEAD never samples.
    expect(decide({}, { ...fresh, sampling: search(1) })).toEqual({ access: 'full', reason: 'metered', count: true });
    expect(decide({ notPageView: head }, { ...spent, sampling: search(1) })).toEqual({
      access: 'prompt',
      reason: 'not-counted',
      count: false,
    });
  });

  it('signed-out: a browser where an account signed in this period has no anonymous allowance left, sampled or not', () => {
    expect(decide({}, { ...fresh, signedOut: true })).toEqual({ access: 'prompt', reason: 'signed-out', count: false });
    expect(decide({}, { ...spent, signedOut: true, sampling: { source: 'search', remaining: 1 } })).toEqual({
      access: 'prompt',
      reason: 'signed-out',
      count: false,
    });
    // What was read stays free; a request that is not a page view says so first.
    expect(decide({}, { ...fresh, read: true, signedOut: true })).toEqual({ access: 'full', reason: 'already-read', count: false });
    expect(decide({ notPageView: head }, { ...fresh, signedOut: true })).toEqual({ access: 'prompt', reason: 'not-counted', count: false });
  });

  it('not-counted: the trace names the signal', () => {
    const outcome = evaluatePolicy({ ...base, notPageView: { cause: 'prefetch', signal: 'Next-Router-Prefetch' } }, fresh);
    expect(outcome.trace.at(-1)).toEqual({
      rule: 'not-counted',
      matched: true,
      note: 'not a page view (Next-Router-Prefetch): never spends a view',
    });
  });

  it('register-to-continue: an anonymous reader with a spent meter, when registering gives more', () => {
    expect(decide({}, spent)).toEqual({ access: 'prompt', reason: 'register-to-continue', count: false });
  });

  it('meter-exhausted: a registered reader, or an anonymous one with no registered allowance', () => {
    expect(decide({ reader: registered }, spent)).toEqual({ access: 'teaser', reason: 'meter-exhausted', count: false });
    expect(decide({ registration: false }, spent)).toEqual({ access: 'teaser', reason: 'meter-exhausted', count: false });
  });

  it('a limit of 0 walls at once', () => {
    expect(decide({}, { used: 0, limit: 0, read: false })).toEqual({ access: 'prompt', reason: 'register-to-continue', count: false });
  });

  it('asks for the meter only when the meter decides', () => {
    expect(evaluatePolicy(base, null).needsMeter).toBe(true);
    expect(evaluatePolicy({ ...base, access: 'free' }, null).needsMeter).toBe(false);
    expect(evaluatePolicy({ ...base, reader: subscriber }, null).needsMeter).toBe(false);
    expect(evaluatePolicy({ ...base, access: 'subscribers' }, null).needsMeter).toBe(false);
  });

  it('traces every rule it tried and marks the one that decided', () => {
    const outcome = evaluatePolicy(base, spent);
    expect(outcome.trace.map((t) => t.rule)).toEqual([
      'free-article',
      'subscriber',
      'subscribers-only',
      'already-read',
      'not-counted',
      'metered',
      'exhausted',
    ]);
    expect(outcome.trace.filter((t) => t.matched).map((t) => t.rule)).toEqual(['exhausted']);
    expect(outcome.trace.find((t) => t.rule === 'metered')?.note).toBe('3 of 3 used');
  });
});
