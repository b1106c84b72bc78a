/**
 * The meter of a registered reader, kept on the account in the store: the browser's anonymous
 * views merged in once, a counted view recorded atomically (the store's limit check is the one
 * that holds), and the browser marked as signed in so signing out hands out nothing. When the
 * store fails, the paywall fails closed, or open to the cookie meter.
 */
import type { MeterSnapshot, StoreRecordResult, StoreSnapshot } from '../../types.js';
import type { MaybePromise } from '../../util/maybe-async.js';
import type { MeterState } from '../meter-token.js';
import type { Draft, EngineContext, Measured } from './context.js';
import { type Judge, measureCookieMeter } from './cookie-meter.js';
import { usedViews, viewsOf } from '../meter.js';
import type { MeterInput } from './policy.js';
import type { PresentedMeter } from './presented-meter.js';
import { meterSuffix, spendAnonymousAllowance } from './store-claims.js';

/**
 * Reads (or, for a page view that may count, records) the account's meter: from the store, or
 * (store down) failing closed, or open to the cookie standing in for it.
 */
export async function measureAccountMeter(
  ctx: EngineContext,
  draft: Draft,
  presented: PresentedMeter,
  limit: number,
  counting: boolean,
  judge: Judge,
): Promise<Measured> {
  const cookie = presented.state;
  const pageView = draft.facts.notPageView === null;
  const mergeable =
    pageView && ctx.store.merge !== undefined && !cookie.merged && usedViews(cookie) > 0 && cookie.hashKid === ctx.keyring.signing.kid;
  const result = await storeMeter(ctx, draft, limit, counting, mergeable ? cookie : null);
  if (result === null) {
    if (ctx.options.failure.mode === 'closed') return { kind: 'unavailable', standing: { used: 0, limit, read: false, unavailable: true } };
    draft.trace.push({ rule: 'store', matched: true, note: 'store failed: failing open to the cookie meter' });
    // Views counted in the cookie while the store is down are merged into the account once it
    // is back (the merge skips articles the account already has): none is lost. The cookie is
    // marked as signed in, so it holds no anonymous allowance after a sign-out.
    const fallback: PresentedMeter = {
      state: { ...cookie, merged: false, signedIn: true },
      rewrite: presented.rewrite || !cookie.signedIn,
      fresh: presented.fresh,
    };
    return measureCookieMeter(ctx, draft, fallback, limit, false, judge);
  }
  const { snapshot, merged } = result;
  draft.trace.push({
    rule: 'store',
    matched: merged > 0,
    note: `account meter: ${snapshot.used} of ${limit} used${merged > 0 ? `, ${merged} merged from this browser` : ''}`,
  });
  const added = 'added' in snapshot && snapshot.added;
  // The store's record is the atomic limit check: a view it did not add was refused.
  const refused = counting && !added && !snapshot.read && snapshot.used < limit;
  const standing: MeterInput = {
    used: snapshot.used,
    limit,
    read: snapshot.read,
    ...(counting ? { spent: added ? ('view' as const) : ('none' as const), correction: refused ? ('refused' as const) : null } : {}),
  };
  return { kind: 'account', presented, standing, snapshot: accountSnapshot(ctx, draft, limit, snapshot, added, merged), mergeable };
}

/** The account's meter (after merging `cookie`'s views), or `null` when the store failed (an event says why). */
async function storeMeter(
  ctx: EngineContext,
  draft: Draft,
  limit: number,
  counting: boolean,
  cookie: MeterState | null,
): Promise<{ snapshot: StoreSnapshot | StoreRecordResult; merged: number } | null> {
  const { store } = ctx;
  const { window, now } = draft;
  try {
    const [account, article] = await Promise.all([
      ctx.hasher.account(draft.reader.id ?? ''),
      ctx.hasher.article(ctx.keyring.signing.kid, draft.article.id),
    ]);
    const key = `${window.period === null ? 'r' : window.period.toString(36)}:${account}${meterSuffix(draft.meter)}`;
    const expiresAt = ctx.meterEnd(window, now);
    let merged = 0;
    if (cookie !== null && store.merge) {
      const result = await ctx.bounded(
        store.merge(key, viewsOf(cookie, now), { limit, at: now, since: window.since, expiresAt }),
        'store.merge',
      );
      merged = result.added;
    }
    const snapshot = counting
      ? await ctx.bounded(store.record(key, article, { limit, at: now, since: window.since, expiresAt }), 'store.record')
      : await ctx.bounded(store.peek(key, article, { since: window.since }), 'store.peek');
    return { snapshot, merged };
  } catch (cause) {
    ctx.storeFailed(cause);
    return null;
  }
}

/** The account meter as the decision reports it, and the merged event. */
function accountSnapshot(
  ctx: EngineContext,
  draft: Draft,
  limit: number,
  snapshot: StoreSnapshot | StoreRecordResult,
  added: boolean,
  merged: number,
): MeterSnapshot {
  const used = snapshot.used + (added ? 1 : 0);
  const result = ctx.snapshot(used, limit, draft.window, snapshot.oldestAt ?? (added ? draft.now : null), draft.now, 'store', draft.period);
  if (merged > 0) ctx.emit({ type: 'meter-merged', reader: draft.reader, merged, meter: result });
  return result;
}

/**
 * The meter that marks this browser as signed in this period (and, with `merged`, its views as
 * merged into the account), to be written; `null` when it is marked already (and nothing else
 * changed) or this is not a page view. The browser's anonymous allowance is spent in the store
 * too, so replaying the cookie from before the sign-in gains nothing.
 */
export function signedInMark(ctx: EngineContext, draft: Draft, presented: PresentedMeter, merged = false): MaybePromise<MeterState | null> {
  const { state } = presented;
  // Written when the browser is not marked yet, when views were merged, or when the meter changed
  // otherwise (`rewrite`: a gift's mark moved on, a duplicate cookie replaced).
  if ((state.signedIn && !merged && !presented.rewrite) || draft.facts.notPageView !== null) return null;
  const view: MeterState = { ...state, signedIn: true, merged: state.merged || merged };
  const marked = draft.restore === null ? view : draft.restore(view);
  if (presented.fresh || state.signedIn) return marked;
  return spendAnonymousAllowance(ctx, draft, state).then(() => marked);
}
