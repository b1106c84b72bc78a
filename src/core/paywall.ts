/**
 * `createPaywall()`: resolves options once, imports keys once, and orchestrates each decision:
 * who is reading, which meter applies, what the rules say, and what to send back.
 */
import type { ArticleMetadata } from '../content/structured-data.js';
import type { RenderCallOptions, Rendered } from '../content/render.js';
import { PaywallError, invalidOption } from '../errors.js';
import type {
  Access,
  Article,
  DecideContext,
  ArticleAccess,
  Decision,
  DecisionReason,
  MeterSnapshot,
  MeterStore,
  PaywallEvent,
  PaywallOptions,
  Reader,
  RequestLike,
  StoreRecordResult,
  StoreSnapshot,
  TraceEntry,
  Variant,
} from '../types.js';
import { toBase64Url, utf8 } from './encoding.js';
import { meterSetCookie, readCookieValues } from './cookies.js';
import { createIdHasher, type IdHasher } from './hashing.js';
import { importKeyring, type Keyring } from './keys.js';
import {
  freshMeter,
  hasRead,
  inWindow,
  newestView,
  oldestView,
  sampledViews,
  usedViews,
  viewsOf,
  windowAt,
  withSample,
  withView,
  type MeterWindow,
} from './meter.js';
import { resolveOptions, type ResolvedOptions } from './options.js';
import { evaluatePolicy, type DecidedOutcome, type MeterInput, type PolicyInput } from './policy.js';
import { notPageView, type NotPageView, type PageViewSettings } from './page-view.js';
import { ANONYMOUS, callbackReaders, sessionReaders, type ReaderSource, type ResolvedReader } from './readers.js';
import { clientIp, type ProxySettings } from './request.js';
import { formatIp, networkOf, type IpAddress } from './ip.js';
import { detectCrawler, isUnder } from '../crawlers/detect.js';
import { createMeterTokens, type MeterState, type MeterTokens, type TokenReadResult } from './token.js';

/** A paywall: one decision per article request. */
export interface Paywall {
  /**
   * Decides what a request for `article` gets. Never rejects for bad client data (cookies,
   * tokens, headers) or a failing store; rejects with `ERR_INVALID_ARTICLE` when `article` is
   * not an `{ id: string }` object. The optional `context.ip` is the connection's address (for
   * crawler verification and the fresh-meter cap; forwarding headers are read only through
   * trusted proxies).
   *
   * @example
   * ```ts
   * const decision = await paywall.decide(request, { id: 'budget-2027', access: 'metered' });
   * if (decision.access === 'full') body = article.html;
   * ```
   */
  decide(request: RequestLike, article: Article, context?: DecideContext): Promise<Decision>;
  /**
   * What the page shows for a decision: the body (full, or cut on the server), the prompt or
   * banner markup and the JSON-LD. Pass the article's metadata for the JSON-LD and the links;
   * with a `version`, the cut teaser is cached.
   *
   * @example
   * ```ts
   * const { html, prompt, banner, structuredData } = paywall.render(decision, article.html, {
   *   id: article.id, version: article.updatedAt, headline: article.title, url: article.url,
   * });
   * ```
   */
  render(decision: Decision, articleHtml: string, article?: ArticleMetadata, options?: RenderCallOptions): Rendered;
  /**
   * CDN variants, at the edge: the signed value of the variant header to send to the origin,
   * so the origin can trust it (a bare `full` from anyone else is refused by `readVariant`).
   *
   * @example
   * ```ts
   * const decision = await paywall.decide(request, article, { ip: request.headers.get('cf-connecting-ip') });
   * originRequest.headers.set('x-meterwall-variant', await paywall.signVariant(decision.variant));
   * ```
   */
  signVariant(variant: Variant): Promise<string>;
  /**
   * CDN variants, at the origin: the variant an edge signed into the request, or `null` when the
   * header is missing or not signed with one of this paywall's secrets.
   *
   * @example
   * ```ts
   * const variant = (await paywall.readVariant(request)) ?? 'teaser';
   * ```
   */
  readVariant(request: RequestLike): Promise<Variant | null>;
  /**
   * CDN variants, at the origin: headers that let a shared cache keep one copy per variant
   * (`Cache-Control: public, max-age=0, s-maxage=N`, `Vary` on the variant header). Only for a
   * response with no per-reader content and no `Set-Cookie`.
   *
   * @example
   * ```ts
   * return new Response(pageFor(variant), { headers: paywall.variantHeaders(variant) });
   * ```
   */
  variantHeaders(variant: Variant): Headers;
}

/** Extra seconds a token outlives its period, for clocks that differ a little between servers. */
const TOKEN_GRACE_MS = 5 * 60_000;
const CACHE_CONTROL = 'private, no-store';
const VARY = 'Cookie';
const BASE_HEADERS: ReadonlyArray<readonly [string, string]> = Object.freeze([
  Object.freeze(['Cache-Control', CACHE_CONTROL] as const),
  Object.freeze(['Vary', VARY] as const),
]);
const ARTICLE_ACCESS = new Set<ArticleAccess>(['free', 'metered', 'subscribers']);
const EMPTY: readonly string[] = Object.freeze([]);
const NO_RESOLVER: ResolvedReader = Object.freeze({ reader: ANONYMOUS, note: 'anonymous (no resolveReader)' });

