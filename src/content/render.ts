/**
 * `createRenderer()`: for one decision, the body to send (full or cut), the prompt or banner
 * and the JSON-LD. Separate from deciding, so an edge that only decides does not carry the
 * HTML tokenizer. Options are validated once; cut teasers are cached in a bounded LRU keyed by
 * article id and the content version the site gives (no version, no caching).
 */
import { invalidOption } from '../errors.js';
import { createBoundedCache } from '../util/bounded-cache.js';
import { bool, integer, record, rejectUnknown } from '../util/schema.js';
import type { Decision } from '../types.js';
import { defaultBannerMarkup, defaultPromptMarkup, promptContext } from './prompt.js';
import { resolvePromptOptions, type PromptOptions } from './prompt-options.js';
import { jsonLdScript, paywallStructuredData, type ArticleMetadata } from './structured-data.js';
import { cutWithPolicy, resolveTeaserOptions, visibleText, type TeaserOptions } from './teaser.js';

/** Options of {@link createRenderer}: what a page shows. */
export interface ContentOptions {
  /**
   * Where teasers are cut.
   * @default { paragraphs: 2, maxCharacters: 1500, whenShort: 'half' }
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

/** Renders decisions with options validated once. */
export interface Renderer {
  /**
   * What the page shows for a decision: the body (full, or cut on the server), the prompt or
   * banner markup and the JSON-LD. Pass the article's metadata for the JSON-LD and the links;
   * with a `version`, the cut teaser is cached.
   *
   * @example
   * ```ts
   * const { html, prompt, banner, structuredData } = renderer.render(decision, article.html, {
   *   id: article.id, version: article.updatedAt, headline: article.title, url: article.url,
   * });
   * ```
   */
  render(decision: Decision, articleHtml: string, article?: ArticleMetadata, options?: RenderCallOptions): Rendered;
}

const CLASS = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * Creates the renderer of what pages show: the teaser cut, the prompt and banner, the JSON-LD.
 * Throws an `InvalidOptionError` naming a bad option.
 *
 * @example
 * ```ts
 * import { createRenderer } from 'meterwall';
 * const renderer = createRenderer({
 *   teaser: { paragraphs: 2 },
 *   prompt: { urls: { register: '/register?returnTo={returnTo}' } },
 * });
 * ```
 */
export function createRenderer(options?: ContentOptions): Renderer {
  const o = record(options, 'content') as ContentOptions;
  rejectUnknown(
    o as Record<string, unknown>,
    'content',
    ['teaser', 'prompt', 'paywalledClass', 'articleBody', 'cacheSize'],
    'a content option',
  );
  const teaser = resolveTeaserOptions(o.teaser, 'content.teaser');
  const prompt = resolvePromptOptions(o.prompt, 'content.prompt');
  const paywalledClass = o.paywalledClass ?? 'meterwall-paywalled';
  if (typeof paywalledClass !== 'string' || !CLASS.test(paywalledClass))
    throw invalidOption('content.paywalledClass', 'must be a class name');
  const articleBody = bool(false)(o.articleBody, 'content.articleBody');
  const cacheSize = integer(1, 10_000_000, 1000)(o.cacheSize, 'content.cacheSize');
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
  const markupFor = (
    decision: Decision,
    returnTo: string | undefined,
    timeZone: string | undefined,
  ): { prompt: string; banner: string } => {
    const build = () => {
      const context = promptContext(decision, prompt, { returnTo, timeZone });
      return {
        prompt: decision.access === 'full' ? '' : (prompt.renderPrompt ?? defaultPromptMarkup)(context),
        banner: (prompt.renderBanner ?? defaultBannerMarkup)(context),
      };
    };
    if (prompt.renderPrompt || prompt.renderBanner) return build(); // a site's function may read anything
    const m = decision.meter;
    const period = m ? ('rollingDays' in m.period ? `r${m.period.rollingDays}` : `${m.period.calendar}@${m.period.timeZone}`) : '';
    const key = `${decision.access}|${decision.reason}|${m ? `${m.used}/${m.limit}/${m.resetsAt.getTime()}/${period}` : '-'}|${timeZone ?? ''}|${returnTo ?? ''}`;
    let parts = markup.get(key);
    if (!parts) {
      parts = build();
      if (key.length <= 1024) markup.set(key, parts);
    }
    return parts;
  };
  const jsonLd = createBoundedCache<string>(cacheSize);

  const render = (decision: Decision, articleHtml: string, article?: ArticleMetadata, call: RenderCallOptions = {}): Rendered => {
    if (typeof articleHtml !== 'string') throw invalidOption('articleHtml', 'must be a string');
    const full = decision.access === 'full';
    const free = (article?.access ?? 'metered') === 'free';
    const html = full ? (free ? articleHtml : `<div class="${paywalledClass}">${articleHtml}</div>`) : cut(articleHtml, article);
    const { prompt: promptHtml, banner } = markupFor(decision, article?.url, call.timeZone);
    const withBody = full && articleBody;
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
  return Object.freeze({ render });
}
