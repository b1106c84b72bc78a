/**
 * The cut itself: a handler of the tree builder (html/) that rebuilds what a reader sees before
 * the cut, counting as it goes. Every element it opens is closed, text and attributes are
 * re-escaped, and nothing that could carry held-back text survives (comments, scripts, styles,
 * templates, noscript, iframes, forms, svg and math, hidden elements, free-text attributes).
 * Paragraphs are blocks with visible text, headings and furniture do not count, words and
 * characters are counted on decoded text with collapsed whitespace. A table is kept whole or
 * not at all (a browser moves stray content out of a table, which a cut inside it could not
 * reproduce). Work stops at the cut.
 *
 * What each element is to the cut is cut-frames.ts; writing the kept part so that it parses
 * back to the same structure (implied end tags, ruby, the line feed after `pre`) is
 * teaser-writer.ts. Here: the counting, and when to cut.
 *
 * Over 300 lines: one job, one state machine. Counting units across elements (anonymous
 * paragraphs, `<br><br>`, words carried across inline elements, a table kept whole) shares every
 * piece of its state on every token.
 */
import { TreeBuilder, type Namespace, type TreeHandler } from './html/tree.js';
import { BLOCKS, type Frame, WORD_BREAKS, newFrame, settle } from './cut-frames.js';
import { boundaryBefore, forEachWord, isCollapsible, measureCharacters, type Collapse } from './text-units.js';
import type { CutMode, ResolvedTeaserOptions } from './teaser-options.js';
import { TeaserWriter } from './teaser-writer.js';
import { DROPPED, attributeRecord, hasClass, isHidden, serializeScriptAttributes } from './sanitize.js';

/** Text a reader sees: anything but whitespace and zero-width characters. */
const VISIBLE = /[^\s\u200B-\u200D\u2060]/;
const WORD_START = /^[\p{L}\p{N}\p{M}]/u;

/** The outermost table, written tentatively until it ends. */
interface OpenTable {
  readonly frame: Frame;
  readonly mark: number;
  readonly saved: Counters;
  fostered: boolean;
}

interface Counters {
  paragraphs: number;
  units: number;
}

/** The result of a cut (internal). */
export interface CutResult {
  /** The well-formed teaser HTML. */
  readonly html: string;
  /** `true` when a cut was made (the budget ran out or the marker was found). */
  readonly cut: boolean;
  /** `true` when no visible text lies after the cut: the whole article fit. */
  readonly complete: boolean;
  /** Visible text counted (words, or characters: code points with whitespace collapsed). */
  readonly counted: number;
}

class Cutter implements TreeHandler<Frame> {
  readonly #options: ResolvedTeaserOptions;
  readonly #mode: CutMode;
  readonly #limit: number;
  readonly #out: TeaserWriter;
  readonly #furniture: (name: string, attrs: readonly string[]) => boolean;
  readonly #count: Counters = { paragraphs: 0, units: 0 };
  readonly #collapse: Collapse = { pending: false, blockStart: true };
  /** An anonymous paragraph: visible running text seen since the last block boundary. */
  #inline = false;
  #brs = 0;
  /** The budget ran out inside a word: finish it, then cut. */
  #midWord = false;
  /**
   * Words: the last word of the text written so far in this block, not yet counted because the
   * next text may continue it (`be<em>ta</em>` is one word, and a CJK run may segment anew).
   */
  #carry = '';
  #table: OpenTable | null = null;
  #probing = false;
  done = false;
  more = false;

  constructor(options: ResolvedTeaserOptions, mode: CutMode) {
    this.#options = options;
    this.#mode = mode;
    this.#limit = mode.kind === 'words' || mode.kind === 'characters' ? mode.n : Number.POSITIVE_INFINITY;
    this.#out = new TeaserWriter(options.allowAttributes);
    this.#furniture = options.furniture;
  }

  get stopped(): boolean {
    return this.done;
  }

  get html(): string {
    return this.#out.html;
  }

  get counted(): number {
    return this.#count.units;
  }

  /** After the cut: read on until visible text shows that the article goes on. */
  probe(): void {
    this.#probing = true;
    this.done = this.more;
  }

