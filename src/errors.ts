/**
 * Every error code meterwall produces, its two error classes, and one way to recognise either:
 * `isMeterwallError(error)`, then branch on `error.code`.
 *
 * - `ERR_INVALID_OPTION`: an option given to a factory or adapter is wrong (an {@link InvalidOptionError}, a `TypeError`).
 * - `ERR_INVALID_ARTICLE`: the article passed to `decide()` is not an `{ id: string }` object.
 * - `ERR_STORE_TIMEOUT`: the meter store did not answer within `failure.timeoutMs` (the message names the operation).
 * - `ERR_STORE_FAILED`: the meter store threw or rejected.
 * - `ERR_READER_FAILED`: the site's `resolveReader` callback (or session claims mapping) threw or returned an invalid reader.
 * - `ERR_SESSION_UNAVAILABLE`: the session token's keys (a JWKS endpoint) could not be fetched in time.
 * - `ERR_GIFTS_DISABLED`: `createGift` or `giftAllowance` was called on a paywall without the `gifts` option.
 * - `ERR_RANGES_UNAVAILABLE`: `fetchCrawlerRanges` could not fetch a range list (the network, a timeout, a status that is not 2xx).
 */
export type PaywallErrorCode =
  | 'ERR_INVALID_OPTION'
  | 'ERR_INVALID_ARTICLE'
  | 'ERR_STORE_TIMEOUT'
  | 'ERR_STORE_FAILED'
  | 'ERR_READER_FAILED'
  | 'ERR_SESSION_UNAVAILABLE'
  | 'ERR_GIFTS_DISABLED'
  | 'ERR_RANGES_UNAVAILABLE';

/** Marks both error classes, across copies of the package (an ESM and a CommonJS one in one process), where `instanceof` cannot. */
const MARK: unique symbol = Symbol.for('meterwall.error');

/**
 * The error meterwall reports at run time (in events, or thrown for a bad article): branch on
 * `code`, never on `message`.
 *
 * @example
 * ```ts
 * paywall = createPaywall({ secret, onEvent(event) {
 *   if (event.type === 'store-error' && event.error.code === 'ERR_STORE_TIMEOUT') metrics.inc('store_timeout');
 * } });
 * ```
 */
export class PaywallError extends Error {
  /** A stable, machine-readable code (`ERR_INVALID_OPTION` is an {@link InvalidOptionError}'s). */
  readonly code: Exclude<PaywallErrorCode, 'ERR_INVALID_OPTION'>;
  readonly [MARK] = true;

  constructor(code: Exclude<PaywallErrorCode, 'ERR_INVALID_OPTION'>, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PaywallError';
    this.code = code;
  }
}

/**
 * Thrown at construction when an option is wrong: a `TypeError` whose `option` is the dotted
 * path of the offending option and whose message says what is wrong (and, for a misspelt key,
 * which option was meant).
 *
 * @example
 * ```ts
 * import { createPaywall, InvalidOptionError } from 'meterwall';
 * try {
 *   createPaywall({ secret, period: { calendar: 'month', timezone: 'Europe/London' } as never });
 * } catch (error) {
 *   if (error instanceof InvalidOptionError) console.error(error.option); // 'period.timezone'
 * }
 * ```
 */
export class InvalidOptionError extends TypeError {
  /** Always `ERR_INVALID_OPTION`. */
  readonly code = 'ERR_INVALID_OPTION' as const;
  readonly [MARK] = true;
  /** The dotted path of the offending option, e.g. `meters.anonymous.limit`. */
  readonly option: string;

  constructor(option: string, problem: string) {
    super(`meterwall: option "${option}" ${problem}`);
    this.name = 'InvalidOptionError';
    this.option = option;
  }
}

/** Any error meterwall throws or reports: a `PaywallError`, or an `InvalidOptionError` (a `TypeError`, as option errors are). */
export type MeterwallError = PaywallError | InvalidOptionError;

/**
 * Whether `error` is one of meterwall's (thrown or reported in an event), whichever copy of the
 * package made it: the one way to recognise them, then branch on `code`.
 *
 * @example
 * ```ts
 * try {
 *   createPaywall({ secret: process.env.METERWALL_SECRET ?? '' });
 * } catch (error) {
 *   if (isMeterwallError(error) && error.code === 'ERR_INVALID_OPTION') console.error(`fix ${error.option}`);
 *   else throw error;
 * }
 * ```
 */
export function isMeterwallError(error: unknown): error is MeterwallError {
  return typeof error === 'object' && error !== null && MARK in error && typeof (error as { code?: unknown }).code === 'string';
}

/** Builds the error for a bad option; the message starts with the option's path. */
export function invalidOption(option: string, problem: string): InvalidOptionError {
  return new InvalidOptionError(option, problem);
}
