/** Small checks of HTTP and platform names, shared by the options and the core. */

/** A cookie name is an RFC 6265 token. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Tells whether `name` may be used as a cookie name. */
export function isCookieName(name: string): boolean {
  return TOKEN.test(name);
}

/** Tells whether `timeZone` is an IANA zone this runtime knows. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}
