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
 * Over 300 lines: one job, one state machine. Writing the kept part so that it parses back to
 * the same structure (implied end tags, ruby, tables) and counting units across elements share
 * every piece of state (the open frames, the budget, the word carried over); split apart they
 * would pass that state back and forth on every token.
 */
import { TreeBuilder, type Namespace, type TreeHandler } from './html/tree.js';
import { boundaryBefore, forEachWord, isCollapsible, measureCharacters, type Collapse } from './text-units.js';
import { set, union } from '../util/sets.js';
import type { CutMode, ResolvedTeaserOptions } from './teaser-options.js';
import {
  DROPPED,
  KEPT,
  VOID,
  attributeRecord,
  escapeText,
  hasClass,
  isHidden,
  serializeAttributes,
  serializeScriptAttributes,
} from './sanitize.js';

/** Blocks that count as one paragraph when they hold visible text (outermost only). */
const UNITS = /* @__PURE__ */ set('p pre ul ol dl table');
/**
 * In a list or a table, each item, row or caption is a paragraph of its own (a list of fifty
 * reviews is not one paragraph, and never carries the article past the cut); the list counts as
 * one only for text outside its items.
 */
const ITEMS: Readonly<Record<string, ReadonlySet<string>>> = /* @__PURE__ */ Object.freeze({
  ul: set('li'),
  ol: set('li'),
  dl: set('dt dd'),
  table: set('tr caption'),
});
/** Containers whose side content never counts. */
const SIDE = /* @__PURE__ */ set('aside figure nav header footer details address');
const HEADINGS = /* @__PURE__ */ set('h1 h2 h3 h4 h5 h6 hgroup');
/**
 * Blocks that hold running text directly: their text, between blocks and `<br><br>`, makes
 * paragraphs, and the paragraphs in them count one by one (a quotation of ten paragraphs is ten).
 */
const CONTAINERS = /* @__PURE__ */ set('div section article main center search blockquote');
/** Elements that start or end a line box: they end an anonymous paragraph and a word. */
const BLOCKS = /* @__PURE__ */ set(
  'address article aside blockquote center details dialog dir div dl dd dt fieldset figcaption figure footer form ' +
    'h1 h2 h3 h4 h5 h6 header hgroup hr li listing main menu nav ol p pre search section summary table caption td th tr ul',
);
/** Elements between which no word continues. */
const WORD_BREAKS = /* @__PURE__ */ union(BLOCKS, 'br img');
/** Text a reader sees: anything but whitespace and zero-width characters. */
const VISIBLE = /[^\s\u200B-\u200D\u2060]/;
const WORD_START = /^[\p{L}\p{N}\p{M}]/u;
const WORD_CHAR = /^[\p{L}\p{N}\p{M}]/u;

/** Whether `text` ends with a letter, digit or mark (looking at its last code point only). */
function endsInWord(text: string): boolean {
  const last = text.length - 1;
  if (last < 0) return false;
  const low = text.charCodeAt(last);
  const from = low >= 0xdc00 && low <= 0xdfff && last > 0 ? last - 1 : last;
  return WORD_CHAR.test(text.slice(from));
}

/** Start tags that end an open `p` when parsed (in button scope). */
const CLOSES_P = /* @__PURE__ */ set(
  'address article aside blockquote dd details dialog div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr li main menu nav ol p pre section summary table ul',
);
const HEADING = /* @__PURE__ */ set('h1 h2 h3 h4 h5 h6');
const P_SCOPE = /* @__PURE__ */ set('table td th caption');
/** Elements a teaser writes that are of the parser's special category. */
const WRITTEN_SPECIAL = /* @__PURE__ */ set(
  'address article aside blockquote br caption col colgroup dd details div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 header hr img li main nav ol p pre section summary table tbody td tfoot th thead tr ul wbr',
);

const RUBY_TEXT = /* @__PURE__ */ set('rp rt');
/** Elements whose end tags a parser implies. */
const IMPLIED_END = /* @__PURE__ */ set('dd dt li p rb rp rt rtc');

/** The longest share of an article a teaser falls back to when the article is shorter than the cut. */

type Context = 'container' | 'heading' | 'unit' | 'side' | 'other';

