/**
 * Every public type of meterwall: articles, readers, decisions and their trace, events, the
 * meter store contract and the options of `createPaywall`. Imports nothing from the rest.
 *
 * Over 300 lines: one job, the API's vocabulary in one place; each declaration is short and
 * carries its documentation (and its `@default`, checked against the defaults table).
 */
import type { PaywallError } from './errors.js';

/** How an article may be read: open to all, behind the meter, or for subscribers only. */
export type ArticleAccess = 'free' | 'metered' | 'subscribers';

/** The article a request is for, as the site describes it. */
export interface Article {
  /** The site's stable id of the article (a slug, a CMS id). Never stored in clear. */
  readonly id: string;
  /**
   * Who may read it in full.
   * @default 'metered'
   */
  readonly access?: ArticleAccess;
  /**
   * Entitlements a reader must hold, all of them, to read it in full (e.g. `['premium']`).
   * An article that requires entitlements is never opened by the meter.
   * @default []
   */
  readonly requires?: readonly string[];
  /** The article's section, for rules (e.g. `'sport'`). */
  readonly section?: string;
  /** The article's tags, for rules. */
  readonly tags?: readonly string[];
  /** The article's type, for rules (e.g. `'news'`, `'opinion'`, `'newsletter'`). */
  readonly type?: string;
  /** When the article was published (a `Date`, or an ISO 8601 string), for rules on its age. */
  readonly publishedAt?: Date | string;
}

/** Who the reader is, as far as the site knows. */
export type ReaderStatus = 'anonymous' | 'registered' | 'subscriber';

/** The reader a decision was made for. */
export interface Reader {
  /** Anonymous, registered (has an account) or subscriber (pays). */
  readonly status: ReaderStatus;
  /** The site's account id; present for registered readers and subscribers. */
  readonly id?: string;
  /** What the reader's plan grants, e.g. `['premium']`. */
  readonly entitlements: readonly string[];
}

/** What `resolveReader` may return; `null` or `undefined` means anonymous. */
export interface ReaderInput {
  /** Anonymous, registered or subscriber. */
  readonly status: ReaderStatus;
  /** The account id; required for `registered` (their meter lives on the account). */
  readonly id?: string | undefined;
  /**
   * The reader's entitlements.
   * @default []
   */
  readonly entitlements?: readonly string[] | undefined;
}

/**
 * The request as meterwall reads it: a Fetch `Request`, or anything with `method`, `url` and
 * `headers.get(name)` (a Node adapter passes such an object without building a `Request`).
 */
export interface RequestLike {
  /** The HTTP method, e.g. `GET`. */
  readonly method: string;
  /** The request URL (absolute, or the path a server received). */
  readonly url: string;
  /** The request headers; `get` is case-insensitive as in Fetch `Headers`. */
  readonly headers: { get(name: string): string | null };
}

/** What the page shows: the whole article, the teaser with a subscribe offer, or the register prompt. */
export type Access = 'full' | 'teaser' | 'prompt';

/**
 * Why a decision was made; one code per rule, in the order the rules are tried.
 *
 * - `free-article`: the article is marked free; nothing is counted.
 * - `subscriber`: the reader holds every entitlement the article needs.
 * - `crawler`: a verified search crawler; nothing is counted.
 * - `missing-entitlement`: a subscriber whose plan lacks an entitlement the article requires (teaser with an upgrade offer).
 * - `subscribers-only`: the article is for subscribers (or needs entitlements) and the reader is not one.
 * - `already-read`: the reader read this article in full during the current period; nothing is counted.
 * - `not-counted`: not a page view (`HEAD` or another method, a prefetch or prerender, a subresource, a fetch from another site, an automated client such as a link preview): it never spends a view and gets what the reader would get without spending one.
 * - `signed-out`: an anonymous reader on a browser where an account signed in this period: signing out hands out no anonymous allowance; the prompt asks to sign in again.
 * - `metered`: the meter had a view left, and this response spends it.
 * - `sampled`: the meter is spent, but the reader came from a configured referrer and the separate referral budget had a view left.
 * - `register-to-continue`: an anonymous reader's allowance is spent and registering gives more.
 * - `meter-exhausted`: the allowance is spent and there is no larger one to register for.
 * - `store-unavailable`: the meter store failed and `failure.mode` is `'closed'` (the prompt, never the article).
 * - `session-unavailable`: the session could not be verified (JWKS endpoint down or slow) and `failure.mode` is `'closed'`.
 */
export type DecisionReason =
  | 'free-article'
  | 'subscriber'
  | 'crawler'
  | 'missing-entitlement'
  | 'subscribers-only'
  | 'already-read'
  | 'not-counted'
  | 'signed-out'
  | 'metered'
  | 'sampled'
  | 'register-to-continue'
  | 'meter-exhausted'
  | 'store-unavailable'
  | 'session-unavailable'
  | 'rule-free'
  | 'registration-wall'
  | 'registered-reader'
  | 'institution'
  | 'gift'
  | 'agent-refused'
  | 'agent-teaser'
  | 'agent-licensed'
  | 'agent-paid'
  | 'agent-payment-required'
  | 'shadow';

/** The state of the reader's meter after this decision. */
export interface MeterSnapshot {
  /** Distinct articles read in full this period, this one included when it was just counted. */
  readonly used: number;
  /** The allowance for this reader's status. */
  readonly limit: number;
  /** `limit - used`, never below 0. */
  readonly remaining: number;
  /** When the next view becomes available again: the period's end, or for rolling windows the oldest view's expiry. */
  readonly resetsAt: Date;
  /** Where the meter lives: the signed cookie, or the store (an account's meter). */
  readonly source: 'cookie' | 'store';
  /** The period the meter counts in, e.g. `{ calendar: 'month', timeZone: 'Europe/London' }` (what banners say "this month" from). */
  readonly period: MeterPeriod;
}

/** A meter's period as decisions report it: a calendar unit in a time zone, or a rolling window. */
export type MeterPeriod = { readonly calendar: 'day' | 'week' | 'month'; readonly timeZone: string } | { readonly rollingDays: number };

/** Names of the steps that appear in a decision's trace. */
export type TraceRule =
  | 'rules'
  | 'token'
  | 'reader'
  | 'request'
  | 'store'
  | 'free-article'
  | 'subscriber'
  | 'crawler'
  | 'subscribers-only'
  | 'already-read'
  | 'not-counted'
  | 'metered'
  | 'sampled'
  | 'client'
  | 'exhausted'
  | 'institution'
  | 'registration-wall'
  | 'experiment'
  | 'gift'
  | 'agent';

