/**
 * The meter token: a compact HS256 JWS, signed and verified with jose (the only module that
 * imports it). Verified tokens are cached by their exact string, so a returning reader costs a
 * map lookup; a token that failed verification is never cached, so a forgery can never hit.
 */
import {
  SignJWT,
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  importJWK,
  importSPKI,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { createBoundedCache } from '../stores/memory.js';
import type { SessionRejection, TokenRejection } from '../types.js';
import { ARTICLE_HASH_LENGTH } from './hashing.js';
import type { Keyring } from './keys.js';

/** The `typ` header of a meter token; a session token or any other JWT is refused by it. */
export const METER_TOKEN_TYPE = 'meterwall-meter+jwt';
/** The format version claim `v`; tokens of any other version are refused as `old-format`. */
export const METER_TOKEN_VERSION = 1;
/** Tokens longer than this are ignored before any crypto. */
export const MAX_TOKEN_LENGTH = 4096;
/** Most entries a token may carry (the largest limit allowed). */
export const MAX_ENTRIES = 100;
/** The largest referral budget allowed. */
export const MAX_SAMPLED = 20;

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
  /** Signs a state with the signing key, valid until `expiresAt` (ms); the result is cached as verified. */
  sign(state: MeterState, now: number, expiresAt: number): Promise<string>;
}

/** Options of {@link createMeterTokens}. */
export interface MeterTokenOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly cacheSize: number;
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const READER_ID = /^[A-Za-z0-9_-]{16,64}$/;
const ENTRIES = /^[A-Za-z0-9_-]*$/;
const KID = /^[A-Za-z0-9._-]{1,64}$/;

/** How jose's error codes read as rejection reasons, for meter and session tokens alike. */
const JOSE_REASONS: Readonly<Record<string, TokenRejection & SessionRejection>> = {
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'bad-signature',
  ERR_JOSE_ALG_NOT_ALLOWED: 'algorithm',
  ERR_JWKS_NO_MATCHING_KEY: 'unknown-key',
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: 'unknown-key',
  ERR_JWT_EXPIRED: 'expired',
  ERR_JWT_CLAIM_VALIDATION_FAILED: 'claims',
};

function rejection(error: unknown): TokenReadResult {
  const code = error instanceof errors.JOSEError ? error.code : undefined;
  // An unsupported algorithm (e.g. none) is an algorithm problem for a meter token.
  const reason: TokenRejection = code === 'ERR_JOSE_NOT_SUPPORTED' ? 'algorithm' : ((code && JOSE_REASONS[code]) ?? 'malformed');
  return code === undefined ? { ok: false, reason } : { ok: false, reason, code };
}

/** Checks a verified payload against format v1; `undefined` when it is another format. */
function parseState(payload: JWTPayload, kid: string): MeterState | undefined {
  if (payload['v'] !== METER_TOKEN_VERSION) return undefined;
  const { rid, a, p, t, hk, m, s, x, o } = payload as Record<string, unknown>;
  if (m !== undefined && m !== 1) return undefined;
  if (o !== undefined && o !== 1) return undefined;
  if (s !== undefined && (typeof s !== 'string' || s.length % ARTICLE_HASH_LENGTH !== 0 || s.length > MAX_SAMPLED * ARTICLE_HASH_LENGTH || !ENTRIES.test(s))) {
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
  };
}

/** Creates the token reader/writer for a keyring. */
export function createMeterTokens(keyring: Keyring, options: MeterTokenOptions): MeterTokens {
  // Keyed by the signature part (short, so cheap to hash) and checked against the whole token
  // string on every hit: a hit is always the exact token that verified.
  const verified = createBoundedCache<{ readonly token: string; readonly entry: VerifiedToken }>(options.cacheSize);
  const remember = (token: string, entry: VerifiedToken): void => {
    verified.set(token.slice(token.lastIndexOf('.') + 1), { token, entry });
  };
  const getKey = (header: { kid?: string | undefined }): CryptoKey => {
    const key = header.kid === undefined ? undefined : keyring.verify.get(header.kid);
    if (!key) throw new errors.JWKSNoMatchingKey();
    return key;
  };

  const verify = async (token: string, now: number): Promise<TokenReadResult> => {
    let result;
    try {
      result = await jwtVerify(token, getKey, {
        algorithms: ['HS256'],
        issuer: options.issuer,
        audience: options.audience,
        typ: METER_TOKEN_TYPE,
        requiredClaims: ['iat', 'exp'],
        currentDate: new Date(now),
      });
    } catch (error) {
      return rejection(error);
    }
    const kid = result.protectedHeader.kid as string; // getKey refused a token without one
    const state = parseState(result.payload, kid);
    if (!state) return { ok: false, reason: 'old-format' };
    const entry: VerifiedToken = { state, kid, expiresAt: (result.payload.exp as number) * 1000 };
    remember(token, entry);
    return { ok: true, token: entry };
  };

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
    async sign(state, now, expiresAt) {
      const { kid, key } = keyring.signing;
      const claims: Record<string, unknown> = { v: METER_TOKEN_VERSION, rid: state.rid, a: state.entries };
      if (state.period !== null) claims['p'] = Math.floor(state.period / 1000);
      if (state.times !== null) claims['t'] = state.times;
      if (state.hashKid !== kid) claims['hk'] = state.hashKid;
      if (state.merged) claims['m'] = 1;
      if (state.sampled !== '') claims['s'] = state.sampled;
      if (state.spent > 0) claims['x'] = state.spent;
      if (state.signedIn) claims['o'] = 1;
      const exp = Math.ceil(expiresAt / 1000);
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', typ: METER_TOKEN_TYPE, kid })
        .setIssuer(options.issuer)
        .setAudience(options.audience)
        .setIssuedAt(Math.floor(now / 1000))
        .setExpirationTime(exp)
        .sign(key);
      remember(token, { state, kid, expiresAt: exp * 1000 });
      return token;
    },
  };
}

