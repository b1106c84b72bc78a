/**
 * Server-side truncation on a real HTML tokenizer (htmlparser2, imported here only). The teaser
 * holds only what comes before the cut, rebuilt from tokens: every element it opens is closed,
 * text and attributes are re-escaped, and nothing that could carry held-back text survives
 * (comments, scripts, styles, templates, noscript, iframes, forms, hidden elements, free-text
 * attributes such as title, data-* or srcset). Tokenizing stops at the cut.
 */
import { Parser } from 'htmlparser2';
import { invalidOption } from '../errors.js';

/** Where to cut an article: choose one mode. */
export interface TeaserOptions {
  /**
   * Keep the first N paragraphs (`p`, `blockquote`, `pre`, lists, tables; outermost only, not
   * counting those inside `aside` or `figure`). The default mode.
   * @default 2
   */
  readonly paragraphs?: number;
  /** Keep the first N words (Unicode word segmentation, so CJK text is cut between words). */
  readonly words?: number;
  /** Keep at most N characters of text (code points), cut at the last word boundary before. */
  readonly characters?: number;
  /**
   * Cut where the editor placed a marker: a comment (`<!-- paywall -->`) or an element with a
   * class. Without a marker in the article, the first 2 paragraphs are kept.
   */
  readonly marker?: { readonly comment?: string; readonly className?: string };
  /**
   * When the cut would keep the whole article (it is shorter than the cut): `half` keeps about
   * half of its text instead, so a teaser never gives the whole article away; `full` keeps it all.
   * @default 'half'
   */
  readonly whenShort?: 'half' | 'full';
  /**
   * Classes whose elements are dropped with their content (e.g. hidden-by-CSS helpers).
   * @default []
   */
  readonly dropClasses?: readonly string[];
  /**
   * More attributes to keep beyond the safe default set (e.g. `['alt', 'title']`). Free-text
   * attributes can carry held-back text, so only allow what your articles need.
   * @default []
   */
  readonly allowAttributes?: readonly string[];
  /**
   * Keeps a `<script>` in the kept part when it returns `true` (scripts are dropped otherwise).
   * @default undefined
   */
  readonly allowScript?: (attributes: Readonly<Record<string, string>>, content: string) => boolean;
  /**
   * Keeps a comment in the kept part when it returns `true` (comments are dropped otherwise).
   * @default undefined
   */
  readonly allowComment?: (text: string) => boolean;
}

type CutMode =
  | { readonly kind: 'paragraphs'; readonly n: number }
  | { readonly kind: 'words'; readonly n: number }
  | { readonly kind: 'characters'; readonly n: number }
  | { readonly kind: 'marker'; readonly comment: string | undefined; readonly className: string | undefined };

/** Teaser options after validation (internal). */
export interface ResolvedTeaserOptions {
  readonly mode: CutMode;
  readonly whenShort: 'half' | 'full';
  readonly dropClasses: ReadonlySet<string>;
  readonly allowAttributes: ReadonlySet<string>;
  readonly allowScript: TeaserOptions['allowScript'];
  readonly allowComment: TeaserOptions['allowComment'];
}

const DEFAULT_PARAGRAPHS = 2;
const MAX_CUT = 1_000_000;

