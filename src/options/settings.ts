/**
 * `createPaywall`'s options after validation and defaults: plain data (internal). The options
 * layer produces it; `createPaywall` builds keys, store, period rules and detectors from it,
 * and the decision pipeline only reads it.
 */
import type { CrawlerVerifier, MeterStore, PaywallEvent, PublicJwk, ReaderInput, ReaderStatus, RequestLike } from '../types.js';
import type { IpRange } from '../util/ip.js';

/** A validated secret with its `kid` when the site named one. */
export interface SecretEntry {
  readonly kid: string | undefined;
  readonly bytes: Uint8Array<ArrayBuffer>;
}

/** The validated cookie attributes. */
export interface CookieSettings {
  readonly name: string;
  readonly sameSite: 'lax' | 'strict' | 'none';
  readonly secure: boolean;
  readonly path: string;
  readonly domain: string | undefined;
}

/** The validated period: a calendar unit in a zone, or a rolling window. */
export type PeriodSettings =
  | { readonly kind: 'calendar'; readonly unit: 'day' | 'week' | 'month'; readonly timeZone: string; readonly weekStartsOn: number }
  | { readonly kind: 'rolling'; readonly days: number };

/** Which proxies are trusted to report the client's address. */
export interface ProxySettings {
  /** Trust this many proxies in front of the server (the nearest is the connection). */
  readonly hops: number;
  /** Or trust proxies whose address lies in these ranges. */
  readonly ranges: readonly IpRange[];
  /** The header the proxies write. */
  readonly header: 'x-forwarded-for' | 'forwarded';
  /** The lower-case header in which the trusted proxy reports the client's country, or `undefined`. */
  readonly countryHeader: string | undefined;
}

/** What counts as a page view, as configured. */
export interface PageViewOptionSettings {
  readonly scriptFetches: 'count' | 'ignore';
  /** The site's detector, `false` to turn detection off, or `undefined` for isbot's. */
  readonly automatedClients: ((userAgent: string) => string | boolean | null | undefined) | false | undefined;
  readonly notPageView: ((request: RequestLike) => string | boolean | null | undefined) | undefined;
}

/** How a session token's signature is checked. */
export type SessionKeyConfig =
  | { readonly kind: 'secret'; readonly secret: Uint8Array }
  | { readonly kind: 'public'; readonly key: string | PublicJwk }
  | {
      readonly kind: 'jwks';
      readonly url: URL;
      readonly timeoutMs: number;
      readonly cooldownMs: number;
      readonly cacheMaxAgeMs: number;
      readonly failureBackoffMs: number;
    };

/** A session verifier's settings. */
export interface SessionVerifierConfig {
  readonly key: SessionKeyConfig;
  readonly algorithms: readonly string[];
  readonly issuer: string | readonly string[] | undefined;
  readonly audience: string | readonly string[] | undefined;
  readonly typ: string | undefined;
  readonly clockToleranceSeconds: number;
}

/** The validated session settings. */
export interface SessionSettings extends SessionVerifierConfig {
  readonly cookie: string | undefined;
  readonly bearer: boolean;
  /** The site's claims mapping, or `undefined` for the default one. */
  readonly claims:
    | ((
        payload: Readonly<Record<string, unknown>>,
        request: RequestLike,
      ) => ReaderInput | null | undefined | Promise<ReaderInput | null | undefined>)
    | undefined;
  readonly cacheSize: number;
}

