/** Host names: matching a host under a domain, and telling a valid one. */

/** A DNS host name with at least two labels (`google.com`, `news.example.co.uk`), lower case. */
export const HOST_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/;

/** Whether `hostname` is `domain` or one of its subdomains (a dot boundary, not a bare suffix). */
export function isUnder(hostname: string, domain: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return host === domain || host.endsWith(`.${domain}`);
}

/** The lower-cased host of a URL (a `Referer`), or `null` when it is not one. */
export function hostOf(url: string | null, maxLength = 2048): string | null {
  if (url === null || url.length > maxLength) return null;
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return null;
  }
}
