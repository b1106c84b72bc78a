/**
 * The meter token: a compact HS256 JWS (jws.ts; jose's `jwtVerify` accepts it). Verified tokens
 * are cached by their exact string, so a returning reader costs a map lookup; a token that
 * failed verification is never cached, so a forgery can never hit.
 */
import { LIMITS } from '../options/defaults.js';
import type { HmacKey } from '#runtime';
import { createBoundedCache } from '../util/bounded-cache.js';
import { andThen, type MaybePromise } from '../util/maybe-async.js';
import type { TokenRejection } from '../types.js';
import { ARTICLE_HASH_LENGTH } from './hashing.js';
import type { Keyring } from './keys.js';
import { COMPACT_JWS, type JwsResult, signHs256, verifyHs256 } from './jws.js';
import { reasonOf } from './token-rejections.js';

/** The `typ` header of a meter token; a session token or any other JWT is refused by it. */
export const METER_TOKEN_TYPE = 'meterwall-meter+jwt';
/** The format version claim `v`; tokens of any other version are refused as `old-format`. */
const METER_TOKEN_VERSION = 1;
/** Tokens longer than this are ignored before any crypto. */
export const MAX_TOKEN_LENGTH = 4096;
/** Most entries a token may carry (the largest limit allowed). */
const MAX_ENTRIES = LIMITS.entries;
/** The largest referral budget allowed. */
const MAX_SAMPLED = LIMITS.sampled;

/** What a meter token carries. */
export interface MeterState {
  /** The random reader id, base64url. */
  readonly rid: string;
  /** The calendar period's start (ms) the entries belong to; `null` for rolling windows. */
  readonly period: number | null;
  /** The kid whose hashing key made `entries`. */
  readonly hashKid: string;
  /** Article hashes read in full, concatenated, each {@link ARTICLE_HASH_LENGTH} characters. */
  readonly entries: string;
  /** For rolling windows, the time (whole seconds) of each entry's view; otherwise `null`. */
  readonly times: readonly number[] | null;
  /** Whether these views were merged into an account's meter already (merged once only). */
  readonly merged: boolean;
  /** Articles read on the referral budget this period, concatenated hashes (calendar periods only). */
  readonly sampled: string;
  /** Views counted as spent without articles (a fresh meter started spent by the network cap). */
  readonly spent: number;
  /**
   * Whether an account signed in on this browser this period: the meter then holds no
   * anonymous allowance (signing out asks the reader to sign in again).
   */
  readonly signedIn: boolean;
  /** The named meters' articles read this period (calendar periods only): meter name → concatenated hashes, non-empty ones only. */
  readonly named: Readonly<Record<string, string>>;
  /** The first gift link this browser opened this period, for attribution; `null` when none. */
  readonly gift: GiftMark | null;
}

/** A gift link a browser opened: which, when, and the reader's status then (an upgrade from it is reported once). */
export interface GiftMark {
  /** The gift's id. */
  readonly id: string;
  /** The giver's keyed hash. */
  readonly giver: string;
  /** When it was opened, ms (whole seconds). */
  readonly at: number;
  readonly status: 'anonymous' | 'registered';
}

/** The `g` claim: `<gift id>:<giver hash>:<base-36 seconds>:<a|r>`. */
const GIFT_MARK = /^([A-Za-z0-9_-]{16}):([A-Za-z0-9_-]{16}):([0-9a-z]{1,10}):([ar])$/;

function parseGift(g: unknown): GiftMark | null | undefined {
  if (g === undefined) return null;
  const match = typeof g === 'string' ? GIFT_MARK.exec(g) : null;
  if (match === null) return undefined;
  return {
    id: match[1] as string,
    giver: match[2] as string,
    at: Number.parseInt(match[3] as string, 36) * 1000,
    status: match[4] === 'r' ? 'registered' : 'anonymous',
  };
}

/** A gift mark as the `g` claim writes it (base64url ids and a base-36 number: safe unescaped). */
function giftClaim(mark: GiftMark): string {
  return `${mark.id}:${mark.giver}:${Math.floor(mark.at / 1000).toString(36)}:${mark.status === 'registered' ? 'r' : 'a'}`;
}

/** No named meter read yet. */
export const NO_NAMED: Readonly<Record<string, string>> = /* @__PURE__ */ Object.freeze({});
/** Meter names, as the options allow them (so they are safe to write into JSON unescaped). */
const METER_NAME = /^[a-z0-9_-]{1,32}$/;
/** A named meter's own period start, base-36 seconds. */
const OWN_PERIOD = /^[0-9a-z]{1,10}$/;
/** Most named meters a token may carry. */
const MAX_NAMED = 8;

