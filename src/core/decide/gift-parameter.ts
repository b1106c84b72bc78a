/** A gift link's token in a request's URL (the gift parameter), read without building a `URL`. */

/**
 * The query parameter's value, or `null`: a URL without `<param>=` costs one string search, one
 * with it a walk over its query string (no `URL` object: the parameter is all that is read).
 */
export function giftParameter(url: string, param: string): string | null {
  const marker = `${param}=`;
  if (!url.includes(marker)) return null;
  const query = url.indexOf('?');
  if (query === -1) return null;
  const hash = url.indexOf('#', query);
  for (const pair of url.slice(query + 1, hash === -1 ? undefined : hash).split('&')) {
    // The first pair of that name decides, as URLSearchParams.get does (`gift` alone is empty).
    const eq = pair.indexOf('=');
    if ((eq === -1 ? pair : pair.slice(0, eq)) !== param) continue;
    if (eq === -1 || eq === pair.length - 1) return null;
    try {
      return decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, ' '));
    } catch {
      return null; // malformed percent-encoding: no gift, never a throw
    }
  }
  return null;
}
