/**
 * Server-side truncation, the public side: `cutTeaser`, the short-article rule (half of a short
 * article's text, at most 1,000 characters, never the whole), the ceiling on every teaser's
 * visible text (`maxCharacters`) and the visible text for JSON-LD.
 */
import { invalidOption } from '../errors.js';
import { cutArticle } from './cutter.js';
import { TreeBuilder, type TreeHandler } from './html/tree.js';
import { DROPPED, isHidden } from './sanitize.js';
import { DEFAULT_PARAGRAPHS, resolveTeaserOptions, type ResolvedTeaserOptions, type TeaserOptions } from './teaser-options.js';

export { escapeHtml } from './sanitize.js';
export { resolveTeaserOptions, type TeaserOptions, type ResolvedTeaserOptions } from './teaser-options.js';

/** The most a short article gives away, in characters of visible text. */
const FALLBACK_CAP = 1000;

/**
 * Cuts with the options' mode, falling back to a bounded share of the text when the article is
 * shorter than the cut; whatever the mode kept, no more than `maxCharacters` of visible text.
 */
export function cutWithPolicy(html: string, options: ResolvedTeaserOptions): string {
  return bounded(cutByMode(html, options), options);
}

/** The teaser within the ceiling: cut again, at `maxCharacters`, when the mode kept more (a teaser shorter in markup than the ceiling cannot be). */
function bounded(teaser: string, options: ResolvedTeaserOptions): string {
  if (teaser.length <= options.maxCharacters) return teaser;
  const capped = cutArticle(teaser, options, { kind: 'characters', n: options.maxCharacters });
  return capped.cut ? capped.html : teaser;
}

function cutByMode(html: string, options: ResolvedTeaserOptions): string {
  let mode = options.mode;
  let first = cutArticle(html, options, mode);
  if (mode.kind === 'marker' && !first.cut) {
    // No marker in the article: keep the default paragraphs.
    mode = { kind: 'paragraphs', n: DEFAULT_PARAGRAPHS };
    first = cutArticle(html, options, mode);
  }
  if (!first.complete || options.whenShort === 'full') return first.html;
  // The whole article fit before the cut: keep half of its text instead, and never much of a long
  // one (counting stops where half would reach the cap).
  const total = cutArticle(html, options, { kind: 'characters', n: 2 * FALLBACK_CAP }).counted;
  const share = Math.min(Math.floor(total / 2), FALLBACK_CAP);
  if (share === 0) return '';
  return cutArticle(html, options, { kind: 'characters', n: share }).html;
}

/**
 * Cuts an article's HTML on the server, keeping only what a reader sees before the cut (by
 * default the first 2 paragraphs), as well-formed HTML with nothing held back in comments,
 * scripts, attributes or hidden elements. Throws a `TypeError` naming a bad option.
 *
 * @example
 * ```ts
 * import { cutTeaser } from 'meterwall';
 * const teaser = cutTeaser(article.html, { paragraphs: 3 });
 * const byMarker = cutTeaser(article.html, { marker: { comment: 'paywall' } });
 * ```
 */
export function cutTeaser(html: string, options?: TeaserOptions): string {
  if (typeof html !== 'string') throw invalidOption('html', 'must be a string');
  return cutWithPolicy(html, resolveTeaserOptions(options, 'options'));
}

/**
 * The visible text of an article (what a reader sees: no scripts, styles, comments or hidden
 * elements), for JSON-LD `articleBody` (internal).
 */
export function visibleText(html: string, options: ResolvedTeaserOptions): string {
  const parts: string[] = [];
  const collector: TreeHandler<{ dropped: boolean }> = {
    stopped: false,
    open: (name, ns, attrs, _fostered, parent) => ({
      dropped: (parent?.dropped ?? false) || ns !== 'html' || DROPPED.has(name) || isHidden(attrs, options.dropClasses),
    }),
    close: () => undefined,
    reopen: () => undefined,
    text: (text, _fostered, into) => void (into?.dropped ? undefined : parts.push(text)),
    rawText: () => undefined,
    comment: () => undefined,
  };
  new TreeBuilder(html, collector).run();
  return parts.join('').replace(/\s+/g, ' ').trim();
}
