/**
 * The only module that imports `jose`: the JWT operations meterwall uses, and how jose's error
 * codes read as rejection reasons for meter and session tokens alike.
 */
import { SignJWT, createRemoteJWKSet, decodeProtectedHeader, errors, importJWK, importSPKI, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import type { SessionRejection, TokenRejection } from '../types.js';

export type { JWTPayload, JWTVerifyGetKey, JWTVerifyOptions };

/** A compact JWS, structurally: three base64url parts. */
export const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Verifies a JWT with jose; rejects with jose's errors. */
export function verifyJwt(token: string, key: Uint8Array | CryptoKey | JWTVerifyGetKey, options: JWTVerifyOptions) {
  return jwtVerify(token, key as JWTVerifyGetKey, options);
}

/** Signs claims as a compact JWS with jose. */
export function signJwt(
  claims: Record<string, unknown>,
  header: { alg: string; typ: string; kid: string },
  registered: { iss: string; aud: string; iat: number; exp: number },
  key: CryptoKey | Uint8Array,
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader(header)
    .setIssuer(registered.iss)
    .setAudience(registered.aud)
    .setIssuedAt(registered.iat)
    .setExpirationTime(registered.exp)
    .sign(key);
}

/** A token's protected header, or `null` when it cannot be decoded. */
export function protectedHeader(token: string): Record<string, unknown> | null {
  try {
    return decodeProtectedHeader(token) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** The error thrown by a key lookup that finds no key for the token's `kid`. */
export function noMatchingKey(): Error {
  return new errors.JWKSNoMatchingKey();
}

/** A key source for a remote JWKS (fetched lazily, cached, rate-limited by jose). */
export function remoteKeySet(url: URL, options: { timeoutMs: number; cooldownMs: number; cacheMaxAgeMs: number }): JWTVerifyGetKey {
  return createRemoteJWKSet(url, { timeoutDuration: options.timeoutMs, cooldownDuration: options.cooldownMs, cacheMaxAge: options.cacheMaxAgeMs });
}

/** Imports a public key (PEM SPKI or JWK) for `alg`. */
export function importPublicKey(material: string | JsonWebKey, alg: string): Promise<CryptoKey> {
  return (typeof material === 'string' ? importSPKI(material, alg) : importJWK(material, alg)) as Promise<CryptoKey>;
}

const REASONS: Readonly<Record<string, TokenRejection & SessionRejection>> = {
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'bad-signature',
  ERR_JOSE_ALG_NOT_ALLOWED: 'algorithm',
  ERR_JWKS_NO_MATCHING_KEY: 'unknown-key',
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: 'unknown-key',
  ERR_JWT_EXPIRED: 'expired',
  ERR_JWT_CLAIM_VALIDATION_FAILED: 'claims',
};
/** jose errors that mean a JWKS could not be had, not that the token is bad. */
const UNAVAILABLE = new Set(['ERR_JWKS_TIMEOUT', 'ERR_JWKS_INVALID', 'ERR_JOSE_GENERIC']);

/** How a jose error reads: its code, the rejection reason, and whether the keys were unavailable. */
export interface JoseFailure {
  readonly code: string | undefined;
  readonly reason: TokenRejection & SessionRejection;
  /** The keys (a JWKS) could not be fetched: the token was not judged. */
  readonly unavailable: boolean;
  /** jose does not support something the token asked for (an `alg` such as `none`, a `crit` parameter). */
  readonly unsupported: boolean;
  /** A claim check failed on `nbf`. */
  readonly notYetValid: boolean;
}

/** Reads a jose error (anything else, such as a network error fetching a JWKS, is "unavailable"). */
export function joseFailure(error: unknown): JoseFailure {
  if (!(error instanceof errors.JOSEError)) return { code: undefined, reason: 'malformed', unavailable: true, unsupported: false, notYetValid: false };
  const code = error.code;
  return {
    code,
    reason: REASONS[code] ?? 'malformed',
    unavailable: UNAVAILABLE.has(code),
    unsupported: code === 'ERR_JOSE_NOT_SUPPORTED',
    notYetValid: code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && (error as errors.JWTClaimValidationFailed).claim === 'nbf',
  };
}
