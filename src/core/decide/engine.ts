/**
 * One decision, stage by stage: the request's facts → who is reading → which crawler (verified
 * or not) → the rules that need no meter → the meter (the cookie, or the account in the store)
 * → the rules on the meter → the decision and its cookie. Synchronous whenever every stage has
 * its answer at hand (a returning reader), a promise otherwise.
 */
import type { Article, DecideContext, Decision, MeterSnapshot, OpenedGift, Reader, RequestLike, TraceEntry } from '../../types.js';
import { andThen, type MaybePromise } from '../../util/maybe-async.js';
import { accountSnapshot, measureAccountMeter, signedInCookie } from './account-meter.js';
import { type EngineContext, normalizeArticle, type Draft, type NormalizedArticle } from './context.js';
import { measureCookieMeter, settleCookieMeter } from './cookie-meter.js';
import { checkCrawler, type CrawlerCheck } from './crawler.js';
import { decisionEvents, MeterDecision, type DecisionParts } from './decision.js';
import { windowAt } from '../meter.js';
import { DEFAULT_METER } from '../../options/rules-options.js';
import { evaluatePolicy, giftMatters, type DecidedOutcome } from './policy.js';
import { DecisionInput } from './decision-input.js';
import type { GiftHooks } from './gift-hooks.js';
import type { RuleMatcher } from './rules.js';
import { bucketKey, type Buckets, bucketsFor, limitsIn, type MeterLimits } from './buckets.js';
import { projected } from './named-view.js';
import { EXPLICIT, NO_RULE, ruleTrace } from './rule-trace.js';
import type { RuleSettings } from '../../options/settings.js';
import { presentedMeter, type PresentedMeter } from './presented-meter.js';
import { ANONYMOUS, type ReaderSource, type ResolvedReader } from './readers.js';
import { RequestFacts, type FactSettings } from './request-facts.js';

const NO_RESOLVER: ResolvedReader = /* @__PURE__ */ Object.freeze({ reader: ANONYMOUS, note: 'anonymous (no resolveReader)' });

const NO_BUCKETS: Readonly<Record<string, string>> = /* @__PURE__ */ Object.freeze({});

/** Decides for one paywall. */
export class Engine {
  readonly #ctx: EngineContext;
  readonly #readers: ReaderSource | null;
  /** Gift links' code (`defineGifts`), or `null` when they are off. */
  readonly #gifts: GiftHooks | null;
  readonly #facts: FactSettings;
  readonly #matchRule: RuleMatcher | null;
  readonly #siteLimits: MeterLimits;
  /** Whether a rule conditions on an A/B variant (the meter is then read before the rules). */
  readonly #rulesReadBuckets: boolean;
  /** Each rule's trace entry, made once. */
  readonly #ruleTraces: ReadonlyMap<RuleSettings, TraceEntry>;

  constructor(ctx: EngineContext, readers: ReaderSource | null, gifts: GiftHooks | null = null) {
    this.#ctx = ctx;
    this.#readers = readers;
    this.#gifts = gifts;
    this.#matchRule = ctx.options.ruleMatcher as RuleMatcher | null;
    this.#siteLimits = { anonymous: ctx.options.anonymousLimit, registered: ctx.options.registeredLimit };
    this.#rulesReadBuckets = ctx.options.rules.some((rule) => rule.when.bucket !== null);
    this.#ruleTraces = new Map(ctx.options.rules.map((rule) => [rule, Object.freeze(ruleTrace(rule))]));
    const o = ctx.options;
    const session = o.session?.cookie;
    const cookieNames = session === undefined ? ([o.cookie.name] as const) : ([o.cookie.name, session] as const);
    this.#facts = { cookieNames, proxy: o.proxy, pageViews: o.pageViews };
  }

