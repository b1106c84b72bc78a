/**
 * `createPaywall()`: validates the options once, finds the features the site defined (typed, by
 * their contracts), builds the store, keys and caches from them, and hands every request to the
 * decision's stages (`core/decide/stages.ts`).
 */
import type { GiftMaker, ReaderSource } from '../contracts/features.js';
import { type Features, NO_FEATURES, resolveFeatures } from '../contracts/resolve.js';
import { invalidOption, PaywallError } from '../errors.js';
import { resolveOptions } from '../options/paywall-options.js';
import type { PeriodSettings, ResolvedOptions } from '../options/settings.js';
import { createMemoryStore } from '../stores/memory.js';
import type {
  Article,
  DecideContext,
  Decision,
  GiftAllowance,
  GiftCreateOptions,
  GiftResult,
  PaywallOptions,
  Reader,
  RequestLike,
  Variant,
} from '../types.js';
import type { MaybePromise } from '../util/maybe-async.js';
import { createAutomatedDetector } from './decide/automated-clients.js';
import type { AccessLogFields } from './decide/access-log.js';
import { EngineContext, type EngineSettings } from './decide/context.js';
import { callbackReaders } from './decide/readers.js';
import { Engine } from './decide/stages.js';
import { readVariantValue, signVariantValue } from './decide/variants.js';
import { normalizeArticle } from './article.js';
import { createIdHasher } from './hashing.js';
import { importKeyring, type Keyring } from './keys.js';
import { createMeterTokens } from './meter-token.js';
import { createCalendarPeriod, createRollingPeriod } from './period.js';

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
   * const body = decision.access === 'full' ? article.html : teaserOf(article.html);
   * ```
   */
  decide(request: RequestLike, article: Article, context?: DecideContext): Promise<Decision>;
  /**
   * What the site's access log should record of `decision` for `meterwall simulate` to replay it
   * as it was made: a keyed browser id, keyed hashes of the meter cookies sent and set, why the
   * request was not a page view, the reader (the account keyed), a gift link's verification, the
   * client's address as the paywall read it, and the access and reason. Never a cookie or an
   * account id. Pass the same `request` and `context` as to `decide`.
   *
   * @example
   * ```ts
   * const decision = await paywall.decide(request, article);
   * const meterwall = await paywall.accessLogFields(request, decision);
   * console.log(JSON.stringify({ time: new Date().toISOString(), method: request.method, url: request.url, meterwall }));
   * ```
   */
  accessLogFields(request: RequestLike, decision: Decision, context?: DecideContext): Promise<AccessLogFields>;
  /**
   * CDN variants, at the edge: the signed value of the variant header to send to the origin for
   * `article`, so the origin can trust it: bound to that article and valid for
   * `cdn.signatureMaxAge` seconds (a bare `full`, or a value for another article or from a while
   * ago, is refused by `readVariant`). Rejects with `ERR_INVALID_ARTICLE` without an article.
   *
   * @example
   * ```ts
   * const decision = await paywall.decide(request, article, { ip: request.headers.get('cf-connecting-ip') });
   * originRequest.headers.set('x-meterwall-variant', await paywall.signVariant(decision.variant, article));
   * ```
   */
  signVariant(variant: Variant, article: Article): Promise<string>;
  /**
   * CDN variants, at the origin: the variant an edge signed into the request for `article`, or
   * `null` when the header is missing, not signed with one of this paywall's secrets, signed for
   * another article, or expired. Rejects with `ERR_INVALID_ARTICLE` without an article.
   *
   * @example
   * ```ts
   * const variant = (await paywall.readVariant(request, article)) ?? 'teaser';
   * ```
   */
  readVariant(request: RequestLike, article: Article): Promise<Variant | null>;
  /**
   * CDN variants, at the origin: headers that let a shared cache keep one copy per variant
   * (`Cache-Control: public, max-age=0, s-maxage=N`, `Vary` on the variant header). Only for a
   * response with no per-reader content and no `Set-Cookie`.
   *
   * @example
   * ```ts
   * const response = new Response(pageFor(variant), { headers: paywall.variantHeaders(variant) });
   * ```
   */
  variantHeaders(variant: Variant): Headers;
  /**
   * Gift links: creates a gift of `article` for the reader of `request` (a subscriber, or a
   * reader holding one of `gifts.entitlements`), spending one of their allowance. A gift opens
   * only what its giver may read in full. Resolves to the gift (its token, and its URL when
   * `options.url` is given) or to why none was made (`not-eligible`, `no-account`,
   * `not-entitled`, `allowance-spent`, `store-unavailable`); rejects only on misuse
   * (`ERR_GIFTS_DISABLED` without the `gifts` option, `ERR_INVALID_ARTICLE`, a bad `url`).
   *
   * @example
   * ```ts
   * const result = await paywall.createGift(request, { id: 'budget-2027' }, { url: 'https://news.example/budget-2027' });
   * if (result.ok) console.log(result.gift.url, `${result.allowance.remaining} left`);
   * else console.log(result.reason); // 'allowance-spent', 'not-eligible'…
   * ```
   */
  createGift(request: RequestLike, article: Article, options?: GiftCreateOptions): Promise<GiftResult>;
  /**
   * Gift links: the reader's gift allowance this period (`eligible: false` with the reason
   * when they may not give). Rejects with `ERR_GIFTS_DISABLED` without the `gifts` option.
   *
   * @example
   * ```ts
   * const allowance = await paywall.giftAllowance(request);
   * const label = allowance.eligible ? `Gift this article (${allowance.remaining} of ${allowance.limit} left this month)` : null;
   * ```
   */
  giftAllowance(request: RequestLike): Promise<GiftAllowance>;
}

/** The synchronous-when-possible deciders behind each paywall, for the adapters (internal). */
const deciders = new WeakMap<Paywall, (request: RequestLike, article: Article, context?: DecideContext) => MaybePromise<Decision>>();

/**
 * Decides, returning the decision itself when it was reached synchronously (a returning
 * reader), so an adapter can skip a promise on the hot path. Never throws: misuse rejects.
 * Every adapter decides through this.
 */
export function decideNow(paywall: Paywall, request: RequestLike, article: Article, context?: DecideContext): MaybePromise<Decision> {
  const decide = deciders.get(paywall);
  try {
    return decide ? decide(request, article, context) : paywall.decide(request, article, context);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** The settings a paywall's engine decides on: the options with their period rules and page-view detector built, and its features (internal; the simulator builds its engine from them too). */
export function engineSettings(resolved: ResolvedOptions, features: Features = NO_FEATURES): EngineSettings {
  const { period, pageViews } = resolved;
  const calendar = (own: PeriodSettings) =>
    own.kind === 'calendar' ? createCalendarPeriod(own.unit, own.timeZone, own.weekStartsOn) : createRollingPeriod(own.days);
  return {
    ...resolved,
    period: calendar(period),
    namedPeriods: new Map(
      [...resolved.namedMeters].flatMap(([name, meter]) =>
        meter.period?.kind === 'calendar' ? [[name, calendar(meter.period)] as const] : [],
      ),
    ),
    pageViews: {
      scriptFetches: pageViews.scriptFetches,
      automated: pageViews.automatedClients === false ? null : createAutomatedDetector(pageViews.automatedClients),
      notPageView: pageViews.notPageView,
    },
    features,
  };
}

/**
 * Creates a paywall from options validated once (an `InvalidOptionError`, a `TypeError` naming
 * the option, on misuse).
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
  const features = resolveFeatures(options, resolved);
  const store = resolved.store ?? createMemoryStore({ now: resolved.now });
  const settings = engineSettings(resolved, features);
  let engine: Engine | undefined;
  const ready = importKeyring(resolved.secrets).then((keyring) => {
    const tokens = createMeterTokens(keyring, { issuer: resolved.issuer, audience: resolved.audience, cacheSize: resolved.cache.tokens });
    const ctx = new EngineContext(settings, store, keyring, tokens, createIdHasher(keyring, resolved.cache.hashes));
    const emit = ctx.emit.bind(ctx);
    const readers: ReaderSource | null = features.session
      ? features.session.readers({ emit, now: resolved.now, mode: resolved.failure.mode })
      : resolved.resolveReader
        ? callbackReaders(resolved.resolveReader, emit)
        : null;
    const made = new Engine(ctx, readers);
    engine = made;
    const gifts = features.gifts;
    const maker: GiftMaker | null =
      gifts === null || ctx.gifts === null
        ? null
        : gifts.feature.maker(
            {
              store,
              tokens: ctx.gifts,
              now: resolved.now,
              bounded: (call, what) => ctx.bounded(call, what),
              emit,
              storeFailed: (cause) => ctx.storeFailed(cause),
              giverHash: (id) => ctx.hasher.giver(id),
              grantOf: (request, article, reader) => made.grantOf(request, article, reader),
            },
            gifts.settings,
          );
    return { engine: made, keyring, maker };
  });
  const decide = (request: RequestLike, article: Article, context?: DecideContext): MaybePromise<Decision> =>
    engine ? engine.decide(request, article, context) : ready.then((r) => r.engine.decide(request, article, context));
  const giftsFor = async (request: RequestLike): Promise<{ maker: GiftMaker; reader: Reader }> => {
    const { engine: made, maker } = await ready;
    if (maker === null) throw new PaywallError('ERR_GIFTS_DISABLED', 'meterwall: gift links are off (set the gifts option)');
    return { maker, reader: await made.readerFor(request) };
  };
  const articleId = (article: Article): string => normalizeArticle(article).id;
  const { header: variantHeader, sharedMaxAge, signatureMaxAge } = resolved.cdn;
  const keys = async (): Promise<Keyring> => (await ready).keyring;
  const paywall: Paywall = Object.freeze({
    decide(request: RequestLike, article: Article, context?: DecideContext): Promise<Decision> {
      try {
        return Promise.resolve(decide(request, article, context));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    async accessLogFields(request: RequestLike, decision: Decision, context?: DecideContext): Promise<AccessLogFields> {
      return (await ready).engine.accessLogFields(request, decision, context);
    },
    async signVariant(variant: Variant, article: Article): Promise<string> {
      if (variant !== 'full' && variant !== 'teaser' && variant !== 'prompt')
        throw invalidOption('variant', "must be 'full', 'teaser' or 'prompt'");
      const id = articleId(article);
      return signVariantValue(await keys(), variant, id, resolved.now(), signatureMaxAge * 1000);
    },
    async readVariant(request: RequestLike, article: Article): Promise<Variant | null> {
      const id = articleId(article);
      return readVariantValue(await keys(), request.headers.get(variantHeader), id, resolved.now());
    },
    variantHeaders(variant: Variant): Headers {
      return new Headers({ 'Cache-Control': `public, max-age=0, s-maxage=${sharedMaxAge}`, Vary: variantHeader, [variantHeader]: variant });
    },
    async createGift(request: RequestLike, article: Article, options?: GiftCreateOptions): Promise<GiftResult> {
      const { maker, reader } = await giftsFor(request);
      return maker.create(request, reader, article, options);
    },
    async giftAllowance(request: RequestLike): Promise<GiftAllowance> {
      const { maker, reader } = await giftsFor(request);
      return maker.allowance(reader);
    },
  });
  deciders.set(paywall, decide);
  return paywall;
}
