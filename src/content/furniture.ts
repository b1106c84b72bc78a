/**
 * Page furniture inside an article body: subscribe promos, newsletter sign-ups, related links,
 * share bars, ads, embeds, captions, author bios. A reader does not take them for the article's
 * paragraphs, so a teaser does not count them (they are kept, as side content is). Recognised
 * by the class and id names CMSs give them (a name's parts split at `-` and `_`, so
 * `newsletter-signup__form` and `wp-block-jetpack-subscriptions` match), by the parts of a
 * custom element's name (`amp-ad`, `amp-social-share`) and by ARIA roles.
 */
import { attribute } from './sanitize.js';

/** Class and id name parts that mark furniture. */
const FURNITURE_NAMES: readonly string[] = /* @__PURE__ */ Object.freeze([
  'ad',
  'ads',
  'advert',
  'adverts',
  'advertisement',
  'adslot',
  'sponsor',
  'sponsored',
  'promo',
  'promotion',
  'promoted',
  'newsletter',
  'newsletters',
  'signup',
  'subscribe',
  'subscription',
  'subscriptions',
  'paywall',
  'membership',
  'donate',
  'cta',
  'callout',
  'related',
  'recirc',
  'recirculation',
  'readmore',
  'read-more',
  'more-stories',
  'most-read',
  'trending',
  'interstitial',
  'see-also',
  'also-read',
  'share',
  'sharing',
  'social',
  'outbrain',
  'taboola',
  'bio',
  'author-bio',
  'pullquote',
  'caption',
  'credit',
  'twitter-tweet',
  'instagram-media',
  'tiktok-embed',
  'embed',
]);

/** ARIA roles that mark furniture. */
const FURNITURE_ROLES: readonly string[] = /* @__PURE__ */ Object.freeze([
  'complementary',
  'navigation',
  'banner',
  'contentinfo',
  'search',
  'form',
  'dialog',
  'alert',
]);

/** A test for furniture built from the default names and roles plus a site's own. */
export type FurnitureTest = (name: string, attrs: readonly string[]) => boolean;

let defaultTest: FurnitureTest | undefined;

/** Builds the furniture test for the default names and roles and `extra` ones (the default one is built once). */
export function createFurnitureTest(extra: { readonly names?: readonly string[]; readonly roles?: readonly string[] } = {}): FurnitureTest {
  if ((extra.names?.length ?? 0) === 0 && (extra.roles?.length ?? 0) === 0) {
    defaultTest ??= buildTest({});
    return defaultTest;
  }
  return buildTest(extra);
}

function buildTest(extra: { readonly names?: readonly string[]; readonly roles?: readonly string[] }): FurnitureTest {
  const names = new Set([...FURNITURE_NAMES, ...(extra.names ?? [])].map((n) => n.toLowerCase()));
  const roles = new Set([...FURNITURE_ROLES, ...(extra.roles ?? [])].map((r) => r.toLowerCase()));
  // CMSs repeat the same few class lists on every page: remember the answers (bounded).
  const seen = new Map<string, boolean>();
  const matches = (value: string): boolean => {
    let answer = seen.get(value);
    if (answer === undefined) {
      answer = matchesAny(value);
      if (seen.size >= 1024) seen.clear();
      seen.set(value, answer);
    }
    return answer;
  };
  const matchesAny = (value: string): boolean => {
    for (const token of value.toLowerCase().split(/\s+/)) {
      if (token === '') continue;
      if (names.has(token)) return true;
      const parts = token.split(/[-_]+/);
      for (let i = 0; i < parts.length; i++) {
        if (names.has(parts[i] as string)) return true;
        // Two-part names (`read-more`, `see-also`) match inside longer ones too.
        if (i + 1 < parts.length && names.has(`${parts[i]}-${parts[i + 1]}`)) return true;
      }
    }
    return false;
  };
  return (element, attrs) => {
    if (element.includes('-') && matches(element)) return true;
    if (attrs.length === 0) return false;
    const role = attribute(attrs, 'role');
    if (
      role
        ?.toLowerCase()
        .split(/\s+/)
        .some((r) => roles.has(r))
    )
      return true;
    const className = attribute(attrs, 'class');
    if (className !== undefined && matches(className)) return true;
    const id = attribute(attrs, 'id');
    return id !== undefined && matches(id);
  };
}
