/**
 * What a teaser may carry: the elements kept (others are unwrapped or dropped with their
 * content), the attributes kept and how they are checked (URLs, numbers, tokens), hidden
 * elements, and HTML escaping. Free text in attributes (`title`, `data-*`, `alt` by default,
 * `srcset`, `style`) never survives: it could carry held-back text.
 */
import { set, sets } from '../util/sets.js';
import { decodeAttribute } from './html/references.js';

/** Elements kept as they are (with safe attributes). Anything not listed is unwrapped. */
export const KEPT: ReadonlySet<string> = /* @__PURE__ */ set(
  'a abbr address article aside b bdi bdo blockquote br caption cite code col colgroup data dd del details dfn div dl dt em ' +
    'figcaption figure footer h1 h2 h3 h4 h5 h6 header hr i img ins kbd li main mark nav ol p picture pre q rp rt ruby s samp ' +
    'section small span strong sub summary sup table tbody td tfoot th thead time tr u ul var wbr',
);

/** Elements dropped with everything inside them: they hide text, run code, embed documents or take input. */
export const DROPPED: ReadonlySet<string> = /* @__PURE__ */ set(
  'script style noscript template iframe object embed applet frame frameset noembed noframes svg math textarea select ' +
    'option optgroup datalist input button form head title meta link base canvas audio video track source map area ' +
    'dialog slot portal xmp plaintext',
);

export const CLASS_TOKEN = /^[A-Za-z0-9_-]+$/;
const ID_TOKEN = /^[A-Za-z][A-Za-z0-9_:.-]{0,127}$/;

/** Attributes kept on any kept element, and per element. URLs are checked separately. */
const GLOBAL_ATTRIBUTES = /* @__PURE__ */ set('class id lang dir');
const ELEMENT_ATTRIBUTES: Readonly<Record<string, ReadonlySet<string>>> = /* @__PURE__ */ sets({
  a: 'href rel target hreflang',
  img: 'src width height alt loading decoding',
  td: 'colspan rowspan headers',
  th: 'colspan rowspan headers scope',
  col: 'span',
  colgroup: 'span',
  ol: 'start reversed type',
  li: 'value',
  time: 'datetime',
  del: 'datetime cite',
  ins: 'datetime cite',
  blockquote: 'cite',
  q: 'cite',
});
const URL_ATTRIBUTES = /* @__PURE__ */ set('href src cite');
const NUMBERS = /* @__PURE__ */ set('width height colspan rowspan span start value');
const SAFE_URL = /^(?:https?:|mailto:|tel:|[^:]*$|[^:]*[/?#])/i;
const NUMERIC = /^\d{1,6}$/;

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

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

/** Escapes element content (a non-breaking space is written as the entity, as a browser serializes it). */
export function escapeText(text: string): string {
  if (text.indexOf('&') === -1 && text.indexOf('<') === -1 && text.indexOf('>') === -1 && text.indexOf('\u00A0') === -1) return text;
  return text.replace(/[&<>\u00A0]/g, (c) => (c === '\u00A0' ? '&nbsp;' : (ESCAPES[c] as string)));
}

/** A URL a teaser may link to: no `javascript:`, `vbscript:` or `data:`, however written. */
function isSafeUrl(value: string): boolean {
  // Browsers ignore whitespace and control characters inside a scheme: strip them before checking.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: browsers ignore these in a URL's scheme, so `java\tscript:` must be caught.
  const compact = value.replace(/[\u0000-\u0020\u007f-\u009f]/g, '');
  return SAFE_URL.test(compact) && !/^(?:javascript|vbscript|data):/i.test(compact);
}

/** The raw value of an attribute in a flat name/value list, or `undefined`. */
export function attribute(attrs: readonly string[], name: string): string | undefined {
  for (let i = 0; i < attrs.length; i += 2) if (attrs[i] === name) return attrs[i + 1];
  return undefined;
}

/** Whether an element is hidden from a reader (or its class is one the site drops). */
export function isHidden(attrs: readonly string[], dropClasses: ReadonlySet<string>): boolean {
  for (let i = 0; i < attrs.length; i += 2) {
    const name = attrs[i] as string;
    if (name === 'hidden') return true;
    const value = attrs[i + 1] as string;
    if (name === 'aria-hidden' && value.trim().toLowerCase() === 'true') return true;
    if (name === 'type' && value.trim().toLowerCase() === 'hidden') return true;
    if (
      name === 'style' &&
      /(?:display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)|content-visibility\s*:\s*hidden)/i.test(decodeAttribute(value))
    )
      return true;
    if (name === 'class' && dropClasses.size > 0) {
      for (const token of value.split(/\s+/)) if (dropClasses.has(token)) return true;
    }
  }
  return false;
}

/** Whether the element's class list holds `className`. */
export function hasClass(attrs: readonly string[], className: string): boolean {
  const value = attribute(attrs, 'class');
  return value?.split(/\s+/).includes(className) ?? false;
}

/** The attributes of a kept element, checked and escaped (` name="value"`…). */
export function serializeAttributes(element: string, attrs: readonly string[], extra: ReadonlySet<string>): string {
  let result = '';
  const allowed = ELEMENT_ATTRIBUTES[element];
  for (let i = 0; i < attrs.length; i += 2) {
    const name = attrs[i] as string;
    if (!GLOBAL_ATTRIBUTES.has(name) && !allowed?.has(name) && !extra.has(name)) continue;
    const value = decodeAttribute(attrs[i + 1] as string);
    let kept: string | undefined;
    if (GLOBAL_ATTRIBUTES.has(name)) {
      if (name === 'class')
        kept =
          value
            .split(/\s+/)
            .filter((t) => CLASS_TOKEN.test(t))
            .join(' ') || undefined;
      else kept = (name === 'id' ? ID_TOKEN : /^[A-Za-z-]{1,35}$/).test(value) ? value : undefined;
    } else if (allowed?.has(name)) {
      if (URL_ATTRIBUTES.has(name)) kept = isSafeUrl(value) ? value : undefined;
      else if (name === 'alt')
        kept = extra.has('alt') ? value : ''; // alt text could carry held-back text
      else if (NUMBERS.has(name)) kept = NUMERIC.test(value) ? value : undefined;
      else kept = value.length <= 64 ? value : undefined;
    } else {
      kept = URL_ATTRIBUTES.has(name) && !isSafeUrl(value) ? undefined : value;
    }
    if (kept !== undefined) result += ` ${name}="${escapeHtml(kept)}"`;
  }
  return result;
}

/** The attributes a script the site allows keeps. */
export function serializeScriptAttributes(attrs: readonly string[]): string {
  let result = '';
  for (const name of ['type', 'src', 'async', 'defer', 'id']) {
    const raw = attribute(attrs, name);
    if (raw === undefined) continue;
    const value = decodeAttribute(raw);
    if (name === 'src' && !isSafeUrl(value)) continue;
    result += value === '' ? ` ${name}` : ` ${name}="${escapeHtml(value)}"`;
  }
  return result;
}

/** The attributes as a record (for the site's `allowScript`), decoded. */
export function attributeRecord(attrs: readonly string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = 0; i < attrs.length; i += 2) record[attrs[i] as string] = decodeAttribute(attrs[i + 1] as string);
  return record;
}
