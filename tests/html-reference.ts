/**
 * The independent reference for teasers: parse5, a spec-compliant HTML parser, parses both the
 * article and the teaser as the content of a `<div>`, as a browser would. What a reader sees is
 * the text outside the elements a teaser never carries (documented in the README: scripts,
 * styles, embeds, forms and their controls, svg and math, hidden elements). Nothing here uses
 * meterwall's own tokenizer.
 */
import { parseFragment, serialize, type DefaultTreeAdapterMap } from 'parse5';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

const HTML_NS = 'http://www.w3.org/1999/xhtml';
/** Elements whose content a reader of the teaser never gets (the README's list). */
const NOT_CARRIED = new Set(
  (
    'script style noscript template iframe object embed applet frame frameset noembed noframes svg math textarea select ' +
    'option optgroup datalist input button form head title meta link base canvas audio video track source map area ' +
    'dialog slot portal xmp plaintext'
  ).split(' '),
);

const context = parseFragment('<div></div>').childNodes[0] as Element;

/** Parses HTML as the content of a `<div>`, as the article body of a page. */
export function parse(html: string): DefaultTreeAdapterMap['documentFragment'] {
  return parseFragment(context, html, {});
}

function attr(element: Element, name: string): string | undefined {
  return element.attrs.find((a) => a.name === name)?.value;
}

/** Whether an element is hidden from a reader, or of a class the site drops. */
export function hidden(element: Element, dropClasses: readonly string[] = []): boolean {
  if (attr(element, 'hidden') !== undefined) return true;
  if (attr(element, 'aria-hidden')?.trim().toLowerCase() === 'true') return true;
  if (attr(element, 'type')?.trim().toLowerCase() === 'hidden') return true;
  if (/(?:display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)|content-visibility\s*:\s*hidden)/i.test(attr(element, 'style') ?? ''))
    return true;
  const classes = (attr(element, 'class') ?? '').split(/\s+/);
  return dropClasses.some((c) => classes.includes(c));
}

/** Block-level elements: a browser starts a new line box at them (written as a line break here). */
const BLOCK = new Set(
  'address article aside blockquote br caption center dd details dialog div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 header hgroup hr li main nav ol p pre section summary table tbody td tfoot th thead tr ul'.split(
    ' ',
  ),
);

/**
 * The text a reader sees, in document order (whitespace as written). With `blocks`, a line
 * break between blocks, as `innerText` separates them (for counting words and characters);
 * without, the characters alone, as `textContent` has them (for comparing texts: a teaser may
 * split a block in two where a browser moved content around, without changing a character).
 */
export function visibleText(html: string, dropClasses: readonly string[] = [], blocks = true): string {
  const parts: string[] = [];
  const walk = (node: Node): void => {
    if (node.nodeName === '#text') {
      parts.push((node as DefaultTreeAdapterMap['textNode']).value);
      return;
    }
    if (!('childNodes' in node)) return;
    let block = false;
    if ('tagName' in node) {
      const element = node as Element;
      if (element.namespaceURI !== HTML_NS || NOT_CARRIED.has(element.tagName) || hidden(element, dropClasses)) return;
      block = blocks && BLOCK.has(element.tagName);
    }
    if (block) parts.push('\n');
    for (const child of node.childNodes) walk(child);
    if (block) parts.push('\n');
  };
  walk(parse(html));
  return parts.join('');
}

/** Text with its whitespace collapsed as a browser collapses it (for comparing texts). */
export function collapse(text: string): string {
  return text.replace(/[\t\n\f\r ]+/g, ' ').trim();
}

/** Characters a reader sees: code points, whitespace collapsed within each block, none between blocks. */
export function characters(text: string): number {
  return text
    .split('\n')
    .map((block) => [...collapse(block)].length)
    .reduce((a, b) => a + b, 0);
}

/** Words of a text, by Unicode word segmentation. */
export function words(text: string): number {
  let n = 0;
  for (const s of new Intl.Segmenter(undefined, { granularity: 'word' }).segment(text)) if (s.isWordLike) n++;
  return n;
}

/** The elements of `html` as written: each start tag with its depth, read without any HTML parsing rule. */
function writtenStructure(html: string): string[] {
  const VOID = new Set('area base br col embed hr img input link meta source track wbr'.split(' '));
  const out: string[] = [];
  const stack: string[] = [];
  for (const match of html.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*>|<!--[\s\S]*?-->/g)) {
    if (match[2] === undefined) continue;
    const name = match[2].toLowerCase();
    if (match[1] === '/') {
      if (stack.at(-1) !== name) return [`unbalanced </${name}> at ${match.index}`];
      stack.pop();
      continue;
    }
    out.push(`${stack.length}:${name}`);
    if (name === 'script') {
      // An allowed script: its content is not markup.
      continue;
    }
    if (!VOID.has(name)) stack.push(name);
  }
  if (stack.length > 0) return [`unclosed ${stack.join(' > ')}`];
  return out;
}

/** The elements parse5 builds from `html`: each with its depth. */
function parsedStructure(html: string): string[] {
  const out: string[] = [];
  const walk = (node: Node, depth: number): void => {
    if ('tagName' in node) out.push(`${depth}:${(node as Element).tagName}`);
    if ('childNodes' in node) for (const child of node.childNodes) walk(child, 'tagName' in node ? depth + 1 : depth);
  };
  for (const child of parse(html).childNodes) walk(child, 0);
  return out;
}

/**
 * How a browser would restructure the teaser, or `[]`: every element written opens and closes
 * where it is written, and parsing it adds, moves or drops none (no implied `tbody`, no
 * foster-parenting, no element closed by another's start tag).
 */
export function structureProblems(html: string): string[] {
  const written = writtenStructure(html.replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, '<script></script>'));
  const parsed = parsedStructure(html);
  if (written.length === 1 && written[0]?.includes(' ')) return written;
  if (written.join(' ') === parsed.join(' ')) return [];
  const at = written.findIndex((w, i) => parsed[i] !== w);
  return [
    `written ${written.slice(Math.max(0, at - 2), at + 3).join(' ')} but parsed ${parsed.slice(Math.max(0, at - 2), at + 3).join(' ')}`,
  ];
}

/** parse5's serialization of a fragment (a canonical form, for comparisons). */
export function canonical(html: string): string {
  return serialize(parse(html));
}
