/**
 * The site's rules, tried in order against one request: the first whose conditions all hold
 * gives the article its treatment. Built once per paywall into a matcher that answers the
 * article's own conditions (section, type, tags) with one lookup each, as bit masks over the
 * rules, and tries the remaining conditions only on the rules still possible, the request's
 * last (the client's address and country, read through the trusted-hop reader, only when a rule
 * asks). So twenty rules cost a returning reader a few lookups, not twenty checks.
 */
import type { RuleMatcher } from '../../contracts/features.js';
import type { RuleConditionSettings, RuleSettings } from '../../options/settings.js';
import { inRange } from '../../util/ip.js';

type Mask = Uint32Array;

/** Which rules an article's value of one fact leaves possible. */
class FactMasks {
  /** Rules possible when the article's value is not one any rule names: those that do not ask. */
  readonly unnamed: Mask;
  readonly #byValue = new Map<string, Mask>();

  constructor(rules: readonly RuleSettings[], words: number, values: (when: RuleConditionSettings) => ReadonlySet<string> | null) {
    this.unnamed = new Uint32Array(words);
    rules.forEach((rule, i) => {
      const wanted = values(rule.when);
      if (wanted === null) setBit(this.unnamed, i);
      else for (const value of wanted) setBit(this.#masked(value, words), i);
    });
    // A rule that does not ask is possible whatever the value.
    for (const mask of this.#byValue.values()) for (let w = 0; w < words; w++) mask[w] = (mask[w] as number) | (this.unnamed[w] as number);
  }

  #masked(value: string, words: number): Mask {
    let mask = this.#byValue.get(value);
    if (mask === undefined) {
      mask = new Uint32Array(words);
      this.#byValue.set(value, mask);
    }
    return mask;
  }

  of(value: string | undefined): Mask {
    return value === undefined ? this.unnamed : (this.#byValue.get(value) ?? this.unnamed);
  }
}

function setBit(mask: Mask, i: number): void {
  mask[i >>> 5] = (mask[i >>> 5] as number) | (1 << (i & 31));
}

/** Whether the conditions besides section, type and tags hold. */
function restHolds(when: RuleConditionSettings, on: Parameters<RuleMatcher>[0]): boolean {
  if (when.newerThanMs !== null || when.olderThanMs !== null) {
    const published = on.article.publishedAt;
    if (published === null) return false;
    // Elapsed milliseconds: a day is 24 hours whatever the clocks do across a DST change.
    const age = on.now - published;
    if (when.newerThanMs !== null && !(age < when.newerThanMs)) return false;
    if (when.olderThanMs !== null && !(age >= when.olderThanMs)) return false;
  }
  if (when.reader !== null && !when.reader.has(on.reader.status)) return false;
  if (when.bucket !== null) {
    const variant = on.buckets?.[when.bucket.experiment];
    if (variant === undefined || !when.bucket.variants.has(variant)) return false;
  }
  if (when.entitlements !== null && !when.entitlements.every((e) => on.reader.entitlements.includes(e))) return false;
  // Where the request comes from, only as the trusted-hop reader found it.
  if (when.country !== null) {
    const country = on.request.country;
    if (country === null || !when.country.has(country)) return false;
  }
  if (when.network !== null) {
    const address = on.request.clientAddress;
    if (address === null || !when.network.some((range) => inRange(address, range))) return false;
  }
  return true;
}

/** Builds the matcher for `rules` (validated, in order). */
export function createRuleMatcher(rules: readonly RuleSettings[]): RuleMatcher {
  const words = Math.max(1, Math.ceil(rules.length / 32));
  const sections = new FactMasks(rules, words, (when) => when.section);
  const types = new FactMasks(rules, words, (when) => when.type);
  const tags = new FactMasks(rules, words, (when) => when.tag);
  // Whether each rule has conditions beyond the article's section, type and tags.
  const rest = rules.map(
    (rule) =>
      rule.when.newerThanMs !== null ||
      rule.when.olderThanMs !== null ||
      rule.when.reader !== null ||
      rule.when.entitlements !== null ||
      rule.when.country !== null ||
      rule.when.network !== null ||
      rule.when.bucket !== null,
  );
  const byTags = new Uint32Array(words); // scratch: matching is synchronous, so one buffer serves every call

  return (on) => {
    const { article } = on;
    const section = sections.of(article.section);
    const type = types.of(article.type);
    byTags.set(tags.unnamed);
    for (const tag of article.tags) {
      const mask = tags.of(tag);
      if (mask !== tags.unnamed) for (let w = 0; w < words; w++) byTags[w] = (byTags[w] as number) | (mask[w] as number);
    }
    for (let w = 0; w < words; w++) {
      let possible = (section[w] as number) & (type[w] as number) & (byTags[w] as number);
      while (possible !== 0) {
        const bit = 31 - Math.clz32(possible & -possible);
        possible &= possible - 1;
        const i = w * 32 + bit;
        const rule = rules[i] as RuleSettings;
        if (!rest[i] || restHolds(rule.when, on)) return rule;
      }
    }
    return null;
  };
}
