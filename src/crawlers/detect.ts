/**
 * Search crawlers by user agent. A user agent is only a claim: nothing is granted until the
 * address is verified (published ranges, or reverse and forward DNS onto the crawler's own
 * hostnames).
 */

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
export const CRAWLERS: readonly CrawlerDefinition[] = Object.freeze([
  // Google's common crawlers resolve to googlebot.com (including *.geo.googlebot.com), never to
  // googleusercontent.com, which anyone can rent.
  { name: 'googlebot', userAgent: /\b(?:Googlebot(?:-Image|-News|-Video)?|Google-InspectionTool|GoogleOther|Storebot-Google)\b/i, hostnames: ['googlebot.com'] },
  { name: 'bingbot', userAgent: /\b(?:bingbot|msnbot|BingPreview)\b/i, hostnames: ['search.msn.com'] },
  { name: 'applebot', userAgent: /\bApplebot\b/i, hostnames: ['applebot.apple.com'] },
  { name: 'yandexbot', userAgent: /\bYandex(?:Bot|News|Images)\b/i, hostnames: ['yandex.ru', 'yandex.net', 'yandex.com'] },
  { name: 'duckduckbot', userAgent: /\bDuckDuck(?:Go-Favicons-)?Bot\b/i, hostnames: [] },
]);

/** A cheap test that rules out ordinary browsers before the per-crawler patterns run. */
function mayBeCrawler(ua: string): boolean {
  return ua.includes('bot') || ua.includes('Bot') || ua.includes('BOT') || ua.includes('oogle') || ua.includes('ing') || ua.includes('andex');
}

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
  if (userAgent === null || userAgent.length > 1024 || !mayBeCrawler(userAgent)) return null;
  for (const crawler of CRAWLERS) if (crawler.userAgent.test(userAgent)) return crawler;
  return null;
}

/** Whether `hostname` is `domain` or one of its subdomains (a dot boundary, not a bare suffix). */
export function isUnder(hostname: string, domain: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return host === domain || host.endsWith(`.${domain}`);
}