/** Options after defaults and validation. */
export interface ResolvedOptions {
  readonly secrets: readonly SecretEntry[];
  readonly anonymousLimit: number;
  /** `null`: no registered allowance (registered readers use the anonymous meter). */
  readonly registeredLimit: number | null;
  /** The named meters' limits (`registered` is `null` exactly when `registeredLimit` is). */
  readonly namedMeters: ReadonlyMap<
    string,
    { readonly anonymous: number; readonly registered: number | null; readonly period: PeriodSettings | null }
  >;
  readonly period: PeriodSettings;
  readonly cookie: CookieSettings;
  readonly issuer: string;
  readonly audience: string;
  readonly resolveReader: ((request: RequestLike) => ReaderInput | null | undefined | Promise<ReaderInput | null | undefined>) | undefined;
  /** The site's store, or `undefined` for the default memory store. */
  readonly store: MeterStore | undefined;
  readonly failure: { readonly timeoutMs: number; readonly mode: 'open' | 'closed' };
  readonly now: () => number;
  readonly onEvent: ((event: PaywallEvent) => void) | undefined;
  /** `false`: shadow mode (decisions all full, with what would have been decided). */
  readonly enforce: boolean;
  readonly cache: { readonly tokens: number; readonly hashes: number };
  readonly crawlers: { readonly verifiers: readonly CrawlerVerifier[]; readonly timeoutMs: number } | undefined;
  readonly proxy: ProxySettings | null;
  readonly referrals:
    | { readonly budget: number; readonly sources: ReadonlyArray<{ readonly name: string; readonly hosts: readonly string[] }> }
    | undefined;
  readonly freshMeters: { readonly perHour: number } | undefined;
  readonly cdn: { readonly header: string; readonly sharedMaxAge: number; readonly signatureMaxAge: number; readonly enabled: boolean };
  readonly pageViews: PageViewOptionSettings;
}

/**
 * A rule's conditions, normalized: every field present (`null` when the rule does not ask), so
 * every rule has the same shape and trying twenty of them stays on V8's fast path.
 */
export interface RuleConditionSettings {
  readonly section: ReadonlySet<string> | null;
  readonly tag: ReadonlySet<string> | null;
  readonly type: ReadonlySet<string> | null;
  /** Published less than this many ms ago. */
  readonly newerThanMs: number | null;
  /** Published at least this many ms ago. */
  readonly olderThanMs: number | null;
  readonly reader: ReadonlySet<ReaderStatus> | null;
  readonly entitlements: readonly string[] | null;
  readonly network: readonly IpRange[] | null;
  /** Upper-case ISO 3166 codes. */
  readonly country: ReadonlySet<string> | null;
  /** An experiment and the variants that match. */
  readonly bucket: { readonly experiment: string; readonly variants: ReadonlySet<string> } | null;
}

/** A rule's treatment, normalized. */
export type RuleTreatmentSettings =
  | { readonly kind: 'free' }
  | { readonly kind: 'metered'; readonly meter: string }
  | { readonly kind: 'registered' }
  | { readonly kind: 'subscribers'; readonly entitlements: readonly string[] }
  | { readonly kind: 'institution'; readonly institution: string };

/** One validated rule. */
export interface RuleSettings {
  readonly name: string;
  readonly when: RuleConditionSettings;
  readonly treatment: RuleTreatmentSettings;
  /** Whether it has no condition (matches every request). */
  readonly catchAll: boolean;
}

/** Limits a variant overrides (`undefined`: the meter's own). */
export interface LimitOverrides {
  readonly anonymous: number | undefined;
  readonly registered: number | undefined;
  readonly named: ReadonlyMap<string, { readonly anonymous: number | undefined; readonly registered: number | undefined }>;
}

/** One variant, validated. */
export interface VariantSettings {
  readonly name: string;
  readonly weight: number;
  readonly meters: LimitOverrides;
}

/** One experiment, validated. */
export interface ExperimentSettings {
  readonly name: string;
  readonly variants: readonly VariantSettings[];
  /** The sum of the variants' weights. */
  readonly total: number;
}

/** The validated gift options. */
export interface GiftSettings {
  /** The query parameter that carries a gift token. */
  readonly param: string;
  /** Gifts a giver may create per allowance period. */
  readonly limit: number;
  /** The allowance's calendar period (`timeZone` `undefined` until `createPaywall` gives it the site's). */
  readonly period: {
    readonly kind: 'calendar';
    readonly unit: 'day' | 'week' | 'month';
    readonly timeZone: string | undefined;
    readonly weekStartsOn: number;
  };
  /** How long a gift link lasts, in ms. */
  readonly expiresInMs: number;
  /** Browsers that may open one gift, or `null` for no cap. */
  readonly maxOpens: number | null;
  /** Entitlements that let a non-subscriber give. */
  readonly entitlements: readonly string[];
}
