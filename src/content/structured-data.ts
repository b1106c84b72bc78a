/**
 * Paywall structured data: `NewsArticle` JSON-LD with `isAccessibleForFree` and a `hasPart`
 * `WebPageElement` naming the class that wraps the paywalled part, as search engines ask of
 * paywalled pages (so serving crawlers the full text is not taken for cloaking).
 */
import type { Article, Decision } from '../types.js';

/** What a page knows about its article, for JSON-LD. Only `id` is required. */
export interface ArticleMetadata extends Article {
  /** A content version (a revision id or update time); with it, cut teasers are cached. */
  readonly version?: string | number;
  /** The headline. */
  readonly headline?: string;
  /** The canonical URL; also used as `{returnTo}` in prompt links. */
  readonly url?: string;
  /** A short description or standfirst. */
  readonly description?: string;
  /** ISO 8601 publication time. */
  readonly datePublished?: string;
  /** ISO 8601 last modification time. */
  readonly dateModified?: string;
  /** Author names. */
  readonly authors?: readonly string[];
  /** Image URLs. */
  readonly images?: readonly string[];
  /** The publisher's name. */
  readonly publisher?: string;
}

/** Options of {@link paywallStructuredData}. */
export interface StructuredDataOptions {
  /**
   * The class of the element that wraps the paywalled part (`cssSelector` is `.` + this).
   * @default 'meterwall-paywalled'
   */
  readonly paywalledClass?: string;
  /**
   * The article's plain text, included as `articleBody` only when the decision is full.
   * @default undefined
   */
  readonly articleBody?: string;
}

/**
 * The `NewsArticle` JSON-LD object for a decision: `isAccessibleForFree: false` and a `hasPart`
 * for metered and subscribers-only articles; no `articleBody` unless the decision is full.
 *
 * @example
 * ```ts
 * import { paywallStructuredData, jsonLdScript } from 'meterwall';
 * const script = jsonLdScript(paywallStructuredData(decision, { id: 'tram', headline: 'Tram line to cross the river' }));
 * ```
 */
export function paywallStructuredData(
  decision: Decision,
  article: ArticleMetadata,
  options: StructuredDataOptions = {},
): Record<string, unknown> {
  const free = (article.access ?? 'metered') === 'free';
  const data: Record<string, unknown> = { '@context': 'https://schema.org', '@type': 'NewsArticle' };
  if (article.headline !== undefined) data['headline'] = article.headline;
  if (article.description !== undefined) data['description'] = article.description;
  if (article.url !== undefined) {
    data['url'] = article.url;
    data['mainEntityOfPage'] = article.url;
  }
  if (article.datePublished !== undefined) data['datePublished'] = article.datePublished;
  if (article.dateModified !== undefined) data['dateModified'] = article.dateModified;
  if (article.images?.length) data['image'] = [...article.images];
  if (article.authors?.length) data['author'] = article.authors.map((name) => ({ '@type': 'Person', name }));
  if (article.publisher !== undefined) data['publisher'] = { '@type': 'Organization', name: article.publisher };
  data['isAccessibleForFree'] = free;
  if (!free) {
    data['hasPart'] = {
      '@type': 'WebPageElement',
      isAccessibleForFree: false,
      cssSelector: `.${options.paywalledClass ?? 'meterwall-paywalled'}`,
    };
  }
  if (decision.access === 'full' && options.articleBody !== undefined) data['articleBody'] = options.articleBody;
  return data;
}

/**
 * Serializes JSON-LD into a `<script type="application/ld+json">` element that is safe to embed:
 * `<`, `>`, `&` and the line separators are escaped, so no value can close the script.
 *
 * @example
 * ```ts
 * import { jsonLdScript } from 'meterwall';
 * const tag = jsonLdScript({ '@context': 'https://schema.org', '@type': 'NewsArticle', headline: '</script>' });
 * ```
 */
export function jsonLdScript(data: unknown): string {
  const json = JSON.stringify(data).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `<script type="application/ld+json">${json}</script>`;
}
