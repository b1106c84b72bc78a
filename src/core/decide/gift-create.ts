/**
 * Creating gift links: who may give (subscribers, and readers holding a giving entitlement),
 * the giver's allowance per calendar period counted atomically in the store (a set of gift ids
 * on the giver's keyed hash, added only while under the limit), and the signed token. Typed
 * results for every state a reader can be in; only misuse (a bad article or URL) rejects.
 */
import { invalidOption, PaywallError } from '../../errors.js';
import type { Article, CreatedGift, GiftAllowance, GiftResult, Reader } from '../../types.js';
import type { GiftSettings } from '../../options/settings.js';
import { runtime } from '#runtime';
import { MAX_ARTICLE_ID } from '../gift-token.js';
import { type MeterWindow, windowAt } from '../meter.js';
import type { PeriodRule } from '../period.js';
import type { EngineContext } from './context.js';

/** Options of `paywall.createGift`. */
export interface GiftCreateOptions {
  /**
   * The article's absolute URL: the result's `url` is it with the gift parameter set.
   * @default undefined (`url: null`; put `token` in the parameter yourself)
   */
  readonly url?: string | URL;
}

type Open = Extract<GiftAllowance, { eligible: true }>;

/** Creates gifts and reads allowances for one paywall. */
export interface GiftMaker {
  allowance(reader: Reader): Promise<GiftAllowance>;
  create(reader: Reader, article: Article, options: GiftCreateOptions | undefined): Promise<GiftResult>;
}

/** Why a reader may not give, or `null` when they may. */
function ineligible(reader: Reader, settings: GiftSettings): 'not-eligible' | 'no-account' | null {
  const entitled = reader.status === 'subscriber' || reader.entitlements.some((e) => settings.entitlements.includes(e));
  if (!entitled) return 'not-eligible';
  return reader.id === undefined || reader.id === '' ? 'no-account' : null;
}

function articleId(article: Article): string {
  const id = (article as { id?: unknown } | null)?.id;
  if (typeof id !== 'string' || id === '' || id.length > MAX_ARTICLE_ID)
    throw new PaywallError('ERR_INVALID_ARTICLE', `meterwall: createGift() needs an article { id } of 1 to ${MAX_ARTICLE_ID} characters`);
  return id;
}

function urlOf(value: GiftCreateOptions['url']): URL | null {
  if (value === undefined) return null;
  try {
    if (typeof value === 'string' || value instanceof URL) return new URL(value);
  } catch {
    // refused below
  }
  throw invalidOption('url', 'must be an absolute URL (a string or a URL)');
}

/** The gift maker of a paywall whose gifts are `settings`, allowances renewing by `period`. */
export function createGiftMaker(ctx: EngineContext, settings: GiftSettings, period: PeriodRule): GiftMaker {
  const { store } = ctx;
  const keyOf = (window: MeterWindow, giver: string): string => `gifts:${(window.period as number).toString(36)}:${giver}`;
  const open = (used: number, window: MeterWindow): Open => ({
    eligible: true,
    limit: settings.limit,
    used,
    remaining: Math.max(0, settings.limit - used),
    resetsAt: new Date(window.end as number),
  });
  const unavailable = (cause: unknown): { eligible: false; reason: 'store-unavailable' } => {
    ctx.storeFailed(cause);
    return { eligible: false, reason: 'store-unavailable' };
  };

  return {
    async allowance(reader) {
      const refusal = ineligible(reader, settings);
      if (refusal !== null) return { eligible: false, reason: refusal };
      const window = windowAt(period, ctx.options.now());
      try {
        const giver = await ctx.hasher.giver(reader.id as string);
        const snapshot = await ctx.bounded(store.peek(keyOf(window, giver), '', { since: window.since }), 'store.peek');
        return open(snapshot.used, window);
      } catch (cause) {
        return unavailable(cause);
      }
    },

    async create(reader, article, options) {
      const id = articleId(article);
      const url = urlOf(options?.url);
      const refusal = ineligible(reader, settings);
      if (refusal !== null) return { ok: false, reason: refusal, allowance: { eligible: false, reason: refusal } };
      const tokens = ctx.gifts;
      if (tokens === null) throw new PaywallError('ERR_GIFTS_DISABLED', 'meterwall: gift links are off (set the gifts option)');
      const now = ctx.options.now();
      const window = windowAt(period, now);
      const giftId = runtime.randomId(12);
      let giver: string;
      let used: number;
      try {
        giver = await ctx.hasher.giver(reader.id as string);
        // The allowance is the set of gifts created this period: one more only while under the limit.
        const result = await ctx.bounded(
          store.record(keyOf(window, giver), giftId, {
            since: window.since,
            limit: settings.limit,
            at: now,
            expiresAt: window.end as number,
          }),
          'store.record',
        );
        if (!result.added) return { ok: false, reason: 'allowance-spent', allowance: open(result.used, window) };
        used = result.used + 1;
      } catch (cause) {
        const allowance = unavailable(cause);
        return { ok: false, reason: 'store-unavailable', allowance };
      }
      const expiresAt = Math.floor((now + settings.expiresInMs) / 1000) * 1000;
      const token = await tokens.sign({ id: giftId, article: id, giver, expiresAt, maxOpens: settings.maxOpens }, now);
      if (url !== null) url.searchParams.set(settings.param, token);
      const gift: CreatedGift = {
        id: giftId,
        token,
        url: url === null ? null : url.href,
        article: id,
        expiresAt: new Date(expiresAt),
        maxOpens: settings.maxOpens,
      };
      ctx.emit({ type: 'gift-created', gift: giftId, giver, article: id });
      return { ok: true, gift, allowance: open(used, window) };
    },
  };
}
