/**
 * The meter kept in the reader's cookie. `measureCookieMeter` finds where the meter stands and,
 * when the policy says this request would spend a view, claims it in the store first (the
 * store's count wins over a replayed older cookie): its result says plainly what was spent and
 * why the count differs. `settleCookieMeter` says what the cookie becomes once the policy has
 * decided (the one writer signs it).
 */
import { DEFAULT_METER } from '../../options/rules-options.js';
import type { MeterSnapshot } from '../../types.js';
import { isUnder } from '../../util/hosts.js';
import { andThen, isPromiseLike, type MaybePromise } from '../../util/maybe-async.js';
import { hasRead, isStartedSpent, oldestView, sampledViews, usedViews, withSample, withView } from '../meter.js';
import type { MeterState } from '../meter-token.js';
import type { Draft, EngineContext, Measured } from './context.js';
import type { DecidedOutcome, MeterInput } from './policy.js';
import type { PresentedMeter } from './presented-meter.js';
import { type ClaimAnswer, claimView } from './store-claims.js';

/** Where a cookie meter stands for this request. */
export type CookieMeter = Extract<Measured, { readonly kind: 'cookie' }>;

/** The policy's answer for a standing of the meter (the stages' one call of the policy). */
export type Judge = (draft: Draft, standing: MeterInput) => DecidedOutcome;

/** The referral source of the request (its `Referer` host under a configured source), or `null`. */
function referralSource(ctx: EngineContext, draft: Draft): string | null {
  const referrals = ctx.options.referrals;
  const host = referrals ? draft.facts.refererHost : null;
  if (!referrals || host === null) return null;
  for (const source of referrals.sources) if (source.hosts.some((domain) => isUnder(host, domain))) return source.name;
  return null;
}

/** What the rules need of the cookie meter: used (at least `known`), read, signed out, and the referral budget when it applies. */
function standingOf(ctx: EngineContext, draft: Draft, presented: PresentedMeter, hash: string, limit: number, known = 0): MeterInput {
  const { state } = presented;
  const used = Math.max(usedViews(state), known);
  const read = hasRead(state, hash);
  const anonymous = draft.reader.status === 'anonymous';
  // A meter this request minted past the fresh-meter cap: started spent, and the trace says why.
  const capped = presented.fresh && isStartedSpent(state);
  const signedOut = state.signedIn && anonymous && ctx.options.registeredLimit !== null;
  const referrals = ctx.options.referrals;
  // Only a referred anonymous reader whose meter is spent consults the (small) referral budget;
  // a meter the network cap started spent has none either.
  if (referrals && draft.meter === DEFAULT_METER && anonymous && used >= limit && !read && !signedOut && !isStartedSpent(state)) {
    const source = referralSource(ctx, draft);
    if (source !== null) return { used, limit, read, sampling: { source, remaining: Math.max(0, referrals.budget - sampledViews(state)) } };
  }
  return capped ? { used, limit, read, signedOut, correction: 'capped' } : { used, limit, read, signedOut };
}

/**
 * Where the cookie meter stands, after claiming in the store whatever the policy says this
 * request would spend. `guard`: claim in the store (off when the cookie stands in for a failed
 * account store).
 */
export function measureCookieMeter(
  ctx: EngineContext,
  draft: Draft,
  presented: PresentedMeter,
  limit: number,
  guard: boolean,
  judge: Judge,
): MaybePromise<CookieMeter> {
  const hash = ctx.hasher.article(presented.state.hashKid, draft.article.id);
  return isPromiseLike(hash)
    ? hash.then((done) => measuredWith(ctx, draft, presented, done, limit, guard, judge))
    : measuredWith(ctx, draft, presented, hash, limit, guard, judge);
}

function measuredWith(
  ctx: EngineContext,
  draft: Draft,
  presented: PresentedMeter,
  hash: string,
  limit: number,
  guard: boolean,
  judge: Judge,
): MaybePromise<CookieMeter> {
  const standing = standingOf(ctx, draft, presented, hash, limit);
  // A calendar meter minted by this very request has no older cookie that could be replayed
  // against it: its first view needs no claim (the next view's claim records both). So a request
  // without a cookie never writes a claim to the store, and a flood of them cannot push real
  // readers' claims out of a bounded store. (A rolling meter's store keeps the articles
  // themselves: it records the first one too.)
  if (!guard || (presented.fresh && draft.window.period !== null) || !judge(draft, standing).count)
    return { kind: 'cookie', presented, hash, standing };
  return andThen(claimed(ctx, draft, presented, hash, standing, judge), (claimedStanding) => ({
    kind: 'cookie' as const,
    presented,
    hash,
    standing: claimedStanding,
  }));
}

