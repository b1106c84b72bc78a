/**
 * The simulator's paywall: the very engine `decide()` runs (rules, gift links, the fresh-meter
 * cap, policy, meters, store claims, page-view detection), with the cryptography taken out
 * (replay-tokens.ts), so a replay of a million log lines works on meter state alone. One per
 * candidate configuration, each with its own memory store and its own clock, which follows the log.
 *
 * A log meterwall wrote (`paywall.accessLogFields`) is replayed as it was lived: each browser
 * presents the meter cookie it presented live (the candidate's meter that corresponds to it), with
 * the page-view signal, reader, gift verification and client address the live paywall read. A log
 * from before meterwall has none of this: each reader key holds one meter cookie.
 */
import type { ResolvedReader } from '../../contracts/features.js';
import { resolveFeatures } from '../../contracts/resolve.js';
import type { AccessLogFields, LoggedAgent } from '../../core/decide/access-log.js';
import { EngineContext } from '../../core/decide/context.js';
import { MeterDecision } from '../../core/decide/decision.js';
import { notPageView } from '../../core/decide/page-view.js';
import { Engine } from '../../core/decide/stages.js';
import type { Keyring } from '../../core/keys.js';
import { engineSettings } from '../../core/paywall.js';
import { resolveOptions } from '../../options/paywall-options.js';
import { createMemoryStore } from '../../stores/memory.js';
import type { Article, Decision, GiftRefusal, NotCountedCause, PaywallOptions, Reader, RequestLike } from '../../types.js';
import { isPromiseLike, type MaybePromise } from '../../util/maybe-async.js';
import { freshFromLog, remembered, replayedAgents, setCookieIn } from './replay-parts.js';
import { hashInVariant, internedIds, KID, loggedGiftTokens, MeterHandles } from './replay-tokens.js';

/** A secret for option validation only: nothing is ever signed with it. */
const PLACEHOLDER_SECRET = 'meterwall-simulation-placeholder-secret';
/** Live cookies a browser's candidate meter is remembered for (a browser may send a stale one). */
const VERSIONS = 4;

/** Who is reading, as the log says. */
export interface SimulatedReader {
  /**
   * The reader, numbered in order of first appearance (run.ts numbers the keys the log tells
   * readers apart by: a browser, an account, address and user agent). A number, not the key: a
   * key by address and user agent is a long string, hashed anew for every lookup of every request.
   */
  readonly key: number;
  readonly reader: Reader;
}

/** A request from the log, as the engine sees it. */
export interface SimulatedRequest {
  readonly method: string;
  readonly url: string;
  readonly userAgent: string | null;
  readonly referer: string | null;
  /** The client's address, as the log has it. */
  readonly ip: string | null;
  /** What the live paywall logged of this request (a log meterwall wrote), or `null`. */
  readonly logged?: AccessLogFields | null;
  /**
   * For a request that started a new meter live: its place among the new meters of its network
   * that hour, across every reader (counted in log order before the readers were partitioned).
   * The fresh-meter cap reads it instead of a count of its own partition.
   */
  readonly fresh?: number | null;
}

/** One candidate configuration's paywall, replaying a log in order. */
export interface Replayer {
  /** Whether `request` is a reader's page view (the live paywall's verdict, when it logged one): only those are readers' views in the report. */
  pageView(request: SimulatedRequest): boolean;
  /** Decides `request` for `reader` at `time` (ms), as the live paywall would have; keeps the reader's meter. */
  decide(time: number, reader: SimulatedReader, request: SimulatedRequest, article: Article): MaybePromise<Decision>;
}

/** The replay's one trusted proxy, and the header in which it reports the country the live paywall read. */
const PROXY_ADDRESS = '127.0.0.1';
const COUNTRY_HEADER = 'x-meterwall-replay-country';

/** A user agent every automated-client detector knows, for a request the live paywall judged automated. */
const AUTOMATED_AGENT = 'curl/8.5.0';
/** A search crawler's user agent, for a request whose crawler the live paywall verified (its verdict is replayed, whatever the name). */
const CRAWLER_AGENT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

/** Request headers that give the engine the page-view verdict the live paywall logged (a HEAD or another method is the line's own; an automated client gets a user agent below). */
const SIGNALS: Readonly<Partial<Record<NotCountedCause, Readonly<Record<string, string>>>>> = {
  prefetch: { 'sec-purpose': 'prefetch' },
  prerender: { 'sec-purpose': 'prefetch;prerender' },
  subresource: { 'sec-fetch-dest': 'image' },
  'script-fetch': { 'sec-fetch-dest': 'empty' },
  'cross-site': { 'sec-fetch-dest': 'empty', 'sec-fetch-site': 'cross-site' },
  site: { 'x-meterwall-replay': 'site' },
};

