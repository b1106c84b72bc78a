/**
 * An article's treatment: its own access, or what the site's matching rule made of it (free, a
 * registration wall, subscribers only with the entitlements it asks, an institution's network,
 * or a meter). The same for a reader's decision and for a gift's giver.
 */
import type { RuleSettings } from '../../options/settings.js';
import type { Reader } from '../../types.js';
import type { NormalizedArticle } from '../article.js';
import type { PolicyAccess, PolicyInput } from './policy.js';

/** What the policy reads of the treatment. */
export interface Treatment {
  readonly access: PolicyAccess;
  readonly requires: readonly string[];
  /** The rule that gave it, or `null`. */
  readonly rule: string | null;
  /** For `access: 'institution'`: the institution's name. */
  readonly institution: string | null;
}

/** The treatment `rule` (or none) gives `article`. */
export function treatmentOf(article: NormalizedArticle, rule: RuleSettings | null): Treatment {
  const treatment = rule?.treatment;
  if (rule === null || treatment === undefined)
    return { access: article.access, requires: article.requires, rule: null, institution: null };
  const name = rule.name;
  switch (treatment.kind) {
    case 'metered':
      return { access: article.access, requires: article.requires, rule: name, institution: null };
    case 'subscribers':
      return {
        access: 'subscribers',
        requires: treatment.entitlements.length > 0 ? treatment.entitlements : article.requires,
        rule: name,
        institution: null,
      };
    case 'institution':
      return { access: 'institution', requires: article.requires, rule: name, institution: treatment.institution };
    default:
      return { access: treatment.kind, requires: article.requires, rule: name, institution: null };
  }
}

/**
 * The article as `reader` would have it decided, without a meter, a crawler or a gift: what the
 * policy's `mayGive` asks of a gift's giver (`rule` is the rule matched for them).
 */
export function viewAs(article: NormalizedArticle, rule: RuleSettings | null, reader: Reader, registration: boolean): PolicyInput {
  const { access, requires, rule: name, institution } = treatmentOf(article, rule);
  // Written out, not spread: this runs on every gift opened.
  return {
    access,
    requires,
    rule: name,
    institution,
    reader,
    crawler: false,
    notPageView: null,
    registration,
    gift: null,
    readerUnavailable: false,
  };
}
