/**
 * One decision, as an ordered list of stages over one draft (`#stages` below, read top to
 * bottom): the request's facts → who is reading → which crawler → the article's treatment → a
 * gift link → the meter → the policy → the meter cookie. Each stage reads what the ones before it
 * put on the draft and adds its own; features take part only through their typed contracts.
 * Synchronous whenever every stage has its answer at hand (a returning reader), a promise
 * otherwise.
 *
 * Where each promise is kept, once for every path:
 * - the policy (`#judge`, policy.ts) is the only place access is granted: every full read passes
 *   the article's treatment and entitlements, a gift's included (`mayGive`);
 * - the fresh-meter cap: every meter this request mints passes it in the one writer of the meter
 *   cookie (meter-cookie.ts), and is asked before the decision wherever the decision depends on it;
 * - where a request comes from (address, country) is read through the one trusted-hop reader
 *   (client-address.ts), by the request's facts;
 * - every budget in the cookie is claimed in the store before it is spent (cookie-meter.ts).
 *
 * Over 300 lines: the stages are one list, in one file, so what a decision does reads top to
 * bottom; what each stage calls lives in a module of its own.
 */
import type { GiverGrant, ReaderSource, RulesFeature } from '../../contracts/features.js';
import { DEFAULT_METER } from '../../options/rules-options.js';
import type { RuleSettings } from '../../options/settings.js';
import type { Article, DecideContext, Decision, PaywallEvent, Reader, RequestLike, TraceEntry } from '../../types.js';
import { andThen, isPromiseLike, type MaybePromise } from '../../util/maybe-async.js';
import { type NormalizedArticle, normalizeArticle } from '../article.js';
import { windowAt } from '../meter.js';
import { type AccessLogFields, accessLogFields } from './access-log.js';
import { measureAccountMeter } from './account-meter.js';
import { type Buckets, bucketKey, bucketsFor, limitsIn, type MeterLimits } from './buckets.js';
import { Draft, type EngineContext } from './context.js';
import { type Judge, measureCookieMeter } from './cookie-meter.js';
import { checkCrawler } from './crawler.js';
import { decisionOf } from './decision.js';
import { admitted } from './fresh-meters.js';
import { giftUpgrade, openGift } from './gift-open.js';
import { meterToWrite, writeMeter } from './meter-cookie.js';
import { projected } from './named-view.js';
import {
  type DecidedOutcome,
  evaluatePolicy,
  giftMatters,
  mayGive,
  type MeterInput,
  type PolicyInput,
  type PolicyOutcome,
} from './policy.js';
import { type PresentedMeter, presentedMeter } from './presented-meter.js';
import { ANONYMOUS } from './readers.js';
import { type FactSettings, RequestFacts } from './request-facts.js';
import { EXPLICIT, NO_RULE, ruleTrace } from './rule-trace.js';
import { treatmentOf, viewAs } from './treatment.js';

type Stage = (draft: Draft) => MaybePromise<void>;

const NO_READER: TraceEntry = /* @__PURE__ */ Object.freeze({ rule: 'reader', matched: false, note: 'anonymous (no resolveReader)' });
/** A standing no path reaches (the policy stage always has a meter or an earlier answer): the wall, never the text. */
const UNMEASURED: MeterInput = /* @__PURE__ */ Object.freeze({ used: 0, limit: 0, read: false, unavailable: true });

/** Decides for one paywall. */
export class Engine {
  readonly #ctx: EngineContext;
  readonly #readers: ReaderSource | null;
  readonly #facts: FactSettings;
  readonly #rules: RulesFeature | null;
  /** Each rule's trace entry and treatment, made once. */
  readonly #ruleTraces: ReadonlyMap<RuleSettings, TraceEntry>;
  /** Whether a rule conditions on an A/B variant (the meter is then read before the rules). */
  readonly #rulesReadBuckets: boolean;
  /** The entitlements a treatment may ask for (beside an article's own): what a gift carries of its giver's. */
  readonly #treatmentEntitlements: ReadonlySet<string>;
  readonly #siteLimits: MeterLimits;
  readonly #emit: (event: PaywallEvent) => void;

