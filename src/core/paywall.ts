/**
 * `createPaywall()`: validates the options once, builds the store, keys and caches from them,
 * and hands every request to the decision pipeline (`core/engine.ts`).
 */
import { invalidOption } from '../errors.js';
import { PaywallError } from '../errors.js';
import type {
  Article,
  DecideContext,
  Decision,
  GiftAllowance,
  GiftResult,
  PaywallEvent,
  PaywallOptions,
  Reader,
  RequestLike,
  Variant,
} from '../types.js';
import type { GiftCreateOptions, GiftMaker } from './decide/gift-create.js';
import type { GiftHooks } from './decide/gift-hooks.js';
import type { MaybePromise } from '../util/maybe-async.js';
import { createAutomatedDetector } from './decide/automated-clients.js';
import { EngineContext, type EngineSettings } from './decide/context.js';
import { Engine } from './decide/engine.js';
import { createIdHasher } from './hashing.js';
import { importKeyring } from './keys.js';
import { createCalendarPeriod, createRollingPeriod } from './period.js';
import type { PeriodSettings } from '../options/settings.js';
import { callbackReaders, type ReaderSource } from './decide/readers.js';

/** How `defineSession` makes the session's reader source (it brings jose; see define.ts). */
type SessionReaders = (emit: (event: PaywallEvent) => void, now: () => number, mode: 'open' | 'closed') => ReaderSource;
import { variantValues, type VariantValues } from './decide/variants.js';
import { resolveOptions } from '../options/paywall-options.js';
import type { ResolvedOptions } from '../options/settings.js';
import { createMemoryStore } from '../stores/memory.js';
import { createMeterTokens } from './meter-token.js';

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
   * const response = new Response(pageFor(variant), { headers: paywall.variantHeaders(variant) });
   * ```
   */
  variantHeaders(variant: Variant): Headers;
  /**
   * Gift links: creates a gift of `article` for the reader of `request` (a subscriber, or a
   * reader holding one of `gifts.entitlements`), spending one of their allowance. Resolves to the
   * gift (its token, and its URL when `options.url` is given) or to why none was made
   * (`not-eligible`, `no-account`, `allowance-spent`, `store-unavailable`); rejects only on misuse
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

/** The settings a paywall's engine decides on: the options with their period rules and page-view detector built (internal; the simulator builds its engine from them too). */
export function engineSettings(resolved: ResolvedOptions): EngineSettings {
  const { period, pageViews } = resolved;
  return {
    ...resolved,
    period:
      period.kind === 'calendar'
        ? createCalendarPeriod(period.unit, period.timeZone, period.weekStartsOn)
        : createRollingPeriod(period.days),
    namedPeriods: new Map(
      [...resolved.namedMeters]
        .filter(([, meter]) => meter.period?.kind === 'calendar')
        .map(([name, meter]) => {
          const own = meter.period as Extract<PeriodSettings, { kind: 'calendar' }>;
          return [name, createCalendarPeriod(own.unit, own.timeZone, own.weekStartsOn)] as const;
        }),
    ),
    pageViews: {
      scriptFetches: pageViews.scriptFetches,
      automated: pageViews.automatedClients === false ? null : createAutomatedDetector(pageViews.automatedClients),
      notPageView: pageViews.notPageView,
    },
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
  const store = resolved.store ?? createMemoryStore({ now: resolved.now });
  const settings = engineSettings(resolved);
  let engine: Engine | undefined;
  let gifts: GiftMaker | null = null;
  let variants: Promise<VariantValues> | undefined;
  const ready = importKeyring(resolved.secrets).then((keyring) => {
    const tokens = createMeterTokens(keyring, { issuer: resolved.issuer, audience: resolved.audience, cacheSize: resolved.cache.tokens });
    const hooks = resolved.giftHooks as GiftHooks | null;
    const giftTokens = hooks === null ? null : hooks.tokens(keyring, { issuer: resolved.issuer, audience: resolved.audience });
    const ctx = new EngineContext(settings, store, keyring, tokens, createIdHasher(keyring, resolved.cache.hashes), giftTokens);
    if (hooks !== null && resolved.gifts !== null) {
      const { unit, timeZone, weekStartsOn } = resolved.gifts.period;
      gifts = hooks.maker(ctx, resolved.gifts, createCalendarPeriod(unit, timeZone as string, weekStartsOn));
    }
    const emit = ctx.emit.bind(ctx);
    const readers = resolved.sessionReaders
      ? (resolved.sessionReaders as SessionReaders)(emit, resolved.now, resolved.failure.mode)
      : resolved.resolveReader
        ? callbackReaders(resolved.resolveReader, emit)
        : null;
    variants = undefined;
    engine = new Engine(ctx, readers, hooks);
    return { engine, keyring };
  });
  const signedVariants = async (): Promise<VariantValues> => (variants ??= variantValues((await ready).keyring));
  const decide = (request: RequestLike, article: Article, context?: DecideContext): MaybePromise<Decision> =>
    engine ? engine.decide(request, article, context) : ready.then((r) => r.engine.decide(request, article, context));
  const giftsFor = async (request: RequestLike): Promise<{ maker: GiftMaker; reader: Reader }> => {
    if (resolved.gifts === null) throw new PaywallError('ERR_GIFTS_DISABLED', 'meterwall: gift links are off (set the gifts option)');
    const { engine: ready$ } = await ready;
    return { maker: gifts as GiftMaker, reader: await ready$.readerFor(request) };
  };
  const { header, sharedMaxAge } = resolved.cdn;
  const paywall: Paywall = Object.freeze({
    decide(request: RequestLike, article: Article, context?: DecideContext): Promise<Decision> {
      try {
        return Promise.resolve(decide(request, article, context));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    async signVariant(variant: Variant): Promise<string> {
      const value = (await signedVariants()).signed.get(variant);
      if (value === undefined) throw invalidOption('variant', "must be 'full', 'teaser' or 'prompt'");
      return value;
    },
    async readVariant(request: RequestLike): Promise<Variant | null> {
      const value = request.headers.get(header);
      if (value === null || value.length > 128) return null;
      return (await signedVariants()).accepted.get(value) ?? null;
    },
    variantHeaders(variant: Variant): Headers {
      return new Headers({ 'Cache-Control': `public, max-age=0, s-maxage=${sharedMaxAge}`, Vary: header, [header]: variant });
    },
    async createGift(request: RequestLike, article: Article, options?: GiftCreateOptions): Promise<GiftResult> {
      const { maker, reader } = await giftsFor(request);
      return maker.create(reader, article, options);
    },
    async giftAllowance(request: RequestLike): Promise<GiftAllowance> {
      const { maker, reader } = await giftsFor(request);
      return maker.allowance(reader);
    },
  });
  deciders.set(paywall, decide);
  return paywall;
}
