/**
 * The teaser's output, written so that a parser reads back exactly what it writes: start tags
 * (with their safe attributes) close, in the output, what a parser would close for them (an open
 * `p` before a block, a list item before the next, a heading before a heading, ruby's implied
 * ends), end tags for what was written, text escaped (a line feed after `<pre>` doubled), and a
 * cut back to an earlier point (a table kept whole or not at all). The element categories are
 * html/elements.ts's, the parser's own.
 */
import type { Frame } from './cut-frames.js';
import { BUTTON, ENDS_P, HEADINGS, IMPLIED_END, SCOPE, VOID, isSpecial } from './html/elements.js';
import { escapeText, serializeAttributes } from './sanitize.js';
import type { ResolvedTeaserOptions } from './teaser-options.js';

const WORD_CHAR = /^[\p{L}\p{N}\p{M}]/u;

/** Whether `text` ends with a letter, digit or mark (looking at its last code point only). */
function endsInWord(text: string): boolean {
  const last = text.length - 1;
  if (last < 0) return false;
  const low = text.charCodeAt(last);
  const from = low >= 0xdc00 && low <= 0xdfff && last > 0 ? last - 1 : last;
  return WORD_CHAR.test(text.slice(from));
}

/** Where a `p` (or an `a`) stops being in scope for the elements a teaser writes: a cell, a caption, a table, a button. */
const boundsP = (name: string): boolean => SCOPE.has(name) || BUTTON.has(name);

/** The teaser's output (internal to the cut). */
export class TeaserWriter {
  readonly #out: string[] = [];
  readonly #allowAttributes: ResolvedTeaserOptions['allowAttributes'];
  /** Output written before this index is final; elements opened after a cut-back write no end tag. */
  #keepBefore = Number.POSITIVE_INFINITY;
  /** Where the last visible text was written. */
  #lastVisible = -1;
  /** The output's length right after a `<pre>` start tag. */
  #afterPre = -1;
  /** The last text written ends inside a word (a word can run across inline elements). */
  wordOpen = false;

  constructor(allowAttributes: ResolvedTeaserOptions['allowAttributes']) {
    this.#allowAttributes = allowAttributes;
  }

  /** Where the next piece of output goes. */
  get length(): number {
    return this.#out.length;
  }

  get html(): string {
    return this.#out.join('');
  }

  /** Writes `frame`'s start tag, first closing what it ends when the teaser is parsed. */
  start(frame: Frame, parent: Frame | null): void {
    const { name, attrs } = frame;
    this.#closeImplied(name, parent);
    frame.at = this.#out.length;
    frame.tag ||= `<${name}${attrs.length > 0 ? serializeAttributes(name, attrs, this.#allowAttributes) : ''}>`;
    this.#out.push(frame.tag);
    if (name === 'pre') this.#afterPre = this.#out.length;
  }

  /** Writes `frame`'s end tag, when its start tag was written and stands (and it has one). */
  end(frame: Frame): void {
    if (frame.kept && !frame.closed && !VOID.has(frame.name) && frame.at < this.#keepBefore) this.#out.push(`</${frame.name}>`);
  }

  /** Writes text, escaped; `visible`: a reader sees it. */
  text(text: string, visible: boolean): void {
    if (text === '') return;
    if (visible) this.#lastVisible = this.#out.length;
    // A parser drops a line feed right after <pre>: one that is content gets a second one.
    const lead = this.#out.length === this.#afterPre && text.charCodeAt(0) === 0x0a;
    this.#out.push(lead ? `\n${escapeText(text)}` : escapeText(text));
    this.wordOpen = endsInWord(text);
  }

  /** Writes markup as it is (an allowed comment or script, already checked). */
  markup(html: string): void {
    this.#out.push(html);
  }

  /** Discards the output from `mark` on; returns whether visible text was among it. */
  cutBack(mark: number): boolean {
    const discarded = this.#lastVisible >= mark;
    this.#out.length = mark;
    this.#keepBefore = mark;
    return discarded;
  }

  /**
   * Closes, in the output, an element written earlier that this start tag ends when the teaser is
   * parsed. The article's own nesting never needs it, but an element unwrapped between them can
   * (`<h2><font><h2>`): the teaser must parse into exactly what it writes.
   */
  #closeImplied(name: string, parent: Frame | null): void {
    if (name === 'rp' || name === 'rt') return this.#closeRubyImplied(name, parent);
    if (name === 'li' || name === 'dd' || name === 'dt') {
      // The list item algorithm: an open item of the same kind ends, unless a block lies between.
      for (let frame = parent; frame !== null; frame = frame.parent) {
        if (!frame.kept || frame.closed) continue;
        if (name === 'li' ? frame.name === 'li' : frame.name === 'dd' || frame.name === 'dt') {
          this.#closeWritten(parent, frame);
          break;
        }
        if (isSpecial({ name: frame.name, ns: 'html' }) && frame.name !== 'address' && frame.name !== 'div' && frame.name !== 'p') break;
      }
    }
    if (ENDS_P.has(name)) this.#closeInScope('p', parent);
    if (HEADINGS.has(name)) {
      let top = parent;
      while (top !== null && (!top.kept || top.closed)) top = top.parent;
      if (top !== null && HEADINGS.has(top.name)) this.#closeWritten(parent, top);
    }
    if (name === 'a') this.#closeInScope('a', parent);
  }

  /** Closes the nearest written `target` element (with what is written inside it), unless a scope boundary lies between. */
  #closeInScope(target: string, parent: Frame | null): void {
    for (let frame = parent; frame !== null; frame = frame.parent) {
      if (!frame.kept || frame.closed) continue;
      if (frame.name === target) {
        this.#closeWritten(parent, frame);
        return;
      }
      if (boundsP(frame.name)) return;
    }
  }

  /** Writes the end tags of the written elements from `from` up to and including `target`. */
  #closeWritten(from: Frame | null, target: Frame): void {
    for (let frame = from; frame !== null; frame = frame.parent) {
      if (!frame.kept || frame.closed) continue;
      if (!VOID.has(frame.name)) this.#out.push(`</${frame.name}>`);
      frame.closed = true;
      if (frame === target) return;
    }
  }

  /** `rp` and `rt` end the open implied-end elements (`p`, `li`, `rp`, `rt`…) when a `ruby` is in scope. */
  #closeRubyImplied(name: string, parent: Frame | null): void {
    let ruby = false;
    for (let frame = parent; frame !== null; frame = frame.parent) {
      if (!frame.kept || frame.closed) continue;
      if (frame.name === 'ruby') {
        ruby = true;
        break;
      }
      if (boundsP(frame.name)) break;
    }
    if (!ruby) return;
    for (let frame = parent; frame !== null; frame = frame.parent) {
      if (!frame.kept || frame.closed) continue;
      if (!IMPLIED_END.has(frame.name) || (frame.name === 'rtc' && name !== 'rb' && name !== 'rtc')) return;
      this.#out.push(`</${frame.name}>`);
      frame.closed = true;
    }
  }
}
