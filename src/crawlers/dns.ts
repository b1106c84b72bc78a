/**
 * Crawler verification by DNS (`meterwall/dns`, Node-only): the client address's reverse
 * name must lie under the crawler's own domain (e.g. `crawl-66-249-66-1.googlebot.com`), and a
 * forward lookup of that name must return the same address. Results are cached in a bounded
 * LRU; lookups have a timeout and a concurrency cap, and a timeout or a full cap fails closed.
 */
import { promises as dns } from 'node:dns';
import { invalidOption } from '../errors.js';
import { formatIp, parseIp } from '../util/ip.js';
import { createBoundedCache } from '../util/bounded-cache.js';
import type { CrawlerVerifier } from '../types.js';
import { CRAWLERS } from '../core/decide/crawler.js';
import { isUnder } from '../util/hosts.js';

/** The lookups the verifier needs; a stub in tests, `node:dns` by default. */
export interface DnsResolver {
  /** Reverse (PTR) names of an address. */
  reverse(ip: string): Promise<string[]>;
  /** Forward addresses of a name, IPv4 (4) or IPv6 (6). */
  resolve(hostname: string, family: 4 | 6): Promise<string[]>;
}

/** Options of {@link createDnsVerifier}. */
export interface DnsVerifierOptions {
  /**
   * The resolver.
   * @default node:dns (the system's resolvers)
   */
  readonly resolver?: DnsResolver;
  /**
   * Time allowed for the reverse and forward lookups together, in ms; slower fails closed.
   * @default 500
   */
  readonly timeoutMs?: number;
  /**
   * Verifications running at once; beyond it a claim fails closed at once (not cached).
   * @default 16
   */
  readonly concurrency?: number;
  /**
   * Addresses whose result is kept.
   * @default 10000
   */
  readonly cacheSize?: number;
  /**
   * How long a confirmed crawler address is trusted, in ms.
   * @default 21600000 (6 hours)
   */
  readonly positiveTtlMs?: number;
  /**
   * How long a refuted address stays refuted, in ms.
   * @default 3600000 (1 hour)
   */
  readonly negativeTtlMs?: number;
  /**
   * Domains per crawler name, replacing the built-in ones (e.g. `{ googlebot: ['googlebot.com'] }`).
   * @default googlebot.com, search.msn.com, applebot.apple.com, yandex.ru / .net / .com
   */
  readonly hostnames?: Readonly<Record<string, readonly string[]>>;
}

/** A DNS verifier, with counters for monitoring and tests. */
export interface DnsVerifier extends CrawlerVerifier {
  readonly stats: { readonly inFlight: number; readonly maxInFlight: number; readonly cached: number; readonly lookups: number };
}

const systemResolver: DnsResolver = {
  reverse: (ip) => dns.reverse(ip),
  resolve: (hostname, family) => (family === 4 ? dns.resolve4(hostname) : dns.resolve6(hostname)),
};

function positive(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw invalidOption(name, 'must be a positive integer');
  return value;
}

/**
 * Creates a crawler verifier that checks reverse and forward DNS.
 *
 * @example
 * ```ts
 * import { createDnsVerifier } from 'meterwall/dns';
 * const paywall = createPaywall({ secret, crawlers: { verifiers: [createDnsVerifier({ timeoutMs: 500 })] } });
 * ```
 */
export function createDnsVerifier(options: DnsVerifierOptions = {}): DnsVerifier {
  const resolver = options.resolver ?? systemResolver;
  if (typeof resolver.reverse !== 'function' || typeof resolver.resolve !== 'function')
    throw invalidOption('resolver', 'must have reverse and resolve');
  const timeoutMs = positive(options.timeoutMs, 'timeoutMs', 500);
  const concurrency = positive(options.concurrency, 'concurrency', 16);
  const positiveTtl = positive(options.positiveTtlMs, 'positiveTtlMs', 6 * 3_600_000);
  const negativeTtl = positive(options.negativeTtlMs, 'negativeTtlMs', 3_600_000);
  const domains = new Map<string, readonly string[]>(CRAWLERS.map((c) => [c.name, c.hostnames]));
  for (const [name, list] of Object.entries(options.hostnames ?? {})) {
    if (!Array.isArray(list) || list.some((d) => typeof d !== 'string' || !/^[a-z0-9.-]+\.[a-z]{2,}$/i.test(d))) {
      throw invalidOption(`hostnames.${name}`, 'must be a list of domain names');
    }
    domains.set(
      name,
      list.map((d) => d.toLowerCase()),
    );
  }
  const cache = createBoundedCache<boolean>(positive(options.cacheSize, 'cacheSize', 10_000));
  const pending = new Map<string, Promise<boolean>>();
  let inFlight = 0;
  let maxInFlight = 0;
  let lookups = 0;

  const check = async (ip: string, version: 4 | 6, allowed: readonly string[]): Promise<boolean> => {
    const names = await resolver.reverse(ip);
    for (const name of names.slice(0, 8)) {
      if (!allowed.some((domain) => isUnder(name, domain))) continue;
      const forward = await resolver.resolve(name, version);
      if (
        forward.some((address) => {
          const parsed = parseIp(address);
          return parsed !== null && formatIp(parsed) === ip;
        })
      )
        return true;
    }
    return false;
  };

  return {
    verify(crawler, address) {
      const parsed = parseIp(address);
      const allowed = domains.get(crawler);
      if (!parsed || !allowed || allowed.length === 0) return false;
      const ip = formatIp(parsed);
      const key = `${crawler}\u0000${ip}`;
      const known = cache.get(key);
      if (known !== undefined) return known;
      const running = pending.get(key);
      if (running) return running;
      if (inFlight >= concurrency) return false; // fail closed rather than queue behind a flood
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      lookups++;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const lookup = check(ip, parsed.version, allowed).catch(() => false);
      const result = Promise.race([lookup, timeout]).then((outcome) => {
        clearTimeout(timer);
        if (outcome === 'timeout') return false; // not cached: a slow resolver may answer next time
        cache.set(key, outcome, outcome ? positiveTtl : negativeTtl);
        return outcome;
      });
      pending.set(key, result);
      // The slot is held until the lookup itself settles, so a hung resolver cannot be flooded.
      void lookup.finally(() => {
        inFlight--;
        pending.delete(key);
      });
      return result;
    },
    get stats() {
      return { inFlight, maxInFlight, cached: cache.size, lookups };
    },
  };
}
