/** `defineExperiments`: the site's A/B tests of limits, validated when the site defines them. */
import { plugExperiments } from '../../contracts/features.js';
import { resolveExperiments } from '../../options/experiments-options.js';
import type { Experiment, ExperimentSet } from '../../types.js';

/**
 * The site's A/B tests of limits, for `createPaywall({ experiments })`. Throws an
 * `InvalidOptionError` naming the experiment and variant on any mistake; `createPaywall` then
 * checks the meters they set.
 *
 * @example
 * ```ts
 * import { createPaywall, defineExperiments } from 'meterwall';
 * const experiments = defineExperiments([
 *   { name: 'anonymous limit', variants: [{ name: 'three', weight: 50 }, { name: 'five', weight: 50, meters: { anonymous: { limit: 5 } } }] },
 * ]);
 * const paywall = createPaywall({ secret, experiments });
 * ```
 */
export function defineExperiments(experiments: readonly Experiment[]): ExperimentSet {
  const settings = resolveExperiments(experiments);
  return plugExperiments(Object.freeze({ size: settings.length }), settings);
}
