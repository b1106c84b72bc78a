/**
 * What the stages of a decision share: the paywall's settings and keys (one `EngineContext`
 * per paywall), and what one decision has gathered so far (a `Draft` per request), so no stage
 * passes the same values along positionally.
 */
import { PaywallError } from '../../errors.js';
import { andThen, type MaybePromise, withTimeout } from '../../util/maybe-async.js';
import { IN_PROCESS, type LocalStore } from '../../stores/memory.js';
import type {
  ArticleAccess,
  Article,
  MeterPeriod,
  MeterSnapshot,
  MeterStore,
  PaywallEvent,
  StoreClaim,
  StoreClaimResult,
  TraceEntry,
} from '../../types.js';
import type { MeterState, MeterTokens } from '../meter-token.js';
import type { GiftTokens } from '../gift-token.js';
import { createMeterCookieWriter } from '../cookies.js';
import type { IdHasher } from '../hashing.js';
import type { Keyring } from '../keys.js';
import { newestView, type MeterWindow, windowAt } from '../meter.js';
import type { PolicyInput } from './policy.js';
import type { RequestFacts } from './request-facts.js';
import type { ResolvedOptions } from '../../options/settings.js';
import type { PeriodRule } from '../period.js';
import type { PageViewSettings } from './page-view.js';

/** Extra time a token outlives its period, for clocks that differ a little between servers. */
export const TOKEN_GRACE_MS = 5 * 60_000;
const ARTICLE_ACCESS = new Set<ArticleAccess>(['free', 'metered', 'subscribers']);
const EMPTY: readonly string[] = /* @__PURE__ */ Object.freeze([]);

/** An article with its defaults filled in. */
export interface NormalizedArticle {
  readonly id: string;
  readonly access: ArticleAccess;
  readonly requires: readonly string[];
  /** Whether the article set its own `access` or `requires` (then no rule applies to it). */
  readonly explicit: boolean;
  /** The facts rules look at. */
  readonly section: string | undefined;
  readonly tags: readonly string[];
  readonly type: string | undefined;
  /** `publishedAt` in ms, or `null`. */
  readonly publishedAt: number | null;
}

const invalid = (problem: string): PaywallError => new PaywallError('ERR_INVALID_ARTICLE', `meterwall: ${problem}`);

function timeOf(value: Date | string | undefined): number | null {
  if (value === undefined) return null;
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw invalid('article.publishedAt must be a Date or an ISO 8601 date string');
  return ms;
}

/** Validates the article argument (misuse rejects; any string id is accepted). */
export function normalizeArticle(article: Article): NormalizedArticle {
  if (article === null || typeof article !== 'object' || typeof article.id !== 'string') {
    throw new PaywallError('ERR_INVALID_ARTICLE', 'meterwall: decide() needs an article { id: string, access?, requires? }');
  }
  const access = article.access ?? 'metered';
  if (!ARTICLE_ACCESS.has(access))
    throw new PaywallError('ERR_INVALID_ARTICLE', `meterwall: article.access must be 'free', 'metered' or 'subscribers'`);
  const requires = article.requires ?? EMPTY;
  if (!Array.isArray(requires) || requires.some((r) => typeof r !== 'string')) {
    throw new PaywallError('ERR_INVALID_ARTICLE', 'meterwall: article.requires must be an array of strings');
  }
  const { section, type } = article;
  const tags = article.tags ?? EMPTY;
  if (section !== undefined && typeof section !== 'string') throw invalid('article.section must be a string');
  if (type !== undefined && typeof type !== 'string') throw invalid('article.type must be a string');
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string')) throw invalid('article.tags must be an array of strings');
  return {
    id: article.id,
    access,
    requires,
    explicit: article.access !== undefined || requires.length > 0,
    section,
    tags,
    type,
    publishedAt: timeOf(article.publishedAt),
  };
}

/** The settings a paywall decides on: its options, with the period rule and page-view detector built. */
export interface EngineSettings extends Omit<ResolvedOptions, 'period' | 'pageViews' | 'store'> {
  readonly period: PeriodRule;
  /** The rules of named meters with periods of their own. */
  readonly namedPeriods: ReadonlyMap<string, PeriodRule>;
  readonly pageViews: PageViewSettings;
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

  /** The store's synchronous face when it answers in this process (the memory store): no timeout timers, no promises. */
  readonly #local: LocalStore | undefined;
  readonly #setCookie: (value: string, maxAgeSeconds: number) => string;

  constructor(
    options: EngineSettings,
    store: MeterStore,
    keyring: Keyring,
    tokens: MeterTokens,
    hasher: IdHasher,
    gifts: GiftTokens | null = null,
  ) {
    this.options = options;
    this.store = store;
    this.#local = (store as { [IN_PROCESS]?: LocalStore })[IN_PROCESS];
    this.#setCookie = createMeterCookieWriter(options.cookie);
    this.keyring = keyring;
    this.tokens = tokens;
    this.hasher = hasher;
    this.gifts = gifts;
  }

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

  /** The meter as the decision reports it. */
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
    return {
      used,
      limit,
      remaining: Math.max(0, limit - used),
      resetsAt: new Date(resetsAt),
      source,
      period,
    };
  }

  /** The named meters with periods of their own (their rules, by meter name). */
  get namedPeriods(): ReadonlyMap<string, PeriodRule> {
    return this.options.namedPeriods;
  }

  /**
   * Signs a meter and builds its `Set-Cookie`, expiring with the meter. `cache: false` keeps the
   * token out of the verified-token cache (see `settleCookieMeter`).
   */
  meterCookie(state: MeterState, now: number, window: MeterWindow, cache = true): MaybePromise<string> {
    // A meter's `Set-Cookie` always carries the whole token: every meter, not one projection; it
    // lives as long as the latest of their periods (a named meter may count in a longer one).
    let end = Math.max(this.meterEnd(window, newestView(state) ?? now), windowAt(this.options.period, now).end ?? 0);
    for (const rule of this.options.namedPeriods.values()) end = Math.max(end, windowAt(rule, now).end ?? 0);
    return andThen(this.tokens.sign(state, now, end + TOKEN_GRACE_MS, cache), (token) => this.#setCookie(token, (end - now) / 1000));
  }
}

/** What one decision has gathered so far. */
export interface Draft {
  /** The meter counting this article: `'default'` (the site's) or a named meter. */
  readonly meter: string;
  /**
   * For a named meter: the whole token state from the projection the stages worked on (they see
   * only the named meter's articles); `null` for the site's meter.
   */
  restore: ((view: MeterState) => MeterState) | null;
  /** The reader's experiment variants (experiment → variant), once the meter's reader is known. */
  buckets: Readonly<Record<string, string>>;
  /** The period the counting meter counts in (a named meter may have its own), as decisions describe it. */
  period: MeterPeriod;
  readonly article: NormalizedArticle;
  readonly facts: RequestFacts;
  readonly input: PolicyInput;
  readonly trace: TraceEntry[];
  readonly now: number;
  /** The window the counting meter counts in: the site's, or a named meter's own. */
  window: MeterWindow;
}
