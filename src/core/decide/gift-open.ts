/**
 * Opening a gift link: the token verified, for this article, not expired, on a page view, within
 * what its giver may read (the policy's `mayGive`, asked before an open is spent) and under its
 * open cap (each browser counted once, atomically, in the store; re-opening is free). An opened
 * gift gives `full` (`gift`) without touching the opener's meter; a refused one falls through to
 * the normal decision with a trace entry and a `gift-refused` event. The browser keeps a mark of
 * the first gift it opened this period, so an account it later shows up with is reported as an
 * upgrade the gift brought (`reader-upgraded`). Nothing here writes a cookie: the meter to write
 * goes to the one writer (meter-cookie.ts).
 */
import type { GiftClaims, GiftTokens } from '../../contracts/features.js';
import type { GiftRefusal } from '../../types.js';
import { andThen, type MaybePromise } from '../../util/maybe-async.js';
import type { GiftMark } from '../meter-token.js';
import { windowAt } from '../meter.js';
import type { Draft, EngineContext, GiftOpening } from './context.js';

export type { GiftOpening } from './context.js';
import { mayGive, type PolicyInput } from './policy.js';
import type { PresentedMeter } from './context.js';

const NOTES: Readonly<Record<GiftRefusal, string>> = {
  oversized: 'the token is too long',
  malformed: 'the token is malformed',
  algorithm: 'the token is not signed with HS256',
  'unknown-key': 'the token is signed with a key this site does not hold',
  'bad-signature': 'the token’s signature is wrong (forged or altered)',
  expired: 'the gift has expired',
  claims: 'the token is not a gift of this site',
  'wrong-type': 'the token is not a gift (a meter or session token?)',
  'other-article': 'the gift is for another article',
  exhausted: 'every open the gift allows is taken',
  'not-page-view': 'not a page view: a gift opens only for a reader',
  'giver-not-entitled': 'its giver may not read this article in full',
  'store-unavailable': 'the store that counts opens failed',
};

/** A verified gift for this request: its claims, and its giver's view of the article (what the policy checks). */
export interface VerifiedGift {
  readonly claims: GiftClaims;
  readonly giver: PolicyInput;
}

/**
 * Tries the gift link `token` for this request: the opening, or `null` when it was refused
 * (reported). `giverInput` gives the giver's view of the article from what the token says they
 * could read (the rules matched for them).
 */
export function openGift(
  ctx: EngineContext,
  draft: Draft,
  tokens: GiftTokens,
  token: string,
  presented: PresentedMeter,
  giverInput: (gift: GiftClaims) => PolicyInput,
): MaybePromise<(GiftOpening & { readonly giver: PolicyInput }) | null> {
  return andThen(tokens.read(token, draft.now), (read) => {
    if (!read.ok) return refuse(ctx, draft, read.reason, null);
    const { gift } = read;
    if (gift.article !== draft.article.id) return refuse(ctx, draft, 'other-article', gift.id);
    if (draft.facts.notPageView !== null) return refuse(ctx, draft, 'not-page-view', gift.id);
    // Asked here so no open is spent on a gift the policy will refuse; the policy asks again.
    const giver = giverInput(gift);
    if (!mayGive(giver)) return refuse(ctx, draft, 'giver-not-entitled', gift.id);
    const opening =
      gift.maxOpens === null
        ? opened(ctx, draft, gift, presented, null, presented.state.gift?.id === gift.id)
        : countOpen(ctx, draft, gift, presented);
    return andThen(opening, (done) => (done === null ? null : { ...done, giver }));
  });
}

async function countOpen(ctx: EngineContext, draft: Draft, gift: GiftClaims, presented: PresentedMeter): Promise<GiftOpening | null> {
  const limit = gift.maxOpens as number;
  let used: number;
  let again: boolean;
  try {
    // The gift's openers are a set of browsers (meter ids) with the cap as its limit: adding one
    // only while under the cap is the store's atomic `record`.
    const result = await ctx.bounded(
      ctx.store.record(`gift:${gift.id}`, presented.state.rid, { since: 0, limit, at: draft.now, expiresAt: gift.expiresAt }),
      'store.record',
    );
    if (!result.read && !result.added) return refuse(ctx, draft, 'exhausted', gift.id);
    again = result.read;
    used = result.added ? result.used + 1 : result.used;
  } catch (cause) {
    ctx.storeFailed(cause);
    if (ctx.options.failure.mode === 'closed') return refuse(ctx, draft, 'store-unavailable', gift.id);
    draft.trace.push({ rule: 'store', matched: true, note: 'store failed: the gift opens without its cap' });
    return opened(ctx, draft, gift, presented, null, false);
  }
  return opened(ctx, draft, gift, presented, used, again);
}

function refuse(ctx: EngineContext, draft: Draft, reason: GiftRefusal, id: string | null): null {
  draft.trace.push({ rule: 'gift', matched: false, note: `gift link not opened: ${NOTES[reason]}` });
  ctx.emit({ type: 'gift-refused', reason, gift: id, article: draft.article.id });
  return null;
}

function opened(
  ctx: EngineContext,
  draft: Draft,
  gift: GiftClaims,
  presented: PresentedMeter,
  opens: number | null,
  again: boolean,
): GiftOpening {
  const { reader } = draft;
  if (!again) ctx.emit({ type: 'gift-opened', gift: gift.id, giver: gift.giver, article: gift.article, newReader: presented.fresh, opens });
  const result = {
    id: gift.id,
    giver: gift.giver,
    opens,
    maxOpens: gift.maxOpens,
    expiresAt: new Date(gift.expiresAt),
  };
  const count = opens === null ? '' : ` (${opens} of ${gift.maxOpens} opens${again ? ', this browser again' : ''})`;
  const note = `a gift link opened the article${count}`;
  // The browser remembers the first gift it opened this period (a subscriber has nothing left to be brought to).
  const { state } = presented;
  const mark: GiftMark | null =
    state.gift === null && reader.status !== 'subscriber'
      ? { id: gift.id, giver: gift.giver, at: Math.floor(draft.now / 1000) * 1000, status: reader.status }
      : null;
  if (mark === null && !presented.fresh && !presented.rewrite) return { gift: result, note, write: null };
  return { gift: result, note, write: mark === null ? state : { ...state, gift: mark } };
}

/**
 * A browser that opened a gift now shows up with an account (or a subscription): the upgrade is
 * reported once (`reader-upgraded`), and the meter returned with its mark moved on, to be
 * written back (`rewrite`); `null` when there is nothing to report.
 */
export function giftUpgrade(ctx: EngineContext, draft: Draft, presented: PresentedMeter): PresentedMeter | null {
  const mark = presented.state.gift;
  const to = draft.reader.status;
  if (mark === null || to === 'anonymous' || (to === 'registered' && mark.status === 'registered')) return null;
  if (draft.facts.notPageView !== null) return null;
  // Only within the period the gift was opened in (a rolling window: within the window).
  if (mark.at < windowAt(ctx.options.period, draft.now).since) return null;
  ctx.emit({ type: 'reader-upgraded', gift: mark.id, giver: mark.giver, from: mark.status, to });
  const gift: GiftMark | null = to === 'subscriber' ? null : { ...mark, status: 'registered' };
  return { state: { ...presented.state, gift }, rewrite: true, fresh: false };
}
