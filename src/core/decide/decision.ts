/**
 * The decision a request gets, built once from what the stages gathered: the object adapters
 * read (headers built only when asked), and the events that report it.
 */
import type {
  Access,
  Decision,
  DecisionAgent,
  DecisionReason,
  MeterSnapshot,
  OpenedGift,
  PaywallEvent,
  Reader,
  TraceEntry,
  Variant,
} from '../../types.js';
import type { EngineSettings, Draft } from './context.js';
import type { NotPageView } from './page-view.js';
import type { DecidedOutcome } from './policy.js';

const NO_HEADERS: ReadonlyArray<readonly [string, string]> = /* @__PURE__ */ Object.freeze([]);

/** The status each agent outcome answers with. */
const AGENT_STATUS: Partial<Record<DecisionReason, 402 | 403>> = { 'agent-refused': 403, 'agent-payment-required': 402 };
/** The event each agent outcome reports. */
const AGENT_EVENTS = new Set<DecisionReason>(['agent-refused', 'agent-teaser', 'agent-licensed', 'agent-paid', 'agent-payment-required']);

const BASE_HEADERS: ReadonlyArray<readonly [string, string]> = /* @__PURE__ */ Object.freeze([
  Object.freeze(['Cache-Control', 'private, no-store'] as const),
  Object.freeze(['Vary', 'Cookie'] as const),
]);

/**
 * What a response to a URL carrying a gift token adds, whoever asks (a reader, a verified
 * crawler, a subscriber) and whether or not the gift opened: it is never indexed (the link is
 * one reader's), and the token in its URL never leaves the site in a `Referer` (third-party
 * scripts, images, links).
 */
const GIFT_HEADERS: ReadonlyArray<readonly [string, string]> = /* @__PURE__ */ Object.freeze([
  Object.freeze(['X-Robots-Tag', 'noindex'] as const),
  Object.freeze(['Referrer-Policy', 'same-origin'] as const),
]);

/** Everything a decision is made of. */
export interface DecisionParts {
  readonly access: Access;
  readonly reason: DecisionReason;
  readonly reader: Reader;
  readonly meter: MeterSnapshot | null;
  readonly counted: boolean;
  readonly trace: readonly TraceEntry[];
  /** The meter cookie to set, when the meter changed. */
  readonly setCookie: string | null;
  /** The CDN variant header's name, when CDN variants are on. */
  readonly variantHeader: string | null;
  /** The site's rule that matched, or `null`. */
  readonly rule: string | null;
  /** The institution that granted access, or `null`. */
  readonly institution: string | null;
  /** The reader's experiment variants (`{}` without experiments). */
  readonly buckets: Readonly<Record<string, string>>;
  /** The gift that opened the article, or `null`. */
  readonly gift: OpenedGift | null;
  /** Whether the request's URL carries a gift token (opened or not): the response is then never indexed. */
  readonly giftLink?: boolean;
  /** Shadow mode: what would have been decided (`access` is then `full`); else `null`. */
  readonly wouldBe?: { readonly access: Access; readonly reason: DecisionReason } | null;
  /** The HTTP status (a refused or a paying agent's); 200 when absent. */
  readonly status?: 200 | 402 | 403;
  /** The verified AI agent decided for, and the headers its grant adds; absent for everyone else. */
  readonly agent?: { readonly decided: DecisionAgent; readonly headers: ReadonlyArray<readonly [string, string]> } | null;
}

/** The decision object; `headers` is built on first access, so adapters that write headers directly skip it. */
export class MeterDecision implements Decision {
  readonly access: Access;
  readonly reason: DecisionReason;
  readonly reader: Reader;
  readonly meter: MeterSnapshot | null;
  readonly counted: boolean;
  readonly variant: Variant;
  readonly trace: readonly TraceEntry[];
  readonly rule: string | null;
  readonly institution: string | null;
  readonly buckets: Readonly<Record<string, string>>;
  readonly gift: OpenedGift | null;
  readonly wouldBe: { readonly access: Access; readonly reason: DecisionReason } | null;
  readonly status: 200 | 402 | 403;
  readonly agent: DecisionAgent | null;
  readonly #agentHeaders: ReadonlyArray<readonly [string, string]>;
  readonly #setCookie: string | null;
  readonly #variantHeader: string | null;
  readonly #giftLink: boolean;
  #headers: Headers | undefined;

  constructor(parts: DecisionParts) {
    this.access = parts.access;
    this.reason = parts.reason;
    this.reader = parts.reader;
    this.meter = parts.meter;
    this.counted = parts.counted;
    this.variant = parts.access;
    this.trace = parts.trace;
    this.rule = parts.rule;
    this.institution = parts.institution;
    this.buckets = parts.buckets;
    this.gift = parts.gift;
    this.wouldBe = parts.wouldBe ?? null;
    this.status = parts.status ?? 200;
    this.agent = parts.agent?.decided ?? null;
    this.#agentHeaders = parts.agent?.headers ?? NO_HEADERS;
    this.#setCookie = parts.setCookie;
    this.#variantHeader = parts.variantHeader;
    this.#giftLink = parts.giftLink === true || parts.gift !== null;
  }

