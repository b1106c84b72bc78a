/**
 * Where a request comes from: the client's address and country, read through trusted proxies
 * only. The one reader of every input a client could spoof about its origin (`X-Forwarded-For`,
 * `Forwarded`, a CDN's country header): a value is honoured only as far as a configured trusted
 * proxy wrote it. With `trustedRanges`, the direct peer must be one of them; `trustedHops` cannot
 * tell a proxy from a client, so it is safe only for an origin that cannot be reached directly.
 * Also the scheme a proxy reports, which nothing grants on: it only spares a warning.
 */
import type { RequestLike } from '../../types.js';
import type { ProxySettings } from '../../options/settings.js';
import { inRange, parseIp, type IpAddress } from '../../util/ip.js';

/** Most forwarded addresses read from a header: a long chain is spoofed anyway. */
const MAX_CHAIN = 32;

/** The addresses in `X-Forwarded-For` or `Forwarded` (RFC 7239 `for=`), nearest last. */
function forwardedChain(request: RequestLike, header: ProxySettings['header']): Array<IpAddress | null> {
  const value = request.headers.get(header);
  if (value === null) return [];
  const elements = value.split(',').slice(-MAX_CHAIN);
  if (header === 'x-forwarded-for') return elements.map((entry) => parseIp(entry));
  return elements.map((element) => {
    for (const pair of element.split(';')) {
      const eq = pair.indexOf('=');
      if (eq === -1 || pair.slice(0, eq).trim().toLowerCase() !== 'for') continue;
      let node = pair
        .slice(eq + 1)
        .trim()
        .replace(/^"|"$/g, '');
      // An IPv4 node may carry a port ("192.0.2.43:47011"); an IPv6 one is bracketed.
      if (!node.startsWith('[') && node.split(':').length === 2) node = node.slice(0, node.indexOf(':'));
      return parseIp(node);
    }
    return null;
  });
}

/**
 * The client's address: the connection's, unless proxies are trusted, in which case the
 * forwarding header is read only as far as trusted proxies wrote it. `null` when unknown.
 */
export function clientIp(request: RequestLike, connection: string | null | undefined, proxy: ProxySettings | null): IpAddress | null {
  const direct = parseIp(connection);
  if (proxy === null) return direct;
  const chain = [...forwardedChain(request, proxy.header), direct];
  if (proxy.ranges.length > 0) {
    // Walk back from the connection while each hop is a trusted proxy.
    let i = chain.length - 1;
    while (i > 0) {
      const hop = chain[i];
      if (!hop || !proxy.ranges.some((range) => inRange(hop, range))) break;
      i--;
    }
    return chain[i] ?? null;
  }
  return chain[Math.max(0, chain.length - 1 - proxy.hops)] ?? null;
}

/** Whether the connection itself comes from a trusted proxy (always, with `trustedHops`: see above). */
function directPeerTrusted(connection: string | null | undefined, proxy: ProxySettings): boolean {
  if (proxy.ranges.length === 0) return true;
  const direct = parseIp(connection);
  return direct !== null && proxy.ranges.some((range) => inRange(direct, range));
}

const COUNTRY = /^[A-Za-z]{2}$/;

/**
 * The client's country as a trusted proxy reported it in `proxy.countryHeader` (an upper-case
 * ISO 3166 code), or `null`: no such header configured, a connection from an untrusted peer, or
 * a value that is not a two-letter code.
 */
export function clientCountry(request: RequestLike, connection: string | null | undefined, proxy: ProxySettings | null): string | null {
  if (proxy === null || proxy.countryHeader === undefined || !directPeerTrusted(connection, proxy)) return null;
  const value = request.headers.get(proxy.countryHeader)?.trim();
  return value !== undefined && COUNTRY.test(value) ? value.toUpperCase() : null;
}

/**
 * The scheme a proxy in front reports (`X-Forwarded-Proto`, else `Forwarded: proto=`), first hop,
 * lower case; `null` when none does. Not checked against trusted proxies: it only keeps the
 * plain-http warning (plain-http.ts) quiet behind a proxy that ends TLS, and a forged one costs
 * nothing but that warning.
 */
export function reportedScheme(request: RequestLike): string | null {
  const header = request.headers.get('x-forwarded-proto');
  if (header !== null) return (header.split(',')[0] as string).trim().toLowerCase();
  const forwarded = /(?:^|[;,\s])proto="?([a-z]+)/i.exec(request.headers.get('forwarded') ?? '');
  return forwarded === null ? null : (forwarded[1] as string).toLowerCase();
}
