/**
 * CDN variants: the edge signs the variant it decided (`full`, `teaser`, `prompt`) into a
 * request header under the meter keys, so the origin can render one cacheable page per variant
 * and trust no bare `full` from anyone else.
 */
import type { Article, Decision, DecisionReason, TraceEntry, Variant } from '../../types.js';
import { runtime } from '#runtime';
import { MeterDecision } from './decision.js';
import type { Keyring } from '../keys.js';
import { ANONYMOUS } from './readers.js';

/** The signed variant header values: signed with the signing key, accepted under every key. */
export interface VariantValues {
  readonly signed: ReadonlyMap<Variant, string>;
  readonly accepted: ReadonlyMap<string, Variant>;
}

/** Computes the signed values of the three variants under every key of `keyring`. */
export async function variantValues(keyring: Keyring): Promise<VariantValues> {
  const signed = new Map<Variant, string>();
  const accepted = new Map<string, Variant>();
  for (const [kid, key] of keyring.verify) {
    for (const variant of ['full', 'teaser', 'prompt'] as const) {
      const mac = await runtime.hmacSha256(key, `meterwall cdn variant ${variant}`);
      const value = `${variant}.${runtime.base64Url(mac.subarray(0, 16))}`;
      accepted.set(value, variant);
      if (kid === keyring.signing.kid) signed.set(variant, value);
    }
  }
  return { signed, accepted };
}

/**
 * A decision for a CDN variant, for an origin that renders pages by variant (`readVariant`)
 * rather than by reader: no reader, no meter, the reason a wall of that kind has.
 *
 * @example
 * ```ts
 * import { decisionForVariant } from 'meterwall';
 * const variant = (await paywall.readVariant(request)) ?? 'teaser';
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
