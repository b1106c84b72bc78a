/**
 * A Web Bot Auth signature is accepted once: its nonce (or the signature itself) is claimed for
 * as long as the signature is valid. In the store where it can (`countFresh`: every server sees
 * the claim), else in this process, bounded (a replay to another process within the signature's
 * validity is not seen there: SECURITY.md). A replay, or a store that fails, answers `false`: the
 * agent is then no more than an unverified claimant.
 */
import type { ClaimOnce } from '../../contracts/features.js';
import type { MeterStore } from '../../types.js';

/** What a claim needs of the paywall: its store (bounded by the failure timeout), its clock. */
export interface ClaimContext {
  readonly store: MeterStore;
  bounded<T>(call: Promise<T>, what: string): Promise<T>;
  storeFailed(cause: unknown): void;
  readonly options: { now(): number };
}

const MAX_NONCES = 100_000;

/** A paywall's claimer (its own bounded set of the signatures claimed in this process, key → when the claim ends). */
export function onceClaimer(ctx: ClaimContext): ClaimOnce {
  const nonces = new Map<string, number>();
  return (key, ttlMs) => claimOnce(ctx, nonces, key, ttlMs);
}

function claimOnce(ctx: ClaimContext, nonces: Map<string, number>, key: string, ttlMs: number): Promise<boolean> {
  const count = ctx.store.countFresh;
  if (count !== undefined)
    return ctx.bounded(count.call(ctx.store, `agent-nonce:${key}`, ttlMs), 'store.countFresh').then(
      (n) => n === 1,
      (error: unknown) => {
        ctx.storeFailed(error);
        return false;
      },
    );
  const now = ctx.options.now();
  if ((nonces.get(key) ?? 0) > now) return Promise.resolve(false);
  if (nonces.size >= MAX_NONCES) for (const [k, until] of nonces) if (until <= now || nonces.size >= MAX_NONCES) nonces.delete(k);
  nonces.set(key, now + ttlMs);
  return Promise.resolve(true);
}
