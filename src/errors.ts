/**
 * Every error code meterwall produces.
 *
 * - `ERR_INVALID_OPTION`: an option given to a factory is wrong (thrown as a `TypeError`, see {@link InvalidOptionError}).
 * - `ERR_INVALID_ARTICLE`: the article passed to `decide()` is not an `{ id: string }` object.
 * - `ERR_STORE_TIMEOUT`: the meter store did not answer within `store.timeoutMs`.
 * - `ERR_STORE_FAILED`: the meter store threw or rejected.
 * - `ERR_READER_FAILED`: the site's `resolveReader` callback (or session claims mapping) threw or returned an invalid reader.
 * - `ERR_SESSION_UNAVAILABLE`: the session token's keys (a JWKS endpoint) could not be fetched in time.
 */
export type PaywallErrorCode =
  | 'ERR_INVALID_OPTION'
  | 'ERR_INVALID_ARTICLE'
  | 'ERR_STORE_TIMEOUT'
  | 'ERR_STORE_FAILED'
  | 'ERR_READER_FAILED'
  | 'ERR_SESSION_UNAVAILABLE';

/**
 * The one error class of meterwall: branch on `code`, never on `message`.
 *
 * @example
 * ```ts
 * paywall = createPaywall({ secret, onEvent(event) {
 *   if (event.type === 'store-error' && event.error.code === 'ERR_STORE_TIMEOUT') metrics.inc('store_timeout');
 * } });
 * ```
 */
export class PaywallError extends Error {
  /** A stable, machine-readable code. */
  readonly code: PaywallErrorCode;

  constructor(code: PaywallErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PaywallError';
    this.code = code;
  }
}

/** A `TypeError` thrown at construction when an option is wrong; `option` is its dotted path. */
export interface InvalidOptionError extends TypeError {
  /** Always `ERR_INVALID_OPTION`. */
  readonly code: 'ERR_INVALID_OPTION';
  /** The dotted path of the offending option, e.g. `meters.anonymous.limit`. */
  readonly option: string;
}

/** Builds the `TypeError` for a bad option; the message starts with the option's path. */
export function invalidOption(option: string, problem: string): InvalidOptionError {
  const error = new TypeError(`meterwall: option "${option}" ${problem}`) as TypeError & {
    code: 'ERR_INVALID_OPTION';
    option: string;
  };
  error.code = 'ERR_INVALID_OPTION';
  error.option = option;
  return error;
}
