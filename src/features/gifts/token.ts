/**
 * The gift token: a compact HS256 JWS (jws.ts; jose's `jwtVerify` accepts it) of its own `typ`,
 * signed with the meter keyring (the first secret signs, every secret verifies), so a meter or
 * session token is never taken for a gift, nor a gift for either. It carries the gift's random
 * id, the article's id, the giver's keyed hash, what the giver could read (their status and the
 * entitlements the article's treatments ask for), the expiry and the open cap; nothing about the
 * giver that a reader of the URL could turn back into an account.
 */
import type { GiftClaims, GiftRead, GiftTokens, GiverGrant, Keyring } from '../../contracts/features.js';
import { COMPACT_JWS, protectedHeader, signHs256, verifyHs256 } from '../../core/jws.js';
import { reasonOf } from '../../core/token-rejections.js';
import { LIMITS } from '../../options/defaults.js';
import type { GiftRefusal } from '../../types.js';
import { andThen } from '../../util/maybe-async.js';

/** The `typ` header of a gift token. */
export const GIFT_TOKEN_TYPE = 'meterwall-gift+jwt';
/** The gift format's version claim `v`. */
const GIFT_TOKEN_VERSION = 1;
/** Tokens longer than this are refused before any crypto. */
const MAX_GIFT_TOKEN_LENGTH = 2048;
/** The longest article id a gift may carry (`createGift` refuses longer ones). */
export const MAX_ARTICLE_ID = 512;
const ID = /^[A-Za-z0-9_-]{16}$/;

/** Most entitlements a gift carries, and their longest name (the option's). */
const MAX_GRANTED = 32;
const MAX_ENTITLEMENT = 100;

const refused = (reason: GiftRefusal): GiftRead => ({ ok: false, reason });

/** The claims of a verified gift token, checked; `null` when they are not a gift's. */
export function claimsOf(payload: Record<string, unknown>): GiftClaims | null {
  const { v, jti, art, gvr, cap, exp, gs, ge } = payload;
  if (v !== GIFT_TOKEN_VERSION || typeof jti !== 'string' || !ID.test(jti) || typeof gvr !== 'string' || !ID.test(gvr)) return null;
  if (typeof art !== 'string' || art.length === 0 || art.length > MAX_ARTICLE_ID) return null;
  if (cap !== undefined && (typeof cap !== 'number' || !Number.isSafeInteger(cap) || cap < 1 || cap > LIMITS.opens)) return null;
  if (typeof exp !== 'number') return null;
  const grant = grantOf(gs, ge);
  if (grant === null) return null;
  return { id: jti, article: art, giver: gvr, grant, expiresAt: exp * 1000, maxOpens: typeof cap === 'number' ? cap : null };
}

/**
 * The giver's grant in the `gs` (status) and `ge` (entitlements) claims. A token made before they
 * existed reads as a subscriber holding no entitlement: it opens no article that needs one.
 */
function grantOf(gs: unknown, ge: unknown): GiverGrant | null {
  if (gs !== undefined && gs !== 's' && gs !== 'r') return null;
  const entitlements = ge ?? [];
  if (
    !Array.isArray(entitlements) ||
    entitlements.length > MAX_GRANTED ||
    entitlements.some((e) => typeof e !== 'string' || e === '' || e.length > MAX_ENTITLEMENT)
  )
    return null;
  return { status: gs === 'r' ? 'registered' : 'subscriber', entitlements: Object.freeze([...(entitlements as string[])]) };
}

/** Creates the gift token signer/reader for a keyring, under the meter token's issuer and audience. */
export function createGiftTokens(keyring: Keyring, options: { readonly issuer: string; readonly audience: string }): GiftTokens {
  const keyFor = (kid: string) => keyring.verify.get(kid);
  const expectations = { typ: GIFT_TOKEN_TYPE, issuer: options.issuer, audience: options.audience };
  return {
    sign(gift, now) {
      const claims: Record<string, unknown> = {
        v: GIFT_TOKEN_VERSION,
        jti: gift.id,
        art: gift.article,
        gvr: gift.giver,
        gs: gift.grant.status === 'registered' ? 'r' : 's',
        ...(gift.grant.entitlements.length === 0 ? {} : { ge: gift.grant.entitlements.slice(0, MAX_GRANTED) }),
        ...(gift.maxOpens === null ? {} : { cap: gift.maxOpens }),
        iss: options.issuer,
        aud: options.audience,
        iat: Math.floor(now / 1000),
        exp: Math.floor(gift.expiresAt / 1000),
      };
      return signHs256(claims, GIFT_TOKEN_TYPE, keyring.signing.kid, keyring.signing.key);
    },
    read(token, now) {
      if (token.length > MAX_GIFT_TOKEN_LENGTH) return refused('oversized');
      const header = protectedHeader(token);
      if (header === null) return refused('malformed');
      // Told apart before any crypto: another algorithm (`none` above all), then another kind of token.
      if (header['alg'] !== 'HS256') return refused('algorithm');
      if (header['typ'] !== GIFT_TOKEN_TYPE) return refused('wrong-type');
      if (!COMPACT_JWS.test(token)) return refused('malformed');
      return andThen(verifyHs256(token, keyFor, { ...expectations, now }), (result): GiftRead => {
        if (!result.ok) return refused(reasonOf(result.code));
        const gift = claimsOf(result.payload);
        return gift === null ? refused('claims') : { ok: true, gift };
      });
    },
  };
}