  #cut(): void {
    this.done = true;
    this.#midWord = false;
  }

  /** Cuts back to `mark`: the output after it is discarded (and the frames opened after it write nothing). */
  #cutBack(mark: number, saved: Counters | null): void {
    if (this.#out.cutBack(mark)) this.more = true;
    if (saved) Object.assign(this.#count, saved);
    this.#cut();
  }

  /** Nothing continues a word across this point: count the word carried, if any. */
  #wordBreak(): void {
    this.#out.wordOpen = false;
    if (this.#carry === '') return;
    this.#carry = '';
    if (++this.#count.units >= this.#limit) this.#spent();
  }

  /** The end of an anonymous paragraph (a block starts or ends, or two `<br>` in a row). */
  #boundary(): void {
    this.#collapse.blockStart = true;
    this.#collapse.pending = false;
    this.#wordBreak();
    this.#brs = 0;
    if (this.done) return;
    if (!this.#inline) return;
    this.#inline = false;
    this.#paragraph();
  }

  #paragraph(): void {
    this.#count.paragraphs++;
    if (this.#mode.kind === 'paragraphs' && this.#count.paragraphs >= this.#mode.n && this.#table === null) this.#cut();
  }

  open(name: string, ns: Namespace, attrs: readonly string[], fostered: boolean, parent: Frame | null): Frame {
    const ownDropped = ns !== 'html' || DROPPED.has(name) || (attrs.length > 0 && isHidden(attrs, this.#options.dropClasses));
    const frame = newFrame(name, attrs, ownDropped, parent, this.#out.length, this.#furniture);
    if (this.#probing || this.done) {
      frame.kept = false;
      return frame;
    }
    if (fostered && !frame.dropped && this.#table) this.#table.fostered = true;
    const inherited = parent?.dropped ?? false;
    if (!inherited && ns === 'html') {
      const mode = this.#mode;
      if (mode.kind === 'marker' && mode.className !== undefined && hasClass(attrs, mode.className)) return this.#stopBefore(frame);
      // After <plaintext> the rest of the page is raw text; a template's content follows modes
      // of its own: the teaser ends before either.
      if (name === 'plaintext' || name === 'template') return this.#stopBefore(frame);
    }
    if (frame.dropped) {
      if (name === 'script' && !inherited && this.#options.allowScript) frame.script = { attrs, content: '' };
      return frame;
    }
    if (WORD_BREAKS.has(name)) {
      if (this.#midWord) return this.#stopBefore(frame);
      this.#wordBreak();
      if (this.done) return this.#unwritten(frame);
    }
    if (BLOCKS.has(name)) {
      this.#boundary();
      if (this.done) return this.#unwritten(frame);
    }
    if (name === 'br' && frame.context === 'container' && ++this.#brs >= 2 && this.#inline) {
      // The second `<br>` in a row ends a paragraph: the cut falls before it.
      this.#inline = false;
      this.#paragraph();
      if (this.done) return this.#unwritten(frame);
    }
    if (frame.kept) this.#out.start(frame, parent);
    if (name === 'table' && this.#table === null) this.#table = { frame, mark: frame.at, saved: { ...this.#count }, fostered: false };
    return frame;
  }

  /** An element that opens after the cut was decided: it writes nothing. */
  #unwritten(frame: Frame): Frame {
    frame.kept = false;
    return frame;
  }

  /** The cut falls before this element (before its table, inside one): it opens, but writes nothing. */
  #stopBefore(frame: Frame): Frame {
    this.#spent();
    return this.#unwritten(frame);
  }

  /** An element the tree builder moved (the adoption agency): it opens again, the same element, where it now stands. */
  reopen(frame: Frame, parent: Frame | null): void {
    const unit = frame.unit === frame;
    const wasDropped = frame.dropped;
    settle(frame, parent, this.#furniture);
    // Moved out of a hidden element, it shows what it holds, which went by unwritten: the teaser
    // cannot show it in place, so it ends before it.
    if (wasDropped && !frame.dropped && !this.done && !this.#probing) this.#spent();
    // Still the same paragraph: a unit moved by the parser keeps what it has seen.
    if (unit && frame.unit !== frame && frame.hasText) frame.unit = frame;
    frame.closed = false;
    if (this.done || this.#probing) frame.kept = false;
    if (frame.kept) this.#out.start(frame, parent);
  }

  close(frame: Frame, suspended = false): void {
    if (suspended) {
      this.#out.end(frame);
      frame.closed = true;
      return;
    }
    if (frame.script !== null) {
      const { attrs, content } = frame.script;
      if (!this.done && this.#options.allowScript?.(attributeRecord(attrs), content) && !/<\/script/i.test(content)) {
        this.#out.markup(`<script${serializeScriptAttributes(attrs)}>${content}</script>`);
      }
      return;
    }
    this.#out.end(frame);
    if (this.done || this.#probing || frame.dropped) return;
    if (this.#midWord && WORD_BREAKS.has(frame.name)) return this.#spent();
    if (WORD_BREAKS.has(frame.name)) {
      this.#wordBreak();
      if (this.done) return;
    }
    const table = this.#table;
    if (table !== null && table.frame === frame) {
      this.#table = null;
      if (table.fostered) return this.#cutBack(table.mark, table.saved);
      // Its rows are paragraphs: a table that would carry the article past the cut is not kept.
      const mode = this.#mode;
      if (mode.kind === 'paragraphs' && this.#count.paragraphs > mode.n) return this.#cutBack(table.mark, table.saved);
      if (mode.kind === 'paragraphs' && this.#count.paragraphs >= mode.n) return this.#cut();
    }
    if (frame.unit === frame && frame.hasText) this.#paragraph();
    if (BLOCKS.has(frame.name)) this.#boundary();
  }

  rawText(text: string, into: Frame | null): void {
    if (into?.script) into.script.content += text;
  }

  text(text: string, fostered: boolean, into: Frame | null): void {
    if (into?.dropped) return;
    const visible = VISIBLE.test(text);
    if (this.#probing || this.done) {
      if (visible && this.#probing) {
        this.more = true;
        this.done = true;
      }
      return;
    }
    if (fostered && this.#table) {
      this.#table.fostered = true;
      return;
    }
    if (this.#midWord) return this.#finishWord(text);
    const context = into?.context ?? 'container';
    if (visible) {
      this.#brs = 0;
      if (into?.unit) into.unit.hasText = true;
      else if (context === 'container') this.#inline = true;
    }
    if (this.#limit === Number.POSITIVE_INFINITY) return this.#write(text, visible);
    if (this.#mode.kind === 'words') this.#words(text, visible);
    else this.#characters(text, visible, into?.pre ?? false);
  }

  #write(text: string, visible: boolean): void {
    this.#out.text(text, visible);
  }

  /** The budget is spent: cut here, or before the table being written (kept whole or not at all). */
  #spent(): void {
    if (this.#table !== null) this.#cutBack(this.#table.mark, this.#table.saved);
    else this.#cut();
  }

  /**
   * Words: the text is segmented together with the word carried from the text before it in
   * this block, so words across inline elements count as the segmenter counts the block's text.
   * A word that touches the end of the text is carried, not counted, until what follows shows
   * where it ends.
   */
  #words(text: string, visible: boolean): void {
    const count = this.#count;
    const limit = this.#limit;
    const offset = this.#carry.length;
    const combined = offset === 0 ? text : this.#carry + text;
    let used = count.units;
    let reached = -1;
    let cut = -1;
    let open = -1;
    forEachWord(combined, (start, end) => {
      if (reached !== -1) {
        let at = reached;
        while (at < start && !isCollapsible(combined.charCodeAt(at))) at++;
        cut = at;
        return false;
      }
      if (end === combined.length) {
        open = start;
        return true;
      }
      if (++used === limit) reached = end;
      return true;
    });
    this.#carry = '';
    if (cut !== -1) {
      this.#write(text.slice(0, Math.max(0, cut - offset)), visible);
      count.units = limit;
      return this.#spentIn(text, Math.max(0, cut - offset));
    }
    this.#write(text, visible);
    count.units = used;
    if (reached !== -1) return this.#spent();
    if (open !== -1) this.#carry = combined.slice(Math.max(open, combined.length - 256));
  }

  #characters(text: string, visible: boolean, pre: boolean): void {
    const count = this.#count;
    const { used, cut } = measureCharacters(text, this.#collapse, pre, this.#limit - count.units);
    count.units += used;
    if (cut === -1) return this.#write(text, visible);
    let at = boundaryBefore(text, cut);
    if (at === 0 && this.#out.wordOpen && WORD_START.test(text)) {
      // The budget ends inside a word that began in an earlier element: finish it.
      this.#midWord = true;
      return this.#finishWord(text);
    }
    while (at > 0 && isCollapsible(text.charCodeAt(at - 1))) at--;
    this.#write(text.slice(0, at), VISIBLE.test(text.slice(0, at)));
    this.#spentIn(text, at);
  }

  /** The rest of a word the budget ended in, across elements; then the cut. */
  #finishWord(text: string): void {
    let end = 0;
    if (WORD_START.test(text)) {
      forEachWord(text, (start, wordEnd) => {
        if (start === 0) end = wordEnd;
        return false;
      });
      while (end < text.length && !isCollapsible(text.charCodeAt(end)) && !WORD_START.test(text.slice(end))) end++;
    }
    this.#write(text.slice(0, end), true);
    if (end < text.length) this.#spentIn(text, end);
  }

  /** The budget ran out at `at` in `text`: what follows in it is after the cut. */
  #spentIn(text: string, at: number): void {
    if (VISIBLE.test(text.slice(at))) this.more = true;
    this.#spent();
  }

  comment(data: string): void {
    if (this.#probing || this.done) return;
    const mode = this.#mode;
    if (mode.kind === 'marker' && mode.comment !== undefined && data.trim().toLowerCase() === mode.comment) return this.#spent();
    if (
      this.#options.allowComment?.(data) &&
      !data.includes('--') &&
      !data.endsWith('-') &&
      !data.startsWith('>') &&
      !data.startsWith('->')
    ) {
      this.#out.markup(`<!--${data}-->`);
    }
  }
}

/** Cuts `html` with resolved options (internal; `cutTeaser` is the public form). */
export function cutArticle(html: string, options: ResolvedTeaserOptions, mode: CutMode = options.mode): CutResult {
  const cutter = new Cutter(options, mode);
  const builder = new TreeBuilder(html, cutter);
  builder.run();
  const cut = cutter.done;
  if (cut) {
    // Is anything visible left after the cut? Read on until the first visible text.
    cutter.probe();
    builder.run();
  }
  builder.closeAll();
  return { html: cutter.html, cut, complete: !cutter.more, counted: cutter.counted };
}