/** The `n` claim, checked: `undefined` when it is malformed. */
function parseNamed(n: unknown): Readonly<Record<string, string>> | undefined {
  if (n === undefined) return NO_NAMED;
  if (n === null || typeof n !== 'object' || Array.isArray(n)) return undefined;
  const entries = Object.entries(n as Record<string, unknown>);
  if (entries.length === 0 || entries.length > MAX_NAMED) return undefined;
  for (const [name, value] of entries) {
    if (!METER_NAME.test(name) || typeof value !== 'string') return undefined;
    // A meter with a period of its own carries its period's start: `<base-36 seconds>:<hashes>`.
    const colon = value.indexOf(':');
    if (colon !== -1 && !OWN_PERIOD.test(value.slice(0, colon))) return undefined;
    const hashes = colon === -1 ? value : value.slice(colon + 1);
    if (hashes === '' || hashes.length % ARTICLE_HASH_LENGTH !== 0) return undefined;
    if (hashes.length > MAX_ENTRIES * ARTICLE_HASH_LENGTH || !ENTRIES.test(hashes)) return undefined;
  }
  return Object.freeze(Object.fromEntries(entries) as Record<string, string>);
}

/** A token that verified. */
export interface VerifiedToken {
  readonly state: MeterState;
  /** The kid it was signed with. */
  readonly kid: string;
  /** Its expiry, ms since epoch. */
  readonly expiresAt: number;
}

/** The result of reading a presented token. */
export type TokenReadResult =
  | { readonly ok: true; readonly token: VerifiedToken }
  | { readonly ok: false; readonly reason: TokenRejection; readonly code?: string };

/** Reads and writes meter tokens. */
export interface MeterTokens {
  /** Verifies a presented token; synchronous on a cache hit. Never throws. */
  read(token: string, now: number): TokenReadResult | Promise<TokenReadResult>;
  /**
   * Signs a state with the signing key, valid until `expiresAt` (ms). With `cache` (the default)
   * the token is kept as verified, so the reader's next request presenting it costs no HMAC.
   */
  sign(state: MeterState, now: number, expiresAt: number, cache?: boolean): MaybePromise<string>;
}

/** Options of {@link createMeterTokens}. */
export interface MeterTokenOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly cacheSize: number;
}

const READER_ID = /^[A-Za-z0-9_-]{16,64}$/;
const ENTRIES = /^[A-Za-z0-9_-]*$/;
const KID = /^[A-Za-z0-9._-]{1,64}$/;

function rejection(code: string): TokenReadResult {
  // Something jose does not support (a crit header) is an algorithm problem for a meter token.
  return { ok: false, reason: code === 'ERR_JOSE_NOT_SUPPORTED' ? 'algorithm' : reasonOf(code), code };
}

/** Checks a verified payload against format v1; `undefined` when it is another format. */
function parseState(payload: Record<string, unknown>, kid: string): MeterState | undefined {
  if (payload['v'] !== METER_TOKEN_VERSION) return undefined;
  const { rid, a, p, t, hk, m, s, x, o, n, g } = payload as Record<string, unknown>;
  const named = parseNamed(n);
  const gift = parseGift(g);
  if (gift === undefined) return undefined;
  if (named === undefined || (named !== NO_NAMED && p === undefined)) return undefined; // named meters are calendar-only
  if (m !== undefined && m !== 1) return undefined;
  if (o !== undefined && o !== 1) return undefined;
  if (
    s !== undefined &&
    (typeof s !== 'string' || s.length % ARTICLE_HASH_LENGTH !== 0 || s.length > MAX_SAMPLED * ARTICLE_HASH_LENGTH || !ENTRIES.test(s))
  ) {
    return undefined;
  }
  if (x !== undefined && (!Number.isSafeInteger(x) || (x as number) < 1 || (x as number) > MAX_ENTRIES)) return undefined;
  if (typeof rid !== 'string' || !READER_ID.test(rid)) return undefined;
  if (typeof a !== 'string' || a.length % ARTICLE_HASH_LENGTH !== 0 || a.length > MAX_ENTRIES * ARTICLE_HASH_LENGTH || !ENTRIES.test(a)) {
    return undefined;
  }
  if (p !== undefined && !Number.isSafeInteger(p)) return undefined;
  if (hk !== undefined && (typeof hk !== 'string' || !KID.test(hk))) return undefined;
  let times: number[] | null = null;
  if (t !== undefined) {
    if (!Array.isArray(t) || t.length * ARTICLE_HASH_LENGTH !== a.length || !t.every((x) => Number.isSafeInteger(x) && x >= 0)) {
      return undefined;
    }
    times = t as number[];
  }
  if ((p === undefined) === (times === null)) return undefined; // calendar tokens carry p, rolling ones t
  return {
    rid,
    period: p === undefined ? null : (p as number) * 1000,
    hashKid: hk ?? kid,
    entries: a,
    times,
    merged: m === 1,
    sampled: (s as string | undefined) ?? '',
    spent: (x as number | undefined) ?? 0,
    signedIn: o === 1,
    named,
    gift,
  };
}

