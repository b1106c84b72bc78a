/**
 * The meter cookie stage: what a decision leaves to write, and the one writer of the meter
 * cookie. Every meter the server writes, for whatever reason (a counted view, a gift's mark, a
 * signed-in mark, a new reader's A/B variant, a duplicate replaced), is signed here and nowhere
 * else, and a meter this request mints passes the fresh-meter cap first. The token carries every
 * meter (not one projection) and lives as long as the latest of their periods.
 */
import { andThen, type MaybePromise } from '../../util/maybe-async.js';
import { newestView, startedSpent, windowAt } from '../meter.js';
import type { MeterState } from '../meter-token.js';
import { signedInMark } from './account-meter.js';
import { type Draft, type EngineContext, type PresentedMeter, TOKEN_GRACE_MS } from './context.js';
import { settleCookieMeter } from './cookie-meter.js';
import { freshMeterGate } from './fresh-meters.js';
import { giftUpgrade } from './gift-open.js';
import type { DecidedOutcome } from './policy.js';

/** A meter to write, and whether this request minted it (`null`: nothing to write). */
export type Write = { readonly state: MeterState; readonly fresh: boolean } | null;

/**
 * What the decision leaves to write: a gift's mark, the cookie meter after a view (or a
 * duplicate replaced, a new reader's variant kept), the signed-in mark of an account's browser,
 * or nothing. Sets the draft's meter snapshot. `present` is the meter as the stages read it.
 */
export function meterToWrite(
  ctx: EngineContext,
  draft: Draft,
  outcome: DecidedOutcome,
  present: () => MaybePromise<PresentedMeter>,
): MaybePromise<Write> {
  const measured = draft.measured;
  if (draft.opening !== null && outcome.reason === 'gift') {
    const state = draft.opening.write;
    return state === null ? null : andThen(present(), (whole) => ({ state, fresh: whole.fresh }));
  }
  if (measured === null) return subscriberMark(ctx, draft, present);
  if (measured.kind === 'cookie') {
    const settled = settleCookieMeter(ctx, draft, measured, outcome);
    draft.snapshot = settled.snapshot;
    return settled.write === null ? null : { state: settled.write, fresh: measured.presented.fresh };
  }
  if (measured.kind === 'unavailable') return null;
  draft.snapshot = measured.snapshot;
  // Merged once: the browser's meter is marked so it is never merged again, and kept, marked as
  // signed in, so signing out does not hand out a fresh anonymous allowance.
  const { presented } = measured;
  return andThen(signedInMark(ctx, draft, presented, measured.mergeable), (state) =>
    state === null ? null : { state, fresh: presented.fresh },
  );
}

/**
 * A subscriber's browser is marked as signed in (so signing out hands out no anonymous
 * allowance), and a gift it opened is credited with the subscription.
 */
function subscriberMark(ctx: EngineContext, draft: Draft, present: () => MaybePromise<PresentedMeter>): MaybePromise<Write> {
  const registered = ctx.options.registeredLimit !== null;
  const gifts = ctx.gifts !== null;
  if (draft.reader.status !== 'subscriber' || (!registered && !gifts)) return null;
  return andThen(present(), (presented) => {
    const upgraded = gifts ? giftUpgrade(ctx, draft, presented) : null;
    if (!registered) return upgraded === null ? null : { state: upgraded.state, fresh: presented.fresh };
    return andThen(signedInMark(ctx, draft, upgraded ?? presented), (state) => (state === null ? null : { state, fresh: presented.fresh }));
  });
}

/**
 * The `Set-Cookie` for `state` (the whole token). `fresh`: minted by this request; then it
 * passes the fresh-meter cap, and stays out of the verified-token cache (most cookie-less
 * requests never come back; caching each would push returning readers' tokens out).
 */
export function writeMeter(ctx: EngineContext, draft: Draft, state: MeterState, fresh: boolean): MaybePromise<string> {
  ctx.checkCookieOrigin(draft.facts.request);
  if (!fresh || ctx.options.freshMeters === undefined) return sign(ctx, draft.now, state, !fresh);
  return andThen(freshMeterGate(ctx, draft), (capped) => sign(ctx, draft.now, capped ? startedSpent(state) : state, false));
}

function sign(ctx: EngineContext, now: number, state: MeterState, cache: boolean): MaybePromise<string> {
  const o = ctx.options;
  const site = windowAt(o.period, now);
  let end = Math.max(ctx.meterEnd(site, newestView(state) ?? now), site.end ?? 0);
  for (const rule of o.namedPeriods.values()) end = Math.max(end, windowAt(rule, now).end ?? 0);
  return andThen(ctx.tokens.sign(state, now, end + TOKEN_GRACE_MS, cache), (token) => ctx.meterCookieHeader(token, (end - now) / 1000));
}
