/**
 * Cookies: reading the meter cookie and the site's session cookie from a `Cookie` header,
 * reading a pasted `Set-Cookie` line, and writing the meter's `Set-Cookie`. The one module that
 * imports jshttp's `cookie` (README, "Dependencies").
 */
import { parseCookie, parseSetCookie, stringifySetCookie } from 'cookie';
import type { CookieSettings } from '../options/settings.js';

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09;

/** A cookie value without the double quotes RFC 6265 allows around it (`cookie`'s reading keeps them). */
export function unquote(value: string): string {
  return value.length >= 2 && value.charCodeAt(0) === 0x22 && value.charCodeAt(value.length - 1) === 0x22 ? value.slice(1, -1) : value;
}

/**
 * Every value sent under the meter cookie's `name`, in order, at most `max`; raw (tokens are
 * base64url or JWS and need no decoding) and unquoted.
 *
 * Ours rather than `cookie`'s `parseCookie`, which keeps the first value of a name: a browser
 * sends two meter cookies when they differ by path or domain (a stale one from before a move, or
 * one tossed from a sibling subdomain), and the meter must see them all to pick the right one
 * (the one that verifies with the most views spent: decide/presented-meter.ts); first-value reading would let
 * whichever cookie comes first reset the meter.
 */
export function readMeterCookies(header: string | null, name: string, max = 4): string[] {
  const values: string[] = [];
  if (!header) return values;
  const length = header.length;
  let start = 0;
  while (start < length && values.length < max) {
    let end = header.indexOf(';', start);
    if (end === -1) end = length;
    let i = start;
    while (i < end && isSpace(header.charCodeAt(i))) i++;
    const eq = header.indexOf('=', i);
    if (eq !== -1 && eq < end) {
      let nameEnd = eq;
      while (nameEnd > i && isSpace(header.charCodeAt(nameEnd - 1))) nameEnd--;
      if (name.length === nameEnd - i && header.startsWith(name, i)) {
        values.push(unquote(header.slice(eq + 1, end).trim()));
      }
    }
    start = end + 1;
  }
  return values;
}

/**
 * The first value of the cookie `name` (percent-decoded where it is encoded), or `undefined`:
 * `cookie`'s reading, for cookies that are the site's own, such as its session cookie, whose
 * value is verified after (a wrong first value reads as signed out, never as more access).
 */
export function readCookie(header: string | null, name: string): string | undefined {
  return header ? parseCookie(header)[name] : undefined;
}

/** The first value of each name in a `Cookie` header, in order (`cookie`'s reading). */
export function readCookieValues(header: string): string[] {
  return Object.values(parseCookie(header)).filter((value) => value !== undefined);
}

/** The name and value of a `Set-Cookie` line (without the `Set-Cookie:` prefix). */
export function readSetCookie(line: string): { readonly name: string; readonly value: string } {
  const { name, value } = parseSetCookie(line);
  return { name, value: value ?? '' };
}

/**
 * Writes the meter's `Set-Cookie` values with `cookie`'s `stringifySetCookie`, the attributes
 * (validated once, with the options) fixed and each response bringing its token and `Max-Age`.
 * A token is base64url or JWS: already cookie-octets, so the default encoding leaves it as it is.
 */
export function createMeterCookieWriter(settings: CookieSettings): (value: string, maxAgeSeconds: number) => string {
  const { name, secure, sameSite, path, domain } = settings;
  // One object literal of one shape per call (a spread per call cost a counted view ~0.3 µs).
  if (domain === undefined) {
    return (value, age) =>
      stringifySetCookie({ name, value, maxAge: Math.max(0, Math.floor(age)), path, httpOnly: true, secure, sameSite });
  }
  return (value, age) =>
    stringifySetCookie({ name, value, maxAge: Math.max(0, Math.floor(age)), domain, path, httpOnly: true, secure, sameSite });
}
