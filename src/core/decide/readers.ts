/**
 * Who is reading: the site's `resolveReader` callback, or its session token (cookie or bearer)
 * verified with jose and mapped to a reader by a claims function. Verified sessions are cached
 * until their `exp`; a JWKS endpoint that fails is given a rest before it is asked again.
 * Nothing here ever grants more than a verified token says.
 */
import { PaywallError } from '../../errors.js';
import { createBoundedCache } from '../../util/bounded-cache.js';
import { isPromiseLike } from '../../util/maybe-async.js';
import type { PaywallEvent, Reader, ReaderInput, RequestLike } from '../../types.js';
import type { SessionSettings } from '../../options/settings.js';
import { createSessionVerifier } from '../session-token.js';
import type { RequestFacts } from './request-facts.js';

/** The reader a request resolved to. `unavailable`: the session could not be checked (JWKS down). */
export interface ResolvedReader {
  readonly reader: Reader;
  readonly note: string;
  readonly unavailable?: boolean;
}

/** Resolves readers; synchronous when nothing needs waiting for (a cached session). */
export type ReaderSource = (facts: RequestFacts) => ResolvedReader | Promise<ResolvedReader>;

type ReaderCallback = (request: RequestLike) => ReaderInput | null | undefined | Promise<ReaderInput | null | undefined>;

/** The anonymous reader. */
export const ANONYMOUS: Reader = /* @__PURE__ */ Object.freeze({
  status: 'anonymous',
  entitlements: Object.freeze([]) as readonly string[],
});
const EMPTY: readonly string[] = /* @__PURE__ */ Object.freeze([]);
const MAX_ACCOUNT_ID = 512;

/** Checks a reader the site gave; `null`/`undefined` is anonymous, `undefined` back means invalid. */
function toReader(input: ReaderInput | null | undefined): Reader | undefined {
  if (input === null || input === undefined) return ANONYMOUS;
  if (typeof input !== 'object') return undefined;
  const { status, id, entitlements = EMPTY } = input;
  if (status !== 'anonymous' && status !== 'registered' && status !== 'subscriber') return undefined;
  if (id !== undefined && (typeof id !== 'string' || id.length === 0 || id.length > MAX_ACCOUNT_ID)) return undefined;
  if (status === 'registered' && id === undefined) return undefined;
  if (!Array.isArray(entitlements) || entitlements.some((e) => typeof e !== 'string')) return undefined;
  if (status === 'anonymous') return ANONYMOUS;
  return Object.freeze({ status, ...(id === undefined ? {} : { id }), entitlements: Object.freeze([...entitlements]) });
}

type Emit = (event: PaywallEvent) => void;

/** Maps a site's answer to a resolved reader, reporting failures as `reader-error` (anonymous). */
function settle(input: unknown, emit: Emit, what: string): ResolvedReader {
  const reader = toReader(input as ReaderInput | null | undefined);
  if (reader) return { reader, note: reader.status };
  emit({ type: 'reader-error', error: new PaywallError('ERR_READER_FAILED', `meterwall: ${what} returned an invalid reader`) });
  return { reader: ANONYMOUS, note: `anonymous (${what} returned an invalid reader)` };
}

function failed(cause: unknown, emit: Emit, what: string): ResolvedReader {
  emit({ type: 'reader-error', error: new PaywallError('ERR_READER_FAILED', `meterwall: ${what} threw`, { cause }) });
  return { reader: ANONYMOUS, note: `anonymous (${what} failed)` };
}

/** A reader source over the site's `resolveReader` callback. */
export function callbackReaders(resolve: ReaderCallback, emit: Emit): ReaderSource {
  return async (facts) => {
    try {
      return settle(await resolve(facts.request), emit, 'resolveReader');
    } catch (cause) {
      return failed(cause, emit, 'resolveReader');
    }
  };
}

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
export function sessionReaders(settings: SessionSettings, emit: Emit, now: () => number, mode: 'open' | 'closed'): ReaderSource {
  const verify = createSessionVerifier(settings);
  const verified = createBoundedCache<{ payload: Readonly<Record<string, unknown>>; expiresAt: number }>(settings.cacheSize, now);
  let restUntil = 0;

  const tokenOf = (facts: RequestFacts): string | undefined =>
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