/** Validates teaser options once; a wrong one throws a `TypeError` naming it under `path`. */
export function resolveTeaserOptions(options: TeaserOptions | undefined, path = 'teaser'): ResolvedTeaserOptions {
  if (options === undefined) options = {};
  if (options === null || typeof options !== 'object') throw invalidOption(path, 'must be an object');
  const known = ['paragraphs', 'words', 'characters', 'marker', 'whenShort', 'dropClasses', 'allowAttributes', 'allowScript', 'allowComment'];
  for (const key of Object.keys(options)) if (!known.includes(key)) throw invalidOption(`${path}.${key}`, 'is not a teaser option');
  const modes = (['paragraphs', 'words', 'characters', 'marker'] as const).filter((m) => options[m] !== undefined);
  if (modes.length > 1) throw invalidOption(path, `takes one cut mode, not ${modes.join(' and ')}`);
  const count = (name: 'paragraphs' | 'words' | 'characters'): number => {
    const n = options[name];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_CUT) throw invalidOption(`${path}.${name}`, `must be an integer from 1 to ${MAX_CUT}`);
    return n;
  };
  let mode: CutMode;
  const chosen = modes[0] ?? 'paragraphs';
  if (chosen === 'marker') {
    const marker = options.marker;
    if (marker === null || typeof marker !== 'object') throw invalidOption(`${path}.marker`, 'must be { comment?, className? }');
    const { comment, className } = marker;
    if (comment !== undefined && (typeof comment !== 'string' || comment.trim() === '' || comment.includes('--'))) {
      throw invalidOption(`${path}.marker.comment`, 'must be a non-empty comment text without "--"');
    }
    if (className !== undefined && (typeof className !== 'string' || !CLASS_TOKEN.test(className))) {
      throw invalidOption(`${path}.marker.className`, 'must be a single class name');
    }
    if (comment === undefined && className === undefined) throw invalidOption(`${path}.marker`, 'needs a comment or a className');
    mode = { kind: 'marker', comment: comment?.trim().toLowerCase(), className };
  } else if (chosen === 'paragraphs' && options.paragraphs === undefined) {
    mode = { kind: 'paragraphs', n: DEFAULT_PARAGRAPHS };
  } else {
    mode = { kind: chosen, n: count(chosen) };
  }
  const whenShort = options.whenShort ?? 'half';
  if (whenShort !== 'half' && whenShort !== 'full') throw invalidOption(`${path}.whenShort`, "must be 'half' or 'full'");
  const strings = (name: 'dropClasses' | 'allowAttributes', valid: RegExp): Set<string> => {
    const list = options[name] ?? [];
    if (!Array.isArray(list) || list.some((x) => typeof x !== 'string' || !valid.test(x))) {
      throw invalidOption(`${path}.${name}`, 'must be a list of names');
    }
    return new Set(name === 'allowAttributes' ? list.map((x: string) => x.toLowerCase()) : list);
  };
  for (const name of ['allowScript', 'allowComment'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') throw invalidOption(`${path}.${name}`, 'must be a function');
  }
  return Object.freeze({
    mode,
    whenShort,
    dropClasses: strings('dropClasses', CLASS_TOKEN),
    allowAttributes: strings('allowAttributes', /^[A-Za-z][A-Za-z0-9_:-]*$/),
    allowScript: options.allowScript,
    allowComment: options.allowComment,
  });
}

const CLASS_TOKEN = /^[A-Za-z0-9_-]+$/;
const ID_TOKEN = /^[A-Za-z][A-Za-z0-9_:.-]{0,127}$/;

/** Elements kept as they are (with safe attributes). Anything not listed is unwrapped. */
const KEPT = new Set(
  (
    'a abbr address article aside b bdi bdo blockquote br caption cite code col colgroup data dd del details dfn div dl dt em ' +
    'figcaption figure footer h1 h2 h3 h4 h5 h6 header hr i img ins kbd li main mark nav ol p picture pre q rp rt ruby s samp ' +
    'section small span strong sub summary sup table tbody td tfoot th thead time tr u ul var wbr'
  ).split(' '),
);
/** Elements dropped with everything inside them: they hide text, run code or embed documents. */
const DROPPED = new Set(
  (
    'script style noscript template iframe object embed applet frame frameset noembed noframes svg math textarea select ' +
    'option optgroup datalist input button form head title meta link base canvas audio video track source map area ' +
    'dialog slot portal xmp plaintext'
  ).split(' '),
);
const VOID = new Set('area base br col embed hr img input link meta source track wbr'.split(' '));
/** Blocks that count as a paragraph (outermost only). */
const PARAGRAPHS = new Set('p blockquote pre ul ol dl table'.split(' '));
/** Containers whose paragraphs do not count (side content). */
const SIDE = new Set('aside figure nav header footer details'.split(' '));
/** Elements after which a word cannot continue. */
const BREAKS = new Set([...PARAGRAPHS, ...SIDE, 'br', 'hr', 'li', 'div', 'section', 'article', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'td', 'th', 'tr', 'figcaption', 'img']);

