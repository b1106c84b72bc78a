/**
 * Opening a gift link: the token verified, for this article, not expired, on a page view, and
 * under its open cap (each browser counted once, atomically, in the store; re-opening is free).
 * An opened gift gives `full` (`gift`) without touching the opener's meter; a refused one falls
 * through to the normal decision with a trace entry and a `gift-refused` event. The browser
 * keeps a mark of the first gift it opened this period, so an account it later shows up with
 * is reported as an upgrade the gift brought (`reader-upgraded`).
 */
import type { GiftRefusal, OpenedGift } from '../../types.js';
import { andThen, type MaybePromise } from '../../util/maybe-async.js';
import type { GiftClaims } from '../gift-token.js';
import type { GiftMark, MeterState } from '../meter-token.js';
import { windowAt } from '../meter.js';
import type { Draft, EngineContext } from './context.js';
import type { PresentedMeter } from './presented-meter.js';

/** An opened gift: what the decision reports, the trace's note and the meter cookie to set (with the browser's gift mark). */
export interface GiftOpening {
  readonly gift: OpenedGift;
  readonly note: string;
  readonly setCookie: string | null;
}

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
  'store-unavailable': 'the store that counts opens failed',
};

/**
 * The query parameter's value, or `null`: a URL without `<param>=` costs one string search, one
 * with it a walk over its query string (no `URL` object: the parameter is all that is read).
 */
export function giftParameter(url: string, param: string): string | null {
  const marker = `${param}=`;
  if (!url.includes(marker)) return null;
  const query = url.indexOf('?');
  if (query === -1) return null;
  const hash = url.indexOf('#', query);
  for (const pair of url.slice(query + 1, hash === -1 ? undefined : hash).split('&')) {
    // The first pair of that name decides, as URLSearchParams.get does (`gift` alone is empty).
    const eq = pair.indexOf('=');
    if ((eq === -1 ? pair : pair.slice(0, eq)) !== param) continue;
    if (eq === -1 || eq === pair.length - 1) return null;
    try {
      return decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, ' '));
    } catch {
      return null; // malformed percent-encoding: no gift, never a throw
    }
  }
  return null;
}

/** Tries the gift link `token` for this request: the opening, or `null` when it was refused (reported). */
export function openGift(ctx: EngineContext, draft: Draft, token: string, presented: PresentedMeter): MaybePromise<GiftOpening | null> {
  const tokens = ctx.gifts;
  if (tokens === null) return null;
  return andThen(tokens.read(token, draft.now), (read) => {
    if (!read.ok) return refuse(ctx, draft, read.reason, null);
    const { gift } = read;
    if (gift.article !== draft.article.id) return refuse(ctx, draft, 'other-article', gift.id);
    if (draft.facts.notPageView !== null) return refuse(ctx, draft, 'not-page-view', gift.id);
    if (gift.maxOpens === null) return opened(ctx, draft, gift, presented, null, presented.state.gift?.id === gift.id);
    return countOpen(ctx, draft, gift, presented);
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
): MaybePromise<GiftOpening> {
  const { reader } = draft.input;
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
  if (mark === null && !presented.fresh && !presented.rewrite) return { gift: result, note, setCookie: null };
  const next: MeterState = mark === null ? state : { ...state, gift: mark };
  return andThen(ctx.meterCookie(next, draft.now, windowAt(ctx.options.period, draft.now), !presented.fresh), (setCookie) => ({
    gift: result,
    note,
    setCookie,
  }));
}

/**
 * A browser that opened a gift now shows up with an account (or a subscription): the upgrade is
 * reported once (`reader-upgraded`), and the meter returned with its mark moved on, to be
 * written back (`rewrite`); `null` when there is nothing to report.
 */
export function giftUpgrade(ctx: EngineContext, draft: Draft, presented: PresentedMeter): PresentedMeter | null {
  const mark = presented.state.gift;
  const to = draft.input.reader.status;
  if (mark === null || to === 'anonymous' || (to === 'registered' && mark.status === 'registered')) return null;
  if (draft.facts.notPageView !== null) return null;
  // Only within the period the gift was opened in (a rolling window: within the window).
  if (mark.at < windowAt(ctx.options.period, draft.now).since) return null;
  ctx.emit({ type: 'reader-upgraded', gift: mark.id, giver: mark.giver, from: mark.status, to });
  const gift: GiftMark | null = to === 'subscriber' ? null : { ...mark, status: 'registered' };
  return { state: { ...presented.state, gift }, rewrite: true, fresh: false };
}