/** One step of a decision: which rule was looked at, whether it decided, and what it saw. */
export interface TraceEntry {
  /** The rule or input step. */
  readonly rule: TraceRule;
  /** `true` for the rule that made the decision (and for input steps that found something notable). */
  readonly matched: boolean;
  /** A short human-readable note, e.g. `2 of 3 used` or `rejected: expired`. */
  readonly note: string;
}

/** A cacheable key for the kind of page served; equals `access`. */
export type Variant = Access;

/** The answer for one article request. */
export interface Decision {
  /** What to show. */
  readonly access: Access;
  /** Which rule decided. */
  readonly reason: DecisionReason;
  /** The reader it was decided for. */
  readonly reader: Reader;
  /** The meter, or `null` where none applies (subscribers, crawlers). */
  readonly meter: MeterSnapshot | null;
  /** Whether this response spent a view. */
  readonly counted: boolean;
  /** A small key a CDN may cache on: `full`, `prompt` or `teaser`. */
  readonly variant: Variant;
  /** The rules in the order they were tried, answering "why did this reader see the wall?". */
  readonly trace: readonly TraceEntry[];
  /** The name of the site's rule (`rules`) that matched, or `null` when none did (or the article's own `access` decided). */
  readonly rule: string | null;
  /** The institution whose network granted access (`reason: 'institution'`), or `null`. */
  readonly institution: string | null;
  /**
   * The reader's variant of each experiment (`experiments`), experiment name → variant name;
   * `{}` without experiments, or when the decision needed no meter (a subscriber, a crawler).
   */
  readonly buckets: Readonly<Record<string, string>>;
  /** The gift link that opened the article (`reason: 'gift'`), or `null`. */
  readonly gift: OpenedGift | null;
  /**
   * Shadow mode (`enforce: false`): what an enforcing paywall would have decided; `access` is
   * then always `full` and `reason` `shadow`. `null` when the paywall enforces.
   */
  readonly wouldBe: { readonly access: Access; readonly reason: DecisionReason } | null;
  /**
   * The HTTP status to answer with: 200, or for a verified AI agent the site's policy refuses
   * 403 (`agent-refused`), or asks to pay 402 (`agent-payment-required`).
   */
  readonly status: 200 | 402 | 403;
  /** The verified AI operator or agent this was decided for (`agents`), or `null`. */
  readonly agent: DecisionAgent | null;
  /**
   * Headers to send: `Set-Cookie` only when the meter changed, `Cache-Control`, `Vary`; for a
   * gift, `X-Robots-Tag: noindex` and `Referrer-Policy: same-origin` too; for an AI agent, its
   * licence (`Link: <…>; rel="license"`), price (`crawler-price`, `crawler-charged`) or
   * `WWW-Authenticate: License`. Built on first access.
   */
  readonly headers: Headers;
}

/** An AI operator the site knows, and its policy per purpose. */
export interface AgentOperatorOptions {
  /**
   * The origin of its Web Bot Auth key directory, as its requests' `Signature-Agent` header
   * names it (e.g. `https://chatgpt.com`): its keys are fetched from
   * `<directory>/.well-known/http-message-signatures-directory`.
   */
  readonly directory?: string;
  /** The CIDR ranges it publishes for its crawlers (a user agent claiming it is verified from these). */
  readonly ranges?: readonly string[];
  /**
   * Other ways to confirm a user agent's claim from the client's address, asked with the
   * operator's name, e.g. reverse DNS: `createDnsVerifier({ hostnames: { openai: ['openai.com'] } })`
   * (`meterwall/dns`) where an operator publishes hostnames.
   */
  readonly verifiers?: readonly CrawlerVerifier[];
  /**
   * The user-agent tokens of its clients per purpose, for an operator meterwall does not know
   * (`{ training: 'DemoBot', user: 'DemoAgent' }`): a signed request whose user agent carries one
   * reads for that purpose. Known operators' tokens (GPTBot, ClaudeBot…) are built in.
   */
  readonly userAgents?: { readonly training?: string; readonly search?: string; readonly user?: string };
  /** @default 'teaser' */
  readonly training?: AgentPolicy;
  /** @default 'teaser' */
  readonly search?: AgentPolicy;
  /** @default 'teaser' */
  readonly user?: AgentPolicy;
}

/** `agents`: AI operators by name (`openai`, `anthropic`, `perplexity`, `commoncrawl`, or one of the site's). */
export interface AgentsOptions {
  readonly operators: Readonly<Record<string, AgentOperatorOptions>>;
  /**
   * The price of a full text for a `paid` policy, in USD: one price, or one per article (by
   * section, by age). Asked with `402` and `crawler-price`; an agent that accepts it
   * (`crawler-exact-price`, or a `crawler-max-price` at least as high) gets the text and `crawler-charged`.
   * @default 0.01
   */
  readonly price?: number | ((article: Article) => number);
  /**
   * The site's licence (RSL): its URL, sent as `Link: <url>; rel="license"` with licensed text
   * and in `WWW-Authenticate: License` on a `402`; `verify` checks a licence token an agent
   * presents (`Authorization: License <token>`), which then reads as licensed.
   */
  readonly license?: {
    readonly url: string;
    readonly verify?: (
      token: string,
      agent: { readonly operator: string; readonly purpose: AgentPurpose },
      article: Article,
    ) => boolean | Promise<boolean>;
  };
  /**
   * An agent fetching for a person (purpose `user`) who carries a subscriber's session: `reader`
   * reads what the subscriber may read; `policy` gets the operator's policy.
   * @default 'reader'
   */
  readonly onBehalf?: 'reader' | 'policy';
  /** The site's own hosts (`news.example`): a signature over another authority is refused. @default the request's Host */
  readonly hosts?: readonly string[];
  /** The longest a signature may be valid (`expires - created`), seconds. @default 600 */
  readonly maxValiditySeconds?: number;
  /** A key directory fetch's time limit. @default 1500 */
  readonly directoryTimeoutMs?: number;
  /** How long a key directory is kept. @default 3600000 (an hour) */
  readonly directoryTtlMs?: number;
  /** The fetch that reads key directories (a test's, a proxy's). @default globalThis.fetch */
  readonly fetch?: (url: string, init: RequestInit) => Promise<Response>;
}

