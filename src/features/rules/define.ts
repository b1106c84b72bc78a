/**
 * `defineRules`: the site's rules, validated and compiled when the site defines them, so a
 * paywall without rules ships no matcher.
 */
import { plugRules } from '../../contracts/features.js';
import { resolveRules } from '../../options/rules-options.js';
import type { Rule, RuleSet } from '../../types.js';
import { createRuleMatcher } from './matcher.js';

/**
 * The site's rules, in order (first match wins), for `createPaywall({ rules })`. Throws an
 * `InvalidOptionError` (a `TypeError`) naming the rule on any mistake, and on a condition the
 * client writes itself (a `Referer`); `createPaywall` then checks the meters they name and the
 * proxy a `country` condition needs.
 *
 * @example
 * ```ts
 * import { createPaywall, defineRules } from 'meterwall';
 * const rules = defineRules([
 *   { name: 'breaking news', when: { section: 'news', newerThan: '24h' }, treatment: 'free' },
 *   { name: 'everything else', treatment: 'metered' },
 * ]);
 * const paywall = createPaywall({ secret, rules });
 * ```
 */
export function defineRules(rules: readonly Rule[]): RuleSet {
  const settings = resolveRules(rules);
  return plugRules(Object.freeze({ size: settings.length }), Object.freeze({ rules: settings, match: createRuleMatcher(settings) }));
}
