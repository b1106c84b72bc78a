/**
 * The site's own session tokens, verified with jose under a pinned key and algorithm list. A
 * key chosen by the token's sender (`jwk`, `jku`, `x5u`…) is never trusted, and a meter token is
 * never accepted as a session.
 */
import type { SessionVerifierConfig } from '../options/settings.js';
import type { SessionRejection } from '../types.js';
import { importPublicKey, joseFailure, remoteKeySet, verifyJwt, type JWTVerifyGetKey } from './jose.js';
import { COMPACT_JWS, protectedHeader } from './jws.js';
import { MAX_TOKEN_LENGTH, METER_TOKEN_TYPE } from './meter-token.js';

/** The result of verifying a session token. `unavailable`: the keys could not be fetched. */
export type SessionCheck =
  | { readonly ok: true; readonly payload: Readonly<Record<string, unknown>>; readonly expiresAt: number }
  | { readonly ok: false; readonly reason: SessionRejection; readonly code?: string; readonly unavailable?: false }
  | { readonly ok: false; readonly unavailable: true; readonly code?: string };

/** Header parameters that point at keys chosen by the token's sender: never trusted. */
const UNTRUSTED_HEADERS = ['jwk', 'jku', 'x5u', 'x5c', 'x5t', 'x5t#S256'];
function sessionRejection(error: unknown): SessionCheck {
  const failure = joseFailure(error);
  if (failure.unavailable)
    return failure.code === undefined ? { ok: false, unavailable: true } : { ok: false, unavailable: true, code: failure.code };
  // An unrecognised crit parameter (or an unsupported alg) is a header the site did not ask for.
  const reason: SessionRejection = failure.unsupported ? 'untrusted-header' : failure.notYetValid ? 'not-yet-valid' : failure.reason;
  return { ok: false, reason, code: failure.code as string };
}

/** Creates a verifier of the site's session tokens (keys imported or fetched lazily, once). */
export function createSessionVerifier(config: SessionVerifierConfig): (token: string, now: number) => Promise<SessionCheck> {
  const { key } = config;
  let getKey: Uint8Array | JWTVerifyGetKey;
  if (key.kind === 'secret') {
    getKey = key.secret;
  } else if (key.kind === 'jwks') {
    getKey = remoteKeySet(key.url, key);
  } else {
    const imported = new Map<string, Promise<CryptoKey>>();
    const material = key.key;
    getKey = (header) => {
      const alg = header.alg;
      let found = imported.get(alg);
      if (!found) {
        found = importPublicKey(material, alg);
        imported.set(alg, found);
      }
      return found;
    };
  }
  return async (token, now) => {
    if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'oversized' };
    if (!COMPACT_JWS.test(token)) return { ok: false, reason: 'malformed' };
    const header = protectedHeader(token);
    if (header === null) return { ok: false, reason: 'malformed' };
    if (UNTRUSTED_HEADERS.some((name) => name in header)) return { ok: false, reason: 'untrusted-header' };
    if (header['typ'] === METER_TOKEN_TYPE) return { ok: false, reason: 'meter-token' };
    try {
      const { payload } = await verifyJwt(token, getKey, {
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