/** What an AI client reads for: model training, an AI search index, or a person who asked. */
export type AgentPurpose = 'training' | 'search' | 'user';

/** What the site gives a verified AI operator for a purpose. */
export type AgentPolicy = 'block' | 'teaser' | 'licensed' | 'paid';

/** The verified AI client a decision was made for. */
export interface DecisionAgent {
  /** The operator's name in the site's `agents.operators`. */
  readonly operator: string;
  readonly purpose: AgentPurpose;
  /** The price of the full text in USD, for a `paid` policy (asked or charged); else `null`. */
  readonly price: number | null;
  /** An RSL licence token it presented (`Authorization: License …`): whether the site's `verify` accepted it; `null` for none. */
  readonly token: 'accepted' | 'refused' | null;
}

/**
 * Why a request is not a page view (and so never spends a view):
 *
 * - `head`, `method`: a `HEAD`, or a method other than `GET`.
 * - `prefetch`, `prerender`: a speculative load (`Sec-Purpose`, `Purpose`, `X-Purpose`, `X-Moz`, Turbo's `X-Sec-Purpose`, Next's `Next-Router-Prefetch` and `X-Middleware-Prefetch`, htmx's `HX-Preloaded`…).
 * - `subresource`: Fetch Metadata says the page is loaded as an image, script, style, font… (`Sec-Fetch-Dest`).
 * - `cross-site`: a frame or a script fetch from another site (`Sec-Fetch-Site: cross-site`).
 * - `script-fetch`: a script fetch, with `pageViews.scriptFetches: 'ignore'`.
 * - `automated`: a link preview, monitor, headless browser or HTTP library, by user agent (isbot, or `pageViews.automatedClients`).
 * - `site`: the site's own `pageViews.notPageView` said so.
 */
export type NotCountedCause =
  | 'head'
  | 'method'
  | 'prefetch'
  | 'prerender'
  | 'subresource'
  | 'cross-site'
  | 'script-fetch'
  | 'automated'
  | 'site';

/** Why a presented meter token was not used. */
export type TokenRejection =
  | 'oversized'
  | 'malformed'
  | 'bad-signature'
  | 'algorithm'
  | 'unknown-key'
  | 'expired'
  | 'claims'
  | 'old-format';

/** The events `onEvent` receives; `type` tells them apart. In shadow mode (`enforce: false`) each carries `shadow: true`. */
export type PaywallEvent = PaywallEventBody & { readonly shadow?: true };

/** The events without the shadow mark. */
export type PaywallEventBody =
  | {
      readonly type: 'view-counted';
      readonly article: string;
      readonly reader: Reader;
      readonly meter: MeterSnapshot;
      /** The reader's experiment variants, when the site runs experiments. */
      readonly buckets?: Readonly<Record<string, string>>;
    }
  | {
      readonly type: 'meter-exhausted';
      readonly article: string;
      readonly reader: Reader;
      readonly meter: MeterSnapshot;
      /** The reader's experiment variants, when the site runs experiments. */
      readonly buckets?: Readonly<Record<string, string>>;
    }
  | {
      readonly type: 'prompt-shown';
      readonly article: string;
      readonly reader: Reader;
      readonly reason: DecisionReason;
      /** The reader's experiment variants, when the site runs experiments. */
      readonly buckets?: Readonly<Record<string, string>>;
    }
  | {
      readonly type: 'view-not-counted';
      readonly article: string;
      readonly reader: Reader;
      /** The kind of signal. */
      readonly cause: NotCountedCause;
      /** The signal itself, e.g. `Next-Router-Prefetch` or `Sec-Fetch-Dest: image`. */
      readonly signal: string;
      /** The reader's experiment variants, when the site runs experiments. */
      readonly buckets?: Readonly<Record<string, string>>;
    }
  | {
      readonly type: 'teaser-shown';
      readonly article: string;
      readonly reader: Reader;
      readonly reason: DecisionReason;
      /** The reader's experiment variants, when the site runs experiments. */
      readonly buckets?: Readonly<Record<string, string>>;
    }
  | {
      readonly type: 'token-rejected';
      readonly reason: TokenRejection;
      /** jose's error code when jose rejected the token, e.g. `ERR_JWT_EXPIRED`. */
      readonly code?: string;
    }
  | {
      /** A verified AI agent's request, decided by the site's policy for its operator and purpose. */
      readonly type: 'agent-refused' | 'agent-teaser' | 'agent-licensed' | 'agent-paid' | 'agent-payment-required';
      readonly article: string;
      readonly operator: string;
      readonly purpose: AgentPurpose;
      /** The price asked or charged (USD), for a `paid` policy. */
      readonly price: number | null;
    }
  | { readonly type: 'store-error'; readonly error: PaywallError; readonly policy: 'open' | 'closed' }
  | { readonly type: 'reader-error'; readonly error: PaywallError }
  | {
      readonly type: 'session-rejected';
      /** Why the presented session token was not accepted. */
      readonly reason: SessionRejection;
      /** jose's error code when jose rejected it. */
      readonly code?: string;
    }
  | { readonly type: 'session-error'; readonly error: PaywallError; readonly policy: 'open' | 'closed' }
  | { readonly type: 'meter-merged'; readonly reader: Reader; readonly merged: number; readonly meter: MeterSnapshot }
  | { readonly type: 'rollback-detected'; readonly presented: number; readonly known: number }
  | {
      readonly type: 'institution-access';
      readonly article: string;
      /** The institution the rule names. */
      readonly institution: string;
      /** The rule that matched. */
      readonly rule: string;
    }
  | { readonly type: 'crawler-verified'; readonly crawler: string; readonly ip: string }
  | {
      readonly type: 'crawler-unverified';
      readonly crawler: string;
      /** The client address, when known. */
      readonly ip: string | null;
      /** `no-ip`: no client address; `refuted`: no verifier confirmed it; `timeout`: none answered within `crawlers.timeoutMs`; `no-verifier`: crawlers are not configured. */
      readonly reason: 'no-ip' | 'refuted' | 'timeout' | 'no-verifier';
    }
  | { readonly type: 'referral-sampled'; readonly article: string; readonly source: string; readonly remaining: number }
  | { readonly type: 'fresh-meter-capped'; readonly network: string; readonly count: number }
  | {
      /**
       * A `Secure` meter cookie was set in answer to a plain-http request to a host that is not
       * localhost: the browser will not store it, so the meter never counts. Once per paywall,
       * beside a `console.warn`.
       */
      readonly type: 'meter-cookie-dropped';
      /** The request's host. */
      readonly host: string;
      /** The meter cookie's name. */
      readonly cookie: string;
    }
  | {
      readonly type: 'gift-created';
      /** The gift's random id. */
      readonly gift: string;
      /** The giver's keyed hash (never the account id). */
      readonly giver: string;
      readonly article: string;
    }
  | {
      readonly type: 'gift-opened';
      readonly gift: string;
      readonly giver: string;
      readonly article: string;
      /** Whether the browser brought no meter cookie: new to the site (or it cleared its cookies). */
      readonly newReader: boolean;
      /** Browsers that have opened the gift, this one included; `null` for a gift without an open cap (not counted). */
      readonly opens: number | null;
    }
  | {
      readonly type: 'gift-refused';
      /** Why the gift link did not open the article (the request got the normal decision). */
      readonly reason: GiftRefusal;
      /** The gift's id, when its token verified. */
      readonly gift: string | null;
      readonly article: string;
    }
  | {
      readonly type: 'reader-upgraded';
      /** The gift this browser opened first this period. */
      readonly gift: string;
      readonly giver: string;
      /** The status the browser had when it opened the gift (or at its last upgrade). */
      readonly from: 'anonymous' | 'registered';
      readonly to: 'registered' | 'subscriber';
    };

