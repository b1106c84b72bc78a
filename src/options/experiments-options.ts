/**
 * `experiments`: A/B tests of limits, validated once into plain data. Each mistake is an
 * `InvalidOptionError` naming the experiment and the variant: a missing or repeated name, fewer
 * than two or more than ten variants, a weight that is not a positive number, a limit for a
 * meter that does not exist (or a registered limit where the site has none).
 */
import { invalidOption } from '../errors.js';
import { integer, isRecord, object, optional, rejectUnknown } from '../util/schema.js';
import { LIMITS } from './defaults.js';
import type { ExperimentSettings, LimitOverrides, VariantSettings } from './settings.js';

const NAME = /^[A-Za-z0-9 ._-]{1,64}$/;
const MAX_EXPERIMENTS = 8;

/** The meters that exist, and whether the site has registered allowances. */
export interface ExperimentContext {
  /** The site's meter's limits, and each named meter's (`registered` is `null` without a registered allowance). */
  readonly site: { readonly anonymous: number; readonly registered: number | null };
  readonly named: ReadonlyMap<string, { readonly anonymous: number; readonly registered: number | null }>;
}

/**
 * `experiments`, validated on their own (by `defineExperiments`); whether the meters they set
 * exist is checked by `createPaywall` ({@link checkExperiments}).
 */
export function resolveExperiments(value: unknown): readonly ExperimentSettings[] {
  if (!Array.isArray(value)) throw invalidOption('experiments', 'must be an array of experiments ({ name, variants })');
  if (value.length > MAX_EXPERIMENTS) throw invalidOption('experiments', `has ${value.length} experiments; at most ${MAX_EXPERIMENTS}`);
  const names = new Set<string>();
  return Object.freeze(
    value.map((item: unknown, i) => {
      const experiment = experimentAt(item, `experiments[${i}]`);
      if (names.has(experiment.name)) throw invalidOption(`experiments[${i}]`, `repeats the name "${experiment.name}"`);
      names.add(experiment.name);
      return experiment;
    }),
  );
}

function nameAt(value: unknown, path: string): string {
  if (typeof value !== 'string' || !NAME.test(value))
    throw invalidOption(path, 'must be a name of 1 to 64 letters, digits, spaces, ".", "_" or "-"');
  return value;
}

function experimentAt(item: unknown, path: string): ExperimentSettings {
  if (!isRecord(item)) throw invalidOption(path, 'must be an experiment ({ name, variants })');
  rejectUnknown(item, path, ['name', 'variants'], 'an experiment option');
  const name = nameAt(item['name'], `${path}.name`);
  const label = `${path} ("${name}")`;
  const list = item['variants'];
  if (!Array.isArray(list) || list.length < 2 || list.length > 10) throw invalidOption(`${label}.variants`, 'must list 2 to 10 variants');
  const seen = new Set<string>();
  const variants = list.map((variant: unknown, j): VariantSettings => {
    const at = `${label}.variants[${j}]`;
    if (!isRecord(variant)) throw invalidOption(at, 'must be a variant ({ name, weight, meters? })');
    rejectUnknown(variant, at, ['name', 'weight', 'meters'], 'a variant option');
    const variantName = nameAt(variant['name'], `${at}.name`);
    if (seen.has(variantName)) throw invalidOption(at, `repeats the variant name "${variantName}"`);
    seen.add(variantName);
    const weight = variant['weight'];
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0 || weight > 1_000_000)
      throw invalidOption(`${at}.weight`, 'must be a positive number (a share relative to the other variants)');
    return Object.freeze({ name: variantName, weight, meters: overrides(variant['meters'], `${at} ("${variantName}").meters`) });
  });
  const total = variants.reduce((sum, v) => sum + v.weight, 0);
  return Object.freeze({ name, variants: Object.freeze(variants), total });
}

/** A variant's `{ limit }` for one allowance, or `undefined` when the variant leaves it alone. */
const meterLimit = /* @__PURE__ */ optional(object({ limit: integer(0, LIMITS.entries) }, 'a meter limit option'));

function limitAt(value: unknown, path: string): number | undefined {
  return meterLimit(value, path)?.limit;
}

function overrides(value: unknown, path: string): LimitOverrides {
  if (value === undefined) return Object.freeze({ anonymous: undefined, registered: undefined, named: new Map() });
  if (!isRecord(value)) throw invalidOption(path, 'must be { anonymous?, registered?, named? }');
  rejectUnknown(value, path, ['anonymous', 'registered', 'named'], 'a meter of the variant');
  const registered = limitAt(value['registered'], `${path}.registered`);
  const named = new Map<string, { readonly anonymous: number | undefined; readonly registered: number | undefined }>();
  const given = value['named'];
  if (given !== undefined) {
    if (!isRecord(given)) throw invalidOption(`${path}.named`, 'must map meter names to { anonymous?, registered? }');
    for (const [meter, limits] of Object.entries(given)) {
      const at = `${path}.named.${meter}`;
      if (!isRecord(limits)) throw invalidOption(at, 'must be { anonymous?, registered? }');
      rejectUnknown(limits, at, ['anonymous', 'registered'], 'a meter of the variant');
      const namedRegistered = limitAt(limits['registered'], `${at}.registered`);
      named.set(meter, Object.freeze({ anonymous: limitAt(limits['anonymous'], `${at}.anonymous`), registered: namedRegistered }));
    }
  }
  return Object.freeze({ anonymous: limitAt(value['anonymous'], `${path}.anonymous`), registered, named });
}

/** The checks of validated experiments that need the meters (cheap: nothing is parsed here). */
export function checkExperiments(experiments: readonly ExperimentSettings[], context: ExperimentContext): void {
  experiments.forEach((experiment, i) => {
    experiment.variants.forEach((variant, j) => {
      const path = `experiments[${i}] ("${experiment.name}").variants[${j}] ("${variant.name}").meters`;
      const none = 'is not allowed: the site has no registered allowance';
      const registered = context.site.registered !== null;
      if (variant.meters.registered !== undefined && !registered) throw invalidOption(`${path}.registered`, none);
      checkOrder(variant.meters, context.site, path);
      for (const [meter, limits] of variant.meters.named) {
        const base = context.named.get(meter);
        if (base === undefined) throw invalidOption(`${path}.named.${meter}`, `names the meter "${meter}", which does not exist`);
        if (limits.registered !== undefined && !registered) throw invalidOption(`${path}.named.${meter}.registered`, none);
        checkOrder(limits, base, `${path}.named.${meter}`);
      }
    });
  });
}

/** A variant's limits, as they apply over the meter's own, keep the registered allowance at or above the anonymous one. */
function checkOrder(
  set: { readonly anonymous: number | undefined; readonly registered: number | undefined },
  base: { readonly anonymous: number; readonly registered: number | null },
  path: string,
): void {
  const anonymous = set.anonymous ?? base.anonymous;
  const registered = set.registered ?? base.registered;
  if (registered !== null && registered < anonymous)
    throw invalidOption(
      set.registered === undefined ? `${path}.anonymous` : `${path}.registered`,
      `makes the registered limit (${registered}) lower than the anonymous one (${anonymous}): "register to continue" would lead straight to the subscribe teaser`,
    );
}
