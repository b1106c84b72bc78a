/**
 * The fresh-meter cap: how many new meters one network (a /24 or /48) may start per hour before
 * the ones after start spent on every meter (the site's and each named one), so clearing cookies
 * buys no allowance beyond it; such a reader is offered registration. Asked at most once per
 * request, and only for a meter this request mints: by the stages when the decision depends on
 * it (a view that would count on a new meter, an A/B draw), and always by the one writer of the
 * meter cookie (meter-cookie.ts), so no path writes a new meter past it.
 */
import { andThen, type MaybePromise } from '../../util/maybe-async.js';
import { startedSpent } from '../meter.js';
import type { Draft, EngineContext } from './context.js';
import type { PresentedMeter } from './presented-meter.js';
import { freshMeterCapped } from './store-claims.js';

const NOT_CAPPED: MaybePromise<boolean> = false;

/** Whether a meter minted by this request starts spent (counted in the store once per request; a store failure never caps). */
export function freshMeterGate(ctx: EngineContext, draft: Draft): MaybePromise<boolean> {
  if (draft.capped !== null) return draft.capped;
  const cap = ctx.options.freshMeters;
  const ip = cap === undefined || !ctx.store.countFresh ? null : draft.facts.clientAddress;
  draft.capped = cap === undefined || ip === null ? NOT_CAPPED : freshMeterCapped(ctx, draft, ip, cap.perHour);
  return draft.capped;
}

/** The presented meter, past the cap when this request mints it: started spent when the network is over the cap. */
export function admitted(ctx: EngineContext, draft: Draft, presented: PresentedMeter): MaybePromise<PresentedMeter> {
  if (!presented.fresh || ctx.options.freshMeters === undefined) return presented;
  return andThen(freshMeterGate(ctx, draft), (capped) => {
    if (!capped) return presented;
    draft.trace.push(CAPPED);
    return { state: startedSpent(presented.state), rewrite: true, fresh: true };
  });
}

const CAPPED = /* @__PURE__ */ Object.freeze({
  rule: 'client',
  matched: true,
  note: 'too many new meters from this network this hour: started spent',
} as const);
