/**
 * What the rules look at besides the meter, for one request: the treatment the article gets
 * (its own access, or the matching rule's), the reader, a verified crawler, a gift link opened;
 * whether the request is a page view is asked of the facts only when it matters.
 */
import type { Reader } from '../../types.js';
import type { RuleSettings } from '../../options/settings.js';
import type { NormalizedArticle } from './context.js';
import type { NotPageView } from './page-view.js';
import type { PolicyAccess, PolicyInput } from './policy.js';
import type { ResolvedReader } from './readers.js';
import type { RequestFacts } from './request-facts.js';

/** What the rules look at besides the meter; whether the request is a page view is asked of the facts only when it matters. */
export class DecisionInput implements PolicyInput {
  readonly access: PolicyAccess;
  readonly rule: string | null;
  readonly institution: string | null;
  readonly requires: readonly string[];
  readonly reader: Reader;
  readonly crawler: boolean;
  readonly registration: boolean;
  readonly readerUnavailable: boolean;
  /** Set when a gift link opened the article (the trace's note). */
  gift: string | null = null;
  readonly #facts: RequestFacts;

  constructor(
    article: NormalizedArticle,
    rule: RuleSettings | null,
    resolved: ResolvedReader,
    crawler: boolean,
    registration: boolean,
    failClosed: boolean,
    facts: RequestFacts,
  ) {
    const treatment = rule?.treatment;
    this.rule = rule?.name ?? null;
    this.institution = treatment?.kind === 'institution' ? treatment.institution : null;
    this.access =
      treatment === undefined || treatment.kind === 'metered'
        ? article.access
        : treatment.kind === 'subscribers'
          ? 'subscribers'
          : treatment.kind;
    this.requires = treatment?.kind === 'subscribers' && treatment.entitlements.length > 0 ? treatment.entitlements : article.requires;
    this.reader = resolved.reader;
    this.crawler = crawler;
    this.registration = registration;
    this.readerUnavailable = resolved.unavailable === true && failClosed;
    this.#facts = facts;
  }

  get notPageView(): NotPageView | null {
    return this.#facts.notPageView;
  }
}