/** The decision object; `headers` is built on first access, so adapters that set headers directly skip it. */
class MeterDecision implements Decision {
  readonly access: Access;
  readonly reason: DecisionReason;
  readonly reader: Reader;
  readonly meter: MeterSnapshot | null;
  readonly counted: boolean;
  readonly variant: Access;
  readonly trace: readonly TraceEntry[];
  readonly #setCookie: string | null;
  readonly #variantHeader: string | null;
  #headers: Headers | undefined;

  constructor(
    access: Access,
    reason: DecisionReason,
    reader: Reader,
    meter: MeterSnapshot | null,
    counted: boolean,
    trace: readonly TraceEntry[],
    setCookie: string | null,
    variantHeader: string | null,
  ) {
    this.access = access;
    this.reason = reason;
    this.reader = reader;
    this.meter = meter;
    this.counted = counted;
    this.variant = access;
    this.trace = trace;
    this.#setCookie = setCookie;
    this.#variantHeader = variantHeader;
  }

  get headers(): Headers {
    if (!this.#headers) {
      const headers = new Headers();
      for (const [name, value] of decisionHeaderList(this)) headers.append(name, value);
      this.#headers = headers;
    }
    return this.#headers;
  }

  /** The headers as name/value pairs, without building a `Headers` (internal). */
  static list(decision: MeterDecision): ReadonlyArray<readonly [string, string]> {
    const setCookie = decision.#setCookie;
    const variant = decision.#variantHeader;
    if (setCookie === null && variant === null) return BASE_HEADERS;
    const list: Array<readonly [string, string]> = [...BASE_HEADERS];
    if (variant !== null) list.push([variant, decision.variant]);
    if (setCookie !== null) list.push(['Set-Cookie', setCookie]);
    return list;
  }
}

/**
 * A decision's headers as name/value pairs (`Cache-Control`, `Vary`, and `Set-Cookie` when the
 * meter changed), for adapters that write headers straight to a server response.
 */
export function decisionHeaderList(decision: Decision): ReadonlyArray<readonly [string, string]> {
  if (decision instanceof MeterDecision) return MeterDecision.list(decision);
  const list: Array<readonly [string, string]> = [];
  decision.headers.forEach((value, name) => list.push([name, value]));
  return list;
}

/** An article with its defaults filled in. */
interface NormalizedArticle {
  readonly id: string;
  readonly access: ArticleAccess;
  readonly requires: readonly string[];
}

