/**
 * `createPaywall()`: resolves options once, imports keys once, and orchestrates each decision:
 * who is reading, which meter applies, what the rules say, and what to send back.
 */
import { PaywallError } from '../errors.js';
import type {
  Access,
  Article,
  ArticleAccess,
  Decision,
  DecisionReason,
  MeterSnapshot,
  PaywallEvent,
  PaywallOptions,
  Reader,
  ReaderInput,
  RequestLike,
  StoreRecordResult,
  StoreSnapshot,
  TraceEntry,
} from '../types.js';
import { meterSetCookie, readCookieValues } from './cookies.js';
import { createIdHasher, type IdHasher } from './hashing.js';
import { importKeyring, type Keyring } from './keys.js';
import { freshMeter, hasRead, inWindow, newestView, oldestView, usedViews, windowAt, withView, type MeterWindow } from './meter.js';
import { resolveOptions, type ResolvedOptions } from './options.js';
import { evaluatePolicy, type MeterInput, type PolicyInput } from './policy.js';
import { uncountedCause } from './request.js';
import { createMeterTokens, type MeterState, type MeterTokens, type TokenReadResult } from './token.js';

/** A paywall: one decision per article request. */
export interface Paywall {
  /**
   * Decides what a request for `article` gets. Never rejects for bad client data (cookies,
   * tokens, headers) or a failing store; rejects with `ERR_INVALID_ARTICLE` when `article` is
   * not an `{ id: string }` object.
   *
   * @example
   * ```ts
   * const decision = await paywall.decide(request, { id: 'budget-2027', access: 'metered' });
   * if (decision.access === 'full') body = article.html;
   * ```
   */
  decide(request: RequestLike, article: Article): Promise<Decision>;
}