/** Attributes kept on any kept element, and per element. URLs are checked separately. */
const GLOBAL_ATTRIBUTES = new Set(['class', 'id', 'lang', 'dir']);
const ELEMENT_ATTRIBUTES: Readonly<Record<string, ReadonlySet<string>>> = {
  a: new Set(['href', 'rel', 'target', 'hreflang']),
  img: new Set(['src', 'width', 'height', 'alt', 'loading', 'decoding']),
  td: new Set(['colspan', 'rowspan', 'headers']),
  th: new Set(['colspan', 'rowspan', 'headers', 'scope']),
  col: new Set(['span']),
  colgroup: new Set(['span']),
  ol: new Set(['start', 'reversed', 'type']),
  li: new Set(['value']),
  time: new Set(['datetime']),
  del: new Set(['datetime', 'cite']),
  ins: new Set(['datetime', 'cite']),
  blockquote: new Set(['cite']),
  q: new Set(['cite']),
};
const URL_ATTRIBUTES = new Set(['href', 'src', 'cite']);
const SAFE_URL = /^(?:https?:|mailto:|tel:|[^:]*$|[^:]*[/?#])/i;
const NUMERIC = /^\d{1,6}$/;

/**
 * Escapes text for HTML element content and attribute values (`&`, `<`, `>`, `"`, `'`).
 *
 * @example
 * ```ts
 * import { escapeHtml } from 'meterwall';
 * const html = `<p class="byline">By ${escapeHtml(author)}</p>`;
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}
const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
function escapeText(text: string): string {
  return text.replace(/[&<>]/g, (c) => ESCAPES[c] as string);
}

function isSafeUrl(value: string): boolean {
  // Browsers ignore whitespace and control characters inside a scheme: strip them before checking.
  // eslint-disable-next-line no-control-regex
  const compact = value.replace(/[\u0000-\u0020\u007f-\u009f]/g, '');
  return SAFE_URL.test(compact) && !/^(?:javascript|vbscript|data):/i.test(compact);
}

function isHidden(attributes: Record<string, string>, dropClasses: ReadonlySet<string>): boolean {
  if ('hidden' in attributes) return true;
  if (attributes['aria-hidden']?.trim().toLowerCase() === 'true') return true;
  if (attributes['type']?.trim().toLowerCase() === 'hidden') return true;
  const style = attributes['style'];
  if (style !== undefined && /(?:display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)|content-visibility\s*:\s*hidden)/i.test(style)) return true;
  if (dropClasses.size > 0) {
    for (const token of (attributes['class'] ?? '').split(/\s+/)) if (dropClasses.has(token)) return true;
  }
  return false;
}

function hasClass(attributes: Record<string, string>, className: string): boolean {
  const value = attributes['class'];
  return value !== undefined && value.split(/\s+/).includes(className);
}

/** Counts Unicode code points. */
function codePoints(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++;
  }
  return n;
}

let segmenter: Intl.Segmenter | undefined;
function words(text: string): Intl.Segments {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'word' });
  return segmenter.segment(text);
}

/**
 * The longest prefix of `text` that ends on a word boundary and holds at most `budget` units
 * (words or code points), with any punctuation that sticks to the last word. `used` is how many
 * units the prefix holds.
 */
function prefixWithin(text: string, budget: number, unit: 'words' | 'characters'): { end: number; used: number } {
  let end = 0;
  let used = 0;
  let units = 0;
  for (const segment of words(text)) {
    const segmentEnd = segment.index + segment.segment.length;
    if (/^\s+$/.test(segment.segment)) {
      // Whitespace ends the word; it is never counted in the prefix's end.
      if (unit === 'characters') units += codePoints(segment.segment);
      continue;
    }
    const cost = unit === 'words' ? (segment.isWordLike ? 1 : 0) : codePoints(segment.segment);
    if (units + cost > budget) break;
    units += cost;
    // A word extends the prefix; so does punctuation or an emoji that fits (characters) or that
    // sticks to the last kept word (words). Segments never split a surrogate pair or a grapheme.
    if (segment.isWordLike || unit === 'characters' || segment.index === end) {
      end = segmentEnd;
      used = units;
    }
  }
  return { end, used };
}

