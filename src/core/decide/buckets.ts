/**
 * A/B buckets: which variant of each experiment a reader is in, from a keyed hash of the
 * experiment's name and the reader (the meter's random id, or the account id once signed in),
 * so the same reader always lands in the same variant and nobody can choose theirs; and the
 * limits the variants set.
 */
import type { ExperimentSettings, VariantSettings } from '../../options/settings.js';

export type { Buckets, MeterLimits } from './context.js';
import { andThen, type MaybePromise } from '../../util/maybe-async.js';
import { DEFAULT_METER } from '../../options/rules-options.js';
import type { Reader } from '../../types.js';
import type { Buckets, EngineContext, MeterLimits } from './context.js';
import type { PresentedMeter } from './presented-meter.js';
import { isStartedSpent } from '../meter.js';

const DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const SPAN = 2 ** 36;

/** A base64url hash's first 36 bits as a number in [0, 1). */
function position(hash: string): number {
  let n = 0;
  for (let i = 0; i < 6; i++) n = n * 64 + DIGITS.indexOf(hash[i] as string);
  return n / SPAN;
}

/** The variant at `x` (in [0, 1)) of the weights. */
export function variantAt(experiment: ExperimentSettings, x: number): VariantSettings {
  let edge = x * experiment.total;
  for (const variant of experiment.variants) {
    if (edge < variant.weight) return variant;
    edge -= variant.weight;
  }
  return experiment.variants[experiment.variants.length - 1] as VariantSettings;
}

/**
 * The reader's variant of every experiment; `reader` is `meter:<rid>` or `account:<id>`, or
 * `null` for the control arm (every experiment's first variant).
 */
export function bucketsFor(ctx: EngineContext, experiments: readonly ExperimentSettings[], reader: string | null): MaybePromise<Buckets> {
  const names: Record<string, string> = {};
  const variants: VariantSettings[] = [];
  if (reader === null) {
    for (const experiment of experiments) {
      const control = experiment.variants[0] as VariantSettings;
      names[experiment.name] = control.name;
      variants.push(control);
    }
    return { names, variants };
  }
  const next = (i: number): MaybePromise<Buckets> => {
    const experiment = experiments[i];
    if (experiment === undefined) return { names, variants };
    return andThen(ctx.hasher.account(`bucket\u0000${experiment.name}\u0000${reader}`), (hash) => {
      const variant = variantAt(experiment, position(hash));
      names[experiment.name] = variant.name;
      variants.push(variant);
      return next(i + 1);
    });
  };
  return next(0);
}

/** `base` (the limits of `meter`) as the reader's variants set them; later experiments win. */
export function limitsIn(variants: readonly VariantSettings[], meter: string, base: MeterLimits): MeterLimits {
  let { anonymous, registered } = base;
  for (const { meters } of variants) {
    const set = meter === DEFAULT_METER ? meters : meters.named.get(meter);
    if (set === undefined) continue;
    if (set.anonymous !== undefined) anonymous = set.anonymous;
    if (set.registered !== undefined && registered !== null) registered = set.registered;
  }
  return anonymous === base.anonymous && registered === base.registered ? base : { anonymous, registered };
}

/**
 * What a reader is bucketed by: the account once signed in (the same on every device), else the
 * meter's random id; `null` (the control arm) for a meter no arm may be drawn for: one the
 * fresh-meter cap started spent, or a new one on a request that is not a page view (nothing is
 * written for it, so each such request would draw anew). So clearing cookies, or sending no
 * cookie at all, redraws an arm no more often than the cap lets a network start meters.
 */
export function bucketKey(reader: Reader, presented: PresentedMeter, pageView: boolean): string | null {
  if (reader.id !== undefined) return `account:${reader.id}`;
  if (isStartedSpent(presented.state) || (presented.fresh && !pageView)) return null;
  return `meter:${presented.state.rid}`;
}
