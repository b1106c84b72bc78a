/**
 * The `article` argument of `decide()` and `createGift()`, checked once and given its defaults:
 * misuse rejects with `ERR_INVALID_ARTICLE`, any string id is accepted.
 */
import type { ArticleFacts } from '../contracts/features.js';
import { PaywallError } from '../errors.js';
import type { Article, ArticleAccess } from '../types.js';

const ARTICLE_ACCESS = new Set<ArticleAccess>(['free', 'metered', 'subscribers']);
const EMPTY: readonly string[] = /* @__PURE__ */ Object.freeze([]);

/** An article with its defaults filled in (the facts rules and the policy look at). */
export type NormalizedArticle = ArticleFacts;

const invalid = (problem: string): PaywallError => new PaywallError('ERR_INVALID_ARTICLE', `meterwall: ${problem}`);

function timeOf(value: Date | string | undefined): number | null {
  if (value === undefined) return null;
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw invalid('article.publishedAt must be a Date or an ISO 8601 date string');
  return ms;
}

/** Validates the article argument (misuse rejects; any string id is accepted). */
export function normalizeArticle(article: Article): NormalizedArticle {
  if (article === null || typeof article !== 'object' || typeof article.id !== 'string') {
    throw new PaywallError('ERR_INVALID_ARTICLE', 'meterwall: decide() needs an article { id: string, access?, requires? }');
  }
  const access = article.access ?? 'metered';
  if (!ARTICLE_ACCESS.has(access))
    throw new PaywallError('ERR_INVALID_ARTICLE', `meterwall: article.access must be 'free', 'metered' or 'subscribers'`);
  const requires = article.requires ?? EMPTY;
  if (!Array.isArray(requires) || requires.some((r) => typeof r !== 'string')) {
    throw new PaywallError('ERR_INVALID_ARTICLE', 'meterwall: article.requires must be an array of strings');
  }
  const { section, type } = article;
  const tags = article.tags ?? EMPTY;
  if (section !== undefined && typeof section !== 'string') throw invalid('article.section must be a string');
  if (type !== undefined && typeof type !== 'string') throw invalid('article.type must be a string');
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string')) throw invalid('article.tags must be an array of strings');
  return {
    id: article.id,
    access,
    requires,
    explicit: article.access !== undefined || requires.length > 0,
    section,
    tags,
    type,
    publishedAt: timeOf(article.publishedAt),
  };
}
