/** `defineGifts`: gift links, validated when the site defines them, so a paywall without them ships no gift code. */
import { plugGifts } from '../../contracts/features.js';
import { resolveGifts } from '../../options/gift-options.js';
import type { GiftOptions, GiftSet } from '../../types.js';
import { createGiftMaker } from './maker.js';
import { createGiftTokens } from './token.js';

/**
 * Gift links, for `createPaywall({ gifts })`: subscribers (and readers holding one of
 * `entitlements`) create links with `paywall.createGift` that open one article in full for
 * whoever receives them, never more than the giver may read themselves. Throws an
 * `InvalidOptionError` naming the option on any mistake.
 *
 * @example
 * ```ts
 * import { createPaywall, defineGifts } from 'meterwall';
 *
 * const paywall = createPaywall({
 *   secret,
 *   resolveReader: (request) => sessions.readerFor(request),
 *   // 10 a month per giver, 5 browsers per link, for 30 days (defineGifts validates; a paywall without it ships no gift code)
 *   gifts: defineGifts({ allowance: { limit: 10 }, maxOpens: 5, expiresIn: '30d' }),
 * });
 * ```
 */
export function defineGifts(options: GiftOptions = {}): GiftSet {
  const settings = resolveGifts(options);
  return plugGifts(
    Object.freeze({ maxOpens: settings.maxOpens }),
    Object.freeze({ settings, tokens: createGiftTokens, maker: createGiftMaker }),
  );
}