/**
 * A meter state's claims as JSON, written directly: the same text `JSON.stringify` gives for the
 * claims object (a property test checks it), without building the object on every counted view.
 * Safe to write unescaped: reader ids, entries and sampled hashes are base64url (a fresh id, or
 * checked by {@link parseState}), numbers are integers, and the key id and `iss`/`aud` go through
 * `JSON.stringify`.
 */
export function meterClaimsJson(state: MeterState, signingKid: string, issuerAudience: string, iat: number, exp: number): string {
  let json = `{"v":${METER_TOKEN_VERSION},"rid":"${state.rid}","a":"${state.entries}"`;
  if (state.period !== null) json += `,"p":${Math.floor(state.period / 1000)}`;
  if (state.times !== null) json += `,"t":[${state.times.join(',')}]`;
  if (state.hashKid !== signingKid) json += `,"hk":${JSON.stringify(state.hashKid)}`;
  if (state.merged) json += ',"m":1';
  if (state.sampled !== '') json += `,"s":"${state.sampled}"`;
  if (state.spent > 0) json += `,"x":${state.spent}`;
  if (state.signedIn) json += ',"o":1';
  let named = '';
  for (const name in state.named) named += `${named === '' ? '' : ','}"${name}":"${state.named[name]}"`;
  if (named !== '') json += `,"n":{${named}}`;
  if (state.gift !== null) json += `,"g":"${giftClaim(state.gift)}"`;
  return `${json},${issuerAudience},"iat":${iat},"exp":${exp}}`;
}

/** Creates the token reader/writer for a keyring. */
export function createMeterTokens(keyring: Keyring, options: MeterTokenOptions): MeterTokens {
  // Keyed by the signature part (short, so cheap to hash) and checked against the whole token
  // string on every hit: a hit is always the exact token that verified.
  const verified = createBoundedCache<{ readonly token: string; readonly entry: VerifiedToken }>(options.cacheSize);
  const remember = (token: string, entry: VerifiedToken): void => {
    verified.set(token.slice(token.lastIndexOf('.') + 1), { token, entry });
  };
  const keyFor = (kid: string): HmacKey | undefined => keyring.verify.get(kid);
  const expectations = { typ: METER_TOKEN_TYPE, issuer: options.issuer, audience: options.audience };
  const issuerAudience = `"iss":${JSON.stringify(options.issuer)},"aud":${JSON.stringify(options.audience)}`;

  const verified$ = (token: string, result: JwsResult): TokenReadResult => {
    if (!result.ok) return rejection(result.code);
    const state = parseState(result.payload, result.kid);
    if (!state) return { ok: false, reason: 'old-format' };
    const entry: VerifiedToken = { state, kid: result.kid, expiresAt: (result.payload['exp'] as number) * 1000 };
    remember(token, entry);
    return { ok: true, token: entry };
  };
  const verify = (token: string, now: number): MaybePromise<TokenReadResult> =>
    andThen(verifyHs256(token, keyFor, { ...expectations, now }), (result) => verified$(token, result));

  return {
    read(token, now) {
      if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'oversized' };
      const signature = token.slice(token.lastIndexOf('.') + 1);
      const hit = verified.get(signature);
      if (hit && hit.token === token) {
        if (hit.entry.expiresAt > now) return { ok: true, token: hit.entry };
        verified.delete(signature);
        return { ok: false, reason: 'expired' };
      }
      if (!COMPACT_JWS.test(token)) return { ok: false, reason: 'malformed' };
      return verify(token, now);
    },
    sign(state, now, expiresAt, cache = true) {
      const { kid, key } = keyring.signing;
      const exp = Math.ceil(expiresAt / 1000);
      const claims = meterClaimsJson(state, kid, issuerAudience, Math.floor(now / 1000), exp);
      const token = signHs256(claims, METER_TOKEN_TYPE, kid, key);
      if (!cache) return token;
      return andThen(token, (signed) => {
        remember(signed, { state, kid, expiresAt: exp * 1000 });
        return signed;
      });
    },
  };
}