/**
 * Why a gift link did not open an article: its token was too long, malformed, signed with
 * another algorithm or an unknown key, forged, expired or of another type (a meter or session
 * token); it is for another article; every open it allows is taken; the request is not a page
 * view (a prefetch, a link preview: it gets the normal decision and spends nothing); or the
 * store that counts opens failed.
 */
export type GiftRefusal =
  | 'oversized'
  | 'malformed'
  | 'algorithm'
  | 'unknown-key'
  | 'bad-signature'
  | 'expired'
  | 'claims'
  | 'wrong-type'
  | 'other-article'
  | 'exhausted'
  | 'not-page-view'
  | 'giver-not-entitled'
  | 'store-unavailable';

/** The gift that opened an article (`decision.gift`). */
export interface OpenedGift {
  /** The gift's random id. */
  readonly id: string;
  /** The giver's keyed hash. */
  readonly giver: string;
  /** Browsers that have opened it, this one included; `null` without an open cap. */
  readonly opens: number | null;
  /** The gift's open cap, or `null` for none. */
  readonly maxOpens: number | null;
  /** When the link stops opening the article. */
  readonly expiresAt: Date;
}

/** Options of gift links (`defineGifts`). */
export interface GiftOptions {
  /**
   * The query parameter that carries a gift token in an article's URL.
   * @default 'gift'
   */
  readonly param?: string;
  /**
   * How many gifts a giver may create per period, counted on the account in the store.
   * @default { limit: 10, period: { calendar: 'month', timeZone: <the site's period's time zone> } }
   */
  readonly allowance?: {
    /** Gifts per period (0 to 1000). */
    readonly limit?: number;
    /** The calendar period the allowance renews in. */
    readonly period?: CalendarPeriod;
  };
  /**
   * How long a gift link opens its article: milliseconds or `'12h'`, `'30d'`, `'2w'`.
   * @default '30d'
   */
  readonly expiresIn?: RuleDuration;
  /**
   * How many browsers may open one gift (each counted once; re-opening is free).
   * @default undefined (no cap)
   */
  readonly maxOpens?: number;
  /**
   * Readers holding any of these entitlements may give too (subscribers always may).
   * @default []
   */
  readonly entitlements?: readonly string[];
}

/** A giver's gift allowance, or why the reader may not give. */
export type GiftAllowance =
  | {
      readonly eligible: true;
      readonly limit: number;
      /** Gifts created this period. */
      readonly used: number;
      readonly remaining: number;
      /** When the allowance renews. */
      readonly resetsAt: Date;
    }
  | {
      readonly eligible: false;
      /** `not-eligible`: not a subscriber and no giving entitlement; `no-account`: the reader has no account id; `store-unavailable`: the store failed. */
      readonly reason: 'not-eligible' | 'no-account' | 'store-unavailable';
    };

/** Options of `paywall.createGift`. */
export interface GiftCreateOptions {
  /**
   * The article's absolute URL: the result's `url` is it with the gift parameter set.
   * @default undefined (`url: null`; put `token` in the parameter yourself)
   */
  readonly url?: string | URL;
}

/** A gift that was created. */
export interface CreatedGift {
  /** The gift's random id (in events as `gift`). */
  readonly id: string;
  /** The signed gift token, the value of the gift parameter. */
  readonly token: string;
  /** The article's URL with the gift parameter set, when a URL was given; else `null`. */
  readonly url: string | null;
  readonly article: string;
  readonly expiresAt: Date;
  readonly maxOpens: number | null;
}

/** What `paywall.createGift` answers: the gift, or why none was created. Never throws for a reader's state. */
export type GiftResult =
  | { readonly ok: true; readonly gift: CreatedGift; readonly allowance: Extract<GiftAllowance, { eligible: true }> }
  | {
      readonly ok: false;
      /**
       * `allowance-spent`: no gifts left this period (see `allowance.resetsAt`); `not-entitled`:
       * the giver may not read this article in full themselves (it needs an entitlement they lack).
       */
      readonly reason: 'not-eligible' | 'no-account' | 'not-entitled' | 'allowance-spent' | 'store-unavailable';
      readonly allowance: GiftAllowance;
    };

/** Why a session token was not accepted (the reader is then anonymous). */
export type SessionRejection =
  | 'oversized'
  | 'malformed'
  | 'untrusted-header'
  | 'meter-token'
  | 'bad-signature'
  | 'algorithm'
  | 'unknown-key'
  | 'expired'
  | 'not-yet-valid'
  | 'claims'
  | 'unmapped';

/** Options for a calendar period. */
export interface CalendarPeriod {
  /** The calendar unit the meter resets on. */
  readonly calendar: 'day' | 'week' | 'month';
  /**
   * The IANA time zone whose midnight starts a period, e.g. `Europe/London`.
   * @default 'UTC'
   */
  readonly timeZone?: string;
  /**
   * First day of a week (0 = Sunday … 6 = Saturday); only for `calendar: 'week'`.
   * @default 1
   */
  readonly weekStartsOn?: 0 | 1 | 2 | 3 | 4 | 5 | 6;
}

