/**
 * The typed contracts that features plug into the decision through: rules, sessions, gift links
 * and experiments. Declared below `core`, so the engine depends on these shapes only, never on a
 * feature's code: `defineRules`, `defineSession`, `defineGifts` and `defineExperiments` build an
 * implementation and register it here, under the public object they return; `createPaywall`
 * finds it again (`resolveFeatures`), typed, with no `unknown` and no casts. A paywall without a
 * feature reaches none of its code (what an edge function that only decides bundles stays small).
 */
import type { HmacKey } from '#runtime';
import type { ExperimentSettings, GiftSettings, RuleSettings, SessionSettings } from '../options/settings.js';
import type {
  AgentPurpose,
  AgentSet,
  Article,
  ArticleAccess,
  ExperimentSet,
  GiftAllowance,
  GiftCreateOptions,
  GiftRefusal,
  GiftResult,
  GiftSet,
  MeterStore,
  PaywallEvent,
  Reader,
  RequestLike,
  RuleSet,
  SessionSet,
} from '../types.js';
import type { IpAddress } from '../util/ip.js';
import type { MaybePromise } from '../util/maybe-async.js';

/** An article with its defaults filled in: what rules and the policy look at. */
export interface ArticleFacts {
  readonly id: string;
  readonly access: ArticleAccess;
  readonly requires: readonly string[];
  /** Whether the article set its own `access` or `requires` (then no rule applies to it). */
  readonly explicit: boolean;
  readonly section: string | undefined;
  readonly tags: readonly string[];
  readonly type: string | undefined;
  /** `publishedAt` in ms, or `null`. */
  readonly publishedAt: number | null;
}

/**
 * What rules may know of where a request comes from. Every value is read through the one
 * trusted-hop reader (`core/decide/client-address.ts`): the address and the country only as far
 * as configured trusted proxies reported them.
 */
export interface OriginFacts {
  readonly clientAddress: IpAddress | null;
  /** The country a trusted proxy reported (upper-case ISO 3166 code), or `null`. */
  readonly country: string | null;
}

/** What a rule's conditions are checked against. */
export interface RuleFacts {
  readonly article: ArticleFacts;
  readonly reader: Reader;
  readonly request: OriginFacts;
  readonly now: number;
  /** The reader's experiment variants, when a rule asks for them (else `null`). */
  readonly buckets: Readonly<Record<string, string>> | null;
}

/** Finds the first rule whose conditions all hold, or `null`. */
export type RuleMatcher = (on: RuleFacts) => RuleSettings | null;

/** Rules, as `defineRules` made them: validated, and compiled into a matcher. */
export interface RulesFeature {
  readonly rules: readonly RuleSettings[];
  readonly match: RuleMatcher;
}

/** What a session source reads of a request. */
export interface SessionFacts {
  readonly request: RequestLike;
  /** The session cookie's value, when the site names one and the request carries it. */
  readonly sessionCookie: string | undefined;
  /** The token of an `Authorization: Bearer` header. */
  readonly bearer: string | undefined;
}

/** The reader a request resolved to. `unavailable`: the session could not be checked (JWKS down). */
export interface ResolvedReader {
  readonly reader: Reader;
  readonly note: string;
  readonly unavailable?: boolean;
}

/** Resolves readers; synchronous when nothing needs waiting for (a cached session). */
export type ReaderSource = (facts: SessionFacts) => MaybePromise<ResolvedReader>;

/** What a reader source is given by the paywall. */
export interface ReaderEnvironment {
  readonly emit: (event: PaywallEvent) => void;
  readonly now: () => number;
  readonly mode: 'open' | 'closed';
}

/** A session, as `defineSession` made it: settings, and the reader source (it brings jose). */
export interface SessionFeature {
  readonly settings: SessionSettings;
  readers(environment: ReaderEnvironment): ReaderSource;
}

/** Imported keys, ready for the hot path (Web Crypto keys, or `node:crypto` key objects on Node). */
export interface Keyring {
  /** The signing key: the first secret. */
  readonly signing: { readonly kid: string; readonly key: HmacKey };
  /** Every verifying key by `kid`. */
  readonly verify: ReadonlyMap<string, HmacKey>;
  /** The id-hashing key derived from each secret, by `kid`. */
  readonly hashing: ReadonlyMap<string, HmacKey>;
}

/**
 * What a gift's giver could read when they made it: their status and entitlements. A gift opens
 * only what this reader may read in full (checked by the policy, on every open).
 */
export interface GiverGrant {
  readonly status: 'registered' | 'subscriber';
  readonly entitlements: readonly string[];
}

/** What a gift token says. */
export interface GiftClaims {
  /** The gift's random id (16 base64url characters). */
  readonly id: string;
  /** The article it opens. */
  readonly article: string;
  /** The giver's keyed hash (16 base64url characters). */
  readonly giver: string;
  /** What the giver could read. */
  readonly grant: GiverGrant;
  /** When it stops opening the article, ms (whole seconds). */
  readonly expiresAt: number;
  /** Browsers that may open it, or `null` for no cap. */
  readonly maxOpens: number | null;
}

/** A presented gift token, read: its claims, or why it was refused. */
export type GiftRead = { readonly ok: true; readonly gift: GiftClaims } | { readonly ok: false; readonly reason: GiftRefusal };

/** Signs and reads gift tokens. */
export interface GiftTokens {
  sign(gift: GiftClaims, now: number): MaybePromise<string>;
  /** Verifies a presented token; never throws. */
  read(token: string, now: number): MaybePromise<GiftRead>;
}

