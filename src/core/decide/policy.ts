/**
 * The decision itself, a pure function: state in, outcome out, no I/O, no clock. The rules are
 * tried in DESIGN.md's order and each one tried is written to the trace.
 */
import type { Access, ArticleAccess, DecisionReason, Reader, TraceEntry } from '../../types.js';
import type { AgentGrant } from '../../contracts/features.js';
import { agentAccess } from './agent-access.js';
import type { NotPageView } from './page-view.js';

/**
 * How the article is treated: its own `access`, or what the site's rule made of it (a
 * registration wall, an institution's network).
 */
export type PolicyAccess = ArticleAccess | 'registered' | 'institution';

/** Everything the rules look at except the meter. */
export interface PolicyInput {
  readonly access: PolicyAccess;
  /** The site's rule that gave the treatment, or `null`. */
  readonly rule: string | null;
  /** For `access: 'institution'`: the institution's name. */
  readonly institution: string | null;
  /** Who is reading could not be checked (session keys unavailable) and the paywall fails closed. */
  readonly readerUnavailable?: boolean;
  readonly requires: readonly string[];
  readonly reader: Reader;
  /** A crawler whose identity was verified (never a claimed user agent alone). */
  readonly crawler: boolean;
  /** A verified AI agent's grant by the site's policy (`meterwall/agents`), or `null`/absent. */
  readonly agent?: AgentGrant | null;
  /**
   * Why this request is not a page view, or `null` when it is one. Read only when the meter
   * would decide (a caller may compute it lazily, in a getter).
   */
  readonly notPageView: NotPageView | null;
  /** Whether a registered allowance exists (so an anonymous reader is offered registration). */
  readonly registration: boolean;
  /**
   * A gift link that is open for this browser (verified, for this article, under its cap): the
   * trace's note on it, and what its giver could read (their treatment of this article and their
   * entitlements, checked below); `null` (or absent) when there is none.
   */
  readonly gift?: { readonly note: string; readonly giver: PolicyInput } | null;
}

/**
 * The reader's meter as the rules need it, as its source (cookie or store) found it. Without
 * `spent`, the meter alone decides (a view is spent while one is left); a source that asked the
 * store says what the store allowed.
 */
export interface MeterInput {
  /** Views used before this request. */
  readonly used: number;
  readonly limit: number;
  /** Whether this article was already read in full this period. */
  readonly read: boolean;
  /**
   * An anonymous reader on a browser where an account signed in this period: signing out
   * hands out no anonymous allowance, the reader is asked to sign in again.
   */
  readonly signedOut?: boolean;
  /** Referral sampling: the matched source and the views left in its budget; absent when off or no match. */
  readonly sampling?: { readonly source: string; readonly remaining: number } | null;
  /** What the store let this request spend: a view of the meter, one of the referral budget, or nothing. */
  readonly spent?: 'view' | 'sample' | 'none';
  /**
   * Why the meter reads differently from the reader's cookie: the store knew more views (an
   * older cookie replayed), refused the view (its limit check is the atomic one), or the
   * network cap started this new meter spent.
   */
  readonly correction?: 'rolled-back' | 'refused' | 'capped' | null;
  /** The store failed and the paywall fails closed. */
  readonly unavailable?: boolean;
}

/** The rules' answer when they decided. `count`: this response spends a view. */
export interface DecidedOutcome {
  readonly needsMeter: false;
  readonly access: Access;
  readonly reason: DecisionReason;
  readonly count: boolean;
  readonly trace: readonly TraceEntry[];
}

/** The rules' answer: decided, or waiting for the meter. */
export type PolicyOutcome = DecidedOutcome | { readonly needsMeter: true; readonly trace: readonly TraceEntry[] };

function entry(rule: TraceEntry['rule'], matched: boolean, note: string): TraceEntry {
  return { rule, matched, note };
}