/**
 * Claims what the rules would spend (a view, else the referral budget); the store's count wins.
 * Synchronous with a store that answers in this process (the memory store).
 */
function claimed(
  ctx: EngineContext,
  draft: Draft,
  presented: PresentedMeter,
  hash: string,
  current: MeterInput,
  judge: Judge,
): MaybePromise<MeterInput> {
  const tentative = judge(draft, current);
  if (!tentative.count) return { ...current, spent: 'none' };
  const kind = tentative.reason === 'sampled' ? 'sample' : 'view';
  const storeFailed = (cause: unknown): MeterInput => {
    ctx.storeFailed(cause);
    if (ctx.options.failure.mode === 'closed') return { ...current, unavailable: true };
    draft.trace.push({ rule: 'store', matched: true, note: 'store failed: counting on the cookie alone' });
    return current;
  };
  const answered = (answer: ClaimAnswer): MaybePromise<MeterInput> => {
    const rolledBack = kind === 'view' && answer.used > current.used;
    if (rolledBack) ctx.emit({ type: 'rollback-detected', presented: current.used, known: answer.used });
    if (answer.allowed) {
      // Built field by field (a spread of this object costs more than the claim itself).
      return {
        used: kind === 'view' ? answer.used : current.used,
        limit: current.limit,
        read: current.read,
        signedOut: current.signedOut ?? false,
        sampling: current.sampling ?? null,
        spent: kind,
        correction: rolledBack ? 'rolled-back' : (current.correction ?? null),
        unavailable: false,
      };
    }
    draft.trace.push({
      rule: 'store',
      matched: true,
      note:
        kind === 'sample'
          ? 'this reader already spent the referral budget this period (an older cookie was replayed)'
          : `this reader already spent ${answer.used} views this period (an older cookie was replayed)`,
    });
    const next: MeterInput =
      kind === 'sample'
        ? { ...current, sampling: { source: (current.sampling as NonNullable<MeterInput['sampling']>).source, remaining: 0 } }
        : { ...standingOf(ctx, draft, presented, hash, current.limit, answer.used), correction: 'rolled-back' };
    return claimed(ctx, draft, presented, hash, next, judge);
  };
  let claim: MaybePromise<ClaimAnswer> | null;
  try {
    claim = claimView(ctx, draft, presented.state, hash, kind, current.used, current.limit);
  } catch (cause) {
    return storeFailed(cause);
  }
  if (claim === null) return current; // no store claim possible: the cookie alone counts
  if (!isPromiseLike(claim)) return answered(claim);
  return Promise.resolve(claim).then(answered, storeFailed);
}

/**
 * What a cookie-meter decision leaves: the meter as the decision reports it, and the state to
 * write, if any. A new token goes out when a view was spent. Otherwise the cookie is rewritten
 * only on a page view, to replace a duplicate or a rejected token beside a valid meter: a
 * request that counts nothing never mints a fresh meter, unless the site runs experiments (the
 * meter's id is what keeps a new reader in their variant) or the cap started it spent.
 */
export function settleCookieMeter(
  ctx: EngineContext,
  draft: Draft,
  meter: CookieMeter,
  outcome: DecidedOutcome,
): { readonly snapshot: MeterSnapshot | null; readonly write: MeterState | null } {
  const { presented, hash, standing } = meter;
  if (standing.unavailable === true) return { snapshot: null, write: null };
  const { state } = presented;
  const { now, window } = draft;
  const sampled = outcome.reason === 'sampled';
  if (sampled && standing.sampling) {
    ctx.emit({
      type: 'referral-sampled',
      article: draft.article.id,
      source: standing.sampling.source,
      remaining: standing.sampling.remaining - 1,
    });
  }
  const next = sampled ? withSample(state, hash) : outcome.count ? withView(state, hash, now) : state;
  const used = Math.max(usedViews(next), standing.used + (outcome.count && !sampled ? 1 : 0));
  const snapshot = ctx.snapshot(used, standing.limit, window, oldestView(next), now, 'cookie', draft.period);
  // A new reader drawn into an A/B variant keeps the meter that drew it (its random id is what
  // the variant is drawn from), even when nothing was counted: else the next page draws anew; a
  // new meter the cap started spent is kept too. (Whether this is a page view is asked last: a
  // returning reader re-reading never asks it.)
  const rewrite = presented.rewrite && (!presented.fresh || state.signedIn);
  const kept = presented.fresh && (isStartedSpent(state) || Object.keys(draft.buckets).length > 0);
  const write = outcome.count || ((rewrite || kept) && draft.facts.notPageView === null);
  if (!write) return { snapshot, write: null };
  return { snapshot, write: draft.restore === null ? next : draft.restore(next) };
}
