/**
 * `defineAgents` (`meterwall/agents`): AI operators and agents, validated when the site defines
 * them, so a paywall without them ships none of this code (the signature checks, the key
 * directories, the policy).
 */
import { type AgentsFeature, plugAgents } from '../contracts/features.js';
import type { AgentSet, AgentsOptions } from '../types.js';
import { KeyDirectories } from './directory.js';
import { agentGrant } from './grant.js';
import { type AgentSettings, resolveAgents } from './options.js';
import { type AgentVerification, checkAgent, mayBeAgent } from './verify.js';

/** The settings behind each set `defineAgents` made (robots.ts reads them). */
const made = new WeakMap<AgentSet, AgentSettings>();

/** The settings `set` was defined with, or `undefined` when `defineAgents` did not make it. */
export function settingsOf(set: AgentSet): AgentSettings | undefined {
  return made.get(set);
}

/**
 * AI operators and agents, for `createPaywall({ agents })`: who is asking, verified by Web Bot
 * Auth signatures from the operators' key directories (or their published ranges), and what the
 * site gives each operator per purpose (`training`, `search`, `user`): `block` (403), `teaser`,
 * `licensed` (the text, with `Link: <licence>; rel="license"`) or `paid` (pay per crawl: 402 with
 * `crawler-price`). Nothing unverified gets more than any automated client. Throws an
 * `InvalidOptionError` naming the option on any mistake.
 *
 * @example
 * ```ts
 * import { createPaywall } from 'meterwall';
 * import { defineAgents } from 'meterwall/agents';
 *
 * const paywall = createPaywall({
 *   secret,
 *   agents: defineAgents({
 *     operators: { openai: { directory: 'https://chatgpt.com', training: 'paid', search: 'teaser', user: 'licensed' } },
 *     price: (article) => (article.section === 'archive' ? 0.05 : 0.01),
 *     license: { url: 'https://news.example/license.xml' },
 *   }),
 * });
 * ```
 */
export function defineAgents(options: AgentsOptions): AgentSet {
  const settings = resolveAgents(options);
  const verification: AgentVerification = {
    operators: settings.operators,
    hosts: settings.hosts,
    maxValiditySec: settings.maxValiditySec,
    clockSkewSec: settings.clockSkewSec,
    directories: new KeyDirectories({ timeoutMs: settings.directoryTimeoutMs, ttlMs: settings.directoryTtlMs, fetch: settings.fetch }),
  };
  // A user agent alone is checked only where an operator's ranges or verifiers could confirm it;
  // otherwise only a signature makes a request worth a look (a person pays one header lookup).
  const byRanges = settings.operators.some((o) => o.ranges.length > 0 || o.verifiers.length > 0);
  const feature: AgentsFeature = {
    mayBeAgent: byRanges ? mayBeAgent : (request) => request.headers.get('signature-input') !== null,
    check: (request, client, now, claim) => checkAgent(request, client, verification, now, claim),
    grant: (agent, reader, article, request, token) => agentGrant(settings, agent, reader, article, request, token),
  };
  const set = plugAgents(Object.freeze({ operators: Object.freeze(settings.operators.map((o) => o.name)) }), feature);
  made.set(set, settings);
  return set;
}
