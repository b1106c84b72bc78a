/**
 * What the simulator's paywall uses in place of cryptography: meter "tokens" that are handles to
 * states kept in memory, ids interned instead of hashed, and gift links read from their claims
 * with the verification the live site logged (no secret is needed to replay).
 */
import type { GiftRead, GiftTokens } from '../../contracts/features.js';
import type { IdHasher } from '../../core/hashing.js';
import type { ExperimentSettings } from '../../options/settings.js';
import { unverifiedPayload } from '../../core/jws.js';
import type { MeterState, MeterTokens, TokenReadResult } from '../../core/meter-token.js';
import { claimsOf } from '../../features/gifts/token.js';
import type { GiftRefusal } from '../../types.js';

export const KID = 'sim';

const MALFORMED: TokenReadResult = Object.freeze({ ok: false, reason: 'malformed' });
const EXPIRED: TokenReadResult = Object.freeze({ ok: false, reason: 'expired' });

/**
 * Meter "tokens" that are handles to states kept here: no signing, no verifying. A handle is a
 * number written in decimal, kept by its number (a number is looked up without hashing a string).
 */
export class MeterHandles implements MeterTokens {
  readonly #states = new Map<number, { state: MeterState; expiresAt: number }>();
  #next = 0;

  read(handle: string, now: number): TokenReadResult {
    // Junk (the replay presents "!" for a cookie refused live) is no number; "" would read as 0.
    const entry = handle === '' ? undefined : this.#states.get(Number(handle));
    if (entry === undefined) return MALFORMED;
    if (entry.expiresAt <= now) return EXPIRED;
    // Made on each read, not kept: a partition holds a handle for each of its readers.
    return { ok: true, token: { state: entry.state, kid: KID, expiresAt: entry.expiresAt } };
  }

  sign(state: MeterState, _now: number, expiresAt: number): string {
    const handle = this.#next++;
    this.#states.set(handle, { state, expiresAt });
    return String(handle);
  }

  /** Drops a handle no reader holds any more (the memory stays bounded by the readers). */
  forget(handle: string): void {
    this.#states.delete(Number(handle));
  }
}

/** Ids interned to short distinct strings of the lengths the real hashes have. */
export function internedIds(drawn: (key: string) => string | null = () => null): IdHasher {
  const articles = new Map<string, string>();
  const accounts = new Map<string, string>();
  // A decision asks for the same article's id several times over: the last one is kept at hand.
  let lastArticle = '';
  let lastArticleId = '';
  const intern = (map: Map<string, string>, id: string, length: number, mixed: boolean): string => {
    let value = map.get(id);
    if (value === undefined) {
      // Distinct by the count; an account's starts with a well-mixed prefix (A/B buckets read it).
      const count = map.size.toString(36);
      if (!mixed) value = count.padStart(length, '0');
      else {
        let h = 0x811c9dc5;
        for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
        value = `${h.toString(36).padStart(7, '0')}${count.padStart(length - 7, '0')}`;
      }
      map.set(id, value);
    }
    return value;
  };
  return {
    article: (_kid, id) => {
      if (id !== lastArticle) {
        lastArticleId = intern(articles, id, 8, false);
        lastArticle = id;
      }
      return lastArticleId;
    },
    // An A/B draw (`bucket\0<experiment>\0<reader>`) lands where the live paywall's did, when the log says.
    account: (id) => (id.startsWith('bucket\u0000') ? drawn(id) : null) ?? intern(accounts, id, 22, true),
    giver: (id) => intern(accounts, `giver\u0000${id}`, 22, true),
  };
}

/**
 * Gift tokens as the live site verified them: `verdict()` is what the log says of the current
 * request's token (`ok` or why it was refused; `null` when the log does not say, and the token's
 * own expiry decides). The claims are read from the token itself, unverified.
 */
export function loggedGiftTokens(verdict: () => 'ok' | GiftRefusal | null): GiftTokens {
  return {
    sign() {
      throw new TypeError('the simulator makes no gift links');
    },
    read(token, now): GiftRead {
      const said = verdict();
      if (said !== null && said !== 'ok') return { ok: false, reason: said };
      const payload = unverifiedPayload(token);
      const gift = payload === null ? null : claimsOf(payload);
      if (gift === null) return { ok: false, reason: said === null ? 'malformed' : 'claims' };
      if (said === null && gift.expiresAt <= now) return { ok: false, reason: 'expired' };
      return { ok: true, gift };
    },
  };
}

const DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * A hash whose position (its first 36 bits, as core/decide/buckets.ts reads them) falls in the
 * middle of `variant`'s share of `experiment`: the draw lands on that variant.
 */
export function hashInVariant(experiment: ExperimentSettings, variant: string): string | null {
  let before = 0;
  for (const v of experiment.variants) {
    if (v.name === variant) {
      let n = Math.floor(((before + v.weight / 2) / experiment.total) * 2 ** 36);
      let hash = '';
      for (let i = 0; i < 6; i++) {
        hash = (DIGITS[n % 64] as string) + hash;
        n = Math.floor(n / 64);
      }
      return hash.padEnd(22, 'A');
    }
    before += v.weight;
  }
  return null;
}