/** What the paywall lends the gift maker: its store, keys and clock, and the policy's answer on what a giver may read. */
export interface GiftHost {
  readonly store: MeterStore;
  readonly tokens: GiftTokens;
  now(): number;
  /** A store call, bounded by the failure timeout. */
  bounded<T>(call: Promise<T>, what: string): Promise<T>;
  emit(event: PaywallEvent): void;
  storeFailed(cause: unknown): void;
  /** A giver's keyed hash. */
  giverHash(id: string): MaybePromise<string>;
  /**
   * What a gift of `article` by `reader` may carry: `null` when the reader may not read it in full
   * as `request` would be decided for them (the article's treatment and entitlements), else their
   * status and the entitlements the paywall's treatments ask for.
   */
  grantOf(request: RequestLike, article: Article, reader: Reader): GiverGrant | null;
}

/** Creates gifts and reads allowances for one paywall. */
export interface GiftMaker {
  allowance(reader: Reader): Promise<GiftAllowance>;
  create(request: RequestLike, reader: Reader, article: Article, options: GiftCreateOptions | undefined): Promise<GiftResult>;
}

/** Gift links, as `defineGifts` made them: settings (the allowance's time zone filled in by `resolveFeatures`), tokens and the maker. */
export interface GiftFeature {
  readonly settings: GiftSettings;
  tokens(keyring: Keyring, claims: { readonly issuer: string; readonly audience: string }): GiftTokens;
  maker(host: GiftHost, settings: GiftSettings): GiftMaker;
}

/** What an AI client reads for, and who it is, as `meterwall/agents` checked it. */
export interface AgentCheck {
  readonly operator: string;
  readonly purpose: AgentPurpose;
  readonly verified: boolean;
  /** How it was verified, or why not (the trace's note). */
  readonly note: string;
}

/** What the site's policy gives a verified agent. */
export type AgentOutcome = 'refused' | 'teaser' | 'licensed' | 'paid' | 'payment-required';

/** A verified agent's grant: the outcome, the price asked or charged, the headers that go with it. */
export interface AgentGrant {
  readonly operator: string;
  readonly purpose: AgentPurpose;
  readonly outcome: AgentOutcome;
  readonly price: number | null;
  /** A licence token it presented: accepted or refused by the site's `verify`; `null` for none. */
  readonly token: 'accepted' | 'refused' | null;
  readonly note: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
}

/** Claims `key` once for `ttlMs`: `true` the first time, `false` for a replay (or when it cannot be claimed). */
export type ClaimOnce = (key: string, ttlMs: number) => Promise<boolean>;

/** AI agents, as `defineAgents` (`meterwall/agents`) made them: who is asking, verified, and what the policy gives them. */
export interface AgentsFeature {
  /** Whether a request may come from an AI client (a signature, a known agent's user agent): synchronous, before any check. */
  mayBeAgent(request: RequestLike, userAgent: string | null): boolean;
  /** The AI client a request comes from, verified or not; `null` when it neither signs nor claims to be one. */
  check(request: RequestLike, client: IpAddress | null, now: number, claim: ClaimOnce): Promise<AgentCheck | null>;
  /**
   * The policy's grant to a verified agent, or `null` when the reader's own path decides (an agent
   * acting for a subscriber). `token`: a licence token's verdict as the live site logged it (the
   * simulator's replay; the token itself is never logged), instead of asking the site's `verify`.
   */
  grant(agent: AgentCheck, reader: Reader, article: ArticleFacts, request: RequestLike, token?: boolean): MaybePromise<AgentGrant | null>;
}

/** The features `define*` registered, by the public object they returned. */
const registry = {
  rules: /* @__PURE__ */ new WeakMap<RuleSet, RulesFeature>(),
  sessions: /* @__PURE__ */ new WeakMap<SessionSet, SessionFeature>(),
  gifts: /* @__PURE__ */ new WeakMap<GiftSet, GiftFeature>(),
  experiments: /* @__PURE__ */ new WeakMap<ExperimentSet, readonly ExperimentSettings[]>(),
  agents: /* @__PURE__ */ new WeakMap<AgentSet, AgentsFeature>(),
};

/** Registers what `defineAgents` made. */
export function plugAgents(set: AgentSet, feature: AgentsFeature): AgentSet {
  registry.agents.set(set, feature);
  return set;
}

/** Registers what `defineRules` made under the object it returns. */
export function plugRules(set: RuleSet, feature: RulesFeature): RuleSet {
  registry.rules.set(set, feature);
  return set;
}

/** Registers what `defineSession` made. */
export function plugSession(set: SessionSet, feature: SessionFeature): SessionSet {
  registry.sessions.set(set, feature);
  return set;
}

/** Registers what `defineGifts` made. */
export function plugGifts(set: GiftSet, feature: GiftFeature): GiftSet {
  registry.gifts.set(set, feature);
  return set;
}

/** Registers what `defineExperiments` made. */
export function plugExperiments(set: ExperimentSet, experiments: readonly ExperimentSettings[]): ExperimentSet {
  registry.experiments.set(set, experiments);
  return set;
}

/** The registered features (read by `resolveFeatures` only). */
export const plugged: {
  readonly rules: { get(set: RuleSet): RulesFeature | undefined };
  readonly sessions: { get(set: SessionSet): SessionFeature | undefined };
  readonly gifts: { get(set: GiftSet): GiftFeature | undefined };
  readonly experiments: { get(set: ExperimentSet): readonly ExperimentSettings[] | undefined };
  readonly agents: { get(set: AgentSet): AgentsFeature | undefined };
} = registry;