/** Creates a replayer for `options` (the site's paywall options; `secret`, `store`, `now`, readers and events are the simulator's). */
export function createReplayer(options: Partial<PaywallOptions>): Replayer {
  let now = 0;
  const clock = () => now;
  let current: ResolvedReader = { reader: { status: 'anonymous', entitlements: [] }, note: 'simulated' };
  let gift: 'ok' | GiftRefusal | null = null;
  let fresh: number | null = null;
  let drawnNow: Readonly<Record<string, string>> | null = null;
  // The log says who read (no session to verify). A crawler is verified as the live paywall logged
  // it (no DNS lookups offline); a log that does not say leaves every claim unverified.
  let crawler = false;
  // A verified AI agent, as the live paywall logged it: replayed as verified, under the policy of
  // this configuration, with the price it offered and its licence token's verdict.
  let agent: LoggedAgent | null = null;
  const { session: _session, resolveReader: _resolve, onEvent: _events, store: _store, now: _now, crawlers, ...site } = options;
  const own = site.pageViews?.notPageView;
  const replayed: PaywallOptions = {
    ...site,
    // The site's own not-a-page-view signal, as the live paywall logged it.
    ...(own === undefined
      ? {}
      : { pageViews: { ...site.pageViews, notPageView: (request) => request.headers.get('x-meterwall-replay') === 'site' } }),
    ...(crawlers === undefined ? {} : { crawlers: { ...crawlers, verifiers: [{ verify: () => crawler }] } }),
    // The client's address and country come as the live paywall read them, from one trusted hop.
    proxy: { trustedHops: 1, countryHeader: COUNTRY_HEADER },
    secret: PLACEHOLDER_SECRET,
    store: freshFromLog(createMemoryStore({ now: clock, max: 10_000_000 }), () => fresh),
    now: clock,
  };
  const resolved = resolveOptions(replayed);
  const features = resolveFeatures(replayed, resolved);
  const gifts =
    features.gifts === null
      ? null
      : { ...features.gifts, feature: { ...features.gifts.feature, tokens: () => loggedGiftTokens(() => gift) } };
  const agents = features.agents === null ? null : replayedAgents(features.agents, () => agent);
  const built = engineSettings(resolved, { ...features, gifts, agents });
  // A log repeats a few thousand user agents a million times: each is judged once (bounded).
  const automated = built.pageViews.automated;
  const settings = automated === null ? built : { ...built, pageViews: { ...built.pageViews, automated: remembered(automated) } };
  const keyring = {
    signing: { kid: KID, key: { type: 'secret' } },
    verify: new Map(),
    hashing: new Map([[KID, { type: 'secret' }]]),
  } as Keyring;
  const handles = new MeterHandles();
  const experiments = new Map(settings.features.experiments.map((e) => [e.name, e]));
  const ctx = new EngineContext(
    { ...settings, onEvent: undefined },
    resolved.store as NonNullable<typeof resolved.store>,
    keyring,
    handles,
    internedIds((key) => {
      // `bucket\0<experiment>\0<reader>`: the variant the log says this reader was in.
      const experimentName = key.slice(7, key.indexOf('\u0000', 7));
      const variant = drawnNow?.[experimentName];
      const experiment = experiments.get(experimentName);
      return variant === undefined || experiment === undefined ? null : hashInVariant(experiment, variant);
    }),
  );
  const engine = new Engine(ctx, () => current);
  const cookieName = resolved.cookie.name;
  /** A log from before meterwall: each reader's meter cookie, by their number (dense: every number below is a reader seen). */
  const byKey: Array<string | undefined> = [];
  /** A log meterwall wrote: the candidate's meter for each live meter cookie, and each browser's last few. */
  const byCookie = new Map<string, string>();
  const versions = new Map<string, string[]>();
  /** How many live cookies stand for each candidate meter: one no live cookie stands for is let go. */
  const holders = new Map<string, number>();
  const hold = (handle: string, by: number): void => {
    const n = (holders.get(handle) ?? 0) + by;
    if (n > 0) holders.set(handle, n);
    else {
      holders.delete(handle);
      handles.forget(handle);
    }
  };
  const unmap = (live: string): void => {
    const old = byCookie.get(live);
    if (old === undefined) return;
    byCookie.delete(live);
    hold(old, -1);
  };
  const remember = (browser: string | null, live: string, handle: string): void => {
    if (byCookie.get(live) === handle) return;
    hold(handle, 1);
    unmap(live);
    byCookie.set(live, handle);
    if (browser === null) return;
    const list = versions.get(browser) ?? [];
    if (!list.includes(live)) list.push(live);
    while (list.length > VERSIONS) unmap(list.shift() as string);
    versions.set(browser, list);
  };

  const headersOf = (request: SimulatedRequest, cookie: string | null) => {
    const cause = request.logged?.notPageView;
    const forwardedFor = request.logged ? request.logged.client : request.ip;
    const signal = cause ? SIGNALS[cause] : undefined;
    return {
      get(name: string): string | null {
        if (name === 'cookie') return cookie;
        // An automated client as the live paywall judged it, when the line keeps no user agent of its own.
        if (name === 'user-agent') {
          if (request.userAgent !== null) return request.userAgent;
          return request.logged?.crawler ? CRAWLER_AGENT : cause === 'automated' ? AUTOMATED_AGENT : null;
        }
        // The referer's host as the live paywall read it, when it logged one (a line may not carry the header).
        if (name === 'x-forwarded-for') return forwardedFor;
        if (name === COUNTRY_HEADER) return request.logged?.country ?? null;
        if (name === 'referer') {
          if (request.logged === undefined || request.logged === null) return request.referer;
          return request.logged.referer === null ? null : `https://${request.logged.referer}/`;
        }
        // A verified agent's offer and licence token, as logged (the token itself never is).
        const logged = request.logged?.agent;
        if (logged) {
          if (name === 'crawler-exact-price') return logged.exact;
          if (name === 'crawler-max-price') return logged.max;
          if (name === 'authorization') return logged.token === null ? null : 'License replayed';
        }
        return signal?.[name] ?? null;
      },
    };
  };
  // The path and query only: a log's scheme and host are the server's view, and a plain-http
  // one would set off the live paywall's warning about Secure cookies (core/decide/plain-http.ts).
  const requestOf = (request: SimulatedRequest, cookie: string | null): RequestLike => ({
    method: request.method,
    url: request.url.charCodeAt(0) === 47 ? request.url : request.url.replace(/^[a-z][a-z\d+.-]*:\/\/[^/?#]*/i, '') || '/',
    headers: headersOf(request, cookie),
  });

  return {
    pageView(request) {
      if (request.logged) return request.logged.notPageView === null;
      return notPageView(requestOf(request, null), settings.pageViews) === null;
    },
    decide(time, who, request, article) {
      now = time;
      current = { reader: who.reader, note: 'from the log' };
      const logged = request.logged ?? null;
      gift = logged?.gift ?? null;
      fresh = request.fresh ?? null;
      crawler = logged?.crawler ?? false;
      agent = logged?.agent ?? null;
      drawnNow = logged?.buckets ?? null;
      // The meter cookie(s) the browser presents: the candidate's meter for each live one, junk for one refused live.
      const presented: string[] = [];
      if (logged === null) {
        const cookie = byKey[who.key];
        if (cookie !== undefined) presented.push(cookie);
      } else
        for (const live of logged.cookies) {
          const handle = live.startsWith('!') ? '!' : byCookie.get(live);
          if (handle !== undefined) presented.push(handle);
        }
      const cookie = presented.length === 0 ? null : presented.map((v) => `${cookieName}=${v}`).join('; ');
      const req = requestOf(request, cookie);
      // The connection is the one trusted hop; the client is in its X-Forwarded-For (headersOf); no client, no connection.
      const client = logged === null ? request.ip : logged.client;
      const keep = (decision: Decision): Decision => {
        const written = decision instanceof MeterDecision ? MeterDecision.setCookieOf(decision) : setCookieIn(decision);
        const mine = written === null ? null : written.slice(cookieName.length + 1, written.indexOf(';'));
        if (logged === null) {
          if (mine === null) return decision;
          // The reader's older meter is let go: the memory follows the readers, not the lines.
          const old = byKey[who.key];
          if (old !== undefined && old !== mine) handles.forget(old);
          while (byKey.length < who.key) byKey.push(undefined);
          byKey[who.key] = mine;
          return decision;
        }
        // The browser now holds the live cookie `logged.wrote` (or still the one it sent): it stands for the candidate's meter.
        const held = mine ?? presented.find((v) => v !== '!') ?? null;
        if (held === null) return decision;
        if (logged.wrote) remember(logged.browser, logged.wrote, held);
        else if (logged.wrote === null) for (const live of logged.cookies) if (!live.startsWith('!')) remember(logged.browser, live, held);
        return decision;
      };
      const decision = engine.decide(req, article, client === null ? undefined : { ip: PROXY_ADDRESS });
      return isPromiseLike(decision) ? Promise.resolve(decision).then(keep) : keep(decision);
    },
  };
}
