/** The only module that imports `cookie`: reading meter cookies and writing `Set-Cookie`. */
import { stringifySetCookie } from 'cookie';

/** The resolved, validated cookie attributes. */
export interface CookieSettings {
  readonly name: string;
  readonly sameSite: 'lax' | 'strict' | 'none';
  readonly secure: boolean;
  readonly path: string;
  readonly domain: string | undefined;
}

/** A cookie name is an RFC 6265 token. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Tells whether `name` may be used as a cookie name. */
export function isCookieName(name: string): boolean {
  return TOKEN.test(name);
}

/**
 * Every value sent under `name` in a `Cookie` header, in order. Browsers send two cookies of
 * the same name when they differ by path or domain, so the caller must choose between them.
 * Values are returned raw (meter tokens are base64url and need no decoding); at most `max`.
 */
export function readCookieValues(header: string | null, name: string, max = 4): string[] {
  const values: string[] = [];
  if (!header) return values;
  const length = header.length;
  let index = 0;
  while (index < length && values.length < max) {
    const found = header.indexOf(name, index);
    if (found === -1) break;
    index = found + name.length;
    // The name must start a pair (after the start, `;` or whitespace) and be followed by `=`.
    let before = found - 1;
    while (before >= 0 && (header.charCodeAt(before) === 0x20 || header.charCodeAt(before) === 0x09)) before--;
    if (before >= 0 && header.charCodeAt(before) !== 0x3b) continue;
    let eq = index;
    while (eq < length && (header.charCodeAt(eq) === 0x20 || header.charCodeAt(eq) === 0x09)) eq++;
    if (header.charCodeAt(eq) !== 0x3d) continue;
    let end = header.indexOf(';', eq + 1);
    if (end === -1) end = length;
    let value = header.slice(eq + 1, end).trim();
    if (value.length >= 2 && value.charCodeAt(0) === 0x22 && value.charCodeAt(value.length - 1) === 0x22) {
      value = value.slice(1, -1);
    }
    values.push(value);
    index = end;
  }
  return values;
}

/** A `Set-Cookie` value for the meter token, expiring after `maxAgeSeconds`. */
export function meterSetCookie(settings: CookieSettings, value: string, maxAgeSeconds: number): string {
  return stringifySetCookie(
    {
      name: settings.name,
      value,
      maxAge: Math.max(0, Math.floor(maxAgeSeconds)),
      httpOnly: true,
      secure: settings.secure,
      sameSite: settings.sameSite,
      path: settings.path,
      ...(settings.domain === undefined ? {} : { domain: settings.domain }),
    },
    { encode: (s) => s },
  );
}
