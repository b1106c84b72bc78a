/**
 * The meter a request carried: every meter cookie verified (synchronously for a cached token),
 * moved into the current window, the conservative one of two kept, and the rejections reported.
 */
import type { MeterState, TokenReadResult } from '../meter-token.js';
import { isPromiseLike, type MaybePromise } from '../../util/maybe-async.js';
import type { Draft, EngineContext, PresentedMeter } from './context.js';

export type { PresentedMeter } from './context.js';
import { freshMeter, inWindow, usedViews } from '../meter.js';

/** Reads the meter cookie(s) of a request. */
export function presentedMeter(ctx: EngineContext, draft: Draft): MaybePromise<PresentedMeter> {
  const values = draft.facts.meterCookies;
  const reads: MaybePromise<TokenReadResult>[] = [];
  let pending = false;
  for (const value of values) {
    const read = ctx.tokens.read(value, draft.now);
    if (isPromiseLike(read)) pending = true;
    reads.push(read);
  }
  if (pending) return Promise.all(reads).then((done) => choose(ctx, draft, done));
  return choose(ctx, draft, reads as TokenReadResult[]);
}

function choose(ctx: EngineContext, draft: Draft, reads: readonly TokenReadResult[]): PresentedMeter {
  const signingKid = ctx.keyring.signing.kid;
  let state: MeterState | undefined;
  let note = 'none';
  let rejected = false;
  for (const read of reads) {
    if (!read.ok) {
      rejected = true;
      note = `rejected: ${read.reason}`;
      ctx.emit(
        read.code === undefined
          ? { type: 'token-rejected', reason: read.reason }
          : { type: 'token-rejected', reason: read.reason, code: read.code },
      );
      continue;
    }
    // Two cookies of the same name: the conservative one (more views spent) wins.
    const candidate = inWindow(read.token.state, draft.window, signingKid);
    if (!state || usedViews(candidate) > usedViews(state)) {
      state = candidate;
      note = candidate === read.token.state ? 'valid' : 'valid, from an earlier window';
    }
  }
  if (reads.length > 1) note += ` (${reads.length} cookies, kept the one with the most views)`;
  if (state?.signedIn) note += ', an account signed in on this browser this period';
  draft.trace.push({ rule: 'token', matched: rejected, note });
  // A token whose hashing key was retired keeps its count; its entries just no longer match.
  if (state && !ctx.keyring.hashing.has(state.hashKid)) state = { ...state, hashKid: signingKid };
  return {
    state: state ?? freshMeter(draft.window, signingKid),
    // Rewrite the cookie to replace a duplicate (or a rejected token beside a valid one).
    rewrite: reads.length > 1 || (rejected && state !== undefined),
    fresh: state === undefined,
  };
}