/** The result of a cut (internal). */
export interface CutResult {
  /** The well-formed teaser HTML. */
  readonly html: string;
  /** `true` when a cut was made (the budget ran out or the marker was found). */
  readonly cut: boolean;
  /** `true` when no visible text lies after the cut: the whole article fit. */
  readonly complete: boolean;
  /** Code points of visible text kept. */
  readonly textLength: number;
}

interface Frame {
  /** The tag name when it was written out; `null` when unwrapped. */
  readonly name: string | null;
  readonly paragraph: boolean;
  readonly side: boolean;
  /** Already closed in the output, because an element opened after it implies its end. */
  closed: boolean;
}

/**
 * Start tags that end an open element in HTML parsing. Unwrapping an unknown element can put
 * such a start tag inside an element it would close (a `<p>` in a `<p>`), so the output closes
 * it first, as a browser would, and stays well-formed when parsed back.
 */
const CLOSES_P = new Set(
  'address article aside blockquote details dialog div dl fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr main menu nav ol p pre section summary table ul'.split(' '),
);
const HEADINGS = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
/** For other elements: which open element (searched down to a boundary) a start tag closes. */
const CLOSES: Readonly<Record<string, { readonly close: ReadonlySet<string>; readonly boundary: ReadonlySet<string> }>> = {
  li: { close: new Set(['li']), boundary: new Set(['ul', 'ol', 'table']) },
  dt: { close: new Set(['dt', 'dd']), boundary: new Set(['dl', 'table']) },
  dd: { close: new Set(['dt', 'dd']), boundary: new Set(['dl', 'table']) },
  a: { close: new Set(['a']), boundary: new Set(['table']) },
  tr: { close: new Set(['tr', 'td', 'th']), boundary: new Set(['table', 'thead', 'tbody', 'tfoot']) },
  td: { close: new Set(['td', 'th']), boundary: new Set(['tr', 'table']) },
  th: { close: new Set(['td', 'th']), boundary: new Set(['tr', 'table']) },
  thead: { close: new Set(['tbody', 'tfoot', 'thead', 'tr', 'td', 'th']), boundary: new Set(['table']) },
  tbody: { close: new Set(['tbody', 'tfoot', 'thead', 'tr', 'td', 'th']), boundary: new Set(['table']) },
  tfoot: { close: new Set(['tbody', 'tfoot', 'thead', 'tr', 'td', 'th']), boundary: new Set(['table']) },
};
const P_SCOPE_BOUNDARY = new Set(['table', 'td', 'th', 'caption', 'button']);