/** Validates the article argument (misuse rejects; any string id is accepted). */
function normalizeArticle(article: Article): NormalizedArticle {
  if (article === null || typeof article !== 'object' || typeof article.id !== 'string') {
    throw new PaywallError('ERR_INVALID_ARTICLE', 'meterwall: decide() needs an article { id: string, access?, requires? }');
  }
  const access = article.access ?? 'metered';
  if (!ARTICLE_ACCESS.has(access)) {
    throw new PaywallError('ERR_INVALID_ARTICLE', `meterwall: article.access must be 'free', 'metered' or 'subscribers'`);
  }
  const requires = article.requires ?? EMPTY;
  if (!Array.isArray(requires) || requires.some((r) => typeof r !== 'string')) {
    throw new PaywallError('ERR_INVALID_ARTICLE', 'meterwall: article.requires must be an array of strings');
  }
  return { id: article.id, access, requires };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PaywallError('ERR_STORE_TIMEOUT', `meterwall: store did not answer in ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

type MaybePromise<T> = T | Promise<T>;

/** Runs `next` now when `value` is ready, or when it resolves: the hot path stays synchronous. */
function then<T, U>(value: MaybePromise<T>, next: (value: T) => MaybePromise<U>): MaybePromise<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}

/** What one decision has gathered so far. */
interface Pending {
  readonly articleId: string;
  readonly now: number;
  readonly input: DecisionInput;
  readonly trace: TraceEntry[];
  readonly window: MeterWindow;
  readonly client: ClientInfo;
  /** Looks up the referral source, when referral sampling applies to this reader. */
  readonly referral: (() => string | null) | null;
}

/** The client's address, worked out once and only when needed. */
class ClientInfo {
  readonly #request: RequestLike;
  readonly #context: DecideContext | undefined;
  readonly #proxy: ProxySettings | null;
  #address: IpAddress | null | undefined;

  constructor(request: RequestLike, context: DecideContext | undefined, proxy: ProxySettings | null) {
    this.#request = request;
    this.#context = context;
    this.#proxy = proxy;
  }

  get address(): IpAddress | null {
    if (this.#address === undefined) this.#address = clientIp(this.#request, this.#context?.ip, this.#proxy);
    return this.#address;
  }
}

/** The outcome of checking a crawler's claim. */
interface CrawlerCheck {
  readonly name: string;
  readonly verified: boolean;
  readonly note: string;
}

/**
 * What the rules look at besides the meter. Whether the request is a page view is worked out on
 * first read, so a returning reader re-opening an article never pays for it.
 */
class DecisionInput implements PolicyInput {
  readonly access: ArticleAccess;
  readonly requires: readonly string[];
  readonly reader: Reader;
  readonly crawler: boolean;
  readonly registration: boolean;
  readonly #request: RequestLike;
  readonly #pageViews: PageViewSettings;
  #notPageView: NotPageView | null | undefined;

  constructor(article: NormalizedArticle, reader: Reader, crawler: boolean, registration: boolean, request: RequestLike, pageViews: PageViewSettings) {
    this.access = article.access;
    this.requires = article.requires;
    this.reader = reader;
    this.crawler = crawler;
    this.registration = registration;
    this.#request = request;
    this.#pageViews = pageViews;
  }

  get notPageView(): NotPageView | null {
    if (this.#notPageView === undefined) this.#notPageView = notPageView(this.#request, this.#pageViews);
    return this.#notPageView;
  }
}

/** The parts of a decision that depend on the keys, built once the keys are imported. */
class Engine {
  readonly #o: ResolvedOptions;
  readonly #keyring: Keyring;
  readonly #tokens: MeterTokens;
  readonly #hasher: IdHasher;
  readonly #readers: ReaderSource | null;

  constructor(options: ResolvedOptions, keyring: Keyring) {
    this.#o = options;
    this.#keyring = keyring;
    this.#tokens = createMeterTokens(keyring, {
      issuer: options.issuer,
      audience: options.audience,
      cacheSize: options.cache.tokens,
    });
    this.#hasher = createIdHasher(keyring, options.cache.hashes);
    const emit = (event: PaywallEvent): void => this.#emit(event);
    this.#readers = options.session
      ? sessionReaders(options.session, emit, options.now, options.failure.mode)
      : options.resolveReader
        ? callbackReaders(options.resolveReader, emit)
        : null;
  }

  #variants: Promise<{ signed: ReadonlyMap<Variant, string>; accepted: ReadonlyMap<string, Variant> }> | undefined;

  /** The signed variant header values: signed with the signing key, accepted under every key. */
  variantValues(): Promise<{ signed: ReadonlyMap<Variant, string>; accepted: ReadonlyMap<string, Variant> }> {
    this.#variants ??= (async () => {
      const signed = new Map<Variant, string>();
      const accepted = new Map<string, Variant>();
      for (const [kid, key] of this.#keyring.verify) {
        for (const variant of ['full', 'teaser', 'prompt'] as const) {
          const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, utf8(`meterwall cdn variant ${variant}`)));
          const value = `${variant}.${toBase64Url(mac.subarray(0, 16))}`;
          accepted.set(value, variant);
          if (kid === this.#keyring.signing.kid) signed.set(variant, value);
        }
      }
      return { signed, accepted };
    })();
    return this.#variants;
  }

  #emit(event: PaywallEvent): void {
    try {
      this.#o.onEvent?.(event);
    } catch {
      // An event handler must not break a reader's request.
    }
  }

  /**
   * Decides; synchronous when everything it needs is at hand (a cached token and session, a
   * cached article hash, nothing to sign or store), a promise otherwise. Throws on a bad article.
   */
  decide(request: RequestLike, articleInput: Article, context: DecideContext | undefined): MaybePromise<Decision> {
    const article = normalizeArticle(articleInput);
    const now = this.#o.now();
    const client = new ClientInfo(request, context, this.#o.proxy);
    const claimed = detectCrawler(request.headers.get('user-agent'));
    const found = this.#readers ? this.#readers(request) : NO_RESOLVER;
    const verified = claimed === null ? null : this.#verifyCrawler(claimed.name, client);
    return then(found, (resolved) =>
      then(verified, (crawler) => this.#decideFor(request, article, now, resolved, client, crawler)),
    );
  }

  /** Confirms a crawler's claim through the verifiers, bounded by a timeout; anything short of a confirmation is a refusal. */
  #verifyCrawler(name: string, client: ClientInfo): MaybePromise<CrawlerCheck> {
    const settings = this.#o.crawlers;
    const ip = client.address;
    const refuse = (reason: 'no-ip' | 'refuted' | 'no-verifier'): CrawlerCheck => {
      this.#emit({ type: 'crawler-unverified', crawler: name, ip: ip === null ? null : formatIp(ip), reason });
      return { name, verified: false, note: `${name} claimed, not verified (${reason})` };
    };
    if (!settings) return refuse('no-verifier');
    if (ip === null) return refuse('no-ip');
    const address = formatIp(ip);
    const confirm = (ok: boolean): CrawlerCheck => {
      if (!ok) return refuse('refuted');
      this.#emit({ type: 'crawler-verified', crawler: name, ip: address });
      return { name, verified: true, note: `${name} verified at ${address}` };
    };
    const answers = settings.verifiers.map((verifier) => {
      try {
        return verifier.verify(name, address);
      } catch {
        return false;
      }
    });
    if (answers.every((a) => typeof a === 'boolean')) return confirm(answers.some((a) => a === true));
    const anyConfirms = Promise.all(answers.map((a) => Promise.resolve(a).catch(() => false))).then((all) => all.some((a) => a === true));
    return withTimeout(anyConfirms, settings.timeoutMs).then(confirm, () => confirm(false));
  }

  #decideFor(
    request: RequestLike,
    article: NormalizedArticle,
    now: number,
    resolved: ResolvedReader,
    client: ClientInfo,
    crawler: CrawlerCheck | null,
  ): MaybePromise<Decision> {
    const o = this.#o;
    const { reader } = resolved;
    const input = new DecisionInput(article, reader, crawler?.verified === true, o.registeredLimit !== null, request, o.pageViews);
    const trace: TraceEntry[] = [{ rule: 'reader', matched: reader.status !== 'anonymous' || resolved.unavailable === true, note: resolved.note }];
    if (crawler !== null) trace.push({ rule: 'client', matched: crawler.verified, note: crawler.note });
    if (resolved.unavailable && o.failure.mode === 'closed' && article.access !== 'free') {
      // Who is reading could not be checked: fail closed to the prompt, never to the article.
      return this.#finish(article.id, input, 'prompt', 'session-unavailable', null, false, trace, null);
    }

    const first = evaluatePolicy(input, null);
    const pending: Pending = {
      articleId: article.id,
      now,
      input,
      trace,
      window: windowAt(o.period, now),
      client,
      referral: o.referrals && reader.status === 'anonymous' ? () => this.#referralSource(request) : null,
    };
    if (!first.needsMeter && (first.reason === 'crawler' || reader.status === 'subscriber')) {
      const finish = (setCookie: string | null): Decision =>
        this.#finish(article.id, input, first.access, first.reason, null, false, trace.concat(first.trace), setCookie);
      // A subscriber's browser is marked as signed in, so signing out hands out no anonymous allowance.
      if (first.reason === 'crawler' || o.registeredLimit === null) return finish(null);
      return then(this.#presentedMeter(request, pending), (presented) => then(this.#signedInCookie(pending, presented), finish));
    }
    return then(this.#presentedMeter(request, pending), (presented) => {
      if (reader.status === 'registered' && o.registeredLimit !== null) {
        // A counted view needs one atomic round trip (record); anything else only reads (peek).
        return this.#storeDecision(pending, presented, o.registeredLimit, first.needsMeter && input.notPageView === null);
      }
      return this.#cookieDecision(pending, presented, o.anonymousLimit);
    });
  }

  /** The referral source a request comes from (by its `Referer` host), or `null`. */
  #referralSource(request: RequestLike): string | null {
    const referrals = this.#o.referrals;
    const referer = request.headers.get('referer');
    if (!referrals || referer === null || referer.length > 2048) return null;
    let host: string;
    try {
      host = new URL(referer).hostname.toLowerCase();
    } catch {
      return null;
    }
    for (const source of referrals.sources) if (source.hosts.some((domain) => isUnder(host, domain))) return source.name;
    return null;
  }

  /** The meter in the reader's cookie(s): verified, in the current window; the conservative one of two. */
  #presentedMeter(request: RequestLike, p: Pending): MaybePromise<PresentedMeter> {
    const presented = readCookieValues(request.headers.get('cookie'), this.#o.cookie.name);
    const reads = presented.map((value) => this.#tokens.read(value, p.now));
    if (reads.some((read) => read instanceof Promise)) return Promise.all(reads).then((done) => this.#choose(p, done));
    return this.#choose(p, reads as TokenReadResult[]);
  }

  #choose(p: Pending, reads: readonly TokenReadResult[]): PresentedMeter {
    const signingKid = this.#keyring.signing.kid;
    let state: MeterState | undefined;
    let note = 'none';
    let rejected = false;
    for (const read of reads) {
      if (!read.ok) {
        rejected = true;
        note = `rejected: ${read.reason}`;
        this.#emit(read.code === undefined ? { type: 'token-rejected', reason: read.reason } : { type: 'token-rejected', reason: read.reason, code: read.code });
        continue;
      }
      // Two cookies of the same name: the conservative one (more views spent) wins.
      const candidate = inWindow(read.token.state, p.window, signingKid);
      if (!state || usedViews(candidate) > usedViews(state)) {
        state = candidate;
        note = candidate === read.token.state ? 'valid' : 'valid, from an earlier window';
      }
    }
    if (reads.length > 1) note += ` (${reads.length} cookies, kept the one with the most views)`;
    if (state?.signedIn) note += ', an account signed in on this browser this period';
    p.trace.push({ rule: 'token', matched: rejected, note });
    // A token whose hashing key was retired keeps its count; its entries just no longer match.
    if (state && !this.#keyring.hashing.has(state.hashKid)) state = { ...state, hashKid: signingKid };
    return {
      state: state ?? freshMeter(p.window, signingKid),
      // Rewrite the cookie to replace a duplicate (or a rejected token beside a valid one).
      rewrite: reads.length > 1 || (rejected && state !== undefined),
      fresh: state === undefined,
    };
  }

  /**
   * The `Set-Cookie` that marks this browser as signed in this period, or `null` when it is
   * marked already or this is not a page view. The anonymous allowance of the browser's meter
   * is spent in the store too, so replaying the cookie from before the sign-in gains nothing.
   */
  #signedInCookie(p: Pending, presented: PresentedMeter, merged = false): MaybePromise<string | null> {
    const { state } = presented;
    if ((state.signedIn && !merged) || p.input.notPageView !== null) return null;
    const marked: MeterState = { ...state, signedIn: true, merged: state.merged || merged };
    if (presented.fresh || state.signedIn) return this.#meterCookie(marked, p);
    return this.#spendAnonymousAllowance(p, state).then(() => this.#meterCookie(marked, p));
  }

  /** Records in the store that the meter `state.rid` has no anonymous view left this period (a store failure is reported, not thrown). */
  async #spendAnonymousAllowance(p: Pending, state: MeterState): Promise<void> {
    const { store, failure, anonymousLimit } = this.#o;
    const { window, now } = p;
    try {
      if (window.period !== null && store.claimView && anonymousLimit > 0) {
        // claimView stores max(known, presented) + 1 while under the limit: presenting limit - 1 spends the rest.
        const claim = store.claimView(`h:${window.period.toString(36)}:${state.rid}`, anonymousLimit - 1, { limit: anonymousLimit, at: now, expiresAt: window.end as number });
        await withTimeout(Promise.resolve(claim), failure.timeoutMs);
      } else if (window.period === null && store.merge && anonymousLimit > 0) {
        const at = Math.floor(now / 1000) * 1000;
        const spent = Array.from({ length: anonymousLimit }, (_, i) => ({ article: `~signed-in-${i}`, at }));
        const merge = store.merge(`hr:${state.rid}`, spent, { limit: anonymousLimit, at, since: window.since + 1, expiresAt: this.#meterEnd(window, at) });
        await withTimeout(Promise.resolve(merge), failure.timeoutMs);
      }
    } catch (cause) {
      this.#storeFailed(cause);
    }
  }

  /** Decides on an account's meter in the store (merging the browser's anonymous meter once), falling back per `failure.mode`. */
  async #storeDecision(p: Pending, presented: PresentedMeter, limit: number, counting: boolean): Promise<Decision> {
    const { input, trace, now } = p;
    const cookie = presented.state;
    const pageView = input.notPageView === null;
    const mergeable =
      pageView && this.#o.store.merge !== undefined && !cookie.merged && usedViews(cookie) > 0 && cookie.hashKid === this.#keyring.signing.kid;
    const result = await this.#storeMeter(input.reader, p, limit, counting, mergeable ? cookie : null);
    if (result === null) {
      if (this.#o.failure.mode === 'closed') {
        trace.push({ rule: 'store', matched: true, note: 'store failed: failing closed' });
        return this.#finish(p.articleId, input, 'prompt', 'store-unavailable', null, false, trace, null);
      }
      trace.push({ rule: 'store', matched: true, note: 'store failed: failing open to the cookie meter' });
      // Views counted in the cookie while the store is down are merged into the account once it
      // is back (the merge skips articles the account already has): none is lost. The cookie is
      // marked as signed in, so it holds no anonymous allowance after a sign-out.
      const fallback: PresentedMeter = {
        state: { ...cookie, merged: false, signedIn: true },
        rewrite: presented.rewrite || !cookie.signedIn,
        fresh: presented.fresh,
      };
      return this.#cookieDecision(p, fallback, limit, false);
    }
    const { snapshot, merged } = result;
    trace.push({ rule: 'store', matched: merged > 0, note: `account meter: ${snapshot.used} of ${limit} used${merged > 0 ? `, ${merged} merged from this browser` : ''}` });
    let outcome = evaluatePolicy(input, { used: snapshot.used, limit, read: snapshot.read });
    const added = 'added' in snapshot && snapshot.added;
    if (outcome.count && !added) {
      // The store refused the view (its limit check is the atomic one): the meter is spent.
      outcome = evaluatePolicy(input, { used: Math.max(limit, snapshot.used), limit, read: false });
    }
    const used = snapshot.used + (added ? 1 : 0);
    const meter = this.#snapshot(used, limit, p.window, snapshot.oldestAt ?? (added ? now : null), now, 'store');
    if (merged > 0) this.#emit({ type: 'meter-merged', reader: input.reader, merged, meter });
    // Merged once: the browser's meter is marked so it is never merged again, and kept, marked as
    // signed in, so signing out does not hand out a fresh anonymous allowance.
    const setCookie = await this.#signedInCookie(p, presented, mergeable);
    return this.#finish(p.articleId, input, outcome.access, outcome.reason, meter, added, trace.concat(outcome.trace), setCookie);
  }

  /** The account's meter (after merging `cookie`'s views), or `null` when the store failed (an event says why). */
  async #storeMeter(
    reader: Reader,
    p: Pending,
    limit: number,
    counting: boolean,
    cookie: MeterState | null,
  ): Promise<{ snapshot: StoreSnapshot | StoreRecordResult; merged: number } | null> {
    const { store, failure } = this.#o;
    const { window, now } = p;
    try {
      const [account, article] = await Promise.all([
        this.#hasher.account(reader.id as string),
        this.#hasher.article(this.#keyring.signing.kid, p.articleId) as MaybePromise<string>,
      ]);
      const key = `${window.period === null ? 'r' : window.period.toString(36)}:${account}`;
      const expiresAt = this.#meterEnd(window, now);
      let merged = 0;
      if (cookie !== null && store.merge) {
        const result = await withTimeout(store.merge(key, viewsOf(cookie, now), { limit, at: now, since: window.since, expiresAt }), failure.timeoutMs);
        merged = result.added;
      }
      const operation = counting
        ? store.record(key, article, { limit, at: now, since: window.since, expiresAt })
        : store.peek(key, article, { since: window.since });
      return { snapshot: await withTimeout(Promise.resolve(operation), failure.timeoutMs), merged };
    } catch (cause) {
      this.#storeFailed(cause);
      return null;
    }
  }

  #storeFailed(cause: unknown): void {
    const error = cause instanceof PaywallError ? cause : new PaywallError('ERR_STORE_FAILED', 'meterwall: the meter store failed', { cause });
    this.#emit({ type: 'store-error', error, policy: this.#o.failure.mode });
  }

  /** When a meter last touched at `newest` (ms) stops mattering: the period's end, or the window after it. */
  #meterEnd(window: MeterWindow, newest: number): number {
    return window.end ?? newest + (this.#o.period.kind === 'rolling' ? this.#o.period.windowMs : 0);
  }

  /**
   * Decides on the meter kept in the reader's cookie. `guard`: the store claims every counted
   * view and caps fresh meters (off when the cookie stands in for a failed account store).
   */
  #cookieDecision(p: Pending, presented: PresentedMeter, limit: number, guard = true): MaybePromise<Decision> {
    return then(this.#hasher.article(presented.state.hashKid, p.articleId) as MaybePromise<string>, (hash) =>
      this.#cookieMeter(p, presented, limit, hash, guard),
    );
  }

  /** What the rules need of the cookie meter: used, read, signed out, and the referral budget when it applies. */
  #meterInput(p: Pending, state: MeterState, hash: string, limit: number, known = 0): MeterInput {
    const used = Math.max(usedViews(state), known);
    const read = hasRead(state, hash);
    const signedOut = state.signedIn && p.input.reader.status === 'anonymous' && this.#o.registeredLimit !== null;
    const referrals = this.#o.referrals;
    // Only a referred reader whose meter is spent consults the (small) referral budget; a meter
    // the network cap started spent has none either.
    if (referrals && p.referral && used >= limit && !read && !signedOut && state.spent === 0) {
      const source = p.referral();
      if (source !== null) return { used, limit, read, sampling: { source, remaining: Math.max(0, referrals.budget - sampledViews(state)) } };
    }
    return { used, limit, read, signedOut };
  }

  #cookieMeter(p: Pending, presented: PresentedMeter, limit: number, hash: string, guard: boolean): MaybePromise<Decision> {
    const meter = this.#meterInput(p, presented.state, hash, limit);
    const outcome = evaluatePolicy(p.input, meter);
    if (!outcome.count || !guard) return this.#cookieOutcome(p, presented, limit, hash, outcome, meter);
    const cap = this.#o.freshMeters;
    const ip = presented.fresh && cap ? p.client.address : null;
    if (cap && ip !== null && this.#o.store.countFresh) {
      // A new meter is minted only here, on a counted page view, and only past the network cap.
      return this.#freshMeterCapped(p, ip, cap.perHour).then((capped) => {
        if (!capped) return this.#claimed(p, presented, limit, hash, outcome, meter);
        // Too many new meters from this network this hour: this one starts spent, so the reader
        // is offered registration at once (never a hard wall from this rule alone).
        const { state } = presented;
        const spent: PresentedMeter = { state: { ...state, spent: limit - usedViews(state) + state.spent }, rewrite: true, fresh: false };
        p.trace.push({ rule: 'client', matched: true, note: 'too many new meters from this network this hour: started spent' });
        return this.#cookieMeter(p, spent, limit, hash, guard);
      });
    }
    return this.#claimed(p, presented, limit, hash, outcome, meter);
  }

  /** Whether this network started more fresh meters this hour than allowed (counting this one). A store failure never caps. */
  async #freshMeterCapped(p: Pending, ip: IpAddress, perHour: number): Promise<boolean> {
    const network = networkOf(ip);
    try {
      const key = `f:${Math.floor(p.now / 3_600_000).toString(36)}:${await this.#hasher.account(`network\u0000${network}`)}`;
      const count = await withTimeout((this.#o.store.countFresh as NonNullable<MeterStore['countFresh']>).call(this.#o.store, key, 3_600_000), this.#o.failure.timeoutMs);
      if (count <= perHour) return false;
      this.#emit({ type: 'fresh-meter-capped', network, count });
      return true;
    } catch (cause) {
      this.#storeFailed(cause);
      return false;
    }
  }

  /**
   * Claims a counted view in the store before it is granted: the meter's count, or the referral
   * budget for a sampled view, per meter id and period. A replayed older or spent cookie then
   * gets no more than the budget: the store's count wins, and the rules decide again on it.
   */
  #claimed(p: Pending, presented: PresentedMeter, limit: number, hash: string, outcome: DecidedOutcome, meter: MeterInput): MaybePromise<Decision> {
    const claim = this.#claim(p, presented.state, hash, outcome, meter);
    if (claim === null) return this.#cookieOutcome(p, presented, limit, hash, outcome, meter);
    return claim.then(
      (answer) => {
        const sampled = outcome.reason === 'sampled';
        if (!sampled && answer.used > meter.used) this.#emit({ type: 'rollback-detected', presented: meter.used, known: answer.used });
        if (answer.allowed) return this.#cookieOutcome(p, presented, limit, hash, outcome, sampled ? meter : { ...meter, used: answer.used });
        p.trace.push({
          rule: 'store',
          matched: true,
          note: sampled
            ? `this reader already spent the referral budget this period (an older cookie was replayed)`
            : `this reader already spent ${answer.used} views this period (an older cookie was replayed)`,
        });
        const known: MeterInput = sampled
          ? { ...meter, sampling: { source: (meter.sampling as NonNullable<MeterInput['sampling']>).source, remaining: 0 } }
          : this.#meterInput(p, presented.state, hash, limit, answer.used);
        const again = evaluatePolicy(p.input, known);
        if (again.count) return this.#claimed(p, presented, limit, hash, again, known);
        return this.#cookieOutcome(p, presented, limit, hash, again, known);
      },
      (cause: unknown) => {
        this.#storeFailed(cause);
        if (this.#o.failure.mode === 'closed') {
          p.trace.push({ rule: 'store', matched: true, note: 'store failed: failing closed' });
          return this.#finish(p.articleId, p.input, 'prompt', 'store-unavailable', null, false, p.trace, null);
        }
        p.trace.push({ rule: 'store', matched: true, note: 'store failed: counting on the cookie alone' });
        return this.#cookieOutcome(p, presented, limit, hash, outcome, meter);
      },
    );
  }

  /** The store's answer to a counted view, or `null` when the store cannot claim it (then the cookie alone counts). */
  #claim(p: Pending, state: MeterState, hash: string, outcome: DecidedOutcome, meter: MeterInput): Promise<{ allowed: boolean; used: number }> | null {
    const { store, failure, referrals } = this.#o;
    const { window, now } = p;
    if (outcome.reason === 'sampled') {
      if (!store.claimView || window.period === null || !referrals) return null;
      const key = `s:${window.period.toString(36)}:${state.rid}`;
      const claim = store.claimView(key, sampledViews(state), { limit: referrals.budget, at: now, expiresAt: window.end as number });
      return withTimeout(Promise.resolve(claim), failure.timeoutMs);
    }
    if (window.period !== null) {
      if (!store.claimView) return null;
      const key = `h:${window.period.toString(36)}:${state.rid}`;
      const claim = store.claimView(key, meter.used, { limit: meter.limit, at: now, expiresAt: window.end as number });
      return withTimeout(Promise.resolve(claim), failure.timeoutMs);
    }
    // A rolling window: the store keeps the meter id's own views (distinct articles in the window),
    // timed to the second and dropped at the window's edge, as the cookie keeps them.
    const at = Math.floor(now / 1000) * 1000;
    const record = store.record(`hr:${state.rid}`, hash, { limit: meter.limit, at, since: window.since + 1, expiresAt: this.#meterEnd(window, at) });
    return withTimeout(Promise.resolve(record), failure.timeoutMs).then((r) => ({ allowed: r.added || r.read, used: Math.max(r.used, meter.used) }));
  }

  /**
   * Finishes a cookie-meter decision: the new token goes out with the full text when a view was
   * spent. Otherwise the cookie is rewritten only on a page view, to replace a duplicate or a
   * rejected token beside a valid meter: a request that counts nothing never mints a fresh meter.
   */
  #cookieOutcome(p: Pending, presented: PresentedMeter, limit: number, hash: string, outcome: DecidedOutcome, meter: MeterInput): MaybePromise<Decision> {
    const { input, now, window } = p;
    const { state } = presented;
    // A sampled view is spent from the referral budget, not the meter.
    const sampled = outcome.reason === 'sampled';
    if (sampled && meter.sampling) {
      this.#emit({ type: 'referral-sampled', article: p.articleId, source: meter.sampling.source, remaining: meter.sampling.remaining - 1 });
    }
    const next = sampled ? withSample(state, hash) : outcome.count ? withView(state, hash, now) : state;
    const used = Math.max(usedViews(next), meter.used + (outcome.count && !sampled ? 1 : 0));
    const finish = (setCookie: string | null): Decision => {
      const meter = this.#snapshot(used, limit, window, oldestView(next), now, 'cookie');
      return this.#finish(p.articleId, input, outcome.access, outcome.reason, meter, outcome.count, p.trace.concat(outcome.trace), setCookie);
    };
    const write = outcome.count || (presented.rewrite && (!presented.fresh || state.signedIn) && input.notPageView === null);
    if (!write) return finish(null);
    return this.#meterCookie(next, p).then(finish);
  }

  /** Signs a meter and builds its `Set-Cookie`, expiring with the meter. */
  async #meterCookie(state: MeterState, p: Pending): Promise<string> {
    const end = this.#meterEnd(p.window, newestView(state) ?? p.now);
    const token = await this.#tokens.sign(state, p.now, end + TOKEN_GRACE_MS);
    return meterSetCookie(this.#o.cookie, token, (end - p.now) / 1000);
  }

  #snapshot(used: number, limit: number, window: MeterWindow, oldest: number | null, now: number, source: 'cookie' | 'store'): MeterSnapshot {
    const resetsAt = window.end ?? this.#meterEnd(window, oldest ?? now);
    return { used, limit, remaining: Math.max(0, limit - used), resetsAt: new Date(resetsAt), source };
  }

  #finish(
    articleId: string,
    input: DecisionInput,
    access: Access,
    reason: DecisionReason,
    meter: MeterSnapshot | null,
    counted: boolean,
    trace: readonly TraceEntry[],
    setCookie: string | null,
  ): Decision {
    const { reader } = input;
    if (this.#o.onEvent) {
      if (counted && meter) {
        this.#emit({ type: 'view-counted', article: articleId, reader, meter });
        if (meter.remaining === 0) this.#emit({ type: 'meter-exhausted', article: articleId, reader, meter });
      }
      const notPageView = reason === 'not-counted' ? input.notPageView : null;
      if (notPageView !== null) this.#emit({ type: 'view-not-counted', article: articleId, reader, cause: notPageView.cause, signal: notPageView.signal });
      if (access === 'prompt') this.#emit({ type: 'prompt-shown', article: articleId, reader, reason });
      else if (access === 'teaser') this.#emit({ type: 'teaser-shown', article: articleId, reader, reason });
    }
    return new MeterDecision(access, reason, reader, meter, counted, trace, setCookie, this.#o.cdn.enabled ? this.#o.cdn.header : null);
  }
}

