/**
 * The features a paywall was given (`rules`, `experiments`, `session`, `gifts`, `agents`), found again
 * under the objects `define*` returned, and checked against the rest of the options: the meters
 * rules and variants name, the proxy a country rule needs, a session secret equal to the meter
 * secret. A plain object where a defined one belongs is refused with the function to use.
 */
import { invalidOption } from '../errors.js';
import { checkExperiments } from '../options/experiments-options.js';
import { giftsIn } from '../options/gift-options.js';
import { checkRules, DEFAULT_METER } from '../options/rules-options.js';
import type { ExperimentSettings, GiftSettings, ResolvedOptions } from '../options/settings.js';
import type { PaywallOptions } from '../types.js';
import { type AgentsFeature, type GiftFeature, plugged, type RulesFeature, type SessionFeature } from './features.js';

/** A paywall's features, typed; `null` (or `[]`) for those it was not given. */
export interface Features {
  readonly rules: RulesFeature | null;
  readonly experiments: readonly ExperimentSettings[];
  readonly session: SessionFeature | null;
  /** Gift links, with their settings as this paywall uses them (the allowance in the site's time zone unless given). */
  readonly gifts: { readonly feature: GiftFeature; readonly settings: GiftSettings } | null;
  /** AI agents (`meterwall/agents`). */
  readonly agents: AgentsFeature | null;
}

/** No feature at all (the simulator's default, and a paywall given none). */
export const NO_FEATURES: Features = /* @__PURE__ */ Object.freeze({
  rules: null,
  experiments: Object.freeze([]),
  session: null,
  gifts: null,
  agents: null,
});

function found<S extends object, F>(
  value: S | undefined,
  registry: { get(set: S): F | undefined },
  option: string,
  maker: string,
  from = 'meterwall',
): F | null {
  if (value === undefined) return null;
  const feature = value !== null && typeof value === 'object' ? registry.get(value) : undefined;
  if (feature === undefined) throw invalidOption(option, `must be made with ${maker} (imported from '${from}'), which validates it`);
  return feature;
}

/** Finds and checks the features in `options` (already validated into `resolved`). */
export function resolveFeatures(options: PaywallOptions, resolved: ResolvedOptions): Features {
  if (options.session !== undefined && options.resolveReader !== undefined) {
    throw invalidOption('session', 'cannot be combined with resolveReader: look accounts up in session.claims instead');
  }
  const session = found(options.session, plugged.sessions, 'session', 'defineSession({...})');
  const key = session?.settings.key;
  if (key?.kind === 'secret') {
    const bytes = key.secret;
    if (resolved.secrets.some((s) => s.bytes.byteLength === bytes.byteLength && s.bytes.every((b, i) => b === bytes[i])))
      throw invalidOption('session.key.secret', 'must differ from the meter secret');
  }
  const experiments = found(options.experiments, plugged.experiments, 'experiments', 'defineExperiments([...])') ?? [];
  checkExperiments(experiments, {
    site: { anonymous: resolved.anonymousLimit, registered: resolved.registeredLimit },
    named: resolved.namedMeters,
  });
  const rules = found(options.rules, plugged.rules, 'rules', 'defineRules([...])');
  if (rules !== null)
    checkRules(rules.rules, { meters: new Set([DEFAULT_METER, ...resolved.namedMeters.keys()]), proxy: resolved.proxy, experiments });
  const gifts = found(options.gifts, plugged.gifts, 'gifts', 'defineGifts({...})');
  return Object.freeze({
    rules,
    experiments,
    session,
    gifts: gifts === null ? null : Object.freeze({ feature: gifts, settings: giftsIn(gifts.settings, resolved.period) }),
    agents: found(options.agents, plugged.agents, 'agents', 'defineAgents({...})', 'meterwall/agents'),
  });
}
