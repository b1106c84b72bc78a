/**
 * The site's rules, tried in order against one request: the first whose conditions all hold
 * gives the article its treatment. The cheap facts (the article's, the reader's) are checked
 * before the request's (the client's address and country are read only when a rule asks), so
 * twenty rules cost a returning reader next to nothing.
 */
import type { RuleConditionSettings, RuleSettings } from '../../options/rules-options.js';
import type { Reader } from '../../types.js';
import { isUnder } from '../../util/hosts.js';
import { inRange } from '../../util/ip.js';
import type { NormalizedArticle } from './context.js';
import type { RequestFacts } from './request-facts.js';

/** What the conditions are checked against. */
export interface RuleFacts {
  readonly article: NormalizedArticle;
  readonly reader: Reader;
  readonly facts: RequestFacts;
  readonly now: number;
  /** The header the trusted proxy reports the country in (rules with `country` need it). */
  readonly countryHeader: string | undefined;
}

function someIn(values: readonly string[], wanted: ReadonlySet<string>): boolean {
  for (const value of values) if (wanted.has(value)) return true;
  return false;
}

/** Whether every condition of `when` holds. */
function holds(when: RuleConditionSettings, on: RuleFacts): boolean {
  const { article } = on;
  if (when.section !== undefined && (article.section === undefined || !when.section.has(article.section))) return false;
  if (when.type !== undefined && (article.type === undefined || !when.type.has(article.type))) return false;
  if (when.tag !== undefined && !someIn(article.tags, when.tag)) return false;
  if (when.newerThanMs !== undefined || when.olderThanMs !== undefined) {
    if (article.publishedAt === null) return false;
    // Elapsed milliseconds: a day is 24 hours whatever the clocks do across a DST change.
    const age = on.now - article.publishedAt;
    if (when.newerThanMs !== undefined && !(age < when.newerThanMs)) return false;
    if (when.olderThanMs !== undefined && !(age >= when.olderThanMs)) return false;
  }
  if (when.reader !== undefined && !when.reader.has(on.reader.status)) return false;
  if (when.entitlements !== undefined && !when.entitlements.every((e) => on.reader.entitlements.includes(e))) return false;
  if (when.referrer !== undefined) {
    const host = on.facts.refererHost;
    if (host === null || !when.referrer.some((domain) => isUnder(host, domain))) return false;
  }
  if (when.country !== undefined) {
    const reported = on.countryHeader === undefined ? null : on.facts.request.headers.get(on.countryHeader);
    if (reported === null || !when.country.has(reported.trim().toUpperCase())) return false;
  }
  if (when.network !== undefined) {
    const address = on.facts.clientAddress;
    if (address === null || !when.network.some((range) => inRange(address, range))) return false;
  }
  return true;
}

/** The first rule that matches, or `null`. */
export function matchRule(rules: readonly RuleSettings[], on: RuleFacts): RuleSettings | null {
  for (const rule of rules) if (rule.catchAll || holds(rule.when, on)) return rule;
  return null;
}