/** Options for a rolling window: a view frees up again N days after it was spent. */
export interface RollingPeriod {
  /** The window length in days (1 to 366). */
  readonly rollingDays: number;
}

/** The meter's period. */
export type PeriodOptions = CalendarPeriod | RollingPeriod;

/** A secret for signing meter tokens: at least 32 bytes (a string is measured in UTF-8 bytes). */
export type Secret = string | Uint8Array;

/** The atomic view-recording contract a meter store implements (`merge` and `claimView` are optional). */
export interface MeterStore {
  /**
   * Reads a meter without changing it: how many distinct articles were read since `since`,
   * whether `article` is among them and when the oldest of them was read.
   */
  peek(key: string, article: string, window: StoreWindow): Promise<StoreSnapshot>;
  /**
   * Atomically: if `article` is already in the meter, or the meter holds fewer than `limit`
   * articles read since `since`, add it at `at` (keeping its first time) and set the meter to
   * expire at `expiresAt`. Returns the state before the call and whether the view was added.
   * One round trip on a networked store.
   */
  record(key: string, article: string, view: StoreView): Promise<StoreRecordResult>;
  /**
   * Atomically adds views read elsewhere (an anonymous meter, on sign-in): each article not yet
   * in the meter, in order, while it holds fewer than `limit`. Returns the state after and how
   * many views it added.
   */
  merge?(key: string, views: readonly StoreMergeView[], window: StoreMergeWindow): Promise<StoreMergeResult>;
  /**
   * Rollback protection for cookie meters: atomically, with `known` the highest count stored
   * for `key` (0 if none), if `max(known, presented) < limit` store that plus one and allow the
   * view. Returns whether it is allowed and `max(known, presented)`.
   */
  claimView?(key: string, presented: number, view: StoreClaim): Promise<StoreClaimResult>;
  /** Atomically counts one more fresh meter for `key` in a window of `ttlMs` and returns the count. */
  countFresh?(key: string, ttlMs: number): Promise<number>;
}

/** A view to merge. */
export interface StoreMergeView {
  /** The article's keyed hash. */
  readonly article: string;
  /** When it was read, ms since epoch. */
  readonly at: number;
}

/** The window and bounds of a merge. */
export interface StoreMergeWindow extends StoreWindow {
  /** No view is added once the meter holds this many. */
  readonly limit: number;
  /** Now, ms since epoch. */
  readonly at: number;
  /** When the meter may be forgotten, ms since epoch. */
  readonly expiresAt: number;
}

/** The result of `merge`: the state after it, and how many views it added. */
export interface StoreMergeResult extends StoreSnapshot {
  readonly added: number;
}

/** Bounds of a claimed view. */
export interface StoreClaim {
  readonly limit: number;
  /** Now, ms since epoch. */
  readonly at: number;
  /** When the count may be forgotten (the period's end), ms since epoch. */
  readonly expiresAt: number;
}

/** The answer of `claimView`. */
export interface StoreClaimResult {
  /** Whether the view may be counted. */
  readonly allowed: boolean;
  /** The higher of the stored and the presented count, before this view. */
  readonly used: number;
}

/** The window a store looks at. */
export interface StoreWindow {
  /** Views read before this time (ms since epoch) no longer count. */
  readonly since: number;
}

/** A view to record. */
export interface StoreView extends StoreWindow {
  /** The limit: no new article is added when this many are already counted. */
  readonly limit: number;
  /** The time of the view, ms since epoch. */
  readonly at: number;
  /** When the whole meter may be forgotten, ms since epoch. */
  readonly expiresAt: number;
}

/** A meter as a store sees it. */
export interface StoreSnapshot {
  /** Distinct articles counted in the window (before this call, for `record`). */
  readonly used: number;
  /** Whether the article was already counted in the window. */
  readonly read: boolean;
  /** When the oldest counted view was read (ms), or `null` for an empty meter. */
  readonly oldestAt: number | null;
}

/** The result of `record`. */
export interface StoreRecordResult extends StoreSnapshot {
  /** Whether this call added the article. */
  readonly added: boolean;
}

/** Cookie settings for the meter token. `HttpOnly` is always set. */
export interface CookieOptions {
  /**
   * The cookie name. A `__Host-` name requires `secure`, `path: '/'` and no `domain`.
   * @default '__Host-meterwall'
   */
  readonly name?: string;
  /**
   * `SameSite`; `lax` keeps the meter when a reader arrives from search or social (strict would not).
   * @default 'lax'
   */
  readonly sameSite?: 'lax' | 'strict' | 'none';
  /**
   * `Secure`. Browsers accept secure cookies from `http://localhost` in development.
   * @default true
   */
  readonly secure?: boolean;
  /**
   * `Path`.
   * @default '/'
   */
  readonly path?: string;
  /**
   * `Domain`; not allowed with a `__Host-` name.
   * @default undefined
   */
  readonly domain?: string;
}

/** How a failing or slow meter store is handled on the request path. */
export interface FailureOptions {
  /**
   * How long to wait for the store before giving up, in milliseconds.
   * @default 250
   */
  readonly timeoutMs?: number;
  /**
   * `open`: a failing store falls back to the meter in the reader's cookie (with the registered
   * limit), a failing JWKS endpoint to an anonymous reader; `closed`: the prompt (reasons
   * `store-unavailable`, `session-unavailable`). Never grants an entitlement.
   * @default 'open'
   */
  readonly mode?: 'open' | 'closed';
}

/** Sizes of the in-process caches on the hot path. */
export interface CacheOptions {
  /**
   * Verified meter tokens kept, keyed by the exact token string.
   * @default 10000
   */
  readonly tokens?: number;
  /**
   * Keyed hashes of article ids and account ids kept.
   * @default 10000
   */
  readonly hashes?: number;
}

/** A meter's allowance per period. */
export interface MeterLimit {
  /** Distinct articles per period, 0 to 100. */
  readonly limit?: number;
}

/**
 * A public key as a JSON Web Key (RFC 7517): the members a public key has. Declared here rather
 * than taken from the DOM's `JsonWebKey`, so the declarations compile without the DOM library;
 * a DOM `JsonWebKey` or jose's `JWK` is one.
 */
