/**
 * What the store keeps for meters that live in cookies: a claim on every counted view (per
 * meter id and period), so a replayed older cookie gains nothing; the count of new meters per
 * network and hour; and the anonymous allowance a browser gives up when an account signs in.
 * Every call is bounded by `failure.timeoutMs` and names what timed out.
 */
import type { MeterStore } from '../../types.js';
import type { MaybePromise } from '../../util/maybe-async.js';
import { networkOf, type IpAddress } from '../../util/ip.js';
import type { MeterState } from '../meter-token.js';
import type { Draft, EngineContext } from './context.js';
import { sampledViews, windowAt } from '../meter.js';
import { DEFAULT_METER } from '../../options/rules-options.js';

/** What a named meter's store keys end with (the site's meter keeps the keys it always had). */
export function meterSuffix(meter: string): string {
  return meter === DEFAULT_METER ? '' : `:${meter}`;
}

/** The store's answer to a claimed view: whether it may be spent, and the views it knew of. */
export interface ClaimAnswer {
  readonly allowed: boolean;
  readonly used: number;
}

/**
 * Claims a view of the meter (`kind: 'view'`, with `used` views presented) or of the referral
 * budget (`'sample'`) for the meter `state.rid`; `null` when the store cannot claim (then the
 * cookie alone counts).
 */
export function claimView(
  ctx: EngineContext,
  draft: Draft,
  state: MeterState,
  hash: string,
  kind: 'view' | 'sample',
  used: number,
  limit: number,
): MaybePromise<ClaimAnswer> | null {
  const { store } = ctx;
  const { window, now } = draft;
  if (kind === 'sample') {
    const referrals = ctx.options.referrals;
    if (window.period === null || !referrals) return null;
    const key = `s:${window.period.toString(36)}:${state.rid}`;
    return ctx.claimView(key, sampledViews(state), { limit: referrals.budget, at: now, expiresAt: window.end as number });
  }
  if (window.period !== null) {
    const key = `h:${window.period.toString(36)}:${state.rid}${meterSuffix(draft.meter)}`;
    return ctx.claimView(key, used, { limit, at: now, expiresAt: window.end as number });
  }
  // A rolling window: the store keeps the meter id's own views (distinct articles in the window),
  // timed to the second and dropped at the window's edge, as the cookie keeps them.
  const at = Math.floor(now / 1000) * 1000;
  const record = store.record(`hr:${state.rid}`, hash, { limit, at, since: window.since + 1, expiresAt: ctx.meterEnd(window, at) });
  return ctx.bounded(record, 'store.record').then((r) => ({ allowed: r.added || r.read, used: Math.max(r.used, used) }));
}

/** Whether this network started more new meters this hour than allowed (counting this one). A store failure never caps. */
export async function freshMeterCapped(ctx: EngineContext, draft: Draft, ip: IpAddress, perHour: number): Promise<boolean> {
  const network = networkOf(ip);
  try {
    const key = `f:${Math.floor(draft.now / 3_600_000).toString(36)}:${await ctx.hasher.account(`network\u0000${network}`)}`;
    const countFresh = ctx.store.countFresh as NonNullable<MeterStore['countFresh']>;
    const count = await ctx.bounded(countFresh.call(ctx.store, key, 3_600_000), 'store.countFresh');
    if (count <= perHour) return false;
    ctx.emit({ type: 'fresh-meter-capped', network, count });
    return true;
  } catch (cause) {
    ctx.storeFailed(cause);
    return false;
  }
}

/** Records that the meter `state.rid` has no anonymous view left this period (a store failure is reported, not thrown). */
export async function spendAnonymousAllowance(ctx: EngineContext, draft: Draft, state: MeterState): Promise<void> {
  const { store } = ctx;
  const { anonymousLimit } = ctx.options;
  const { now } = draft;
  // The site's window (the draft's may be a named meter's own).
  const window = windowAt(ctx.options.period, now);
  try {
    if (window.period !== null && store.claimView) {
      // claimView stores max(known, presented) + 1 while under the limit: presenting limit - 1
      // spends the rest. Every meter's anonymous allowance: the site's and each named one.
      const meters: Array<[string, number]> = [[DEFAULT_METER, anonymousLimit]];
      for (const [name, limits] of ctx.options.namedMeters) meters.push([name, limits.anonymous]);
      for (const [name, limit] of meters) {
        if (limit === 0) continue;
        // Each meter in its own period (a named meter may have one of its own).
        const own = ctx.options.namedPeriods.get(name);
        const counted = own === undefined ? window : windowAt(own, now);
        const claim = store.claimView(`h:${(counted.period as number).toString(36)}:${state.rid}${meterSuffix(name)}`, limit - 1, {
          limit,
          at: now,
          expiresAt: counted.end as number,
        });
        await ctx.bounded(claim, 'store.claimView');
      }
    } else if (window.period === null && store.merge && anonymousLimit > 0) {
      const at = Math.floor(now / 1000) * 1000;
      const spent = Array.from({ length: anonymousLimit }, (_, i) => ({ article: `~signed-in-${i}`, at }));
      const merge = store.merge(`hr:${state.rid}`, spent, {
        limit: anonymousLimit,
        at,
        since: window.since + 1,
        expiresAt: ctx.meterEnd(window, at),
      });
      await ctx.bounded(merge, 'store.merge');
    }
  } catch (cause) {
    ctx.storeFailed(cause);
  }
}
