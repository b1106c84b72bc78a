/**
 * Values that are ready now or later, without paying for a promise when they are ready: the hot
 * path (a returning reader) stays synchronous. And timeouts that say what timed out.
 */
import { PaywallError } from '../errors.js';

/** A value now, or a promise of it. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * Whether `value` is a promise or any thenable. Not `instanceof Promise`: a promise from another
 * realm (the edge runtime's VM hands out its host's Web Crypto promises) fails that test, and a
 * pending signature check taken for a ready value is a forged token accepted.
 */
export function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** Runs `next` now when `value` is ready, or when it resolves. */
export function andThen<T, U>(value: MaybePromise<T> | PromiseLike<T>, next: (value: T) => MaybePromise<U>): MaybePromise<U> {
  return isPromiseLike(value) ? Promise.resolve(value).then(next) : next(value);
}

/**
 * Rejects with a `PaywallError` of `code` when `promise` has not settled within `ms`; the
 * message names `what` timed out (`store.record`, `crawler verification`…).
 */
export function withTimeout<T>(
  promise: PromiseLike<T> | T,
  ms: number,
  what: string,
  code: PaywallError['code'] = 'ERR_STORE_TIMEOUT',
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PaywallError(code, `meterwall: ${what} did not answer in ${ms} ms`)), ms);
  });
  return Promise.race([Promise.resolve(promise), timeout]).finally(() => clearTimeout(timer));
}

/** `promise`'s value, or `fallback` when it has not settled within `ms` (a rejection gives `fallback` too). */
export function deadline<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<F>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([promise.catch(() => fallback), late]).finally(() => clearTimeout(timer));
}