export interface PublicJwk {
  readonly kty?: string;
  readonly alg?: string;
  readonly use?: string;
  readonly kid?: string;
  readonly key_ops?: readonly string[];
  readonly ext?: boolean;
  /** RSA. */
  readonly n?: string;
  readonly e?: string;
  /** EC and OKP. */
  readonly crv?: string;
  readonly x?: string;
  readonly y?: string;
}

/** How a session token is verified: a shared secret, a public key, or a JWKS URL. */
export type SessionKey =
  | { readonly secret: Secret }
  | { readonly publicKey: string | PublicJwk }
  | {
      readonly jwksUrl: string | URL;
      /**
       * Timeout of a JWKS fetch, in ms.
       * @default 1000
       */
      readonly timeoutMs?: number;
      /**
       * Least time between two JWKS fetches (an unknown `kid` refetches only after it), in ms.
       * @default 30000
       */
      readonly cooldownMs?: number;
      /**
       * How long fetched keys are used before they are fetched again, in ms.
       * @default 600000
       */
      readonly cacheMaxAgeMs?: number;
      /**
       * After a failed fetch, how long the endpoint is left alone (the failure policy answers meanwhile), in ms.
       * @default 5000
       */
      readonly failureBackoffMs?: number;
    };

/** The site's session token as a reader source (instead of `resolveReader`). */
export interface SessionOptions {
  /**
   * The cookie that holds the session token.
   * @default undefined (only the Authorization header is read)
   */
  readonly cookie?: string;
  /**
   * Also read `Authorization: Bearer <token>` (the cookie wins when both are present).
   * @default true
   */
  readonly bearer?: boolean;
  /** How tokens are verified. */
  readonly key: SessionKey;
  /** The algorithms accepted, pinned (e.g. `['RS256']`); HMAC ones only with a secret, public-key ones only with a public key or JWKS. */
  readonly algorithms: readonly string[];
  /**
   * Required `iss`.
   * @default not checked
   */
  readonly issuer?: string | readonly string[];
  /**
   * Required `aud`.
   * @default not checked
   */
  readonly audience?: string | readonly string[];
  /**
   * Required `typ` header (e.g. `JWT` or `at+jwt`). A meter token is refused whatever this says.
   * @default not checked
   */
  readonly typ?: string;
  /**
   * Clock tolerance for `exp` and `nbf`, in seconds (0 to 60).
   * @default 0
   */
  readonly clockToleranceSeconds?: number;
  /**
   * Turns the verified payload into a reader; may be async (e.g. to look up a plan).
   * @default id from `sub`, status from a `status` claim (else `registered`), entitlements from an `entitlements` claim
   */
  readonly claims?: (
    payload: Readonly<Record<string, unknown>>,
    request: RequestLike,
  ) => ReaderInput | null | undefined | Promise<ReaderInput | null | undefined>;
  /**
   * Verified sessions kept (each until its `exp`).
   * @default 10000
   */
  readonly cacheSize?: number;
}

/** Confirms that a client address belongs to the crawler it claims to be. */
export interface CrawlerVerifier {
  /** `true` only when `ip` is confirmed for `crawler` (a name such as `googlebot`); never throws for bad input. */
  verify(crawler: string, ip: string): boolean | Promise<boolean>;
}

/** Verified search crawlers get the full text (reason `crawler`) and never count. */
export interface CrawlersOptions {
  /** Verifiers tried in order; the first that confirms wins (ranges, DNS, or your own). */
  readonly verifiers: readonly CrawlerVerifier[];
  /**
   * Time allowed for verification on the request path, in ms; slower fails closed (anonymous).
   * @default 1000
   */
  readonly timeoutMs?: number;
}

/** Which proxies may report the client's address. Nothing is read from forwarding headers without this. */
export interface ProxyOptions {
  /** Trust this many proxies in front of the server (e.g. 1 for one load balancer). */
  readonly trustedHops?: number;
  /** Or trust proxies whose address lies in these CIDR ranges. */
  readonly trustedRanges?: readonly string[];
  /**
   * The header they write.
   * @default 'x-forwarded-for'
   */
  readonly header?: 'x-forwarded-for' | 'forwarded';
  /**
   * The header in which the trusted proxy (a CDN) reports the client's country as an ISO 3166
   * code, e.g. `'cf-ipcountry'` (Cloudflare) or `'cloudfront-viewer-country'`: what a rule's
   * `country` condition reads. Without it, rules cannot name countries.
   * @default undefined
   */
  readonly countryHeader?: string;
}

/** Referral sampling: a small separate budget for readers arriving from chosen sites. */
export interface ReferralOptions {
  /** Views per period granted after the meter is spent, kept in the token (1 to 20). */
  readonly budget: number;
  /** Named groups of referrer hosts (matched with their subdomains), e.g. `{ search: ['google.com'], social: ['t.co'] }`. */
  readonly sources: Readonly<Record<string, readonly string[]>>;
}

/** A cap on fresh meters per network and hour (needs a store with `countFresh`). */
export interface FreshMeterOptions {
  /**
   * New meters a network (/24 IPv4, /48 IPv6) may start per hour before the ones after start
   * spent on every meter (and draw no A/B arm but the first). Every meter the server writes for a
   * browser without one counts: a counted view, a gift link opened, a new reader's A/B variant.
   */
  readonly perHour: number;
}

/** Opt-in CDN variants: a small key per kind of page so a CDN can cache a few versions. */
export interface CdnOptions {
  /**
   * The variant header on responses (and the one an edge sends to the origin).
   * @default 'x-meterwall-variant'
   */
  readonly header?: string;
  /**
   * How long a shared cache may keep a variant page, in seconds.
   * @default 300
   */
  readonly sharedMaxAge?: number;
  /**
   * How long a signed variant (`signVariant`) is accepted by the origin, in seconds (at most 900):
   * it is bound to one article and expires within minutes, so a leaked value opens little.
   * @default 120
   */
  readonly signatureMaxAge?: number;
}

