/**
 * What the stages of a decision share: the paywall's settings, keys and features (one
 * `EngineContext` per paywall), and what one decision has gathered so far (a `Draft` per
 * request, which is also what the policy reads), so no stage passes the same values along
 * positionally.
 */
import type { AgentGrant, ClaimOnce } from '../../contracts/features.js';
import { onceClaimer } from './agent-claims.js';
import type { GiftTokens, ResolvedReader } from '../../contracts/features.js';
import type { Features } from '../../contracts/resolve.js';
import { PaywallError } from '../../errors.js';
import type { ResolvedOptions, VariantSettings } from '../../options/settings.js';
import { IN_PROCESS, type LocalStore } from '../../stores/memory.js';
import type {
  MeterPeriod,
  OpenedGift,
  MeterSnapshot,
  MeterStore,
  PaywallEvent,
  Reader,
  RequestLike,
  StoreClaim,
  StoreClaimResult,
  TraceEntry,
} from '../../types.js';
import { type MaybePromise, withTimeout } from '../../util/maybe-async.js';
import { createMeterCookieWriter } from '../cookies.js';
import { plainHttpHost, plainHttpWarning } from './plain-http.js';
import type { NormalizedArticle } from '../article.js';
import type { IdHasher } from '../hashing.js';
import type { Keyring } from '../keys.js';
import { type MeterWindow, STARTED_SPENT } from '../meter.js';
import type { MeterState, MeterTokens } from '../meter-token.js';
import type { PeriodRule } from '../period.js';
import type { NotPageView, PageViewSettings } from './page-view.js';
import type { DecidedOutcome, MeterInput, PolicyAccess, PolicyInput } from './policy.js';
import type { RequestFacts } from './request-facts.js';

/** The limits of one meter. */
export interface MeterLimits {
  readonly anonymous: number;
  readonly registered: number | null;
}

/** A reader's A/B variants: by experiment name (as decisions report them) and in experiment order. */
export interface Buckets {
  readonly names: Readonly<Record<string, string>>;
  readonly variants: readonly VariantSettings[];
}

/** The meter a request carried, ready to use. */
export interface PresentedMeter {
  readonly state: MeterState;
  /** Whether the cookie should be rewritten on a page view even if nothing is counted (a duplicate, or a rejected token beside a valid one). */
  readonly rewrite: boolean;
  /** Whether no valid meter was presented: this is a new meter. */
  readonly fresh: boolean;
}

/** An opened gift: what the decision reports, the trace's note, and the meter to write (with the browser's gift mark), if any. */
export interface GiftOpening {
  readonly gift: OpenedGift;
  readonly note: string;
  readonly write: MeterState | null;
}

/** Extra time a token outlives its period, for clocks that differ a little between servers. */
export const TOKEN_GRACE_MS = 5 * 60_000;

/** The settings a paywall decides on: its options, with the period rule and page-view detector built, and its features. */
export interface EngineSettings extends Omit<ResolvedOptions, 'period' | 'pageViews' | 'store'> {
  readonly period: PeriodRule;
  /** The rules of named meters with periods of their own. */
  readonly namedPeriods: ReadonlyMap<string, PeriodRule>;
  readonly pageViews: PageViewSettings;
  readonly features: Features;
}

/** One paywall's settings, keys and helpers, shared by every decision. */
export class EngineContext {
  readonly options: EngineSettings;
  readonly store: MeterStore;
  readonly keyring: Keyring;
  readonly tokens: MeterTokens;
  readonly hasher: IdHasher;
  /** Gift tokens, when gift links are on; else `null`. */
  readonly gifts: GiftTokens | null;
  /** The meter cookie's `Set-Cookie` for a signed token (its attributes from the options). */
  readonly meterCookieHeader: (token: string, maxAgeSeconds: number) => string;

  /** The store's synchronous face when it answers in this process (the memory store): no timeout timers, no promises. */
  readonly #local: LocalStore | undefined;
  /**
   * Meter cookies still to look at for plain http (plain-http.ts): 0 once warned, or when the
   * cookie is not `Secure`. A development host shows on its first; after the first 1,000 a paywall
   * stops looking, so a long-running server pays nothing for it.
   */
  #plainHttpChecks: number;

