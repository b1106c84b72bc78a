/** Who sent a request: the client's address, read through trusted proxies only. */
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
