/**
 * Who is reading, from the site's session token (cookie or bearer) verified with jose and mapped
 * to a reader by a claims function. Verified sessions are cached until their `exp`; a JWKS
 * endpoint that fails is given a rest before it is asked again. Nothing here ever grants more
 * than a verified token says.
 */
import type { ReaderEnvironment, ReaderSource, ResolvedReader, SessionFacts } from '../../contracts/features.js';
import { ANONYMOUS, failed, settle } from '../../core/decide/readers.js';
import { createSessionVerifier } from '../../core/session-token.js';
import { PaywallError } from '../../errors.js';
import type { SessionSettings } from '../../options/settings.js';
import type { ReaderInput, RequestLike } from '../../types.js';
import { createBoundedCache } from '../../util/bounded-cache.js';
import { isPromiseLike } from '../../util/maybe-async.js';

/** The default claims mapping: `sub` is the account, `status` and `entitlements` claims when present. */
function defaultClaims(payload: Readonly<Record<string, unknown>>): ReaderInput | null {
  const sub = payload['sub'];
  if (typeof sub !== 'string' || sub === '') return null;
  const status = payload['status'];
  const entitlements = payload['entitlements'];
  return {
    status: status === 'subscriber' || status === 'registered' ? status : 'registered',
    id: sub,
    entitlements: Array.isArray(entitlements) ? entitlements.filter((e): e is string => typeof e === 'string') : [],
  };
}

/** A reader source over the site's session token. */
export function sessionReaders(settings: SessionSettings, { emit, now, mode }: ReaderEnvironment): ReaderSource {
  const verify = createSessionVerifier(settings);
  const verified = createBoundedCache<{ payload: Readonly<Record<string, unknown>>; expiresAt: number }>(settings.cacheSize, now);
  let restUntil = 0;

  const tokenOf = (facts: SessionFacts): string | undefined =>
    (settings.cookie !== undefined ? facts.sessionCookie || undefined : undefined) ?? (settings.bearer ? facts.bearer : undefined);

  const map = (payload: Readonly<Record<string, unknown>>, request: RequestLike): ResolvedReader | Promise<ResolvedReader> => {
    let answer: ReturnType<NonNullable<SessionSettings['claims']>>;
    try {
      answer = (settings.claims ?? defaultClaims)(payload, request);
    } catch (cause) {
      return failed(cause, emit, 'session claims');
    }
    if (isPromiseLike(answer))
      return Promise.resolve(answer).then(
        (a) => settle(a, emit, 'session claims'),
        (cause) => failed(cause, emit, 'session claims'),
      );
    if (answer === null || answer === undefined) {
      emit({ type: 'session-rejected', reason: 'unmapped' });
      return { reader: ANONYMOUS, note: 'anonymous (session claims gave no reader)' };
    }
    return settle(answer, emit, 'session claims');
  };

  return (facts) => {
    const request = facts.request;
    const token = tokenOf(facts);
    if (token === undefined) return { reader: ANONYMOUS, note: 'anonymous (no session)' };
    const t = now();
    const hit = verified.get(token);
    if (hit && hit.expiresAt > t) return map(hit.payload, request);
    if (t < restUntil) {
      return { reader: ANONYMOUS, note: 'session not checked: the key endpoint is resting after a failure', unavailable: true };
    }
    return verify(token, t).then((check) => {
      if (check.ok) {
        verified.set(token, { payload: check.payload, expiresAt: check.expiresAt }, check.expiresAt - t);
        return map(check.payload, request);
      }
      if (check.unavailable) {
        restUntil = now() + (settings.key.kind === 'jwks' ? settings.key.failureBackoffMs : 0);
        emit({
          type: 'session-error',
          error: new PaywallError(
            'ERR_SESSION_UNAVAILABLE',
            `meterwall: the session keys could not be fetched${check.code ? ` (${check.code})` : ''}`,
          ),
          policy: mode,
        });
        return { reader: ANONYMOUS, note: 'session not checked: the key endpoint failed', unavailable: true };
      }
      emit(
        check.code === undefined
          ? { type: 'session-rejected', reason: check.reason }
          : { type: 'session-rejected', reason: check.reason, code: check.code },
      );
      return { reader: ANONYMOUS, note: `anonymous (session rejected: ${check.reason})` };
    });
  };
}
