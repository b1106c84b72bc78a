/**
 * Compact JWS with HS256, signed and verified with the runtime's HMAC (`#runtime`: `node:crypto`
 * on Node, synchronous; Web Crypto elsewhere): the meter token's format, which
 * jose's own `jwtVerify` accepts (a test checks it both ways). Verification follows jose's order
 * and reports jose's error codes (`ERR_JWS_INVALID`, `ERR_JOSE_ALG_NOT_ALLOWED`,
 * `ERR_JWKS_NO_MATCHING_KEY`, `ERR_JWS_SIGNATURE_VERIFICATION_FAILED`, `ERR_JWT_INVALID`,
 * `ERR_JWT_CLAIM_VALIDATION_FAILED`, `ERR_JWT_EXPIRED`, `ERR_JOSE_NOT_SUPPORTED`), so events
 * read the same whichever code signed. Nothing in an unverified token is trusted beyond the
 * `kid` that picks the key.
 *
 * Ours rather than jose's `SignJWT` and `jwtVerify` (jose verifies the site's session tokens,
 * core/jose.ts): jose goes through Web Crypto on every runtime, a promise and, on Node, a
 * thread-pool job per token (39% of a counted view when meterwall signed that way; bench/README.md),
 * where `node:crypto`'s HMAC answers synchronously in ~3 µs. README, "Dependencies".
 */
import { type HmacKey, runtime } from '#runtime';
import { andThen, type MaybePromise } from '../util/maybe-async.js';
import { fromBase64Url, textOf } from '../util/encoding.js';

/** A compact JWS, structurally: three non-empty base64url parts. */
export const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** What a verification checks besides the signature. */
export interface JwsExpectations {
  readonly typ: string;
  readonly issuer: string;
  readonly audience: string;
  /** Now, in ms. */
  readonly now: number;
}

/** A verified token's header `kid` and claims, or why it failed (a jose error code). */
export type JwsResult =
  | { readonly ok: true; readonly kid: string; readonly payload: Record<string, unknown> }
  | { readonly ok: false; readonly code: string };

const fail = (code: string): JwsResult => ({ ok: false, code });

/** A compact JWS's protected header, or `null` when it is not a JSON object. */
export function protectedHeader(token: string): Record<string, unknown> | null {
  return jsonObject(token.slice(0, token.indexOf('.')));
}

/** A compact JWS's payload, unverified (the simulator reads a gift link's claims the live site verified), or `null`. */
export function unverifiedPayload(token: string): Record<string, unknown> | null {
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  return first === -1 || second === -1 ? null : jsonObject(token.slice(first + 1, second));
}

function jsonObject(part: string): Record<string, unknown> | null {
  const bytes = fromBase64Url(part);
  if (bytes === null) return null;
  try {
    const value: unknown = JSON.parse(textOf(bytes));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** `typ` as jose compares it: case-insensitive, an `application/` prefix ignored. */
function sameTyp(a: unknown, b: string): boolean {
  if (typeof a !== 'string') return false;
  const normalize = (t: string): string => t.toLowerCase().replace(/^application\//, '');
  return normalize(a) === normalize(b);
}

/** The last encoded protected header: the signing key changes only with a rotation. */
let last = { typ: '', kid: '', header: '' };

function encodedHeader(typ: string, kid: string): string {
  if (last.typ !== typ || last.kid !== kid)
    last = { typ, kid, header: runtime.base64UrlOfText(JSON.stringify({ alg: 'HS256', typ, kid })) };
  return last.header;
}

/** Signs `claims` (an object, or its JSON) as a compact JWS (HS256) with `key` under `kid`: synchronous where the runtime's HMAC is. */
export function signHs256(claims: Record<string, unknown> | string, typ: string, kid: string, key: HmacKey): MaybePromise<string> {
  const json = typeof claims === 'string' ? claims : JSON.stringify(claims);
  const input = `${encodedHeader(typ, kid)}.${runtime.base64UrlOfText(json)}`;
  const mac = runtime.hmacSha256(key, input);
  return andThen(mac, (m) => `${input}.${runtime.base64Url(m)}`);
}

/** Verifies a compact HS256 JWS whose key `keyFor(kid)` gives, then its JWT claims: synchronous where the runtime's HMAC is. */
export function verifyHs256(token: string, keyFor: (kid: string) => HmacKey | undefined, expect: JwsExpectations): MaybePromise<JwsResult> {
  const [headerPart = '', payloadPart = '', signaturePart = ''] = token.split('.');
  const header = jsonObject(headerPart);
  if (header === null) return fail('ERR_JWS_INVALID');
  if (header['crit'] !== undefined) return fail('ERR_JOSE_NOT_SUPPORTED');
  if (typeof header['alg'] !== 'string') return fail('ERR_JWS_INVALID');
  if (header['alg'] !== 'HS256') return fail('ERR_JOSE_ALG_NOT_ALLOWED');
  const kid = header['kid'];
  const key = typeof kid === 'string' ? keyFor(kid) : undefined;
  if (key === undefined) return fail('ERR_JWKS_NO_MATCHING_KEY');
  const signature = fromBase64Url(signaturePart);
  if (signature === null) return fail('ERR_JWS_INVALID');
  const valid = runtime.hmacVerify(key, `${headerPart}.${payloadPart}`, signature);
  return andThen(valid, (ok) => claimsOf(ok, header, payloadPart, kid as string, expect));
}

/** After the signature: the claims, checked in jose's order. */
function claimsOf(valid: boolean, header: Record<string, unknown>, payloadPart: string, kid: string, expect: JwsExpectations): JwsResult {
  // Strictly `true`: anything else (a promise taken for a boolean, say) is a failed check.
  if (valid !== true) return fail('ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
  const payload = jsonObject(payloadPart);
  if (payload === null) return fail('ERR_JWT_INVALID');
  if (!sameTyp(header['typ'], expect.typ)) return fail('ERR_JWT_CLAIM_VALIDATION_FAILED');
  const { iss, aud, iat, exp, nbf } = payload;
  if (iat === undefined || exp === undefined) return fail('ERR_JWT_CLAIM_VALIDATION_FAILED');
  if (iss !== expect.issuer) return fail('ERR_JWT_CLAIM_VALIDATION_FAILED');
  if (!(aud === expect.audience || (Array.isArray(aud) && aud.includes(expect.audience)))) return fail('ERR_JWT_CLAIM_VALIDATION_FAILED');
  if (typeof iat !== 'number' || typeof exp !== 'number' || (nbf !== undefined && typeof nbf !== 'number'))
    return fail('ERR_JWT_CLAIM_VALIDATION_FAILED');
  const now = Math.floor(expect.now / 1000);
  if (typeof nbf === 'number' && nbf > now) return fail('ERR_JWT_CLAIM_VALIDATION_FAILED');
  if (exp <= now) return fail('ERR_JWT_EXPIRED');
  return { ok: true, kid, payload };
}
