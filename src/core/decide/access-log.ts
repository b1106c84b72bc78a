/**
 * What an access log line needs for `meterwall simulate` to replay a decision as the live site
 * made it (`paywall.accessLogFields`): the browser (a keyed id of its meter that lives as long as
 * the meter cookie), the meter cookies it presented and the one it was given (keyed hashes: the
 * log never holds a cookie), why it was not a page view, who was reading (the account keyed), the
 * gift link's verification, the client's address as the paywall read it, and the decision.
 * Computed after the decision from the request and the decision alone, so a site that does not
 * log pays nothing for it.
 */
import type { Access, AgentPurpose, Decision, DecisionReason, GiftRefusal, NotCountedCause, ReaderStatus } from '../../types.js';
import { runtime } from '#runtime';
import { formatIp } from '../../util/ip.js';
import { andThen, isPromiseLike, type MaybePromise } from '../../util/maybe-async.js';
import { readSetCookie } from '../cookies.js';
import type { EngineContext } from './context.js';
import { MeterDecision } from './decision.js';
import type { RequestFacts } from './request-facts.js';

/** The version of these fields' format. */
export const ACCESS_LOG_VERSION = 1;
/** Bytes of a keyed hash in the log (16 base64url characters). */
const LOG_HASH_BYTES = 12;

/** What `paywall.accessLogFields()` gives for one decision: add it to the request's access log line (as `meterwall`). */
export interface AccessLogFields {
  /** The format's version (1). */
  readonly v: number;
  /** A keyed id of the browser's meter: the same for as long as its meter cookie lives; `null` when it neither sent nor got one. */
  readonly browser: string | null;
  /** Each meter cookie the request sent: its keyed hash, or `!` and why it was refused (`!bad-signature`). */
  readonly cookies: readonly string[];
  /** The keyed hash of the meter cookie the response sets, `''` when it clears it, `null` when it sets none. */
  readonly wrote: string | null;
  /** Why the request was not a page view (`prefetch`, `head`, `automated`…), or `null` for a page view. */
  readonly notPageView: NotCountedCause | null;
  readonly status: ReaderStatus;
  /** The reader's account id, keyed (never the id itself), or `null`. */
  readonly account: string | null;
  readonly entitlements: readonly string[];
  /** A gift link's token: `ok` when it verified, else why not; `null` without one. */
  readonly gift: 'ok' | GiftRefusal | null;
  /** The client's address as the paywall read it (through trusted proxies only), or `null`. */
  readonly client: string | null;
  /** The host of the `Referer` (what the referral budget reads), or `null`. */
  readonly referer: string | null;
  /** The client's country as a trusted proxy reported it (what country rules read), or `null`. */
  readonly country: string | null;
  /** The reader's A/B variants (experiment → variant), as the live paywall drew them. */
  readonly buckets: Readonly<Record<string, string>>;
  /** Whether a search crawler's claim was verified (the full text for a crawler: verified live, replayed as verified). */
  readonly crawler: boolean;
  /**
   * A verified AI agent the site's policy decided for: its operator and purpose (verified live,
   * replayed as verified, under the policy of the replay's configuration), the price it offered
   * (`crawler-exact-price`, `crawler-max-price`, as sent) and its licence token's verdict; else `null`.
   */
  readonly agent: LoggedAgent | null;
  readonly access: Access;
  readonly reason: DecisionReason;
}

/** What the access log keeps of a verified AI agent's request. */
export interface LoggedAgent {
  readonly operator: string;
  readonly purpose: AgentPurpose;
  readonly exact: string | null;
  readonly max: string | null;
  readonly token: 'accepted' | 'refused' | null;
}

/** A price header as sent (`USD 0.01`), or `null` when absent or not one. */
const offer = (value: string | null): string | null =>
  value !== null && /^USD \d{1,7}(\.\d{1,9})?$/i.test(value.trim()) ? value.trim() : null;

/** The meter cookie value a decision sets, `''` when it clears it, `null` when it sets none. */
function written(decision: Decision, name: string): string | null {
  const lines = decision instanceof MeterDecision ? [MeterDecision.setCookieOf(decision)] : decision.headers.getSetCookie();
  for (const line of lines) {
    if (line === null) continue;
    const cookie = readSetCookie(line);
    if (cookie.name === name) return cookie.value;
  }
  return null;
}

/** The access log fields of `decision`, made for the request of `facts`. */
export function accessLogFields(ctx: EngineContext, facts: RequestFacts, decision: Decision): MaybePromise<AccessLogFields> {
  const key = ctx.keyring.hashing.get(ctx.keyring.signing.kid);
  if (key === undefined) throw new TypeError('meterwall: the signing key has no hashing key'); // importKeyring derives one for every key
  const now = ctx.options.now();
  const hash = (kind: string, value: string): MaybePromise<string> =>
    andThen(runtime.hmacSha256(key, `log\u0000${kind}\u0000${value}`), (mac) => runtime.base64Url(mac.subarray(0, LOG_HASH_BYTES)));
  const ridOf = (value: string): MaybePromise<string | null> =>
    andThen(ctx.tokens.read(value, now), (read) => (read.ok ? read.token.state.rid : null));

  const presented = facts.meterCookies;
  const out = written(decision, ctx.options.cookie.name);
  const parts: MaybePromise<unknown>[] = [];
  const cookies: string[] = new Array(presented.length).fill('');
  let browserRid: string | null = null;
  presented.forEach((value, i) => {
    parts.push(
      andThen(ctx.tokens.read(value, now), (read) => {
        if (!read.ok) {
          cookies[i] = `!${read.reason}`;
          return;
        }
        browserRid ??= read.token.state.rid;
        return andThen(hash('cookie', value), (h) => {
          cookies[i] = h;
        });
      }),
    );
  });
  let wrote: string | null = out === '' ? '' : null;
  let outRid: string | null = null;
  if (out !== null && out !== '') {
    parts.push(
      andThen(hash('cookie', out), (h) => {
        wrote = h;
      }),
    );
    parts.push(
      andThen(ridOf(out), (rid) => {
        outRid = rid;
      }),
    );
  }
  let gift: 'ok' | GiftRefusal | null = null;
  const token = facts.giftToken;
  if (token !== null && ctx.gifts !== null)
    parts.push(
      andThen(ctx.gifts.read(token, now), (read) => {
        gift = read.ok ? 'ok' : read.reason;
      }),
    );
  const finish = (): MaybePromise<AccessLogFields> => {
    const rid = outRid ?? browserRid;
    const account = decision.reader.id;
    const address = facts.clientAddress;
    return andThen(rid === null ? null : hash('browser', rid), (browser) =>
      andThen(account === undefined ? null : ctx.hasher.account(account), (accountHash) => ({
        v: ACCESS_LOG_VERSION,
        browser,
        cookies,
        wrote,
        notPageView: facts.notPageView?.cause ?? null,
        status: decision.reader.status,
        account: accountHash,
        entitlements: decision.reader.entitlements,
        gift,
        client: address === null ? null : formatIp(address),
        referer: facts.refererHost,
        country: facts.country,
        buckets: decision.buckets,
        crawler: decision.reason === 'crawler',
        agent:
          decision.agent === null
            ? null
            : {
                operator: decision.agent.operator,
                purpose: decision.agent.purpose,
                exact: offer(facts.request.headers.get('crawler-exact-price')),
                max: offer(facts.request.headers.get('crawler-max-price')),
                token: decision.agent.token,
              },
        access: decision.access,
        reason: decision.reason,
      })),
    );
  };
  return parts.some(isPromiseLike) ? Promise.all(parts).then(finish) : finish();
}