  /** Who is reading `request`, as a decision finds it (an unverifiable session reads as anonymous). */
  readerFor(request: RequestLike): MaybePromise<Reader> {
    if (this.#readers === null) return ANONYMOUS;
    return andThen(this.#readers(new RequestFacts(request, undefined, this.#facts)), (found) =>
      found.unavailable === true ? ANONYMOUS : found.reader,
    );
  }

  /** Decides; throws (synchronously) only on a bad article. */
  decide(request: RequestLike, article: Article, context: DecideContext | undefined): MaybePromise<Decision> {
    const normalized = normalizeArticle(article);
    const now = this.#ctx.options.now();
    const facts = new RequestFacts(request, context, this.#facts);
    const found = this.#readers ? this.#readers(facts) : NO_RESOLVER;
    const crawler = checkCrawler(facts, this.#ctx.options.crawlers, (event) => this.#ctx.emit(event));
    return andThen(found, (resolved) =>
      crawler === null
        ? this.#decideFor(normalized, facts, now, resolved, null)
        : andThen(crawler, (check) => this.#decideFor(normalized, facts, now, resolved, check)),
    );
  }

  #decideFor(
    article: NormalizedArticle,
    facts: RequestFacts,
    now: number,
    resolved: ResolvedReader,
    crawler: CrawlerCheck | null,
  ): MaybePromise<Decision> {
    if (!this.#rulesReadBuckets || article.explicit) return this.#decideWith(article, facts, now, resolved, crawler, null);
    // A rule asks for the reader's A/B variant: read the meter first (its reader id is what an
    // anonymous reader is bucketed by), then match the rules with the variants known.
    const ctx = this.#ctx;
    const trace: TraceEntry[] = [];
    const early = { facts, now, window: windowAt(ctx.options.period, now), trace } as unknown as Draft;
    return andThen(presentedMeter(ctx, early), (whole) =>
      andThen(bucketsFor(ctx, ctx.options.experiments, bucketKey(resolved.reader, whole)), (buckets) =>
        this.#decideWith(article, facts, now, resolved, crawler, { whole, buckets, trace }),
      ),
    );
  }

  #decideWith(
    article: NormalizedArticle,
    facts: RequestFacts,
    now: number,
    resolved: ResolvedReader,
    crawler: CrawlerCheck | null,
    early: { readonly whole: PresentedMeter; readonly buckets: Buckets; readonly trace: readonly TraceEntry[] } | null,
  ): MaybePromise<Decision> {
    const ctx = this.#ctx;
    const o = ctx.options;
    const match = this.#matchRule;
    const rule =
      match === null || article.explicit
        ? null
        : match({
            article,
            reader: resolved.reader,
            facts,
            now,
            countryHeader: o.proxy?.countryHeader,
            buckets: early?.buckets.names ?? null,
          });
    const input = new DecisionInput(
      article,
      rule,
      resolved,
      crawler?.verified === true,
      o.registeredLimit !== null,
      o.failure.mode === 'closed',
      facts,
    );
    const trace: TraceEntry[] = [
      { rule: 'reader', matched: input.reader.status !== 'anonymous' || resolved.unavailable === true, note: resolved.note },
    ];
    if (match !== null) trace.push(article.explicit ? EXPLICIT : rule === null ? NO_RULE : (this.#ruleTraces.get(rule) as TraceEntry));
    if (crawler !== null) trace.push({ rule: 'client', matched: crawler.verified, note: crawler.note });
    if (early !== null) trace.push(...early.trace);
    const meter = rule?.treatment.kind === 'metered' ? rule.treatment.meter : DEFAULT_METER;
    const limits = meter === DEFAULT_METER ? this.#siteLimits : (o.namedMeters.get(meter) as MeterLimits);
    const draft: Draft = {
      meter,
      restore: null,
      buckets: NO_BUCKETS,
      article,
      facts,
      input,
      trace,
      now,
      window: windowAt(o.period, now),
      period: o.period.description,
    };

    const hooks = this.#gifts;
    const gift = hooks === null || o.gifts === null ? null : hooks.parameter(facts.request.url, o.gifts.param);
    if (gift !== null && giftMatters(input)) {
      // A gift link, where it can matter: opened, it decides; refused, the decision goes on.
      return andThen(early?.whole ?? presentedMeter(ctx, draft), (whole) =>
        andThen((hooks as GiftHooks).open(ctx, draft, gift, whole), (opening) => {
          if (opening === null) return this.#route(draft, meter, limits, whole, early?.buckets ?? null);
          input.gift = opening.note;
          return this.#finish(draft, evaluatePolicy(input, null) as DecidedOutcome, null, opening.setCookie, opening.gift);
        }),
      );
    }
    return this.#route(draft, meter, limits, early?.whole ?? null, early?.buckets ?? null);
  }

  /** After the gift: the reader or the crawler decides, or the meter (the site's or a named one). */
  #route(
    draft: Draft,
    meter: string,
    limits: MeterLimits,
    known: MaybePromise<PresentedMeter> | null,
    knownBuckets: Buckets | null,
  ): MaybePromise<Decision> {
    const ctx = this.#ctx;
    const o = ctx.options;
    const { input, facts, trace } = draft;
    const present = (): MaybePromise<PresentedMeter> => known ?? presentedMeter(ctx, draft);
    // Only a verified crawler, an unknown reader failing closed or an account can be decided
    // before the meter; an anonymous reader (most requests) goes straight to the meter.
    const first = input.crawler || input.readerUnavailable || input.reader.status !== 'anonymous' ? evaluatePolicy(input, null) : null;
    if (
      first !== null &&
      !first.needsMeter &&
      (first.reason === 'crawler' || first.reason === 'session-unavailable' || input.reader.status === 'subscriber')
    ) {
      const finish = (setCookie: string | null): Decision => this.#finish(draft, first, null, setCookie);
      // A subscriber's browser is marked as signed in, so signing out hands out no anonymous
      // allowance; a gift it opened is credited with the subscription.
      const gifts = this.#gifts;
      if (input.reader.status !== 'subscriber' || (o.registeredLimit === null && gifts === null)) return finish(null);
      return andThen(present(), (presented) => {
        const upgraded = gifts === null ? null : gifts.upgrade(ctx, draft, presented);
        if (o.registeredLimit !== null) return andThen(signedInCookie(ctx, draft, upgraded ?? presented), finish);
        return upgraded === null ? finish(null) : andThen(ctx.meterCookie(upgraded.state, draft.now, draft.window), finish);
      });
    }
    const counting = first?.needsMeter === true && facts.notPageView === null;
    return andThen(present(), (whole) => {
      const presented = meter === DEFAULT_METER ? whole : projected(draft, whole, meter, ctx.namedPeriods.get(meter));
      if (o.experiments.length === 0) return this.#metered(draft, presented, limits, counting);
      return andThen(knownBuckets ?? bucketsFor(ctx, o.experiments, bucketKey(input.reader, whole)), (buckets) => {
        draft.buckets = buckets.names;
        const set = limitsIn(buckets.variants, meter, limits);
        const names = Object.entries(buckets.names).map(([experiment, variant]) => `${experiment}: ${variant}`);
        trace.push({
          rule: 'experiment',
          matched: set !== limits,
          note: `${names.join(', ')}${set !== limits ? ` (limits ${set.anonymous}${set.registered === null ? '' : ` / ${set.registered}`})` : ''}`,
        });
        return this.#metered(draft, presented, set, counting);
      });
    });
  }

  /** The meter decides: the account's for a registered reader (where an allowance exists), else the cookie's. */
  #metered(draft: Draft, meter: PresentedMeter, limits: MeterLimits, counting: boolean): MaybePromise<Decision> {
    // A registered reader whose browser opened a gift: the upgrade is reported, the mark moved on.
    const presented = (draft.input.reader.status === 'registered' && this.#gifts?.upgrade(this.#ctx, draft, meter)) || meter;
    if (draft.input.reader.status === 'registered' && limits.registered !== null) {
      // A view that may count needs one atomic round trip (record); anything else only reads (peek).
      return this.#account(draft, presented, limits.registered, counting);
    }
    return this.#cookie(draft, presented, limits.anonymous, true);
  }

  #cookie(draft: Draft, presented: PresentedMeter, limit: number, guard: boolean): MaybePromise<Decision> {
    return andThen(measureCookieMeter(this.#ctx, draft, presented, limit, guard), (meter) => {
      const outcome = meter.outcome ?? evaluatePolicy(draft.input, meter.standing);
      return andThen(settleCookieMeter(this.#ctx, draft, meter, outcome), (settled) =>
        this.#finish(draft, outcome, settled.meter, settled.setCookie),
      );
    });
  }

  async #account(draft: Draft, presented: PresentedMeter, limit: number, counting: boolean): Promise<Decision> {
    const ctx = this.#ctx;
    const meter = await measureAccountMeter(ctx, draft, presented, limit, counting);
    if (meter.kind === 'cookie') {
      const outcome = meter.cookie.outcome ?? evaluatePolicy(draft.input, meter.cookie.standing);
      const settled = await settleCookieMeter(ctx, draft, meter.cookie, outcome);
      return this.#finish(draft, outcome, settled.meter, settled.setCookie);
    }
    const outcome = evaluatePolicy(draft.input, meter.standing);
    if (meter.kind === 'unavailable') return this.#finish(draft, outcome, null, null);
    const snapshot = accountSnapshot(ctx, draft, meter);
    // Merged once: the browser's meter is marked so it is never merged again, and kept, marked as
    // signed in, so signing out does not hand out a fresh anonymous allowance.
    const setCookie = await signedInCookie(ctx, draft, meter.presented, meter.mergeable);
    return this.#finish(draft, outcome, snapshot, setCookie);
  }

  #finish(
    draft: Draft,
    outcome: DecidedOutcome,
    meter: MeterSnapshot | null,
    setCookie: string | null,
    gift: OpenedGift | null = null,
  ): Decision {
    const o = this.#ctx.options;
    const parts: DecisionParts = {
      access: outcome.access,
      reason: outcome.reason,
      reader: draft.input.reader,
      meter,
      counted: outcome.count && meter !== null,
      trace: draft.trace.concat(outcome.trace),
      setCookie,
      variantHeader: o.cdn.enabled ? o.cdn.header : null,
      rule: draft.input.rule,
      buckets: draft.buckets,
      institution: outcome.reason === 'institution' ? draft.input.institution : null,
      gift,
    };
    if (o.onEvent)
      decisionEvents(
        draft.article.id,
        parts,
        outcome.reason === 'not-counted' || outcome.reason === 'institution' ? draft.facts.notPageView : null,
        (event) => this.#ctx.emit(event),
      );
    // Shadow mode: the meter moved as it would have; the page shows everything, and says what it would not have.
    if (!o.enforce)
      return new MeterDecision({ ...parts, access: 'full', reason: 'shadow', wouldBe: { access: parts.access, reason: parts.reason } });
    return new MeterDecision(parts);
  }
}
