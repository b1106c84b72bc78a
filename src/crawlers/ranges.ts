/**
 * Crawler verification against published IP ranges (IPv4 and IPv6 CIDR), which the site
 * supplies and refreshes: Google and Bing publish theirs as JSON (`{ "prefixes": [{
 * "ipv4Prefix": "66.249.64.0/27" }, { "ipv6Prefix": "2001:4860:4801:10::/64" }] }`).
 */
import { invalidOption, PaywallError } from '../errors.js';
import { MIN_PREFIX, inRange, parseIp, parseRange, type IpRange } from '../util/ip.js';
import type { CrawlerVerifier } from '../types.js';

/** A verifier over range lists, one per crawler name; `update` swaps a list after a refresh. */
export interface RangeVerifier extends CrawlerVerifier {
  /** Replaces the ranges of one crawler (validated like the constructor's). */
  update(crawler: string, ranges: readonly string[]): void;
  /** The number of ranges held per crawler. */
  readonly sizes: Readonly<Record<string, number>>;
}

function validate(crawler: string, ranges: readonly string[]): IpRange[] {
  if (!Array.isArray(ranges)) throw invalidOption(`ranges.${crawler}`, 'must be a list of CIDR ranges');
  return ranges.map((text, i) => {
    const range = parseRange(text);
    if (!range) throw invalidOption(`ranges.${crawler}[${i}]`, `is not a CIDR range: ${String(text)}`);
    if (range.prefix < MIN_PREFIX[range.version]) {
      throw invalidOption(`ranges.${crawler}[${i}]`, `is too broad for a crawler (${range.text}; at least /${MIN_PREFIX[range.version]})`);
    }
    return range;
  });
}

/**
 * Creates a verifier that accepts a crawler's claim when the client address lies in one of its
 * published ranges. Ranges broader than /16 (IPv4) or /32 (IPv6), such as `0.0.0.0/0`, are refused.
 *
 * @example
 * ```ts
 * import { createRangeVerifier, fetchCrawlerRanges } from 'meterwall';
 * const ranges = createRangeVerifier({ googlebot: await fetchCrawlerRanges(GOOGLEBOT_RANGES_URL) });
 * setInterval(async () => ranges.update('googlebot', await fetchCrawlerRanges(GOOGLEBOT_RANGES_URL)), 86_400_000);
 * ```
 */
export function createRangeVerifier(lists: Readonly<Record<string, readonly string[]>>): RangeVerifier {
  if (lists === null || typeof lists !== 'object') throw invalidOption('ranges', 'must map crawler names to CIDR lists');
  const table = new Map<string, IpRange[]>();
  for (const [crawler, ranges] of Object.entries(lists)) table.set(crawler, validate(crawler, ranges));
  return {
    verify(crawler, ip) {
      const address = parseIp(ip);
      const ranges = table.get(crawler);
      return address !== null && (ranges?.some((range) => inRange(address, range)) ?? false);
    },
    update(crawler, ranges) {
      table.set(crawler, validate(crawler, ranges));
    },
    get sizes() {
      return Object.fromEntries([...table].map(([name, ranges]) => [name, ranges.length]));
    },
  };
}

/**
 * Reads a published range list: the JSON format Google and Bing use (`prefixes` of
 * `ipv4Prefix` / `ipv6Prefix`), as text or parsed, or a plain list of CIDR strings. Throws a
 * `TypeError` on anything else; ranges are validated when given to `createRangeVerifier`.
 *
 * @example
 * ```ts
 * import { parseCrawlerRanges } from 'meterwall';
 * const googlebot = parseCrawlerRanges(await readFile('googlebot.json', 'utf8'));
 * ```
 */
export function parseCrawlerRanges(source: unknown): string[] {
  let data = source;
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data);
    } catch {
      throw invalidOption('source', 'is not JSON');
    }
  }
  if (Array.isArray(data) && data.every((x) => typeof x === 'string')) return [...data];
  const prefixes = (data as { prefixes?: unknown } | null)?.prefixes;
  if (!Array.isArray(prefixes))
    throw invalidOption('source', 'must be { prefixes: [{ ipv4Prefix } | { ipv6Prefix }] } or a list of CIDR ranges');
  return prefixes.map((entry, i) => {
    const value = (entry as Record<string, unknown> | null)?.['ipv4Prefix'] ?? (entry as Record<string, unknown> | null)?.['ipv6Prefix'];
    if (typeof value !== 'string') throw invalidOption(`source.prefixes[${i}]`, 'has no ipv4Prefix or ipv6Prefix');
    return value;
  });
}

/**
 * Fetches and reads a published range list (Web `fetch`, bounded by a timeout). Rejects with a
 * `PaywallError` `ERR_RANGES_UNAVAILABLE` (its `cause` the network's error) when it cannot.
 *
 * @example
 * ```ts
 * import { fetchCrawlerRanges } from 'meterwall';
 * const bingbot = await fetchCrawlerRanges('https://www.bing.com/toolbox/bingbot.json', { timeoutMs: 5000 });
 * ```
 */
export async function fetchCrawlerRanges(url: string | URL, options: { timeoutMs?: number; fetch?: typeof fetch } = {}): Promise<string[]> {
  let text: string;
  try {
    const response = await (options.fetch ?? fetch)(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
    if (!response.ok) throw new PaywallError('ERR_RANGES_UNAVAILABLE', `meterwall: ${String(url)} answered ${response.status}`);
    text = await response.text();
  } catch (cause) {
    if (cause instanceof PaywallError) throw cause;
    throw new PaywallError('ERR_RANGES_UNAVAILABLE', `meterwall: ${String(url)} could not be fetched`, { cause });
  }
  return parseCrawlerRanges(text);
}
