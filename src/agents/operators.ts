/**
 * The AI operators meterwall knows by their user agents, and what each agent does: train
 * models (`training`), index for an AI search engine (`search`), or fetch a page for a person
 * who asked (`user`). A user agent is only a claim: it names the operator and purpose a
 * verification (a Web Bot Auth signature, published ranges) must then confirm.
 */
import type { AgentPurpose } from '../types.js';

export type { AgentPurpose };

export const PURPOSES: readonly AgentPurpose[] = Object.freeze(['training', 'search', 'user']);

interface KnownAgent {
  readonly operator: string;
  readonly purpose: AgentPurpose;
  /** Its robots.txt token. */
  readonly token: string;
  readonly userAgent: RegExp;
}

/** Published user-agent tokens (2025–2026), in the order tried. */
export const KNOWN_AGENTS: readonly KnownAgent[] = /* @__PURE__ */ Object.freeze([
  { operator: 'openai', purpose: 'training', token: 'GPTBot', userAgent: /\bGPTBot\b/i },
  { operator: 'openai', purpose: 'search', token: 'OAI-SearchBot', userAgent: /\bOAI-SearchBot\b/i },
  { operator: 'openai', purpose: 'user', token: 'ChatGPT-User', userAgent: /\bChatGPT-User\b/i },
  { operator: 'anthropic', purpose: 'training', token: 'ClaudeBot', userAgent: /\bClaudeBot\b/i },
  { operator: 'anthropic', purpose: 'search', token: 'Claude-SearchBot', userAgent: /\bClaude-SearchBot\b/i },
  { operator: 'anthropic', purpose: 'user', token: 'Claude-User', userAgent: /\bClaude-User\b/i },
  { operator: 'perplexity', purpose: 'search', token: 'PerplexityBot', userAgent: /\bPerplexityBot\b/i },
  { operator: 'perplexity', purpose: 'user', token: 'Perplexity-User', userAgent: /\bPerplexity-User\b/i },
  { operator: 'commoncrawl', purpose: 'training', token: 'CCBot', userAgent: /\bCCBot\b/i },
]);

/** A cheap test that rules out ordinary browsers before the patterns run. */
const MAY_BE_AGENT = /Bot|bot|-User|Agent/;

/** The operator and purpose a user agent claims, or `null`. */
export function claimedAgent(userAgent: string | null): { readonly operator: string; readonly purpose: AgentPurpose } | null {
  if (userAgent === null || userAgent.length > 1024 || !MAY_BE_AGENT.test(userAgent)) return null;
  for (const known of KNOWN_AGENTS) if (known.userAgent.test(userAgent)) return known;
  return null;
}