/** The trace entries that never vary, made once (the hot path builds a trace per request). */
const FIXED = {
  free: Object.freeze(entry('free-article', true, 'article is free')),
  metered: Object.freeze(entry('free-article', false, 'article is metered')),
  subscribersArticle: Object.freeze(entry('free-article', false, 'article is subscribers')),
  anonymous: Object.freeze(entry('subscriber', false, 'reader is anonymous')),
  registered: Object.freeze(entry('subscriber', false, 'reader is registered')),
  notGated: Object.freeze(entry('subscribers-only', false, 'article is metered')),
  read: Object.freeze(entry('already-read', true, 'read in full this period')),
  unread: Object.freeze(entry('already-read', false, 'not read this period')),
  pageView: Object.freeze(entry('not-counted', false, 'a page view')),
  signedOut: Object.freeze(entry('exhausted', true, 'an account signed in on this browser this period: sign in again')),
  register: Object.freeze(entry('exhausted', true, 'registering gives more views')),
  noRegister: Object.freeze(entry('exhausted', true, 'no larger allowance to register for')),
  storeUnavailable: Object.freeze(entry('store', true, 'store failed: failing closed')),
  readerUnavailable: Object.freeze(entry('reader', true, 'who is reading could not be checked: failing closed')),
  registeredReader: Object.freeze(entry('registration-wall', true, 'a registration wall: the reader has an account')),
  registrationWall: Object.freeze(entry('registration-wall', true, 'a registration wall: register to read')),
  giftNotEntitled: Object.freeze(entry('gift', false, 'gift link not opened: its giver may not read this article in full')),
} as const;

/** The trace's note on how the article is treated, when it is not free. */
const ACCESS_NOTES: Readonly<Record<Exclude<PolicyAccess, 'free'>, TraceEntry>> = {
  metered: FIXED.metered,
  subscribers: FIXED.subscribersArticle,
  registered: Object.freeze(entry('free-article', false, 'article is for registered readers')),
  institution: Object.freeze(entry('free-article', false, 'article is open on an institution’s network')),
};

const CORRECTIONS = {
  'rolled-back': 'the store knew more views (an older cookie was replayed)',
  refused: 'the store refused the view',
  capped: 'a new meter started spent (too many new meters from this network this hour)',
} as const;

function decided(trace: readonly TraceEntry[], access: Access, reason: DecisionReason, count: boolean): DecidedOutcome {
  return { needsMeter: false, access, reason, count, trace };
}

/**
 * Decides access for an article request. With `meter` `null` it answers as far as it can
 * without a meter and returns `needsMeter: true` when the meter decides (so a caller fetches
 * an account's meter from the store only when it matters).
 *
 * Order: free article (or a rule's free) → reader unknown while failing closed → a verified AI
 * agent (the site's policy) → entitled
 * subscriber → an institution's network → verified crawler → a gift link opened (see
 * {@link giftMatters}) → subscribers-only (or entitled articles) → registration wall → store unavailable while failing closed →
 * already read → not a page view (HEAD, prefetch, subresource, automated client…) → signed out
 * on this browser → meter has views → referral budget (only for a referred reader whose meter
 * is spent) → spent.
 */