/** Which requests are page views: only a page view ever spends a view. */
export interface PageViewOptions {
  /**
   * Whether a same-site script fetch (`Sec-Fetch-Dest: empty`, such as an app's fetch for a
   * client-side navigation: Next's RSC request, Turbo, Inertia) may count. `'ignore'` suits a
   * site whose articles are only ever opened as documents: it also stops fetch-based
   * prefetchers that send no purpose header (Astro's and Quicklink's fallback in browsers
   * without `<link rel=prefetch>`).
   * @default 'count'
   */
  readonly scriptFetches?: 'count' | 'ignore';
  /**
   * Tells automated clients (link previews, monitors, headless browsers, HTTP libraries) by
   * user agent: return what matched (or `true`) for an automated client, `null` or `false` for
   * a browser; `false` turns detection off. Search crawlers keep their verified path.
   * @default isbot's maintained pattern
   */
  readonly automatedClients?: ((userAgent: string) => string | boolean | null | undefined) | false;
  /**
   * The site's own signal, asked last: return a short name for it (or `true`) when the request
   * is not a page view, e.g. an app-specific prefetch header. A throw is ignored.
   * @default undefined
   */
  readonly notPageView?: (request: RequestLike) => string | boolean | null | undefined;
}

/** What the server knows about the connection (not in a Fetch `Request`). */
export interface DecideContext {
  /** The connection's remote address (Node: `req.socket.remoteAddress`; Workers: `CF-Connecting-IP`). */
  readonly ip?: string | null | undefined;
}

/**
 * A length of time for rules on an article's age: milliseconds, or a number with a unit,
 * `'90m'`, `'24h'`, `'30d'`, `'2w'` (minutes, hours, days of 24 hours, weeks).
 */
export type RuleDuration = number | `${number}${'m' | 'h' | 'd' | 'w'}`;

/**
 * What a rule looks at. Every condition given must hold; a rule without conditions matches
 * every request (a catch-all, which must come last).
 */
export interface RuleConditions {
  /** The article's section is one of these. */
  readonly section?: string | readonly string[];
  /** The article has at least one of these tags. */
  readonly tag?: string | readonly string[];
  /** The article's type is one of these. */
  readonly type?: string | readonly string[];
  /** The article was published less than this long ago (an article without `publishedAt` never matches). */
  readonly newerThan?: RuleDuration;
  /** The article was published at least this long ago (an article without `publishedAt` never matches). */
  readonly olderThan?: RuleDuration;
  /** The reader's status is one of these. */
  readonly reader?: ReaderStatus | readonly ReaderStatus[];
  /** The reader holds every one of these entitlements. */
  readonly entitlements?: readonly string[];
  /** The client's address (the connection's, or what trusted proxies report) is in one of these CIDR ranges. */
  readonly network?: readonly string[];
  /**
   * The client's country, as a trusted proxy reports it in `proxy.countryHeader`, is one of these
   * ISO 3166 codes. The header is read only on a connection from a trusted proxy (see `proxy`).
   */
  readonly country?: string | readonly string[];
  /**
   * Refused: the `Referer` is written by the client, so a rule on it would open its articles to
   * anyone who forges the header. Readers arriving from search or social get a budget instead,
   * claimed in the store: the `referrals` option.
   * @deprecated `defineRules` refuses it; use `referrals: { budget, sources }`.
   */
  readonly referrer?: never;
  /** The reader's variant of an experiment (`experiments`) is this one, or one of these. */
  readonly bucket?: { readonly experiment: string; readonly variant: string | readonly string[] };
}

/**
 * What a matching rule does with the article:
 * - `'free'`: everyone reads it in full, nothing counted (reason `rule-free`);
 * - `'metered'` or `{ metered: 'default' }`: the meter decides, as without rules;
 * - `'registered'`: a registration wall: registered readers and subscribers read it in full
 *   (`registered-reader`), anonymous readers get the register prompt (`registration-wall`), no
 *   meter involved;
 * - `'subscribers'` or `{ subscribers: { entitlements } }`: subscribers (holding those
 *   entitlements) only;
 * - `{ institution: name }`: an institution's readers (give it a `network` condition) read in
 *   full without an account (`institution`); the decision and an `institution-access` event
 *   name it.
 */
export type RuleTreatment =
  | 'free'
  | 'metered'
  | 'registered'
  | 'subscribers'
  | { readonly metered: string }
  | { readonly subscribers: { readonly entitlements?: readonly string[] } }
  | { readonly institution: string };

/** One rule: first match wins. */
export interface Rule {
  /** What the desk calls it; the trace and the decision name it. Unique. */
  readonly name: string;
  /**
   * The conditions, all of which must hold.
   * @default {} (matches everything: a catch-all)
   */
  readonly when?: RuleConditions;
  /** What a match does with the article. (Not `then`: an object with a `then` reads as a promise to linters and to `await`.) */
  readonly treatment: RuleTreatment;
}

/** What a variant of an experiment changes: the limits of the site's meter and of named meters. */
export interface ExperimentMeters {
  /** The site meter's anonymous allowance in this variant. */
  readonly anonymous?: MeterLimit;
  /** The site meter's registered allowance in this variant (only where the site has one). */
  readonly registered?: MeterLimit;
  /** Named meters' allowances in this variant. */
  readonly named?: Readonly<Record<string, { readonly anonymous?: MeterLimit; readonly registered?: MeterLimit }>>;
}

/** One arm of an experiment. */
export interface ExperimentVariant {
  /** Its name, as decisions, traces and events report it. */
  readonly name: string;
  /** Its share of readers, relative to the other variants' weights (e.g. 50 and 50). */
  readonly weight: number;
  /**
   * The limits it overrides; a variant without `meters` is the control.
   * @default {}
   */
  readonly meters?: ExperimentMeters;
}

/**
 * An A/B test of limits: readers are split by weight into variants, deterministically (a keyed
 * hash of the experiment's name and the reader: the meter's random id, or the account id once
 * signed in, so a reader stays in one variant across requests, and across devices once signed in).
 */
export interface Experiment {
  /** Its name. */
  readonly name: string;
  /** Two to ten variants. */
  readonly variants: readonly ExperimentVariant[];
}

/** A session made by `defineSession` (validated), for `createPaywall({ session })`. */
export interface SessionSet {
  /** Where the token is read: the cookie's name, and whether `Authorization: Bearer` is read. */
  readonly cookie: string | undefined;
  readonly bearer: boolean;
}

/** Rules made by `defineRules` (validated and compiled), for `createPaywall({ rules })`. */
export interface RuleSet {
  /** How many rules. */
  readonly size: number;
}

/** Gift links made by `defineGifts` (validated), for `createPaywall({ gifts })`. */
export interface GiftSet {
  /** Browsers that may open one gift, or `null` for no cap. */
  readonly maxOpens: number | null;
}

