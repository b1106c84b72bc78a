/**
 * What `defineGifts` brings to a paywall: the code that signs and reads gift tokens, creates
 * gifts, reads the gift parameter, opens a gift and credits an upgrade. A paywall without gift
 * links reaches none of it (what an edge function that only decides bundles stays small).
 */
import type { createGiftTokens } from '../gift-token.js';
import type { createGiftMaker } from './gift-create.js';
import type { giftParameter, giftUpgrade, openGift } from './gift-open.js';

/** The gift code a paywall uses (internal). */
export interface GiftHooks {
  readonly tokens: typeof createGiftTokens;
  readonly maker: typeof createGiftMaker;
  readonly parameter: typeof giftParameter;
  readonly open: typeof openGift;
  readonly upgrade: typeof giftUpgrade;
}
