/**
 * The one writer of the meter cookie. Every meter the server writes, for whatever reason (a
 * counted view, a gift's mark, a signed-in mark, a new reader's A/B variant, a duplicate
 * replaced), is signed here and nowhere else, and a meter this request mints passes the
 * fresh-meter cap first. The token carries every meter (not one projection) and lives as long as
 * the latest of their periods.
 */
import { andThen, type MaybePromise } from '../../util/maybe-async.js';
import { newestView, startedSpent, windowAt } from '../meter.js';
import type { MeterState } from '../meter-token.js';
import { type Draft, type EngineContext, TOKEN_GRACE_MS } from './context.js';
import { freshMeterGate } from './fresh-meters.js';

/**
 * The `Set-Cookie` for `state` (the whole token). `fresh`: minted by this request; then it
 * passes the fresh-meter cap, and stays out of the verified-token cache (most cookie-less
 * requests never come back; caching each would push returning readers' tokens out).
 */
export function writeMeter(ctx: EngineContext, draft: Draft, state: MeterState, fresh: boolean): MaybePromise<string> {
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