/** The meter a request carried, ready to use. */
interface PresentedMeter {
  readonly state: MeterState;
  /** Whether the cookie should be rewritten on a page view even if nothing is counted (a duplicate, or a rejected token beside a valid one). */
  readonly rewrite: boolean;
  /** Whether no valid meter was presented: this is a new meter. */
  readonly fresh: boolean;
}

/** The synchronous-when-possible deciders behind each paywall, for adapters (internal). */
const deciders = new WeakMap<Paywall, (request: RequestLike, article: Article, context?: DecideContext) => MaybePromise<Decision>>();

/**
 * Decides, returning the decision itself when it was reached synchronously (a returning
 * reader), so an adapter can skip a promise on the hot path. Never throws: misuse rejects.
 */
export function decideNow(paywall: Paywall, request: RequestLike, article: Article, context?: DecideContext): MaybePromise<Decision> {
  const decide = deciders.get(paywall);
  if (!decide) return paywall.decide(request, article, context);
  try {
    return decide(request, article, context);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Creates a paywall from options validated once (a `TypeError` naming the option on misuse).
 *
 * @example
 * ```ts
 * import { createPaywall } from 'meterwall';
 * const paywall = createPaywall({
 *   secret: config.meterwallSecret, // 32+ bytes, from your secret store
 *   meters: { anonymous: { limit: 3 }, registered: { limit: 10 } },
 *   period: { calendar: 'month', timeZone: 'Europe/London' },
 *   resolveReader: (request) => sessions.readerFor(request),
 * });
 * ```
 */
export function createPaywall(options: PaywallOptions): Paywall {
  const resolved = resolveOptions(options);
  let engine: Engine | undefined;
  const ready = importKeyring(resolved.secrets).then((keyring) => (engine = new Engine(resolved, keyring)));
  const decide = (request: RequestLike, article: Article, context?: DecideContext): MaybePromise<Decision> =>
    engine ? engine.decide(request, article, context) : ready.then((e) => e.decide(request, article, context));
  const { header, sharedMaxAge } = resolved.cdn;
  const paywall: Paywall = Object.freeze({
    render: resolved.render,
    decide(request: RequestLike, article: Article, context?: DecideContext): Promise<Decision> {
      try {
        return Promise.resolve(decide(request, article, context));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    async signVariant(variant: Variant): Promise<string> {
      const values = await (engine ?? (await ready)).variantValues();
      const value = values.signed.get(variant);
      if (value === undefined) throw invalidOption('variant', "must be 'full', 'teaser' or 'prompt'");
      return value;
    },
    async readVariant(request: RequestLike): Promise<Variant | null> {
      const value = request.headers.get(header);
      if (value === null || value.length > 128) return null;
      const values = await (engine ?? (await ready)).variantValues();
      return values.accepted.get(value) ?? null;
    },
    variantHeaders(variant: Variant): Headers {
      return new Headers({ 'Cache-Control': `public, max-age=0, s-maxage=${sharedMaxAge}`, Vary: header, [header]: variant });
    },
  });
  deciders.set(paywall, decide);
  return paywall;
}

/**
 * Applies a decision's headers to a Fetch `Response`: appends `Set-Cookie`, sets
 * `Cache-Control` and adds `Cookie` to `Vary`. Returns the same response, or a copy when its
 * headers are immutable (a response from `fetch()`).
 *
 * @example
 * ```ts
 * return applyDecisionHeaders(new Response(page, { headers: { 'content-type': 'text/html' } }), decision);
 * ```
 */
export function applyDecisionHeaders(response: Response, decision: Decision): Response {
  const apply = (headers: Headers): void => {
    for (const [name, value] of decisionHeaderList(decision)) {
      if (name === 'Set-Cookie') headers.append(name, value);
      else if (name === 'Vary') {
        const vary = headers.get('vary');
        const present = vary?.split(',').some((v) => {
          const token = v.trim().toLowerCase();
          return token === 'cookie' || token === '*';
        });
        if (!present) headers.append('Vary', value);
      } else headers.set(name, value);
    }
  };
  try {
    apply(response.headers);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    apply(copy.headers);
    return copy;
  }
}

/**
 * A decision for a CDN variant, for an origin that renders pages by variant (`readVariant`)
 * rather than by reader: no reader, no meter, the reason a wall of that kind has.
 *
 * @example
 * ```ts
 * import { decisionForVariant } from 'meterwall';
 * const variant = (await paywall.readVariant(request)) ?? 'teaser';
 * const { html, prompt } = paywall.render(decisionForVariant(variant, article), article.html, article);
 * ```
 */
export function decisionForVariant(variant: Variant, article?: Article): Decision {
  const gated = (article?.access ?? 'metered') === 'subscribers' || (article?.requires?.length ?? 0) > 0;
  const reason: DecisionReason =
    variant === 'full' ? (article?.access === 'free' ? 'free-article' : 'metered') : variant === 'prompt' ? 'register-to-continue' : gated ? 'subscribers-only' : 'meter-exhausted';
  const trace: readonly TraceEntry[] = Object.freeze([{ rule: 'request', matched: true, note: `rendered for the ${variant} variant` }]);
  return new MeterDecision(variant, reason, ANONYMOUS, null, false, trace, null, null);
}
