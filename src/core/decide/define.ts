/**
 * `defineSession`, `defineRules`, `defineExperiments` and `defineGifts`: a site's session, rules,
 * A/B tests and gift links, validated (the rules compiled) when the site defines them, so a
 * paywall without them ships none of it: no jose without sessions, no matcher without rules, no
 * gift code without gifts (what an edge function that only decides bundles stays small).
 */
import { resolveExperiments } from '../../options/experiments-options.js';
import { resolveRules } from '../../options/rules-options.js';
import { resolveSession } from '../../options/session-options.js';
import { resolveGifts } from '../../options/gift-options.js';
import { EXPERIMENT_SET, GIFT_SET, RULE_SET, SESSION_SET } from '../../options/settings.js';
import type {
  Experiment,
  ExperimentSet,
  GiftOptions,
  GiftSet,
  PaywallEvent,
  Rule,
  RuleSet,
  SessionOptions,
  SessionSet,
} from '../../types.js';
import { createGiftTokens } from '../gift-token.js';
import { createGiftMaker } from './gift-create.js';
import type { GiftHooks } from './gift-hooks.js';
import { giftParameter, giftUpgrade, openGift } from './gift-open.js';
import { sessionReaders } from './readers.js';
import { createRuleMatcher } from './rules.js';

/**
 * The site's rules, in order (first match wins), for `createPaywall({ rules })`. Throws an
 * `InvalidOptionError` (a `TypeError`) naming the rule on any mistake; `createPaywall` then checks
 * the meters they name and the proxy a `country` condition needs.
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
  return Object.freeze({ size: settings.length, [RULE_SET]: Object.freeze({ rules: settings, matcher: createRuleMatcher(settings) }) });
}

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
  return Object.freeze({ size: settings.length, [EXPERIMENT_SET]: settings });
}

/**
 * The site's session token, verified with jose, for `createPaywall({ session })`: where it is
 * read (a cookie, `Authorization: Bearer`), the key (a secret, a public key or a JWKS URL), the
 * pinned algorithms, issuer and audience, and how claims map to a reader. Throws an
 * `InvalidOptionError` naming the option on any mistake.
 *
 * @example
 * ```ts
 * import { createPaywall, defineSession } from 'meterwall';
 * const session = defineSession({
 *   cookie: 'session',
 *   key: { jwksUrl: 'https://id.news.example/.well-known/jwks.json' },
 *   algorithms: ['RS256'],
 *   claims: (payload) => ({ status: payload['plan'] ? 'subscriber' : 'registered', id: String(payload.sub) }),
 * });
 * const paywall = createPaywall({ secret, session });
 * ```
 */
export function defineSession(options: SessionOptions): SessionSet {
  const settings = resolveSession(options) as NonNullable<ReturnType<typeof resolveSession>>;
  const readers = (emit: (event: PaywallEvent) => void, now: () => number, mode: 'open' | 'closed') =>
    sessionReaders(settings, emit, now, mode);
  return Object.freeze({ cookie: settings.cookie, bearer: settings.bearer, [SESSION_SET]: Object.freeze({ settings, readers }) });
}

/**
 * Gift links, for `createPaywall({ gifts })`: subscribers (and readers holding one of
 * `entitlements`) create links with `paywall.createGift` that open one article in full for
 * whoever receives them. Throws an `InvalidOptionError` naming the option on any mistake.
 *
 * @example
 * ```ts
 * import { createPaywall, defineGifts } from 'meterwall';
 *
 * const paywall = createPaywall({
 *   secret,
 *   resolveReader: (request) => sessions.readerFor(request),
 *   // 10 a month per giver, 5 browsers per link, for 30 days (defineGifts validates; a paywall without it ships no gift code)
 *   gifts: defineGifts({ allowance: { limit: 10 }, maxOpens: 5, expiresIn: '30d' }),
 * });
 * ```
 */
export function defineGifts(options: GiftOptions = {}): GiftSet {
  const settings = resolveGifts(options);
  const hooks: GiftHooks = {
    tokens: createGiftTokens,
    maker: createGiftMaker,
    parameter: giftParameter,
    open: openGift,
    upgrade: giftUpgrade,
  };
  return Object.freeze({ maxOpens: settings.maxOpens, [GIFT_SET]: Object.freeze({ settings, hooks: Object.freeze(hooks) }) });
}