/** Extra seconds a token outlives its period, for clocks that differ a little between servers. */
const TOKEN_GRACE_MS = 5 * 60_000;
const CACHE_CONTROL = 'private, no-store';
const VARY = 'Cookie';
const ANONYMOUS: Reader = Object.freeze({ status: 'anonymous', entitlements: Object.freeze([]) as readonly string[] });
const ARTICLE_ACCESS = new Set<ArticleAccess>(['free', 'metered', 'subscribers']);
const EMPTY: readonly string[] = Object.freeze([]);
const MAX_ACCOUNT_ID = 512;
const NO_RESOLVER = Object.freeze({ reader: ANONYMOUS, note: 'anonymous (no resolveReader)' });

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
  #headers: Headers | undefined;

  constructor(
    access: Access,
    reason: DecisionReason,
    reader: Reader,
    meter: MeterSnapshot | null,
    counted: boolean,
    trace: readonly TraceEntry[],
    setCookie: string | null,
  ) {
    this.access = access;
    this.reason = reason;
    this.reader = reader;
    this.meter = meter;
    this.counted = counted;
    this.variant = access;
    this.trace = trace;
    this.#setCookie = setCookie;
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
  static list(decision: MeterDecision): Array<[string, string]> {
    const list: Array<[string, string]> = [
      ['Cache-Control', CACHE_CONTROL],
      ['Vary', VARY],
    ];
    if (decision.#setCookie !== null) list.push(['Set-Cookie', decision.#setCookie]);
    return list;
  }
}

/**
 * A decision's headers as name/value pairs (`Cache-Control`, `Vary`, and `Set-Cookie` when the
 * meter changed), for adapters that write headers straight to a server response.
 */
export function decisionHeaderList(decision: Decision): Array<[string, string]> {
  if (decision instanceof MeterDecision) return MeterDecision.list(decision);
  return [...decision.headers];
}

/** Validates the article argument (misuse rejects; any string id is accepted). */
function normalizeArticle(article: Article): { id: string; access: ArticleAccess; requires: readonly string[] } {
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

/** Checks what `resolveReader` returned; `null` means anonymous, `undefined` means invalid. */
function toReader(input: ReaderInput | null | undefined): Reader | undefined {
  if (input === null || input === undefined) return ANONYMOUS;
  if (typeof input !== 'object') return undefined;
  const { status, id, entitlements = EMPTY } = input;
  if (status !== 'anonymous' && status !== 'registered' && status !== 'subscriber') return undefined;
  if (id !== undefined && (typeof id !== 'string' || id.length === 0 || id.length > MAX_ACCOUNT_ID)) return undefined;
  if (status === 'registered' && id === undefined) return undefined;
  if (!Array.isArray(entitlements) || entitlements.some((e) => typeof e !== 'string')) return undefined;
  if (status === 'anonymous') return ANONYMOUS;
  return Object.freeze({
    status,
    ...(id === undefined ? {} : { id }),
    entitlements: Object.freeze([...entitlements]),
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PaywallError('ERR_STORE_TIMEOUT', `meterwall: store did not answer in ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The parts of a decision that depend on the keys, built once the keys are imported. */
class Engine {
  readonly #o: ResolvedOptions;
  readonly #keyring: Keyring;
  readonly #tokens: MeterTokens;
  readonly #hasher: IdHasher;

  constructor(options: ResolvedOptions, keyring: Keyring) {
    this.#o = options;
    this.#keyring = keyring;
    this.#tokens = createMeterTokens(keyring, {
      issuer: options.issuer,
      audience: options.audience,
      cacheSize: options.cache.tokens,
    });
    this.#hasher = createIdHasher(keyring, options.cache.hashes);
  }

  #emit(event: PaywallEvent): void {
    try {
      this.#o.onEvent?.(event);
    } catch {
      // An event handler must not break a reader's request.
    }
  }

  async #resolveReader(request: RequestLike): Promise<{ reader: Reader; note: string }> {
    const resolve = this.#o.resolveReader as NonNullable<ResolvedOptions['resolveReader']>;
    let input: ReaderInput | null | undefined;
    try {
      input = await resolve(request);
    } catch (cause) {
      this.#emit({ type: 'reader-error', error: new PaywallError('ERR_READER_FAILED', 'meterwall: resolveReader threw', { cause }) });
      return { reader: ANONYMOUS, note: 'anonymous (resolveReader failed)' };
    }
    const reader = toReader(input);
    if (!reader) {
      this.#emit({ type: 'reader-error', error: new PaywallError('ERR_READER_FAILED', 'meterwall: resolveReader returned an invalid reader') });
      return { reader: ANONYMOUS, note: 'anonymous (resolveReader returned an invalid reader)' };
    }
    return { reader, note: reader.status };
  }

  async decide(request: RequestLike, articleInput: Article): Promise<Decision> {
    const o = this.#o;
    const article = normalizeArticle(articleInput);
    const now = o.now();
    const { reader, note: readerNote } = this.#o.resolveReader ? await this.#resolveReader(request) : NO_RESOLVER;
    const uncounted = uncountedCause(request);
    const input: PolicyInput = {
      access: article.access,
      requires: article.requires,
      reader,
      crawler: false,
      uncounted,
      registration: o.registeredLimit !== null,
    };
    const trace: TraceEntry[] = [
      { rule: 'reader', matched: reader.status !== 'anonymous', note: readerNote },
      { rule: 'request', matched: uncounted !== null, note: uncounted === null ? 'may spend a view' : `${uncounted}: never counts` },
    ];

    const first = evaluatePolicy(input, null);
    if (!first.needsMeter && (first.reason === 'subscriber' || first.reason === 'crawler' || reader.status === 'subscriber')) {
      return this.#finish(article.id, reader, first.access, first.reason, null, false, trace.concat(first.trace), null);
    }

    const window = windowAt(o.period, now);
    const storeReader = reader.status === 'registered' && o.registeredLimit !== null;
    if (storeReader) {
      const limit = o.registeredLimit as number;
      // A counted view needs one atomic round trip (record); anything else only reads (peek).
      const counting = first.needsMeter && uncounted === null;
      const result = await this.#storeMeter(reader, article.id, window, limit, now, counting);
      if (result !== null) {
        trace.push({ rule: 'store', matched: false, note: `account meter: ${result.used} of ${limit} used` });
        let outcome = evaluatePolicy(input, { used: result.used, limit, read: result.read });
        const added = 'added' in result && result.added;
        if (outcome.count && !added) {
          // The store refused the view (its limit check is the atomic one): the meter is spent.
          outcome = evaluatePolicy(input, { used: limit, limit, read: false });
        }
        const used = result.used + (added ? 1 : 0);
        const oldest = result.oldestAt ?? (added ? now : null);
        const meter = this.#snapshot(used, limit, window, oldest, now, 'store');
        return this.#finish(article.id, reader, outcome.access, outcome.reason, meter, added, trace.concat(outcome.trace), null);
      }
      if (o.failure.mode === 'closed') {
        trace.push({ rule: 'store', matched: true, note: 'store failed: failing closed' });
        return this.#finish(article.id, reader, 'teaser', 'store-unavailable', null, false, trace, null);
      }
      trace.push({ rule: 'store', matched: true, note: 'store failed: failing open to the cookie meter' });
    }

    const limit = reader.status === 'registered' && o.registeredLimit !== null ? o.registeredLimit : o.anonymousLimit;
    return this.#cookieDecision(request, article.id, input, window, limit, now, trace);
  }

  /** The account's meter from the store, or `null` when the store failed (an event says why). */
  async #storeMeter(
    reader: Reader,
    articleId: string,
    window: MeterWindow,
    limit: number,
    now: number,
    counting: boolean,
  ): Promise<StoreSnapshot | StoreRecordResult | null> {
    const o = this.#o;
    try {
      const signingKid = this.#keyring.signing.kid;
      const [account, article] = await Promise.all([this.#hasher.account(reader.id as string), this.#hasher.article(signingKid, articleId) as string | Promise<string>]);
      const key = `${window.period === null ? 'r' : window.period.toString(36)}:${account}`;
      const operation = counting
        ? o.store.record(key, article, {
            limit,
            at: now,
            since: window.since,
            expiresAt: (window.end ?? now + (now - window.since)) + TOKEN_GRACE_MS,
          })
        : o.store.peek(key, article, { since: window.since });
      return await withTimeout(Promise.resolve(operation), o.failure.timeoutMs);
    } catch (cause) {
      const error =
        cause instanceof PaywallError ? cause : new PaywallError('ERR_STORE_FAILED', 'meterwall: the meter store failed', { cause });
      this.#emit({ type: 'store-error', error, policy: o.failure.mode });
      return null;
    }
  }

  /** Decides on the meter kept in the reader's cookie, writing a new token when it changed. */
  async #cookieDecision(
    request: RequestLike,
    articleId: string,
    input: PolicyInput,
    window: MeterWindow,
    limit: number,
    now: number,
    trace: TraceEntry[],
  ): Promise<Decision> {
    const signingKid = this.#keyring.signing.kid;
    const presented = readCookieValues(request.headers.get('cookie'), this.#o.cookie.name);
    let state: MeterState | undefined;
    let tokenNote = 'none';
    let rejected = false;
    for (const value of presented) {
      let read: TokenReadResult = this.#tokens.read(value, now) as TokenReadResult;
      if (read instanceof Promise) read = await read;
      if (!read.ok) {
        rejected = true;
        tokenNote = `rejected: ${read.reason}`;
        this.#emit(read.code === undefined ? { type: 'token-rejected', reason: read.reason } : { type: 'token-rejected', reason: read.reason, code: read.code });
        continue;
      }
      // Two cookies of the same name: the conservative one (more views spent) wins.
      const candidate = inWindow(read.token.state, window, signingKid);
      if (!state || usedViews(candidate) > usedViews(state)) {
        state = candidate;
        tokenNote = candidate === read.token.state ? 'valid' : 'valid, from an earlier window';
      }
    }
    if (presented.length > 1) tokenNote += ` (${presented.length} cookies, kept the one with the most views)`;
    trace.push({ rule: 'token', matched: rejected, note: tokenNote });

    // A token whose hashing key was retired keeps its count; its entries just no longer match.
    if (state && !this.#keyring.hashing.has(state.hashKid)) state = { ...state, hashKid: signingKid };
    const unchanged = state !== undefined && !rejected && presented.length === 1;
    state ??= freshMeter(window, signingKid);

    let hash = this.#hasher.article(state.hashKid, articleId);
    if (hash instanceof Promise) hash = await hash;
    const meterInput: MeterInput = { used: usedViews(state), limit, read: hasRead(state, hash) };
    const outcome = evaluatePolicy(input, meterInput);

    let setCookie: string | null = null;
    const counted = outcome.count && hash !== undefined;
    if (counted) state = withView(state, hash as string, now);
    if (counted || (!unchanged && presented.length > 0)) {
      // Write when a view was spent, or to replace a rejected token or a duplicate cookie.
      const newest = newestView(state);
      const cookieEnd = window.end ?? (newest ?? now) + (now - window.since);
      const token = await this.#tokens.sign(state, now, cookieEnd + TOKEN_GRACE_MS);
      setCookie = meterSetCookie(this.#o.cookie, token, (cookieEnd - now) / 1000);
    }
    const meter = this.#snapshot(usedViews(state), limit, window, oldestView(state), now, 'cookie');
    return this.#finish(articleId, input.reader, outcome.access, outcome.reason, meter, counted, trace.concat(outcome.trace), setCookie);
  }

  #snapshot(used: number, limit: number, window: MeterWindow, oldest: number | null, now: number, source: 'cookie' | 'store'): MeterSnapshot {
    const windowMs = now - window.since;
    const resetsAt = window.end ?? (oldest ?? now) + windowMs;
    return { used, limit, remaining: Math.max(0, limit - used), resetsAt: new Date(resetsAt), source };
  }

  #finish(
    articleId: string,
    reader: Reader,
    access: Access,
    reason: DecisionReason,
    meter: MeterSnapshot | null,
    counted: boolean,
    trace: readonly TraceEntry[],
    setCookie: string | null,
  ): Decision {
    if (this.#o.onEvent) {
      if (counted && meter) {
        this.#emit({ type: 'view-counted', article: articleId, reader, meter });
        if (meter.remaining === 0) this.#emit({ type: 'meter-exhausted', article: articleId, reader, meter });
      }
      if (access === 'prompt') this.#emit({ type: 'prompt-shown', article: articleId, reader, reason });
      else if (access === 'teaser') this.#emit({ type: 'teaser-shown', article: articleId, reader, reason });
    }
    return new MeterDecision(access, reason, reader, meter, counted, trace, setCookie);
  }
}

/**
 * Creates a paywall from options validated once (a `TypeError` naming the option on misuse).
 *
 * @example
 * ```ts
 * import { createPaywall } from 'meterwall';
 * const paywall = createPaywall({
 *   secret: process.env.METERWALL_SECRET!, // 32+ bytes
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
  return Object.freeze({
    decide(request: RequestLike, article: Article): Promise<Decision> {
      // No extra async frame once the keys are imported: this is the hot path.
      return engine ? engine.decide(request, article) : ready.then((e) => e.decide(request, article));
    },
  });
}

/**
 * Applies a decision's headers to a Fetch `Response`: appends `Set-Cookie`, sets
 * `Cache-Control` and adds `Cookie` to `Vary`. Returns the same response, or a copy when its
 * headers are immutable (a response from `fetch()`).
 *
 * @example
 * ```ts
 * const decision = await paywall.decide(request, article);
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
