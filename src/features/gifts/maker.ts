/**
 * Creating gift links: who may give (subscribers, and readers holding a giving entitlement),
 * which articles (only one the giver may read in full: the policy's answer, through the host),
 * the giver's allowance per calendar period counted atomically in the store (a set of gift ids
 * on the giver's keyed hash, added only while under the limit), and the signed token carrying
 * what the giver could read. Typed results for every state a reader can be in; only misuse (a
 * bad article or URL) rejects.
 */
import { runtime } from '#runtime';
import type { GiftHost, GiftMaker } from '../../contracts/features.js';
import { createCalendarPeriod } from '../../core/period.js';
import { type MeterWindow, windowAt } from '../../core/meter.js';
import { invalidOption, PaywallError } from '../../errors.js';
import type { GiftSettings } from '../../options/settings.js';
import type { Article, CreatedGift, GiftAllowance, GiftCreateOptions, Reader } from '../../types.js';
import { MAX_ARTICLE_ID } from './token.js';

type Open = Extract<GiftAllowance, { eligible: true }>;

/** Why a reader may not give, or `null` when they may. */
function ineligible(reader: Reader, settings: GiftSettings): 'not-eligible' | 'no-account' | null {
  const entitled = reader.status === 'subscriber' || reader.entitlements.some((e) => settings.entitlements.includes(e));
  if (!entitled) return 'not-eligible';
  return reader.id === undefined || reader.id === '' ? 'no-account' : null;
}

function articleOf(article: Article): Article {
  const id = (article as { id?: unknown } | null)?.id;
  if (typeof id !== 'string' || id === '' || id.length > MAX_ARTICLE_ID)
    throw new PaywallError('ERR_INVALID_ARTICLE', `meterwall: createGift() needs an article { id } of 1 to ${MAX_ARTICLE_ID} characters`);
  return article;
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

/** The gift maker of a paywall whose gifts are `settings` (the allowance's time zone filled in). */
export function createGiftMaker(host: GiftHost, settings: GiftSettings): GiftMaker {
  const { unit, timeZone, weekStartsOn } = settings.period;
  const period = createCalendarPeriod(unit, timeZone ?? 'UTC', weekStartsOn);
  const keyOf = (window: MeterWindow, giver: string): string => `gifts:${(window.period as number).toString(36)}:${giver}`;
  const open = (used: number, window: MeterWindow): Open => ({
    eligible: true,
    limit: settings.limit,
    used,
    remaining: Math.max(0, settings.limit - used),
    resetsAt: new Date(window.end as number),
  });
  const unavailable = (cause: unknown): { eligible: false; reason: 'store-unavailable' } => {
    host.storeFailed(cause);
    return { eligible: false, reason: 'store-unavailable' };
  };

  return {
    async allowance(reader) {
      const refusal = ineligible(reader, settings);
      if (refusal !== null) return { eligible: false, reason: refusal };
      const window = windowAt(period, host.now());
      try {
        const giver = await host.giverHash(reader.id as string);
        const snapshot = await host.bounded(host.store.peek(keyOf(window, giver), '', { since: window.since }), 'store.peek');
        return open(snapshot.used, window);
      } catch (cause) {
        return unavailable(cause);
      }
    },

    async create(request, reader, article, options) {
      const { id } = articleOf(article);
      const url = urlOf(options?.url);
      const refusal = ineligible(reader, settings);
      if (refusal !== null) return { ok: false, reason: refusal, allowance: { eligible: false, reason: refusal } };
      // A gift opens only what its giver may read in full: refused before the allowance is spent.
      const grant = host.grantOf(request, article, reader);
      if (grant === null) {
        const allowance = await this.allowance(reader);
        return { ok: false, reason: 'not-entitled', allowance };
      }
      const now = host.now();
      const window = windowAt(period, now);
      const giftId = runtime.randomId(12);
      let giver: string;
      let used: number;
      try {
        giver = await host.giverHash(reader.id as string);
        // The allowance is the set of gifts created this period: one more only while under the limit.
        const result = await host.bounded(
          host.store.record(keyOf(window, giver), giftId, {
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
        return { ok: false, reason: 'store-unavailable', allowance: unavailable(cause) };
      }
      const expiresAt = Math.floor((now + settings.expiresInMs) / 1000) * 1000;
      const token = await host.tokens.sign({ id: giftId, article: id, giver, grant, expiresAt, maxOpens: settings.maxOpens }, now);
      if (url !== null) url.searchParams.set(settings.param, token);
      const gift: CreatedGift = {
        id: giftId,
        token,
        url: url === null ? null : url.href,
        article: id,
        expiresAt: new Date(expiresAt),
        maxOpens: settings.maxOpens,
      };
      host.emit({ type: 'gift-created', gift: giftId, giver, article: id });
      return { ok: true, gift, allowance: open(used, window) };
    },
  };
}