/** Cuts `html` with resolved options (internal; `cutTeaser` is the public form). */
export function cutArticle(html: string, options: ResolvedTeaserOptions, mode: CutMode = options.mode): CutResult {
  const out: string[] = [];
  const stack: Frame[] = [];
  let skipDepth = 0; // > 0 while inside a dropped element
  let skipScript: { attributes: Record<string, string>; content: string } | null = null;
  let paragraphDepth = 0;
  let sideDepth = 0;
  let paragraphs = 0;
  let units = 0; // words or code points kept (words / characters modes)
  let textLength = 0;
  let done = false;
  let midWord = false; // the budget ran out exactly at the end of a text node inside a word
  let probing = false;
  let more = false;
  const limit = mode.kind === 'words' || mode.kind === 'characters' ? mode.n : Number.POSITIVE_INFINITY;

  const closeAll = (): void => {
    for (let i = stack.length - 1; i >= 0; i--) {
      const frame = stack[i] as Frame;
      if (frame.name !== null && !frame.closed && !VOID.has(frame.name)) out.push(`</${frame.name}>`);
    }
  };
  /** Closes, in the output, the open element that a start tag `name` would end when parsed. */
  const closeImplied = (name: string): void => {
    let target = -1;
    const rule = CLOSES[name];
    for (let i = stack.length - 1; i >= 0; i--) {
      const frame = stack[i] as Frame;
      if (frame.name === null || frame.closed) continue;
      if (CLOSES_P.has(name) && frame.name === 'p') target = i;
      else if (HEADINGS.has(name) && HEADINGS.has(frame.name) && i === topEmitted()) target = i;
      else if (rule?.close.has(frame.name)) target = i;
      if (target !== -1 || (rule ? rule.boundary.has(frame.name) : P_SCOPE_BOUNDARY.has(frame.name))) break;
    }
    if (target === -1) return;
    for (let i = stack.length - 1; i >= target; i--) {
      const frame = stack[i] as Frame;
      if (frame.name === null || frame.closed) continue;
      if (!VOID.has(frame.name)) out.push(`</${frame.name}>`);
      frame.closed = true;
    }
  };
  const topEmitted = (): number => {
    for (let i = stack.length - 1; i >= 0; i--) {
      const frame = stack[i] as Frame;
      if (frame.name !== null && !frame.closed) return i;
    }
    return -1;
  };
  const cut = (): void => {
    done = true;
    closeAll();
    parser.pause();
  };
  const writeText = (text: string): void => {
    out.push(escapeText(text));
    textLength += codePoints(text);
  };

  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (probing) {
          if (skipDepth > 0 || DROPPED.has(name) || isHidden(attributes, options.dropClasses)) skipDepth++;
          return;
        }
        if (done) return;
        if (skipDepth > 0) {
          skipDepth++;
          return;
        }
        if (midWord && BREAKS.has(name)) return cut();
        if (mode.kind === 'marker' && mode.className !== undefined && hasClass(attributes, mode.className)) return cut();
        if (DROPPED.has(name) || isHidden(attributes, options.dropClasses)) {
          skipDepth = 1;
          if (name === 'script' && options.allowScript) skipScript = { attributes, content: '' };
          return;
        }
        const paragraph = PARAGRAPHS.has(name) && paragraphDepth === 0 && sideDepth === 0;
        const side = SIDE.has(name);
        if (paragraph) paragraphDepth++;
        if (side) sideDepth++;
        if (!KEPT.has(name)) {
          stack.push({ name: null, paragraph, side, closed: false });
          return;
        }
        closeImplied(name);
        stack.push({ name, paragraph, side, closed: false });
        out.push(`<${name}${serializeAttributes(name, attributes, options.allowAttributes)}>`);
      },
      onclosetag(name) {
        if (probing) {
          if (skipDepth > 0) skipDepth--;
          return;
        }
        if (done) return;
        if (skipDepth > 0) {
          skipDepth--;
          if (skipDepth === 0 && skipScript !== null) {
            const script = skipScript;
            skipScript = null;
            if (options.allowScript?.(script.attributes, script.content) && !/<\/script/i.test(script.content)) {
              out.push(`<script${serializeScriptAttributes(script.attributes)}>${script.content}</script>`);
            }
          }
          return;
        }
        const frame = stack.pop();
        if (!frame) return;
        if (frame.name !== null && !frame.closed && !VOID.has(frame.name)) out.push(`</${frame.name}>`);
        if (frame.side) sideDepth--;
        if (frame.paragraph) {
          paragraphDepth--;
          paragraphs++;
          if (mode.kind === 'paragraphs' && paragraphs >= mode.n) return cut();
        }
        if (midWord && BREAKS.has(name)) return cut();
      },
      ontext(text) {
        if (probing) {
          if (skipDepth === 0 && /\S/.test(text)) {
            more = true;
            parser.pause();
          }
          return;
        }
        if (done) return;
        if (skipDepth > 0) {
          if (skipScript !== null) skipScript.content += text;
          return;
        }
        if (midWord) {
          // Finish the word the budget ended in, then cut.
          const stop = text.search(/\s/);
          writeText(stop === -1 ? text : text.slice(0, stop));
          if (stop !== -1) cut();
          return;
        }
        if (limit === Number.POSITIVE_INFINITY) {
          writeText(text);
          return;
        }
        const unit = mode.kind === 'words' ? 'words' : 'characters';
        const cost = unit === 'words' ? countWords(text) : codePoints(text);
        if (units + cost <= limit) {
          writeText(text);
          units += cost;
          if (units === limit && unit === 'words' && /\S$/.test(text)) midWord = true;
          return;
        }
        const { end } = prefixWithin(text, limit - units, unit);
        writeText(text.slice(0, end));
        cut();
      },
      oncomment(data) {
        if (probing || done || skipDepth > 0) return;
        if (mode.kind === 'marker' && mode.comment !== undefined && data.trim().toLowerCase() === mode.comment) return cut();
        if (options.allowComment?.(data) && !data.includes('--') && !data.endsWith('-')) out.push(`<!--${data}-->`);
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true, recognizeSelfClosing: false },
  );

  parser.write(html);
  if (done) {
    // Is anything visible left after the cut? Resume as a probe that stops at the first text.
    probing = true;
    parser.resume();
    if (!more) parser.end();
    return { html: out.join(''), cut: true, complete: !more, textLength };
  }
  parser.end();
  if (!done) closeAll();
  return { html: out.join(''), cut: done, complete: true, textLength };
}