  constructor(options: EngineSettings, store: MeterStore, keyring: Keyring, tokens: MeterTokens, hasher: IdHasher) {
    this.options = options;
    this.store = store;
    this.#local = (store as { [IN_PROCESS]?: LocalStore })[IN_PROCESS];
    this.keyring = keyring;
    this.tokens = tokens;
    this.hasher = hasher;
    this.meterCookieHeader = createMeterCookieWriter(options.cookie);
    this.#plainHttpChecks = options.cookie.secure ? 1000 : 0;
    const gifts = options.features.gifts;
    this.gifts = gifts === null ? null : gifts.feature.tokens(keyring, { issuer: options.issuer, audience: options.audience });
  }

  /** Claims an AI agent's signature once (agent-claims.ts). */
  readonly claimOnce: ClaimOnce = onceClaimer(this);

  /** A store call, bounded by `failure.timeoutMs` (the error names `what`) unless the store is the in-memory one (no I/O, nothing to time out). */
  bounded<T>(call: Promise<T>, what: string): Promise<T> {
    return this.#local ? call : withTimeout(call, this.options.failure.timeoutMs, what);
  }

  /** `store.claimView`, synchronous with an in-process store, else bounded by the timeout; `null` without one. */
  claimView(key: string, presented: number, claim: StoreClaim): MaybePromise<StoreClaimResult> | null {
    if (this.#local) return this.#local.claimView(key, presented, claim);
    const { claimView } = this.store;
    return claimView ? this.bounded(claimView.call(this.store, key, presented, claim), 'store.claimView') : null;
  }

  /**
   * Before a meter cookie is set in answer to `request`: when the browser will refuse to store
   * it (a `Secure` cookie over plain http to a host that is not localhost), a loud warning and an
   * event, once per paywall. Checks nothing once warned, when the cookie is not `Secure`, or
   * after the first 1,000 cookies.
   */
  checkCookieOrigin(request: RequestLike): void {
    if (this.#plainHttpChecks === 0) return;
    this.#plainHttpChecks--;
    const host = plainHttpHost(request);
    if (host === null) return;
    this.#plainHttpChecks = 0;
    console.warn(plainHttpWarning(host, this.options.cookie.name));
    this.emit({ type: 'meter-cookie-dropped', host, cookie: this.options.cookie.name });
  }

  /** Reports an event; a handler that throws never breaks a reader's request. */
  emit(event: PaywallEvent): void {
    try {
      this.options.onEvent?.(this.options.enforce ? event : { ...event, shadow: true });
    } catch {
      // ignored
    }
  }

  /** Reports a store failure (a timeout keeps its own error). */
  storeFailed(cause: unknown): void {
    const error =
      cause instanceof PaywallError ? cause : new PaywallError('ERR_STORE_FAILED', 'meterwall: the meter store failed', { cause });
    this.emit({ type: 'store-error', error, policy: this.options.failure.mode });
  }

  /** When a meter last touched at `newest` (ms) stops mattering: the period's end, or the window after it. */
  meterEnd(window: MeterWindow, newest: number): number {
    const period = this.options.period;
    return window.end ?? newest + (period.kind === 'rolling' ? period.windowMs : 0);
  }

  /** The named meters with periods of their own (their rules, by meter name). */
  get namedPeriods(): ReadonlyMap<string, PeriodRule> {
    return this.options.namedPeriods;
  }

  /** The meter as the decision reports it (a meter started spent reads as its limit used). */
  snapshot(
    used: number,
    limit: number,
    window: MeterWindow,
    oldest: number | null,
    now: number,
    source: 'cookie' | 'store',
    period: MeterPeriod = this.options.period.description,
  ): MeterSnapshot {
    const resetsAt = window.end ?? this.meterEnd(window, oldest ?? now);
    const shown = used >= STARTED_SPENT ? Math.max(limit, used - STARTED_SPENT) : used;
    return {
      used: shown,
      limit,
      remaining: Math.max(0, limit - shown),
      resetsAt: new Date(resetsAt),
      source,
      period,
    };
  }
}

/** Where the meter stands once measured: the cookie's, the account's in the store, or the store down while failing closed. */
export type Measured =
  | { readonly kind: 'cookie'; readonly presented: PresentedMeter; readonly hash: string; readonly standing: MeterInput }
  | {
      readonly kind: 'account';
      readonly presented: PresentedMeter;
      readonly standing: MeterInput;
      readonly snapshot: MeterSnapshot;
      readonly mergeable: boolean;
    }
  | { readonly kind: 'unavailable'; readonly standing: MeterInput };

/**
 * What one decision has gathered so far, stage by stage. It is the policy's input too: the
 * treatment the rules gave, the reader, a verified crawler, an open gift.
 */
export class Draft implements PolicyInput {
  // The request (stage 0).
  readonly article: NormalizedArticle;
  readonly facts: RequestFacts;
  readonly now: number;
  readonly trace: TraceEntry[] = [];

  // Who is reading (stages 1 and 2).
  reader: Reader;
  readerUnavailable = false;
  crawler = false;
  /** A verified AI agent's grant by the site's policy (`null`: none, or the reader's own path decides). */
  agent: AgentGrant | null = null;

  // The treatment (stage 3): the article's own access, or what the site's rule made of it.
  access: PolicyAccess;
  requires: readonly string[];
  rule: string | null = null;
  institution: string | null = null;
  readonly registration: boolean;
  /** The meter counting this article: `'default'` (the site's) or a named meter, and its limits. */
  meter = 'default';
  limits: MeterLimits;
  /** The reader's experiment variants (experiment → variant), once the meter's reader is known. */
  buckets: Readonly<Record<string, string>> = NO_BUCKETS;

  // The meter (stages 4 and 5).
  /** The meter cookie as presented, read once (`null` until a stage asks). */
  presented: MaybePromise<PresentedMeter> | null = null;
  /** The fresh-meter cap's answer for a meter this request mints, asked once (`null` until asked). */
  capped: MaybePromise<boolean> | null = null;
  /** The window the counting meter counts in: the site's, or a named meter's own. */
  window: MeterWindow;
  /** The period the counting meter counts in, as decisions describe it. */
  period: MeterPeriod;
  /** For a named meter: the whole token from the projection the stages work on; `null` for the site's meter. */
  restore: ((view: MeterState) => MeterState) | null = null;
  /** A gift link that opened for this browser, with its giver's view (the policy checks it). */
  gift: { readonly note: string; readonly giver: PolicyInput } | null = null;
  opening: GiftOpening | null = null;
  /** The reader's A/B draw, once made. */
  drawn: Buckets | null = null;
  measured: Measured | null = null;
  /** The policy's last answer, and the standing it was asked about. */
  judgedStanding: MeterInput | null = null;
  judgedOutcome: DecidedOutcome | null = null;

  // The policy (stage 6) and the cookie (stage 7).
  outcome: DecidedOutcome | null = null;
  snapshot: MeterSnapshot | null = null;
  setCookie: string | null = null;

  constructor(
    article: NormalizedArticle,
    facts: RequestFacts,
    now: number,
    window: MeterWindow,
    period: MeterPeriod,
    limits: MeterLimits,
    registration: boolean,
    reader: Reader,
  ) {
    this.article = article;
    this.facts = facts;
    this.now = now;
    this.window = window;
    this.period = period;
    this.limits = limits;
    this.registration = registration;
    this.reader = reader;
    this.access = article.access;
    this.requires = article.requires;
  }

  get notPageView(): NotPageView | null {
    return this.facts.notPageView;
  }

  /** The reader as the trace and the policy see them (resolved by stage 1). */
  resolved(found: ResolvedReader, failClosed: boolean): void {
    this.reader = found.reader;
    this.readerUnavailable = found.unavailable === true && failClosed;
  }
}

const NO_BUCKETS: Readonly<Record<string, string>> = /* @__PURE__ */ Object.freeze({});
