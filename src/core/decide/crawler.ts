/**
 * The crawler stage: which search crawler a user agent claims to be, and whether the site's
 * verifiers confirm the client's address for it. A user agent is only a claim: nothing is
 * granted until the address is verified (published ranges, or reverse and forward DNS onto the
 * crawler's own hostnames), within a time limit; anything short of a confirmation is a refusal.
 */
import type { CrawlerVerifier, PaywallEvent } from '../../types.js';
import { formatIp } from '../../util/ip.js';
import { deadline, type MaybePromise } from '../../util/maybe-async.js';
import type { RequestFacts } from './request-facts.js';

/** A crawler meterwall knows. */
export interface CrawlerDefinition {
  /** A short name, used in events, traces and range lists (`googlebot`, `bingbot`…). */
  readonly name: string;
  /** How its user agent reads. */
  readonly userAgent: RegExp;
  /** The domains its reverse DNS names end in (suffix match on a dot boundary); empty when it publishes only ranges. */
  readonly hostnames: readonly string[];
}

/** The crawlers detected, in the order they are tried. */
export const CRAWLERS: readonly CrawlerDefinition[] = /* @__PURE__ */ Object.freeze([
  // Google's common crawlers resolve to googlebot.com (including *.geo.googlebot.com), never to
  // googleusercontent.com, which anyone can rent.
  {
    name: 'googlebot',
    userAgent: /\b(?:Googlebot(?:-Image|-News|-Video)?|Google-InspectionTool|GoogleOther|Storebot-Google)\b/i,
    hostnames: ['googlebot.com'],
  },
  { name: 'bingbot', userAgent: /\b(?:bingbot|msnbot|BingPreview)\b/i, hostnames: ['search.msn.com'] },
  { name: 'applebot', userAgent: /\bApplebot\b/i, hostnames: ['applebot.apple.com'] },
  { name: 'yandexbot', userAgent: /\bYandex(?:Bot|News|Images)\b/i, hostnames: ['yandex.ru', 'yandex.net', 'yandex.com'] },
  { name: 'duckduckbot', userAgent: /\bDuckDuck(?:Go-Favicons-)?Bot\b/i, hostnames: [] },
]);

/**
 * A cheap test that rules out ordinary browsers before the per-crawler patterns run: one pass
 * of one pattern (a third of the time of six substring searches on a browser's user agent).
 */
const MAY_BE_CRAWLER = /bot|Bot|BOT|oogle|ing|andex/;

/**
 * The crawler a user agent claims to be, or `null`. A claim only: it grants nothing until verified.
 *
 * @example
 * ```ts
 * import { detectCrawler } from 'meterwall';
 * detectCrawler('Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)')?.name; // 'googlebot'
 * ```
 */
export function detectCrawler(userAgent: string | null): CrawlerDefinition | null {
  if (userAgent === null || userAgent.length > 1024 || !MAY_BE_CRAWLER.test(userAgent)) return null;
  for (const crawler of CRAWLERS) if (crawler.userAgent.test(userAgent)) return crawler;
  return null;
}

/** The outcome of checking a crawler's claim. */
export interface CrawlerCheck {
  readonly name: string;
  readonly verified: boolean;
  readonly note: string;
}

/** The crawler verification settings (internal). */
export interface CrawlerSettings {
  readonly verifiers: readonly CrawlerVerifier[];
  readonly timeoutMs: number;
}

/**
 * Checks the crawler the request's user agent claims, or `null` when it claims none. Synchronous
 * when every verifier answers at once; bounded by `timeoutMs` otherwise.
 */
export function checkCrawler(
  facts: RequestFacts,
  settings: CrawlerSettings | undefined,
  emit: (event: PaywallEvent) => void,
): MaybePromise<CrawlerCheck> | null {
  const claimed = detectCrawler(facts.userAgent);
  if (claimed === null) return null;
  const name = claimed.name;
  const ip = settings ? facts.clientAddress : null;
  const refuse = (reason: 'no-ip' | 'refuted' | 'no-verifier' | 'timeout'): CrawlerCheck => {
    emit({ type: 'crawler-unverified', crawler: name, ip: ip === null ? null : formatIp(ip), reason });
    return { name, verified: false, note: `${name} claimed, not verified (${reason})` };
  };
  if (!settings) return refuse('no-verifier');
  if (ip === null) return refuse('no-ip');
  const address = formatIp(ip);
  const confirm = (ok: boolean): CrawlerCheck => {
    if (!ok) return refuse('refuted');
    emit({ type: 'crawler-verified', crawler: name, ip: address });
    return { name, verified: true, note: `${name} verified at ${address}` };
  };
  const answers = settings.verifiers.map((verifier) => {
    try {
      return verifier.verify(name, address);
    } catch {
      return false;
    }
  });
  if (answers.every((a) => typeof a === 'boolean')) return confirm(answers.some((a) => a === true));
  const anyConfirms = Promise.all(answers.map((a) => Promise.resolve(a).catch(() => false))).then((all) => all.some((a) => a === true));
  return deadline(anyConfirms, settings.timeoutMs, 'timeout' as const).then((answer) =>
    answer === 'timeout' ? refuse('timeout') : confirm(answer),
  );
}
