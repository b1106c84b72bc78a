/**
 * CDN variants: the edge signs the variant it decided (`full`, `teaser`, `prompt`) into a
 * request header under the meter keys, bound to the article and to an expiry minutes away, so
 * the origin can render one cacheable page per variant and trust no bare `full` from anyone
 * else, nor a value seen for another article or an hour ago (a leaked header opens one article,
 * for minutes).
 */
import type { Keyring } from '../../contracts/features.js';
import type { Article, Decision, DecisionReason, TraceEntry, Variant } from '../../types.js';
import { runtime } from '#runtime';
import { fromBase64Url } from '../../util/encoding.js';
import { andThen, type MaybePromise } from '../../util/maybe-async.js';
import { MeterDecision } from './decision.js';
import { ANONYMOUS } from './readers.js';

const isVariant = (value: string | undefined): value is Variant => value === 'full' || value === 'teaser' || value === 'prompt';
/** `<variant>.<expiry, base-36 seconds>.<kid>.<HMAC-SHA256, base64url>` */
const SIGNED = /^(full|teaser|prompt)\.([0-9a-z]{1,10})\.([A-Za-z0-9._-]{1,64})\.([A-Za-z0-9_-]{43})$/;

function signedText(variant: string, article: string, expires: string): string {
  return `meterwall cdn variant\u0000${variant}\u0000${article}\u0000${expires}`;
}

/** The signed value of `variant` for the article `article`, valid until `now + maxAgeMs`. */
export function signVariantValue(keyring: Keyring, variant: Variant, article: string, now: number, maxAgeMs: number): MaybePromise<string> {
  const expires = Math.ceil((now + maxAgeMs) / 1000).toString(36);
  const { kid, key } = keyring.signing;
  return andThen(
    runtime.hmacSha256(key, signedText(variant, article, expires)),
    (mac) => `${variant}.${expires}.${kid}.${runtime.base64Url(mac)}`,
  );
}

/** The variant a signed value gives for the article `article` at `now`, or `null`: malformed, another article, expired, or not signed with one of the keys. */
export function readVariantValue(keyring: Keyring, value: string | null, article: string, now: number): MaybePromise<Variant | null> {
  const match = value === null || value.length > 256 ? null : SIGNED.exec(value);
  const [, variant, expires = '0', kid = '', mac = ''] = match ?? [];
  const key = keyring.verify.get(kid);
  const bytes = fromBase64Url(mac);
  if (!isVariant(variant) || key === undefined || bytes === null || Number.parseInt(expires, 36) * 1000 <= now) return null;
  return andThen(runtime.hmacVerify(key, signedText(variant, article, expires), bytes), (ok) => (ok ? variant : null));
}

/**
 * A decision for a CDN variant, for an origin that renders pages by variant (`readVariant`)
 * rather than by reader: no reader, no meter, the reason a wall of that kind has.
 *
 * @example
 * ```ts
 * import { decisionForVariant } from 'meterwall';
 * const variant = (await paywall.readVariant(request, article)) ?? 'teaser';
 * const { html, prompt } = renderer.render(decisionForVariant(variant, article), article.html, article);
 * ```
 */
export function decisionForVariant(variant: Variant, article?: Article): Decision {
  const gated = (article?.access ?? 'metered') === 'subscribers' || (article?.requires?.length ?? 0) > 0;
  const reason: DecisionReason =
    variant === 'full'
      ? article?.access === 'free'
        ? 'free-article'
        : 'metered'
      : variant === 'prompt'
        ? 'register-to-continue'
        : gated
          ? 'subscribers-only'
          : 'meter-exhausted';
  const trace: readonly TraceEntry[] = Object.freeze([{ rule: 'request', matched: true, note: `rendered for the ${variant} variant` }]);
  return new MeterDecision({
    access: variant,
    reason,
    reader: ANONYMOUS,
    meter: null,
    counted: false,
    trace,
    setCookie: null,
    variantHeader: null,
    rule: null,
    institution: null,
    buckets: Object.freeze({}),
    gift: null,
  });
}