interface Frame {
  readonly name: string;
  readonly attrs: readonly string[];
  /** Of itself: an element never carried, or hidden. */
  readonly ownDropped: boolean;
  /** Of itself: side content or furniture (worked out when needed). */
  ownSide: boolean | undefined;
  parent: Frame | null;
  /** The start tag as written (to write again when the element is moved). */
  tag: string;
  /** Written out: its end tag is written when it closes (unless the output was cut back before it). */
  kept: boolean;
  /** Already closed in the output, where a start tag written after it implies its end. */
  closed: boolean;
  /** Where its start tag was written. */
  at: number;
  /** Not shown to a reader (itself or an ancestor dropped or hidden). */
  dropped: boolean;
  /** Side content or furniture: shown, never counted. */
  side: boolean;
  context: Context;
  /** The paragraph unit it belongs to (itself, or an ancestor), if any. */
  unit: Frame | null;
  /** A unit that is an item or row of a list or table unit (counted on its own). */
  item: boolean;
  /** A unit: whether a reader sees text in it. */
  hasText: boolean;
  /** Whitespace is kept as written (`pre`). */
  pre: boolean;
  /** A site-allowed script being collected. */
  script: { readonly attrs: readonly string[]; content: string } | null;
}

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
  readonly #out: string[] = [];
  readonly #count: Counters = { paragraphs: 0, units: 0 };
  readonly #collapse: Collapse = { pending: false, blockStart: true };
  /** An anonymous paragraph: visible running text seen since the last block boundary. */
  #inline = false;
  #brs = 0;
  /** The last text written ends inside a word (a word can run across inline elements). */
  #wordOpen = false;
  /** The budget ran out inside a word: finish it, then cut. */
  #midWord = false;
  /**
   * Words: the last word of the text written so far in this block, not yet counted because the
   * next text may continue it (`be<em>ta</em>` is one word, and a CJK run may segment anew).
   */
  #carry = '';
  #table: OpenTable | null = null;
  /** Output written before this index is final; frames opened after a cut-back write nothing. */
  #keepBefore = Number.POSITIVE_INFINITY;
  /** Where the last visible text was written. */
  #lastVisible = -1;
  /** The output's length right after a `<pre>` start tag. */
  #afterPre = -1;
  #probing = false;
  done = false;
  more = false;

  constructor(options: ResolvedTeaserOptions, mode: CutMode) {
    this.#options = options;
    this.#mode = mode;
    this.#limit = mode.kind === 'words' || mode.kind === 'characters' ? mode.n : Number.POSITIVE_INFINITY;
  }

  get stopped(): boolean {
    return this.done;
  }

  get html(): string {
    return this.#out.join('');
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
    const out = this.#out;
    if (this.#lastVisible >= mark) this.more = true;
    out.length = mark;
    this.#keepBefore = mark;
    if (saved) Object.assign(this.#count, saved);
    this.#cut();
  }

  /** Nothing continues a word across this point: count the word carried, if any. */
  #wordBreak(): void {
    this.#wordOpen = false;
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
    const frame: Frame = {
      name,
      attrs,
      ownDropped,
      ownSide: undefined,
      parent,
      tag: '',
      kept: false,
      closed: false,
      at: this.#out.length,
      dropped: true,
      side: false,
      context: 'other',
      unit: null,
      item: false,
      hasText: false,
      pre: false,
      script: null,
    };
    this.#settle(frame, parent);
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
    if (frame.kept) this.#writeStart(frame, parent);
    if (name === 'table' && this.#table === null) this.#table = { frame, mark: frame.at, saved: { ...this.#count }, fostered: false };
    return frame;
  }

  /** Works out what an element is from its parent: dropped, side content, its context and unit, kept. */
  #settle(frame: Frame, parent: Frame | null): void {
    const { name } = frame;
    frame.parent = parent;
    frame.dropped = (parent?.dropped ?? false) || frame.ownDropped;
    if (!frame.dropped && frame.ownSide === undefined) frame.ownSide = SIDE.has(name) || this.#options.furniture(name, frame.attrs);
    frame.side = (parent?.side ?? false) || frame.ownSide === true;
    const parentContext: Context = parent?.context ?? 'container';
    const isUnit = UNITS.has(name) && !frame.side && parentContext !== 'unit';
    const composite = parent?.unit ?? null;
    const isItem = !isUnit && !frame.side && composite !== null && !composite.item && ITEMS[composite.name]?.has(name) === true;
    frame.item = isItem;
    frame.context = frame.side
      ? 'side'
      : isUnit || parentContext === 'unit'
        ? 'unit'
        : HEADINGS.has(name)
          ? 'heading'
          : CONTAINERS.has(name)
            ? 'container'
            : BLOCKS.has(name)
              ? 'other'
              : parentContext;
    frame.unit = isUnit || isItem ? frame : parent?.unit && frame.context === 'unit' ? parent.unit : null;
    frame.pre = (parent?.pre ?? false) || name === 'pre' || name === 'listing';
    frame.kept = !frame.dropped && KEPT.has(name);
  }

  #writeStart(frame: Frame, parent: Frame | null): void {
    const { name, attrs } = frame;
    this.#closeImplied(name, parent);
    frame.at = this.#out.length;
    frame.tag ||= `<${name}${attrs.length > 0 ? serializeAttributes(name, attrs, this.#options.allowAttributes) : ''}>`;
    this.#out.push(frame.tag);
    if (name === 'pre') this.#afterPre = this.#out.length;
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

  /**
   * Closes, in the output, an element written earlier that this start tag ends when the teaser is
   * parsed. The article's own nesting never needs it, but an element unwrapped between them can
   * (`<h2><font><h2>`): the teaser must parse into exactly what it writes.
   */
  #closeImplied(name: string, parent: Frame | null): void {
    if (RUBY_TEXT.has(name)) return this.#closeRubyImplied(name, parent);
    if (name === 'li' || name === 'dd' || name === 'dt') {
      // The list item algorithm: an open item of the same kind ends, unless a block lies between.
      for (let frame = parent; frame !== null; frame = frame.parent) {
        if (!frame.kept || frame.closed) continue;
        if (name === 'li' ? frame.name === 'li' : frame.name === 'dd' || frame.name === 'dt') {
          this.#closeWritten(parent, frame);
          break;
        }
        if (WRITTEN_SPECIAL.has(frame.name) && frame.name !== 'address' && frame.name !== 'div' && frame.name !== 'p') break;
      }
    }
    if (CLOSES_P.has(name)) {
      for (let frame = parent; frame !== null; frame = frame.parent) {
        if (!frame.kept || frame.closed) continue;
        if (frame.name === 'p') {
          this.#closeWritten(parent, frame);
          break;
        }
        if (P_SCOPE.has(frame.name)) break;
      }
    }
    if (HEADING.has(name)) {
      let top = parent;
      while (top !== null && (!top.kept || top.closed)) top = top.parent;
      if (top !== null && HEADING.has(top.name)) this.#closeWritten(parent, top);
    }
    if (name === 'a') {
      for (let frame = parent; frame !== null; frame = frame.parent) {
        if (!frame.kept || frame.closed) continue;
        if (frame.name === 'a') {
          this.#closeWritten(parent, frame);
          break;
        }
        if (P_SCOPE.has(frame.name)) break;
      }
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
      if (P_SCOPE.has(frame.name)) break;
    }
    if (!ruby) return;
    for (let frame = parent; frame !== null; frame = frame.parent) {
      if (!frame.kept || frame.closed) continue;
      if (!IMPLIED_END.has(frame.name) || (frame.name === 'rtc' && name !== 'rb' && name !== 'rtc')) return;
      this.#out.push(`</${frame.name}>`);
      frame.closed = true;
    }
  }

  /** An element the tree builder moved (the adoption agency): it opens again, the same element, where it now stands. */
  reopen(frame: Frame, parent: Frame | null): void {
    const unit = frame.unit === frame;
    const wasDropped = frame.dropped;
    this.#settle(frame, parent);
    // Moved out of a hidden element, it shows what it holds, which went by unwritten: the teaser
    // cannot show it in place, so it ends before it.
    if (wasDropped && !frame.dropped && !this.done && !this.#probing) this.#spent();
    // Still the same paragraph: a unit moved by the parser keeps what it has seen.
    if (unit && frame.unit !== frame && frame.hasText) frame.unit = frame;
    frame.closed = false;
    if (this.done || this.#probing) frame.kept = false;
    if (frame.kept) this.#writeStart(frame, parent);
  }

  close(frame: Frame, suspended = false): void {
    if (suspended) {
      if (frame.kept && !frame.closed && !VOID.has(frame.name) && frame.at < this.#keepBefore) this.#out.push(`</${frame.name}>`);
      frame.closed = true;
      return;
    }
    if (frame.script !== null) {
      const { attrs, content } = frame.script;
      if (!this.done && this.#options.allowScript?.(attributeRecord(attrs), content) && !/<\/script/i.test(content)) {
        this.#out.push(`<script${serializeScriptAttributes(attrs)}>${content}</script>`);
      }
      return;
    }
    if (frame.kept && !frame.closed && !VOID.has(frame.name) && frame.at < this.#keepBefore) this.#out.push(`</${frame.name}>`);
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
    if (text === '') return;
    if (visible) this.#lastVisible = this.#out.length;
    // A parser drops a line feed right after <pre>: one that is content gets a second one.
    const lead = this.#out.length === this.#afterPre && text.charCodeAt(0) === 0x0a;
    this.#out.push(lead ? `\n${escapeText(text)}` : escapeText(text));
    this.#wordOpen = endsInWord(text);
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
    if (at === 0 && this.#wordOpen && WORD_START.test(text)) {
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
      this.#out.push(`<!--${data}-->`);
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