  /** The stages of a decision, in order. */
  readonly #stages: readonly Stage[] = [
    (draft) => this.#reader(draft), // 1. who is reading: the session, or the site's resolveReader
    (draft) => this.#client(draft), // 2. a search crawler's claim, verified by its address
    (draft) => this.#treatment(draft), // 3. the article's treatment: its own access, or the site's first matching rule
    (draft) => this.#gift(draft), // 4. a gift link for this article: verified, within what its giver may read, under its cap
    (draft) => this.#meter(draft), // 5. the meter: the cookie's (past the fresh-meter cap, claimed in the store), or the account's
    (draft) => this.#policy(draft), // 6. the policy, once: access and reason
    (draft) => this.#cookie(draft), // 7. the meter cookie, from its one writer
  ];

  constructor(ctx: EngineContext, readers: ReaderSource | null) {
    this.#ctx = ctx;
    this.#readers = readers;
    this.#emit = (event) => ctx.emit(event);
    const o = ctx.options;
    const rules = o.features.rules;
    this.#rules = rules;
    this.#siteLimits = { anonymous: o.anonymousLimit, registered: o.registeredLimit };
    this.#rulesReadBuckets = rules?.rules.some((rule) => rule.when.bucket !== null) ?? false;
    this.#ruleTraces = new Map((rules?.rules ?? []).map((rule) => [rule, Object.freeze(ruleTrace(rule))]));
    this.#treatmentEntitlements = new Set(
      (rules?.rules ?? []).flatMap((rule) => (rule.treatment.kind === 'subscribers' ? rule.treatment.entitlements : [])),
    );
    const session = o.features.session?.settings.cookie;
    this.#facts = {
      meterCookie: o.cookie.name,
      sessionCookie: session,
      proxy: o.proxy,
      pageViews: o.pageViews,
      giftParam: o.features.gifts?.settings.param ?? null,
    };
  }

  /** Decides; throws (synchronously) only on a bad article. */
  decide(request: RequestLike, article: Article, context: DecideContext | undefined): MaybePromise<Decision> {
    const draft = this.#draft(request, normalizeArticle(article), context); // 0. the request's facts, read lazily
    const ran = this.#run(draft, 0);
    return isPromiseLike(ran) ? Promise.resolve(ran).then(() => this.#decision(draft)) : this.#decision(draft);
  }

  #run(draft: Draft, from: number): MaybePromise<void> {
    const stages = this.#stages;
    for (let i = from; i < stages.length; i++) {
      const done = (stages[i] as Stage)(draft);
      if (isPromiseLike(done)) return Promise.resolve(done).then(() => this.#run(draft, i + 1));
    }
  }

  #draft(request: RequestLike, article: NormalizedArticle, context: DecideContext | undefined): Draft {
    const o = this.#ctx.options;
    const now = o.now();
    const facts = new RequestFacts(request, context, this.#facts);
    return new Draft(
      article,
      facts,
      now,
      windowAt(o.period, now),
      o.period.description,
      this.#siteLimits,
      o.registeredLimit !== null,
      ANONYMOUS,
    );
  }

  // 1. Who is reading.
  #reader(draft: Draft): MaybePromise<void> {
    const readers = this.#readers;
    if (readers === null) return void draft.trace.push(NO_READER);
    return andThen(readers(draft.facts), (found) => {
      draft.resolved(found, this.#ctx.options.failure.mode === 'closed');
      draft.trace.push({ rule: 'reader', matched: found.reader.status !== 'anonymous' || found.unavailable === true, note: found.note });
    });
  }

  // 2. A crawler's claim, verified (never a user agent alone); an AI agent's, verified, and its grant.
  #client(draft: Draft): MaybePromise<void> {
    const ctx = this.#ctx;
    const check = checkCrawler(draft.facts, ctx.options.crawlers, this.#emit);
    const crawler =
      check === null
        ? undefined
        : andThen(check, (checked) => {
            draft.crawler = checked.verified;
            draft.trace.push({ rule: 'client', matched: checked.verified, note: checked.note });
          });
    const agents = ctx.options.features.agents;
    if (agents === null || !agents.mayBeAgent(draft.facts.request, draft.facts.userAgent)) return crawler;
    return andThen(crawler, () =>
      agents.check(draft.facts.request, draft.facts.clientAddress, draft.now, ctx.claimOnce).then((checked) => {
        if (checked === null) return;
        draft.trace.push({ rule: 'agent', matched: checked.verified, note: checked.note });
        if (!checked.verified) return;
        return andThen(agents.grant(checked, draft.reader, draft.article, draft.facts.request), (grant) => {
          draft.agent = grant;
        });
      }),
    );
  }

  // 3. The article's treatment.
  #treatment(draft: Draft): MaybePromise<void> {
    if (this.#rules === null) return;
    if (draft.article.explicit) return void draft.trace.push(EXPLICIT);
    if (!this.#rulesReadBuckets) return this.#match(draft, null);
    // A rule asks for the reader's A/B variant: the meter first (an anonymous reader is bucketed
    // by its meter's id, a new meter past the fresh-meter cap), then the rules with the variants known.
    return andThen(this.#present(draft), (whole) => andThen(this.#bucketsOf(draft, whole), (buckets) => this.#match(draft, buckets)));
  }

  #match(draft: Draft, buckets: Buckets | null): void {
    const rule = this.#matchFor(draft, draft.reader, buckets);
    draft.trace.push(rule === null ? NO_RULE : (this.#ruleTraces.get(rule) ?? ruleTrace(rule)));
    if (rule === null) return;
    draft.rule = rule.name;
    const then = rule.treatment;
    if (then.kind === 'metered') {
      // The article's own access on a meter (the most common rule, the catch-all): nothing else changes.
      const named = then.meter === DEFAULT_METER ? undefined : this.#ctx.options.namedMeters.get(then.meter);
      if (named !== undefined) {
        draft.meter = then.meter;
        draft.limits = named;
      }
      return;
    }
    const treatment = treatmentOf(draft.article, rule);
    draft.access = treatment.access;
    draft.requires = treatment.requires;
    draft.institution = treatment.institution;
  }

  #matchFor(draft: Draft, reader: Reader, buckets: Buckets | null): RuleSettings | null {
    const rules = this.#rules;
    if (rules === null || draft.article.explicit) return null;
    return rules.match({ article: draft.article, reader, request: draft.facts, now: draft.now, buckets: buckets?.names ?? null });
  }

  // 4. A gift link, where it can matter: opened, it decides (the meter untouched); refused, the decision goes on.
  #gift(draft: Draft): MaybePromise<void> {
    const ctx = this.#ctx;
    const tokens = ctx.gifts;
    const token = tokens === null ? null : draft.facts.giftToken;
    if (tokens === null || token === null || !giftMatters(draft)) return;
    const giverView = (grant: GiverGrant): PolicyInput => this.#giverView(draft, grant);
    return andThen(this.#present(draft), (whole) =>
      andThen(
        openGift(ctx, draft, tokens, token, whole, (claims) => giverView(claims.grant)),
        (opening) => {
          if (opening === null) return;
          draft.opening = opening;
          draft.gift = { note: opening.note, giver: opening.giver };
        },
      ),
    );
  }

  /** The article as its giver would have it decided on this request: their treatment (the rules matched for them), status and entitlements. */
  #giverView(draft: Draft, grant: GiverGrant): PolicyInput {
    const reader: Reader = { status: grant.status, entitlements: grant.entitlements };
    return viewAs(draft.article, this.#matchFor(draft, reader, null), reader, draft.registration);
  }

  // 5. The meter, unless the policy decides without it.
  #meter(draft: Draft): MaybePromise<void> {
    // Only a gift, a verified crawler, an unknown reader failing closed or an account can be decided
    // before the meter; an anonymous reader (most requests) goes straight to it.
    const before =
      draft.gift !== null || draft.crawler || draft.agent !== null || draft.readerUnavailable || draft.reader.status !== 'anonymous'
        ? this.#judgeWithout(draft)
        : null;
    if (
      before !== null &&
      !before.needsMeter &&
      (draft.gift !== null ||
        before.reason === 'crawler' ||
        draft.agent !== null ||
        before.reason === 'session-unavailable' ||
        draft.reader.status === 'subscriber')
    ) {
      draft.outcome = before;
      return;
    }
    const counting = before?.needsMeter === true && draft.facts.notPageView === null;
    const whole = this.#present(draft);
    return isPromiseLike(whole) ? whole.then((w) => this.#measure(draft, w, counting)) : this.#measure(draft, whole, counting);
  }

  #measure(draft: Draft, whole: PresentedMeter, counting: boolean): MaybePromise<void> {
    const presented = draft.meter === DEFAULT_METER ? whole : projected(draft, whole, draft.meter, this.#ctx.namedPeriods.get(draft.meter));
    const limits = this.#limits(draft, whole);
    if (isPromiseLike(limits)) return limits.then((set) => this.#measureWith(draft, presented, set, counting));
    return this.#measureWith(draft, presented, limits, counting);
  }

  #measureWith(draft: Draft, presented: PresentedMeter, limits: MeterLimits, counting: boolean): MaybePromise<void> {
    // A registered reader whose browser opened a gift: the upgrade is reported, the mark moved on.
    const registered = draft.reader.status === 'registered';
    const meter = (registered && this.#upgrade(draft, presented)) || presented;
    const measured =
      registered && limits.registered !== null
        ? // A view that may count needs one atomic round trip (record); anything else only reads (peek).
          measureAccountMeter(this.#ctx, draft, meter, limits.registered, counting, this.#judgeFor)
        : measureCookieMeter(this.#ctx, draft, meter, limits.anonymous, true, this.#judgeFor);
    if (!isPromiseLike(measured)) {
      draft.measured = measured;
      return;
    }
    return measured.then((done) => {
      draft.measured = done;
    });
  }

  // 6. The policy: the access and reason, once.
  #policy(draft: Draft): void {
    draft.outcome ??= this.#judge(draft, draft.measured?.standing ?? UNMEASURED);
  }

  // 7. The meter cookie: what the decision leaves to write, through the one writer.
  #cookie(draft: Draft): MaybePromise<void> {
    const outcome = draft.outcome ?? this.#judge(draft, UNMEASURED);
    const write = meterToWrite(this.#ctx, draft, outcome, () => this.#present(draft));
    if (write === null) return;
    return andThen(write, (chosen) => {
      if (chosen === null) return;
      return andThen(writeMeter(this.#ctx, draft, chosen.state, chosen.fresh), (setCookie) => {
        draft.setCookie = setCookie;
      });
    });
  }

  #upgrade(draft: Draft, presented: PresentedMeter): PresentedMeter | null {
    return this.#ctx.gifts === null ? null : giftUpgrade(this.#ctx, draft, presented);
  }

  /** The meter cookie as presented, read once; a meter this request mints, past the fresh-meter cap where the decision depends on it. */
  #present(draft: Draft): MaybePromise<PresentedMeter> {
    if (draft.presented !== null) return draft.presented;
    const read = presentedMeter(this.#ctx, draft);
    draft.presented = isPromiseLike(read) ? read.then((presented) => this.#admit(draft, presented)) : this.#admit(draft, read);
    return draft.presented;
  }

  /**
   * A new anonymous reader's page view may count a view or draw an A/B arm: the fresh-meter cap
   * decides first. (Whatever else mints a meter meets the cap in the writer.)
   */
  #admit(draft: Draft, presented: PresentedMeter): MaybePromise<PresentedMeter> {
    if (!presented.fresh || draft.reader.status !== 'anonymous' || draft.facts.notPageView !== null) return presented;
    if (this.#ctx.options.features.experiments.length === 0 && draft.access !== 'metered') return presented;
    return admitted(this.#ctx, draft, presented);
  }

  #bucketsOf(draft: Draft, whole: PresentedMeter): MaybePromise<Buckets> {
    if (draft.drawn !== null) return draft.drawn;
    return andThen(
      bucketsFor(this.#ctx, this.#ctx.options.features.experiments, bucketKey(draft.reader, whole, draft.facts.notPageView === null)),
      (buckets) => {
        draft.drawn = buckets;
        draft.buckets = buckets.names;
        return buckets;
      },
    );
  }

  /** The counting meter's limits, as the reader's A/B variants set them. */
  #limits(draft: Draft, whole: PresentedMeter): MaybePromise<MeterLimits> {
    const base = draft.limits;
    if (this.#ctx.options.features.experiments.length === 0) return base;
    return andThen(this.#bucketsOf(draft, whole), (buckets) => {
      const set = limitsIn(buckets.variants, draft.meter, base);
      const names = Object.entries(buckets.names).map(([experiment, variant]) => `${experiment}: ${variant}`);
      const limits = set !== base ? ` (limits ${set.anonymous}${set.registered === null ? '' : ` / ${set.registered}`})` : '';
      draft.trace.push({ rule: 'experiment', matched: set !== base, note: `${names.join(', ')}${limits}` });
      return set;
    });
  }

  /** The policy before the meter: decided, or waiting for it. */
  #judgeWithout(draft: Draft): PolicyOutcome {
    return evaluatePolicy(draft, null);
  }

  /** The policy on a standing of the meter, memoized per standing (measuring asks first, the policy stage last). */
  #judge(draft: Draft, standing: MeterInput): DecidedOutcome {
    if (draft.judgedStanding === standing && draft.judgedOutcome !== null) return draft.judgedOutcome;
    const outcome = evaluatePolicy(draft, standing);
    draft.judgedStanding = standing;
    draft.judgedOutcome = outcome;
    return outcome;
  }

  /** `#judge` as the meter's modules ask it (made once). */
  readonly #judgeFor: Judge = (draft, standing) => this.#judge(draft, standing);

  /** The decision from the draft, and its events. */
  #decision(draft: Draft): Decision {
    const giftLink = this.#facts.giftParam !== null && draft.facts.giftToken !== null;
    return decisionOf(draft, draft.outcome ?? this.#judge(draft, UNMEASURED), this.#ctx.options, giftLink, this.#emit);
  }

  /** The access log fields of `decision`, made for `request` (access-log.ts). */
  accessLogFields(request: RequestLike, decision: Decision, context: DecideContext | undefined): MaybePromise<AccessLogFields> {
    return accessLogFields(this.#ctx, new RequestFacts(request, context, this.#facts), decision);
  }

  /** Who is reading `request`, as a decision finds it (an unverifiable session reads as anonymous). */
  readerFor(request: RequestLike): MaybePromise<Reader> {
    const readers = this.#readers;
    if (readers === null) return ANONYMOUS;
    return andThen(readers(new RequestFacts(request, undefined, this.#facts)), (found) =>
      found.unavailable === true ? ANONYMOUS : found.reader,
    );
  }

  /**
   * What a gift of `article` by `reader` may carry, or `null` when they may not read it in full
   * themselves as `request` would be decided for them (the policy's `mayGive`).
   */
  grantOf(request: RequestLike, article: Article, reader: Reader): GiverGrant | null {
    if (reader.status === 'anonymous') return null;
    const draft = this.#draft(request, normalizeArticle(article), undefined);
    if (!mayGive(viewAs(draft.article, this.#matchFor(draft, reader, null), reader, draft.registration))) return null;
    const asked = new Set([...draft.article.requires, ...this.#treatmentEntitlements]);
    return { status: reader.status, entitlements: reader.entitlements.filter((e) => asked.has(e)) };
  }
}