/** AI agents made by `defineAgents` (`meterwall/agents`, validated), for `createPaywall({ agents })`. */
export interface AgentSet {
  /** The operators it knows, by name. */
  readonly operators: readonly string[];
}

/** Experiments made by `defineExperiments` (validated), for `createPaywall({ experiments })`. */
export interface ExperimentSet {
  /** How many experiments. */
  readonly size: number;
}

/** A named meter's allowances (see `meters.named`). */
export interface NamedMeterOptions {
  /** The anonymous allowance on this meter. */
  readonly anonymous: MeterLimit;
  /** The registered allowance on this meter, kept on the account (needed when the site's meter has one). */
  readonly registered?: MeterLimit;
  /**
   * A calendar period of its own (e.g. `{ calendar: 'week', timeZone: 'Europe/London' }`).
   * @default the site's period
   */
  readonly period?: CalendarPeriod;
}

/** Options of {@link createPaywall}. */
export interface PaywallOptions {
  /**
   * Secret(s) for signing meter tokens, each at least 32 bytes. A list or a `{ kid: secret }`
   * map enables rotation: the first signs, all verify.
   */
  readonly secret: Secret | readonly Secret[] | Readonly<Record<string, Secret>>;
  /**
   * Allowances. Without `registered` there is no register-to-continue step.
   * @default { anonymous: { limit: 3 }, registered: { limit: 10 } }
   */
  readonly meters?: {
    /** The anonymous allowance (default limit 3). */
    readonly anonymous?: MeterLimit;
    /** The registered allowance, kept on the account (default limit 10). */
    readonly registered?: MeterLimit;
    /**
     * More meters beside the site's (which rules call `'default'`), each counting its own
     * articles with its own limits in the same calendar period, e.g. `{ sport: { anonymous: {
     * limit: 5 }, registered: { limit: 20 } } }`. A rule sends articles to one with
     * `treatment: { metered: 'sport' }`. Up to 8; names of 1 to 32 lower-case letters, digits,
     * `-` or `_`. Each needs `registered` exactly when the site's meter has it.
     * @default {}
     */
    readonly named?: Readonly<Record<string, NamedMeterOptions>>;
  };
  /**
   * When the meter resets.
   * @default { calendar: 'month', timeZone: 'UTC' }
   */
  readonly period?: PeriodOptions;
  /**
   * The meter cookie.
   * @default { name: '__Host-meterwall', sameSite: 'lax', secure: true, path: '/' }
   */
  readonly cookie?: CookieOptions;
  /**
   * The meter token's `iss`.
   * @default 'meterwall'
   */
  readonly issuer?: string;
  /**
   * The meter token's `aud`.
   * @default 'meterwall:meter'
   */
  readonly audience?: string;
  /**
   * The site's callback that tells who the reader is.
   * @default every reader is anonymous
   */
  readonly resolveReader?: (request: RequestLike) => ReaderInput | null | undefined | Promise<ReaderInput | null | undefined>;
  /**
   * The site's session token (cookie or bearer), verified with jose: `defineSession({ … })`
   * (so a site without sessions ships no jose); an alternative to `resolveReader`.
   * @default undefined
   */
  readonly session?: SessionSet;
  /**
   * Verified search crawlers get the full text.
   * @default undefined (a crawler user agent is an ordinary anonymous reader)
   */
  readonly crawlers?: CrawlersOptions;
  /**
   * AI operators and agents, made by `defineAgents` (`meterwall/agents`): who they are (Web Bot
   * Auth key directories, published ranges) and what each gets per purpose (refused, the teaser,
   * the text under a licence, or for a price).
   * @default undefined (every AI client is an automated client: never counted, never the full text)
   */
  readonly agents?: AgentSet;
  /**
   * Trusted proxies for the client address.
   * @default undefined (forwarding headers are ignored)
   */
  readonly proxy?: ProxyOptions;
  /**
   * A/B tests of limits, made with `defineExperiments([...])`. A reader's variant of each is in
   * `decision.buckets`, the trace and the decision's events.
   * @default undefined (none)
   */
  readonly experiments?: ExperimentSet;
  /**
   * Ordered rules, first match wins, made with `defineRules([...])`, that decide how an article
   * is treated from its facts, the reader and the request (an article's own `access` or
   * `requires` wins over them). Without rules, or when none matches, an article is metered.
   * @default undefined (none)
   */
  readonly rules?: RuleSet;
  /**
   * Gift links, made with `defineGifts({...})`: a subscriber creates a signed link
   * (`paywall.createGift`) that opens one article in full for whoever receives it, without
   * spending their meter.
   * @default undefined (off: a gift parameter is ignored)
   */
  readonly gifts?: GiftSet;
  /**
   * Referral sampling.
   * @default undefined (off)
   */
  readonly referrals?: ReferralOptions;
  /**
   * Fresh-meter cap per network.
   * @default undefined (off)
   */
  readonly freshMeters?: FreshMeterOptions;
  /**
   * CDN variants.
   * @default undefined (every personalised response is private, no-store)
   */
  readonly cdn?: CdnOptions;
  /**
   * Which requests are page views (only they spend a view).
   * @default { scriptFetches: 'count', automatedClients: isbot }
   */
  readonly pageViews?: PageViewOptions;
  /**
   * Where account meters live.
   * @default createMemoryStore()
   */
  readonly store?: MeterStore;
  /**
   * Timeout and fallback for the store.
   * @default { timeoutMs: 250, mode: 'open' }
   */
  readonly failure?: FailureOptions;
  /**
   * The clock, in ms since epoch (or a `Date`).
   * @default Date.now
   */
  readonly now?: () => number | Date;
  /**
   * `false` runs in shadow mode, beside another paywall: meters count exactly as an enforcing
   * paywall's would, every event carries `shadow: true`, and every decision is `access: 'full'`
   * (`reason: 'shadow'`) with what would have been decided in `decision.wouldBe`.
   * @default true
   */
  readonly enforce?: boolean;
  /**
   * Receives events (views counted, walls shown, tokens rejected, store errors). Must not throw; if it does, the error is ignored.
   * @default undefined
   */
  readonly onEvent?: (event: PaywallEvent) => void;
  /**
   * Hot-path cache sizes.
   * @default { tokens: 10000, hashes: 10000 }
   */
  readonly cache?: CacheOptions;
}
