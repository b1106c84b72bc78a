/** Meter cookies: reading them from a `Cookie` header, and writing the meter's `Set-Cookie`. */
import type { CookieSettings } from '../options/settings.js';

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09;

/**
 * The values sent under each of `names` in a `Cookie` header, in one pass over it: for each
 * name, its values in order (browsers send two cookies of one name when they differ by path or
 * domain, so the caller chooses), at most `max` each. Values are returned raw (tokens are
 * base64url or JWS and need no decoding), unquoted.
 */
export function readCookies(header: string | null, names: readonly string[], max = 4): string[][] {
  const found: string[][] = [];
  for (let n = 0; n < names.length; n++) found.push([]);
  if (!header) return found;
  const length = header.length;
  let start = 0;
  while (start < length) {
    let end = header.indexOf(';', start);
    if (end === -1) end = length;
    let i = start;
    while (i < end && isSpace(header.charCodeAt(i))) i++;
    const eq = header.indexOf('=', i);
    if (eq !== -1 && eq < end) {
      let nameEnd = eq;
      while (nameEnd > i && isSpace(header.charCodeAt(nameEnd - 1))) nameEnd--;
      for (let n = 0; n < names.length; n++) {
        const name = names[n] as string;
        const values = found[n] as string[];
        if (name.length !== nameEnd - i || values.length >= max || !header.startsWith(name, i)) continue;
        let value = header.slice(eq + 1, end).trim();
        if (value.length >= 2 && value.charCodeAt(0) === 0x22 && value.charCodeAt(value.length - 1) === 0x22) value = value.slice(1, -1);
        values.push(value);
      }
    }
    start = end + 1;
  }
  return found;
}

/**
 * Writes the meter's `Set-Cookie` values: the name and attributes (validated once, with the
 * options) are fixed, so each response only splices in the token and its `Max-Age`. The output
 * is byte for byte what jshttp's `cookie` (`stringifySetCookie`) writes for the same attributes,
 * in its order (a property test checks it against `cookie`). Written here rather than calling
 * `cookie`: that package is CommonJS, so an edge bundle keeps all 3.9 KB of it (parsers
 * included) for one string template, a sixth of what deciding may weigh.
 */
export function createMeterCookieWriter(settings: CookieSettings): (value: string, maxAgeSeconds: number) => string {
  const sameSite = settings.sameSite === 'lax' ? 'Lax' : settings.sameSite === 'strict' ? 'Strict' : 'None';
  const domain = settings.domain === undefined ? '' : `; Domain=${settings.domain}`;
  const tail = `${domain}; Path=${settings.path}; HttpOnly${settings.secure ? '; Secure' : ''}; SameSite=${sameSite}`;
  const head = `${settings.name}=`;
  return (value, age) => `${head}${value}; Max-Age=${Math.max(0, Math.floor(age))}${tail}`;
}
