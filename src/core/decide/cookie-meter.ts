/**
 * The meter kept in the reader's cookie. `measureCookieMeter` finds where the meter stands and,
 * when this request would spend a view, claims it in the store first (the store's count wins
 * over a replayed older cookie; the network cap may start a new meter spent): its result says
 * plainly what was spent and why the count differs. `settleCookieMeter` writes the new cookie
 * once the rules have decided.
 */
import type { MeterSnapshot } from '../../types.js';
import { isUnder } from '../../util/hosts.js';
import { andThen, isPromiseLike, type MaybePromise } from '../../util/maybe-async.js';
import type { Draft, EngineContext } from './context.js';
import { hasRead, oldestView, sampledViews, usedViews, withSample, withView } from '../meter.js';
import { evaluatePolicy, type DecidedOutcome, type MeterInput } from './policy.js';
import type { PresentedMeter } from './presented-meter.js';
import { type ClaimAnswer, claimView, freshMeterCapped } from './store-claims.js';
import { DEFAULT_METER } from '../../options/rules-options.js';

/** Where a cookie meter stands for this request. */
export interface CookieMeter {
  readonly presented: PresentedMeter;
  readonly hash: string;
  readonly standing: MeterInput;
  /** The rules' answer for `standing`, when measuring already asked them (saves a second evaluation). */
  readonly outcome?: DecidedOutcome;
}

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
  const anonymous = draft.input.reader.status === 'anonymous';
  const signedOut = state.signedIn && anonymous && ctx.options.registeredLimit !== null;
  const referrals = ctx.options.referrals;
  // Only a referred anonymous reader whose meter is spent consults the (small) referral budget;
  // a meter the network cap started spent has none either.
  if (referrals && draft.meter === DEFAULT_METER && anonymous && used >= limit && !read && !signedOut && state.spent === 0) {
    const source = referralSource(ctx, draft);
    if (source !== null) return { used, limit, read, sampling: { source, remaining: Math.max(0, referrals.budget - sampledViews(state)) } };
  }
  return { used, limit, read, signedOut };
}

/**
 * Where the cookie meter stands, after claiming in the store whatever this request would spend.
 * `guard`: claim in the store and cap new meters (off when the cookie stands in for a failed
 * account store).
 */
export function measureCookieMeter(
  ctx: EngineContext,
  draft: Draft,
  presented: PresentedMeter,
  limit: number,
  guard: boolean,
): MaybePromise<CookieMeter> {
  return andThen(ctx.hasher.article(presented.state.hashKid, draft.article.id) as MaybePromise<string>, (hash) => {
    const standing = standingOf(ctx, draft, presented, hash, limit);
    if (!guard) return { presented, hash, standing };
    const outcome = evaluatePolicy(draft.input, standing);
    if (!outcome.count) return { presented, hash, standing, outcome };
    return guarded(ctx, draft, presented, hash, limit, standing, outcome);
  });
}

function guarded(
  ctx: EngineContext,
  draft: Draft,
  presented: PresentedMeter,
  hash: string,
  limit: number,
  standing: MeterInput,
  outcome: DecidedOutcome,
): MaybePromise<CookieMeter> {
  // The fresh-meter cap starts a new browser's site meter spent; named meters are not capped.
  const cap = draft.meter === DEFAULT_METER ? ctx.options.freshMeters : undefined;
  const ip = presented.fresh && cap ? draft.facts.clientAddress : null;
  if (!cap || ip === null || !ctx.store.countFresh) return claimFor(ctx, draft, presented, hash, standing, outcome);
  return freshMeterCapped(ctx, draft, ip, cap.perHour).then((capped) => {
    if (!capped) return claimFor(ctx, draft, presented, hash, standing);
    // Too many new meters from this network this hour: this one starts spent, so the reader is
    // offered registration at once (never a hard wall from this rule alone).
    const { state } = presented;
    const spent: PresentedMeter = { state: { ...state, spent: limit - usedViews(state) + state.spent }, rewrite: true, fresh: false };
    draft.trace.push({ rule: 'client', matched: true, note: 'too many new meters from this network this hour: started spent' });
    return claimFor(ctx, draft, spent, hash, { ...standingOf(ctx, draft, spent, hash, limit), correction: 'capped' });
  });
}

function claimFor(
  ctx: EngineContext,
  draft: Draft,
  presented: PresentedMeter,
  hash: string,
  standing: MeterInput,
  outcome?: DecidedOutcome,
): MaybePromise<CookieMeter> {
  // A calendar meter minted by this very request has no older cookie that could be replayed
  // against it: its first view needs no claim (the next view's claim records both). So a request
  // without a cookie never writes to the store, and a flood of them cannot push real readers'
  // claims out of a bounded store. (A rolling meter's store keeps the articles themselves: it
  // records the first one too.)
  if (presented.fresh && draft.window.period !== null)
    return outcome ? { presented, hash, standing, outcome } : { presented, hash, standing };
  return andThen(claimed(ctx, draft, presented, hash, standing, outcome), (claimedStanding) => ({
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
  known?: DecidedOutcome,
): MaybePromise<MeterInput> {
  const tentative = known ?? evaluatePolicy(draft.input, current);
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
    return claimed(ctx, draft, presented, hash, next);
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
 * Finishes a cookie-meter decision: the new token goes out when a view was spent. Otherwise the
 * cookie is rewritten only on a page view, to replace a duplicate or a rejected token beside a
 * valid meter: a request that counts nothing never mints a fresh meter, unless the site runs
 * experiments (the meter's id is what keeps a new reader in their variant).
 */
export function settleCookieMeter(
  ctx: EngineContext,
  draft: Draft,
  meter: CookieMeter,
  outcome: DecidedOutcome,
): MaybePromise<{ meter: MeterSnapshot | null; setCookie: string | null }> {
  const { presented, hash, standing } = meter;
  if (standing.unavailable === true) return { meter: null, setCookie: null };
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
  // the variant is drawn from), even when nothing was counted: else the next page draws anew.
  // (Whether this is a page view is asked last: a returning reader re-reading never asks it.)
  const rewrite = presented.rewrite && (!presented.fresh || state.signedIn);
  const keepsVariant = presented.fresh && Object.keys(draft.buckets).length > 0;
  const write = outcome.count || ((rewrite || keepsVariant) && draft.facts.notPageView === null);
  if (!write) return { meter: snapshot, setCookie: null };
  // A meter minted by this request is not put in the verified-token cache: most cookie-less
  // requests never come back (link previews, one-off visits, a flood), and caching each of them
  // would push returning readers' tokens out of the bounded cache. A new reader who does come back
  // pays one HMAC on the second view, and is cached from then on.
  const whole = draft.restore === null ? next : draft.restore(next);
  return andThen(ctx.meterCookie(whole, now, window, !presented.fresh), (setCookie) => ({ meter: snapshot, setCookie }));
}