  get headers(): Headers {
    if (!this.#headers) {
      const headers = new Headers();
      for (const [name, value] of MeterDecision.list(this)) headers.append(name, value);
      this.#headers = headers;
    }
    return this.#headers;
  }

  /** The headers as name/value pairs, without building a `Headers` (internal). */
  /** The `Set-Cookie` line of the meter cookie this decision writes, or `null`. */
  static setCookieOf(decision: MeterDecision): string | null {
    return decision.#setCookie;
  }

  static list(decision: MeterDecision): ReadonlyArray<readonly [string, string]> {
    const setCookie = decision.#setCookie;
    const variant = decision.#variantHeader;
    const gift = decision.#giftLink;
    const agent = decision.#agentHeaders;
    if (setCookie === null && variant === null && !gift && agent.length === 0) return BASE_HEADERS;
    const list: Array<readonly [string, string]> = [...BASE_HEADERS];
    if (gift) list.push(...GIFT_HEADERS);
    list.push(...agent);
    if (variant !== null) list.push([variant, decision.variant]);
    if (setCookie !== null) list.push(['Set-Cookie', setCookie]);
    return list;
  }
}

/**
 * The events a decision reports: a counted view (and an exhausted meter), a page view on an
 * institution's network, a request that was not a page view, and the wall shown. `notPageView`
 * is given for `not-counted` and `institution` decisions.
 */
export function decisionEvents(
  article: string,
  decision: DecisionParts,
  notPageView: NotPageView | null,
  emit: (event: PaywallEvent) => void,
): void {
  const { reader, meter, access, reason } = decision;
  // The reader's experiment variants go with every event about the decision, when there are any.
  const tagged = <E extends PaywallEvent>(event: E): E => (has(decision.buckets) ? { ...event, buckets: decision.buckets } : event);
  if (decision.counted && meter) {
    emit(tagged({ type: 'view-counted', article, reader, meter }));
    if (meter.remaining === 0) emit(tagged({ type: 'meter-exhausted', article, reader, meter }));
  }
  if (reason === 'institution' && decision.institution !== null && decision.rule !== null && notPageView === null)
    emit({ type: 'institution-access', article, institution: decision.institution, rule: decision.rule });
  if (reason === 'not-counted' && notPageView !== null)
    emit(tagged({ type: 'view-not-counted', article, reader, cause: notPageView.cause, signal: notPageView.signal }));
  const agent = decision.agent?.decided;
  if (agent !== undefined && AGENT_EVENTS.has(reason))
    emit({ type: reason as 'agent-refused', article, operator: agent.operator, purpose: agent.purpose, price: agent.price });
  if (access === 'prompt') emit(tagged({ type: 'prompt-shown', article, reader, reason }));
  else if (access === 'teaser') emit(tagged({ type: 'teaser-shown', article, reader, reason }));
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function has(record: Readonly<Record<string, string>>): boolean {
  for (const _ in record) return true;
  return false;
}

/**
 * The decision a draft comes to with `outcome`, and its events. Shadow mode (`enforce: false`):
 * the meter moved as it would have; the page shows everything, and says what it would not have.
 * `giftLink`: the request's URL carries a gift token (the response is then never indexed).
 */
export function decisionOf(
  draft: Draft,
  outcome: DecidedOutcome,
  o: Pick<EngineSettings, 'cdn' | 'onEvent' | 'enforce'>,
  giftLink: boolean,
  emit: (event: PaywallEvent) => void,
): Decision {
  const parts: Mutable<DecisionParts> = {
    access: outcome.access,
    reason: outcome.reason,
    reader: draft.reader,
    meter: draft.snapshot,
    counted: outcome.count && draft.snapshot !== null,
    trace: draft.trace.concat(outcome.trace),
    setCookie: draft.setCookie,
    variantHeader: o.cdn.enabled ? o.cdn.header : null,
    rule: draft.rule,
    buckets: draft.buckets,
    institution: outcome.reason === 'institution' ? draft.institution : null,
    gift: outcome.reason === 'gift' ? (draft.opening?.gift ?? null) : null,
    giftLink,
  };
  const grant = draft.agent;
  if (grant !== null && AGENT_EVENTS.has(outcome.reason)) {
    parts.status = AGENT_STATUS[outcome.reason] ?? 200;
    parts.agent = {
      decided: { operator: grant.operator, purpose: grant.purpose, price: grant.price, token: grant.token },
      headers: grant.headers,
    };
  }
  if (o.onEvent) {
    const notPageView = outcome.reason === 'not-counted' || outcome.reason === 'institution' ? draft.facts.notPageView : null;
    decisionEvents(draft.article.id, parts, notPageView, emit);
  }
  if (!o.enforce)
    return new MeterDecision({
      ...parts,
      access: 'full',
      reason: 'shadow',
      status: 200,
      wouldBe: { access: parts.access, reason: parts.reason },
    });
  return new MeterDecision(parts);
}
