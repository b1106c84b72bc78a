/**
 * robots.txt from the site's agents policy: one group per AI user agent the policy names, with
 * Cloudflare's Content Signals (`Content-Signal: search=yes, ai-input=…, ai-train=…`) saying what
 * the site's policy lets it do with the content, `Disallow: /` where the policy refuses it, and
 * RSL's `License:` line pointing at the licence. The same configuration the decisions use, so
 * robots.txt never says one thing while the paywall does another.
 */
import type { AgentPolicy, AgentPurpose, AgentSet } from '../types.js';
import { settingsOf } from './define.js';
import { KNOWN_AGENTS } from './operators.js';
import { invalidOption } from '../errors.js';

/** Options of `robotsTxt`: the sitemap, and the rules for every other client. */
export interface RobotsTxtOptions {
  /** The sitemap's URL, written as `Sitemap:`. */
  readonly sitemap?: string;
  /** Lines for every other client (`User-agent: *`), e.g. `Disallow: /search`. @default ['Allow: /'] */
  readonly rules?: readonly string[];
}

/** Whether a policy lets a client use the content for its purpose (a paid one waits for the payment: `no`). */
const allows = (policy: AgentPolicy) => (policy === 'licensed' ? 'yes' : 'no');

/**
 * The site's robots.txt for its agents policy.
 *
 * @example
 * ```ts
 * import { defineAgents, robotsTxt } from 'meterwall/agents';
 * const agents = defineAgents({ operators: { openai: { directory: 'https://chatgpt.com', training: 'block', search: 'licensed' } }, license: { url: 'https://news.example/license.xml' } });
 * app.get('/robots.txt', () => new Response(robotsTxt(agents, { sitemap: 'https://news.example/sitemap.xml' }), { headers: { 'content-type': 'text/plain' } }));
 * ```
 */
export function robotsTxt(agents: AgentSet, options: RobotsTxtOptions = {}): string {
  const settings = settingsOf(agents);
  if (settings === undefined) throw invalidOption('agents', "must be made with defineAgents({...}) (imported from 'meterwall/agents')");
  const lines = ['# AI agents: what the site’s policy lets each do with its content (meterwall/agents).'];
  if (settings.license !== null) lines.push(`License: ${settings.license.url}`);
  for (const operator of settings.operators) {
    const tokens: Array<{ token: string; purpose: AgentPurpose }> = [
      ...KNOWN_AGENTS.filter((k) => k.operator === operator.name).map((k) => ({ token: k.token, purpose: k.purpose })),
      ...operator.userAgents.map((u) => ({ token: u.token, purpose: u.purpose })),
    ];
    for (const { token, purpose } of tokens) {
      const policy = operator.policy[purpose];
      const input = purpose === 'training' ? 'no' : allows(policy);
      const train = purpose === 'training' ? allows(policy) : allows(operator.policy.training);
      lines.push(
        '',
        `User-agent: ${token}`,
        `Content-Signal: search=yes, ai-input=${input}, ai-train=${train}`,
        policy === 'block' ? 'Disallow: /' : 'Allow: /',
      );
    }
  }
  lines.push('', 'User-agent: *', 'Content-Signal: search=yes, ai-input=no, ai-train=no', ...(options.rules ?? ['Allow: /']));
  if (options.sitemap !== undefined) lines.push('', `Sitemap: ${options.sitemap}`);
  return `${lines.join('\n')}\n`;
}
