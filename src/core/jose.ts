/**
 * The only module that imports `jose`: verifying the site's session tokens (pinned keys, public
 * keys, a remote JWKS) and reading jose's errors.
 */
import { createRemoteJWKSet, importJWK, jwtVerify, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import type { PublicJwk, SessionRejection, TokenRejection } from '../types.js';
import { reasonOf } from './token-rejections.js';

export type { JWTVerifyGetKey, JWTVerifyOptions };

/** Verifies a JWT with jose; rejects with jose's errors. */
export function verifyJwt(token: string, key: Uint8Array | CryptoKey | JWTVerifyGetKey, options: JWTVerifyOptions) {
  return jwtVerify(token, key as JWTVerifyGetKey, options);
}

/** A key source for a remote JWKS (fetched lazily, cached, rate-limited by jose). */
export function remoteKeySet(url: URL, options: { timeoutMs: number; cooldownMs: number; cacheMaxAgeMs: number }): JWTVerifyGetKey {
  return createRemoteJWKSet(url, {
    timeoutDuration: options.timeoutMs,
    cooldownDuration: options.cooldownMs,
    cacheMaxAge: options.cacheMaxAgeMs,
  });
}

/** Web Crypto's parameters for each signature algorithm a session may use. */
const PARAMETERS: Readonly<Record<string, RsaHashedImportParams | EcKeyImportParams | Algorithm>> = {
  RS256: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  RS384: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-384' },
  RS512: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-512' },
  PS256: { name: 'RSA-PSS', hash: 'SHA-256' },
  PS384: { name: 'RSA-PSS', hash: 'SHA-384' },
  PS512: { name: 'RSA-PSS', hash: 'SHA-512' },
  ES256: { name: 'ECDSA', namedCurve: 'P-256' },
  ES384: { name: 'ECDSA', namedCurve: 'P-384' },
  ES512: { name: 'ECDSA', namedCurve: 'P-521' },
  EdDSA: { name: 'Ed25519' },
  Ed25519: { name: 'Ed25519' },
};

/**
 * Imports a public key for `alg`: a JWK with jose, a PEM SPKI with Web Crypto directly (jose's
 * PEM parser would double the size of what an edge bundle carries of jose, for a key format Web
 * Crypto reads natively; Web Crypto refuses a key of another type than `alg` names).
 */
export function importPublicKey(material: string | PublicJwk, alg: string): Promise<CryptoKey> {
  if (typeof material !== 'string') {
    const { key_ops, ...members } = material;
    return importJWK(key_ops === undefined ? members : { ...members, key_ops: [...key_ops] }, alg) as Promise<CryptoKey>;
  }
  const parameters = PARAMETERS[alg];
  // Read like jose's own refusal (only its `code` is ever looked at).
  if (parameters === undefined)
    return Promise.reject(Object.assign(new Error(`unsupported algorithm ${alg}`), { code: 'ERR_JOSE_NOT_SUPPORTED' }));
  const binary = atob(material.replace(/-----(?:BEGIN|END) PUBLIC KEY-----|\s/g, ''));
  const der = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) der[i] = binary.charCodeAt(i);
  return crypto.subtle.importKey('spki', der, parameters, false, ['verify']);
}

/** The codes jose's errors carry. */
const JOSE_CODE = /^ERR_(?:JOSE|JWT|JWS|JWKS|JWK|JWE)_[A-Z_]+$/;

/** jose errors that mean a JWKS could not be had, not that the token is bad. */
const UNAVAILABLE = /* @__PURE__ */ new Set(['ERR_JWKS_TIMEOUT', 'ERR_JWKS_INVALID', 'ERR_JOSE_GENERIC']);

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
  // jose's errors are told by their code, not by class: importing jose's `errors` namespace keeps
  // every error class in an edge bundle.
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !JOSE_CODE.test(code))
    return { code: undefined, reason: 'malformed', unavailable: true, unsupported: false, notYetValid: false };
  return {
    code,
    reason: reasonOf(code),
    unavailable: UNAVAILABLE.has(code),
    unsupported: code === 'ERR_JOSE_NOT_SUPPORTED',
    notYetValid: code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && (error as { claim?: unknown }).claim === 'nbf',
  };
}
