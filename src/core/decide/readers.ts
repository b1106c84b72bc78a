/**
 * Who is reading, when the site says it with a `resolveReader` callback: its answer checked
 * into a reader (anything invalid is anonymous, with an event). A session token is the session
 * feature's (features/sessions). Nothing here ever grants more than the site said.
 */
import { PaywallError } from '../../errors.js';
import type { ReaderSource, ResolvedReader } from '../../contracts/features.js';
import type { PaywallEvent, Reader, ReaderInput, RequestLike } from '../../types.js';

type ReaderCallback = (request: RequestLike) => ReaderInput | null | undefined | Promise<ReaderInput | null | undefined>;

/** The anonymous reader. */
export const ANONYMOUS: Reader = /* @__PURE__ */ Object.freeze({
  status: 'anonymous',
  entitlements: Object.freeze([]) as readonly string[],
});
const EMPTY: readonly string[] = /* @__PURE__ */ Object.freeze([]);
const MAX_ACCOUNT_ID = 512;

/** Checks a reader the site gave; `null`/`undefined` is anonymous, `undefined` back means invalid. */
export function toReader(input: ReaderInput | null | undefined): Reader | undefined {
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

/** How a reader source reports events. */
export type Emit = (event: PaywallEvent) => void;

/** Maps a site's answer to a resolved reader, reporting failures as `reader-error` (anonymous). */
export function settle(input: ReaderInput | null | undefined, emit: Emit, what: string): ResolvedReader {
  const reader = toReader(input);
  if (reader) return { reader, note: reader.status };
  emit({ type: 'reader-error', error: new PaywallError('ERR_READER_FAILED', `meterwall: ${what} returned an invalid reader`) });
  return { reader: ANONYMOUS, note: `anonymous (${what} returned an invalid reader)` };
}

/** A site's callback that threw: the reader is anonymous, with a `reader-error` event. */
export function failed(cause: unknown, emit: Emit, what: string): ResolvedReader {
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
