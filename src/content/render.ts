/**
 * `paywall.render()`: for one decision, the body to send (full or cut), the prompt or banner
 * and the JSON-LD. Options are validated once; cut teasers are cached in a bounded LRU keyed by
 * article id and the content version the site gives (no version, no caching).
 */
import { invalidOption } from '../errors.js';
import { createBoundedCache } from '../stores/memory.js';
import type { Decision } from '../types.js';
import { defaultBannerMarkup, defaultPromptMarkup, promptContext, resolvePromptOptions, type PeriodDescription, type PromptOptions } from './prompt.js';
import { jsonLdScript, paywallStructuredData, type ArticleMetadata } from './structured-data.js';
import { cutWithPolicy, resolveTeaserOptions, visibleText, type TeaserOptions } from './teaser.js';

/** Options for what a page shows (`content` in `createPaywall`). */
export interface ContentOptions {
  /**
   * Where teasers are cut.
   * @default { paragraphs: 2, whenShort: 'half' }
   */
  readonly teaser?: TeaserOptions;
  /**
   * Prompt and banner texts, URLs, locale and markup.
   * @default English texts, links to /register, /subscribe and /signin
   */
  readonly prompt?: PromptOptions;
  /**
   * Class of the element wrapping the paywalled text in a full page, named in the JSON-LD.
   * @default 'meterwall-paywalled'
   */
  readonly paywalledClass?: string;
  /**
   * Include the article's plain text as JSON-LD `articleBody` in full decisions.
   * @default false
   */
  readonly articleBody?: boolean;
  /**
   * How many cut teasers to cache (keyed by article id and version).
   * @default 1000
   */
  readonly cacheSize?: number;
}

/** What `render` returns. */
export interface Rendered {
  /** The article body to send: the full HTML wrapped in the paywalled class, or the cut teaser. */
  readonly html: string;
  /** The prompt markup for a teaser or prompt decision; '' for a full one. */
  readonly prompt: string;
  /** The meter banner ("2 of 3 free articles left this month"); '' without a meter. */
  readonly banner: string;
  /** The JSON-LD `<script>` element for the page. */
  readonly structuredData: string;
}

/** Per-call overrides of `render`. */
export interface RenderCallOptions {
  /** The reader's time zone for the reset date. */
  readonly timeZone?: string;
}

/** A render function bound to validated options (internal). */
export type Renderer = (decision: Decision, articleHtml: string, article?: ArticleMetadata, call?: RenderCallOptions) => Rendered;

const CLASS = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Validates content options once and returns the render function. */
export function createRenderer(options: ContentOptions | undefined, period: PeriodDescription): Renderer {
  const o = options ?? {};
  if (o === null || typeof o !== 'object') throw invalidOption('content', 'must be an object');
  for (const key of Object.keys(o)) {
    if (!['teaser', 'prompt', 'paywalledClass', 'articleBody', 'cacheSize'].includes(key)) throw invalidOption(`content.${key}`, 'is not a content option');
  }
  const teaser = resolveTeaserOptions(o.teaser, 'content.teaser');
  const prompt = resolvePromptOptions(o.prompt, period, 'content.prompt');
  const paywalledClass = o.paywalledClass ?? 'meterwall-paywalled';
  if (typeof paywalledClass !== 'string' || !CLASS.test(paywalledClass)) throw invalidOption('content.paywalledClass', 'must be a class name');
  if (o.articleBody !== undefined && typeof o.articleBody !== 'boolean') throw invalidOption('content.articleBody', 'must be a boolean');
  const cacheSize = o.cacheSize ?? 1000;
  if (!Number.isInteger(cacheSize) || cacheSize < 1) throw invalidOption('content.cacheSize', 'must be a positive integer');
  const cuts = createBoundedCache<string>(cacheSize);

  const cut = (html: string, article: ArticleMetadata | undefined): string => {
    if (article?.version === undefined) return cutWithPolicy(html, teaser);
    const key = `${article.id}\u0000${article.version}`;
    let teaserHtml = cuts.get(key);
    if (teaserHtml === undefined) {
      teaserHtml = cutWithPolicy(html, teaser);
      cuts.set(key, teaserHtml);
    }
    return teaserHtml;
  };

  // Prompt and banner depend only on these fields with the built-in markup, so they are cached too.
  const markup = createBoundedCache<{ prompt: string; banner: string }>(cacheSize);
  const markupFor = (decision: Decision, returnTo: string | undefined, timeZone: string | undefined): { prompt: string; banner: string } => {
    const build = () => {
      const context = promptContext(decision, prompt, { returnTo, timeZone });
      return {
        prompt: decision.access === 'full' ? '' : (prompt.renderPrompt ?? defaultPromptMarkup)(context),
        banner: (prompt.renderBanner ?? defaultBannerMarkup)(context),
      };
    };
    if (prompt.renderPrompt || prompt.renderBanner) return build(); // a site's function may read anything
    const m = decision.meter;
    const key = `${decision.access}|${decision.reason}|${m ? `${m.used}/${m.limit}/${m.resetsAt.getTime()}` : '-'}|${timeZone ?? ''}|${returnTo ?? ''}`;
    let parts = markup.get(key);
    if (!parts) {
      parts = build();
      if (key.length <= 1024) markup.set(key, parts);
    }
    return parts;
  };
  const jsonLd = createBoundedCache<string>(cacheSize);

  return (decision, articleHtml, article, call = {}) => {
    if (typeof articleHtml !== 'string') throw invalidOption('articleHtml', 'must be a string');
    const full = decision.access === 'full';
    const free = (article?.access ?? 'metered') === 'free';
    const html = full ? (free ? articleHtml : `<div class="${paywalledClass}">${articleHtml}</div>`) : cut(articleHtml, article);
    const { prompt: promptHtml, banner } = markupFor(decision, article?.url, call.timeZone);
    const withBody = full && o.articleBody === true;
    const dataKey = article?.version === undefined ? undefined : `${full}\u0000${article.id}\u0000${article.version}`;
    let structuredData = dataKey === undefined ? undefined : jsonLd.get(dataKey);
    if (structuredData === undefined) {
      const data = paywallStructuredData(decision, article ?? { id: '' }, {
        paywalledClass,
        ...(withBody ? { articleBody: visibleText(articleHtml, teaser) } : {}),
      });
      structuredData = jsonLdScript(data);
      if (dataKey !== undefined) jsonLd.set(dataKey, structuredData);
    }
    return { html, prompt: promptHtml, banner, structuredData };
  };
}