// ---- Session tokens (the site's own, verified with jose) --------------------------------------

/** How a session token's signature is checked (internal, validated). */
export type SessionKeyConfig =
  | { readonly kind: 'secret'; readonly secret: Uint8Array }
  | { readonly kind: 'public'; readonly key: string | JsonWebKey }
  | {
      readonly kind: 'jwks';
      readonly url: URL;
      readonly timeoutMs: number;
      readonly cooldownMs: number;
      readonly cacheMaxAgeMs: number;
      readonly failureBackoffMs: number;
    };

/** A session verifier's settings (internal, validated). */
export interface SessionVerifierConfig {
  readonly key: SessionKeyConfig;
  readonly algorithms: readonly string[];
  readonly issuer: string | readonly string[] | undefined;
  readonly audience: string | readonly string[] | undefined;
  readonly typ: string | undefined;
  readonly clockToleranceSeconds: number;
}

/** The result of verifying a session token. `unavailable`: the keys could not be fetched. */
export type SessionCheck =
  | { readonly ok: true; readonly payload: Readonly<Record<string, unknown>>; readonly expiresAt: number }
  | { readonly ok: false; readonly reason: SessionRejection; readonly code?: string; readonly unavailable?: false }
  | { readonly ok: false; readonly unavailable: true; readonly code?: string };

/** Header parameters that point at keys chosen by the token's sender: never trusted. */
const UNTRUSTED_HEADERS = ['jwk', 'jku', 'x5u', 'x5c', 'x5t', 'x5t#S256'];
/** jose errors that mean the JWKS could not be had, not that the token is bad. */
const UNAVAILABLE = new Set(['ERR_JWKS_TIMEOUT', 'ERR_JWKS_INVALID', 'ERR_JOSE_GENERIC']);

function sessionRejection(error: unknown): SessionCheck {
  if (!(error instanceof errors.JOSEError)) return { ok: false, unavailable: true }; // a network error fetching the JWKS
  const code = error.code;
  if (UNAVAILABLE.has(code)) return { ok: false, unavailable: true, code };
  let reason: SessionRejection = JOSE_REASONS[code] ?? 'malformed';
  // An unrecognised crit parameter (or an unsupported alg) is a header the site did not ask for.
  if (code === 'ERR_JOSE_NOT_SUPPORTED') reason = 'untrusted-header';
  if (reason === 'claims' && (error as errors.JWTClaimValidationFailed).claim === 'nbf') reason = 'not-yet-valid';
  return { ok: false, reason, code };
}

/** Creates a verifier of the site's session tokens (keys imported or fetched lazily, once). */
export function createSessionVerifier(config: SessionVerifierConfig): (token: string, now: number) => Promise<SessionCheck> {
  const { key } = config;
  let getKey: Uint8Array | JWTVerifyGetKey;
  if (key.kind === 'secret') {
    getKey = key.secret;
  } else if (key.kind === 'jwks') {
    getKey = createRemoteJWKSet(key.url, {
      timeoutDuration: key.timeoutMs,
      cooldownDuration: key.cooldownMs,
      cacheMaxAge: key.cacheMaxAgeMs,
    });
  } else {
    const imported = new Map<string, Promise<CryptoKey>>();
    const material = key.key;
    getKey = (header) => {
      const alg = header.alg;
      let found = imported.get(alg);
      if (!found) {
        found = (typeof material === 'string' ? importSPKI(material, alg) : importJWK(material, alg)) as Promise<CryptoKey>;
        imported.set(alg, found);
      }
      return found;
    };
  }
  return async (token, now) => {
    if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'oversized' };
    if (!COMPACT_JWS.test(token)) return { ok: false, reason: 'malformed' };
    let header: Record<string, unknown>;
    try {
      header = decodeProtectedHeader(token) as Record<string, unknown>;
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (UNTRUSTED_HEADERS.some((name) => name in header)) return { ok: false, reason: 'untrusted-header' };
    if (header['typ'] === METER_TOKEN_TYPE) return { ok: false, reason: 'meter-token' };
    try {
      const { payload } = await jwtVerify(token, getKey as JWTVerifyGetKey, {
        algorithms: [...config.algorithms],
        requiredClaims: ['exp'],
        clockTolerance: config.clockToleranceSeconds,
        currentDate: new Date(now),
        ...(config.issuer === undefined ? {} : { issuer: config.issuer as string | string[] }),
        ...(config.audience === undefined ? {} : { audience: config.audience as string | string[] }),
        ...(config.typ === undefined ? {} : { typ: config.typ }),
      });
      return { ok: true, payload, expiresAt: (payload.exp as number) * 1000 };
    } catch (error) {
      return sessionRejection(error);
    }
  };
}
