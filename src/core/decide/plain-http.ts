/**
 * A `Secure` meter cookie (the default `__Host-meterwall` is one) sent over plain http is
 * dropped by the browser: every article then reads as the reader's first, and the wall never
 * shows, silently. Browsers make one exception, localhost: `http://localhost`, `*.localhost` and
 * loopback addresses are secure contexts, where `Secure` cookies are kept.
 */
import type { RequestLike } from '../../types.js';
import { reportedScheme } from './client-address.js';

const LOOPBACK = /^(?:localhost|.+\.localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** The host of an `http://` URL (no userinfo, no port), lower case; `null` for any other URL or a bare path. */
function httpHost(url: string): string | null {
  // A bare path or an https URL is told apart at its fifth character: no string is built for them.
  if (url.charCodeAt(4) !== 0x3a || !/^http:\/\//i.test(url)) return null;
  let end = 7;
  while (end < url.length && url[end] !== '/' && url[end] !== '?' && url[end] !== '#') end++;
  let authority = url.slice(7, end);
  authority = authority.slice(authority.lastIndexOf('@') + 1);
  const host = authority.startsWith('[') ? authority.slice(0, authority.indexOf(']') + 1) : authority.split(':')[0];
  return host === undefined || host === '' ? null : host.toLowerCase();
}

/**
 * The host of a request that came over plain http to a host that is not localhost, by its URL
 * and by what a proxy in front reports (TLS often ends at the proxy); `null` otherwise, and when
 * the URL is a bare path (then nothing is known). Only used to warn, so a forged header costs
 * nothing but a missed warning. No `URL` is built: over http to localhost it runs for every
 * cookie a paywall sets.
 */
export function plainHttpHost(request: RequestLike): string | null {
  const host = httpHost(request.url);
  if (host === null || LOOPBACK.test(host)) return null;
  const proto = reportedScheme(request);
  return proto !== null && proto !== 'http' ? null : host;
}

/** The warning's text: what happens, and the three ways out. */
export function plainHttpWarning(host: string, cookie: string): string {
  return [
    `meterwall: the meter cookie ${cookie} is Secure, and http://${host} is plain http: browsers will not store it there.`,
    'Every article will read as the reader\'s first ("metered") and the wall will never show.',
    `Serve the site over https, open it as http://localhost, or for development on a plain-http host set cookie: { name: 'meterwall', secure: false }.`,
    'If TLS ends at a proxy in front of this server, have it send X-Forwarded-Proto: https. (Said once per paywall; event meter-cookie-dropped.)',
  ].join('\n  ');
}