function countWords(text: string): number {
  let n = 0;
  for (const segment of words(text)) if (segment.isWordLike) n++;
  return n;
}

function serializeAttributes(element: string, attributes: Record<string, string>, extra: ReadonlySet<string>): string {
  let result = '';
  const allowed = ELEMENT_ATTRIBUTES[element];
  for (const name in attributes) {
    const value = attributes[name] as string;
    let kept: string | undefined;
    if (GLOBAL_ATTRIBUTES.has(name)) {
      const valid = name === 'class' ? CLASS_TOKEN : name === 'id' ? ID_TOKEN : /^[A-Za-z-]{1,35}$/;
      kept = name === 'class' ? value.split(/\s+/).filter((t) => valid.test(t)).join(' ') : valid.test(value) ? value : undefined;
    } else if (allowed?.has(name)) {
      if (URL_ATTRIBUTES.has(name)) kept = isSafeUrl(value) ? value : undefined;
      else if (name === 'alt') kept = extra.has('alt') ? value : ''; // alt text could carry held-back text
      else if (['width', 'height', 'colspan', 'rowspan', 'span', 'start', 'value'].includes(name)) kept = NUMERIC.test(value) ? value : undefined;
      else kept = value.length <= 64 ? value : undefined;
    } else if (extra.has(name)) {
      kept = URL_ATTRIBUTES.has(name) && !isSafeUrl(value) ? undefined : value;
    }
    if (kept === undefined || (name === 'class' && kept === '')) continue;
    result += ` ${name}="${escapeHtml(kept)}"`;
  }
  return result;
}

function serializeScriptAttributes(attributes: Record<string, string>): string {
  let result = '';
  for (const name of ['type', 'src', 'async', 'defer', 'id']) {
    const value = attributes[name];
    if (value === undefined || (name === 'src' && !isSafeUrl(value))) continue;
    result += value === '' ? ` ${name}` : ` ${name}="${escapeHtml(value)}"`;
  }
  return result;
}

/** Cuts with the options' mode, falling back to half the text when the article is shorter than the cut. */
export function cutWithPolicy(html: string, options: ResolvedTeaserOptions): string {
  let mode = options.mode;
  let first = cutArticle(html, options, mode);
  if (mode.kind === 'marker' && !first.cut) {
    // No marker in the article: keep the default paragraphs.
    mode = { kind: 'paragraphs', n: DEFAULT_PARAGRAPHS };
    first = cutArticle(html, options, mode);
  }
  if (!first.complete || options.whenShort === 'full') return first.html;
  // The whole article fit before the cut: keep about half of its text instead.
  const half = Math.floor(first.textLength / 2);
  if (half === 0) return '';
  return cutArticle(html, options, { kind: 'characters', n: half }).html;
}

/**
 * Cuts an article's HTML on the server, keeping only what comes before the cut (by default the
 * first 2 paragraphs), as well-formed HTML with nothing held back in comments, scripts,
 * attributes or hidden elements. Throws a `TypeError` naming a bad option.
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
  const full = cutArticle(html, options, { kind: 'paragraphs', n: Number.MAX_SAFE_INTEGER });
  const parts: string[] = [];
  const parser = new Parser({ ontext: (text) => parts.push(text) }, { decodeEntities: true });
  parser.end(full.html);
  return parts.join('').replace(/\s+/g, ' ').trim();
}