export function evaluatePolicy(input: PolicyInput, meter: MeterInput): DecidedOutcome;
export function evaluatePolicy(input: PolicyInput, meter: MeterInput | null): PolicyOutcome;
export function evaluatePolicy(input: PolicyInput, meter: MeterInput | null): PolicyOutcome {
  const trace: TraceEntry[] = [];
  const { reader, requires } = input;

  if (input.access === 'free') {
    if (input.rule === null) {
      trace.push(FIXED.free);
      return decided(trace, 'full', 'free-article', false);
    }
    trace.push(entry('free-article', true, `free by the rule "${input.rule}"`));
    return decided(trace, 'full', 'rule-free', false);
  }
  trace.push(ACCESS_NOTES[input.access]);
  if (input.readerUnavailable === true) {
    trace.push(FIXED.readerUnavailable);
    return decided(trace, 'prompt', 'session-unavailable', false);
  }

  // A verified AI agent: the site's policy for its operator and purpose (agent-access.ts), nothing counted.
  if (input.agent) return decided([...trace, entry('agent', true, input.agent.note)], ...agentAccess(input.agent), false);
  const subscriber = reader.status === 'subscriber';
  const missing = requires.length === 0 ? requires : requires.filter((needed) => !reader.entitlements.includes(needed));
  if (subscriber && missing.length === 0) {
    trace.push(entry('subscriber', true, requires.length ? `holds ${requires.join(', ')}` : 'subscriber'));
    return decided(trace, 'full', 'subscriber', false);
  }
  trace.push(
    subscriber
      ? entry('subscriber', false, `lacks ${missing.join(', ')}`)
      : reader.status === 'anonymous'
        ? FIXED.anonymous
        : FIXED.registered,
  );

  if (input.access === 'institution') {
    trace.push(entry('institution', true, `the network of ${input.institution ?? 'an institution'}`));
    return decided(trace, 'full', 'institution', false);
  }

  if (input.crawler) {
    trace.push(entry('crawler', true, 'verified crawler'));
    return decided(trace, 'full', 'crawler', false);
  }

  const gift = input.gift;
  if (gift !== null && gift !== undefined) {
    // A gift grants only what its giver may read in full: the one check every gift goes through.
    if (mayGive(gift.giver)) {
      trace.push(entry('gift', true, gift.note));
      return decided(trace, 'full', 'gift', false);
    }
    trace.push(FIXED.giftNotEntitled);
  }

  if (input.access === 'subscribers' || requires.length > 0) {
    const why = input.access === 'subscribers' ? 'article is for subscribers' : `article requires ${requires.join(', ')}`;
    trace.push(entry('subscribers-only', true, why));
    return subscriber ? decided(trace, 'teaser', 'missing-entitlement', false) : decided(trace, 'teaser', 'subscribers-only', false);
  }
  if (input.access === 'registered') {
    // A registration wall: any account reads, an anonymous reader is asked to register; no meter.
    if (reader.status !== 'anonymous') {
      trace.push(FIXED.registeredReader);
      return decided(trace, 'full', 'registered-reader', false);
    }
    trace.push(FIXED.registrationWall);
    return decided(trace, 'prompt', 'registration-wall', false);
  }
  trace.push(FIXED.notGated);

  if (meter === null) return { needsMeter: true, trace };
  if (meter.unavailable === true) {
    trace.push(FIXED.storeUnavailable);
    return decided(trace, 'prompt', 'store-unavailable', false);
  }

  if (meter.read) {
    trace.push(FIXED.read);
    return decided(trace, 'full', 'already-read', false);
  }
  trace.push(FIXED.unread);

  // What a reader without a view to spend gets: registering opens a larger allowance only
  // for an anonymous reader, and only when a registered allowance exists.
  const register = reader.status === 'anonymous' && input.registration;
  const wallAccess: Access = register ? 'prompt' : 'teaser';

  const notPageView = input.notPageView;
  if (notPageView !== null) {
    trace.push(entry('not-counted', true, `not a page view (${notPageView.signal}): never spends a view`));
    return decided(trace, wallAccess, 'not-counted', false);
  }
  trace.push(FIXED.pageView);

  if (meter.signedOut === true) {
    trace.push(FIXED.signedOut);
    return decided(trace, 'prompt', 'signed-out', false);
  }

  const spent = meter.spent;
  if (spent === undefined ? meter.used < meter.limit : spent === 'view') {
    trace.push(entry('metered', true, `view ${meter.used + 1} of ${meter.limit}`));
    return decided(trace, 'full', 'metered', true);
  }
  const correction = meter.correction ? `: ${CORRECTIONS[meter.correction]}` : '';
  trace.push(entry('metered', false, `${meter.used} of ${meter.limit} used${correction}`));
  const sampling = meter.sampling;
  if (sampling) {
    if (spent === undefined ? sampling.remaining > 0 : spent === 'sample') {
      trace.push(entry('sampled', true, `referred by ${sampling.source}: ${sampling.remaining} referral view(s) left`));
      return decided(trace, 'full', 'sampled', true);
    }
    trace.push(
      entry(
        'sampled',
        false,
        `referred by ${sampling.source}, but the referral budget is spent${spent === 'none' && sampling.remaining > 0 ? ' (an older cookie was replayed)' : ''}`,
      ),
    );
  }
  const reason: DecisionReason = register ? 'register-to-continue' : 'meter-exhausted';
  trace.push(register ? FIXED.register : FIXED.noRegister);
  return decided(trace, wallAccess, reason, false);
}

/**
 * Whether a reader, as `input` describes them (their treatment of the article, their status and
 * entitlements), may read the article in full: it is free for them, they hold what it requires,
 * or it is metered (anyone reads a metered article on their meter). What a gift may open.
 */
export function mayGive(input: PolicyInput): boolean {
  // As the reader themselves: no crawler, no gift, no failing session (written out, not spread).
  const { access, rule, institution, requires, reader, registration } = input;
  const view: PolicyInput = { access, rule, institution, requires, reader, registration, crawler: false, notPageView: null, gift: null };
  const outcome = evaluatePolicy(view, null);
  return outcome.needsMeter || outcome.access === 'full';
}

/** The reasons decided before a gift link is looked at: a gift changes nothing for them. */
const BEFORE_GIFT: ReadonlySet<DecisionReason> = /* @__PURE__ */ new Set<DecisionReason>([
  'free-article',
  'rule-free',
  'session-unavailable',
  'subscriber',
  'institution',
  'crawler',
]);

/** Whether a gift link would be looked at for this request (so an open is claimed only when it can matter). */
export function giftMatters(input: PolicyInput): boolean {
  const outcome = evaluatePolicy(input, null);
  return outcome.needsMeter || !BEFORE_GIFT.has(outcome.reason);
}
