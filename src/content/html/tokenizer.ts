/**
 * An HTML tokenizer that follows the WHATWG tokenization states where they decide what is text
 * and where a tag, comment or raw-text element ends: comments ending at `-->`, `--!>` or
 * `<!-->`, bogus comments, DOCTYPEs, CDATA only in foreign content, RCDATA (`title`,
 * `textarea`), RAWTEXT (`style`, `xmp`, `iframe`, `noembed`, `noframes`, `noscript`), script
 * data with its escaped and double-escaped states (`<!--<script>` inside a script), PLAINTEXT,
 * attributes (first of a name wins), tags dropped at the end of the input. The tree builder
 * (tree.ts) switches the raw-text states after a start tag, as the spec's tree construction does.
 *
 * Pull-based: `next()` returns one token at a time and never reads past what it returns, so a
 * cut stops the work. Text and attribute values are returned raw; references.ts decodes their
 * character references.
 *
 * Ours rather than a parser library (htmlparser2, parse5): those tokenize the whole article
 * before a cut can stop them (the cut takes a fraction of htmlparser2's time over the whole
 * article; bench/README.md), and parse5 is the independent reference the tests check the cut
 * against. README, "Dependencies".
 *
 * Over 300 lines: one job, one state machine (the tokenizer's states share the input and the
 * position, and the spec names each of them); where a raw-text element ends is raw-text.ts.
 */
import { BANG, DASH, EQ, GT, QUESTION, SLASH, isAlpha, isSpace } from './chars.js';
import { endTagAt, scriptDataEnd } from './raw-text.js';

export const START = 1;
export const END = 2;
export const TEXT = 3;
export const COMMENT = 4;
export const DOCTYPE = 5;
export const EOF = 0;
export type TokenType = typeof START | typeof END | typeof TEXT | typeof COMMENT | typeof DOCTYPE | typeof EOF;

/** How text is tokenized until the element's end tag: set by the tree builder after a start tag. */
export type TextState = 'data' | 'rcdata' | 'rawtext' | 'script' | 'plaintext';

function lower(s: string): string {
  // Only ASCII upper-case letters are lowered in tag and attribute names.
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s;
}
function noNul(s: string): string {
  return s.includes('\u0000') ? s.replaceAll('\u0000', '\uFFFD') : s;
}

/** Tokenizes one HTML string (input already normalized: CR and CRLF become LF). */
export class Tokenizer {
  readonly #src: string;
  #pos = 0;
  #state: TextState = 'data';
  /** The start tag whose end tag ends RCDATA, RAWTEXT or script data. */
  #endTag = '';

  /** Whether `<![CDATA[` opens a CDATA section (the adjusted current node is foreign). */
  foreign = false;
  /** The current token's tag name (lower case), for START and END. */
  name = '';
  /** The current start tag's attributes: name, raw value, name, raw value… (first of a name wins). */
  attrs: string[] = [];
  /** Whether the current start tag ends with `/>`. */
  selfClosing = false;
  /** The current TEXT (raw, references not decoded) or COMMENT (data) token. */
  text = '';
  /** Where the current token starts and ends in the source. */
  start = 0;
  end = 0;

  constructor(source: string) {
    this.#src = source;
  }

  /** Switches how text is read after a start tag, until `</endTag>`. */
  switchTo(state: TextState, endTag = ''): void {
    this.#state = state;
    this.#endTag = endTag;
  }

  get state(): TextState {
    return this.#state;
  }

  /** The next token. */
  next(): TokenType {
    const src = this.#src;
    const length = src.length;
    this.start = this.#pos;
    if (this.#pos >= length) {
      this.end = length;
      return EOF;
    }
    switch (this.#state) {
      case 'plaintext':
        return this.#textUntil(length, length);
      case 'rcdata':
      case 'rawtext':
        return this.#rawText();
      case 'script':
        return this.#scriptData();
      default:
        return this.#data();
    }
  }

  /** A TEXT token up to `until`, continuing at `resume`. */
  #textUntil(until: number, resume: number): TokenType {
    this.text = this.#src.slice(this.#pos, until);
    this.#pos = resume;
    this.end = until;
    return TEXT;
  }

  #data(): TokenType {
    const src = this.#src;
    const length = src.length;
    const from = this.#pos;
    let at = from;
    for (;;) {
      const lt = src.indexOf('<', at);
      if (lt === -1) return this.#textUntil(length, length);
      const c = lt + 1 < length ? src.charCodeAt(lt + 1) : -1;
      if (isAlpha(c) || c === SLASH || c === BANG || c === QUESTION) {
        if (lt > from) return this.#textUntil(lt, lt);
        const token = this.#markup(lt, c);
        if (token !== null) return token;
        // `</>` is dropped entirely; read on.
        if (this.#pos >= length) {
          this.end = length;
          return EOF;
        }
        return this.next();
      }
      at = lt + 1; // a '<' that starts nothing is text
    }
  }

  /** A tag, comment, DOCTYPE or CDATA section at `lt`; `null` when the markup vanishes (`</>`). */
  #markup(lt: number, c: number): TokenType | null {
    const src = this.#src;
    this.start = lt;
    if (c === BANG) {
      if (src.startsWith('--', lt + 2)) return this.#comment(lt + 4);
      if (/^doctype/i.test(src.slice(lt + 2, lt + 9))) return this.#until('>', lt + 9, DOCTYPE);
      if (this.foreign && src.startsWith('[CDATA[', lt + 2)) {
        const close = src.indexOf(']]>', lt + 9);
        const end = close === -1 ? src.length : close;
        this.text = src.slice(lt + 9, end);
        this.#pos = close === -1 ? end : close + 3;
        this.end = this.#pos;
        return TEXT;
      }
      return this.#until('>', lt + 2, COMMENT);
    }
    if (c === QUESTION) return this.#until('>', lt + 1, COMMENT);
    if (c === SLASH) {
      const d = lt + 2 < src.length ? src.charCodeAt(lt + 2) : -1;
      if (isAlpha(d)) return this.#tag(lt + 2, END);
      if (d === GT) {
        this.#pos = lt + 3;
        return null;
      }
      if (d === -1) return this.#textUntil(src.length, src.length);
      return this.#until('>', lt + 2, COMMENT);
    }
    return this.#tag(lt + 1, START);
  }

  /** A bogus comment or DOCTYPE: everything up to the next `>` (or the end). */
  #until(close: string, from: number, type: TokenType): TokenType {
    const src = this.#src;
    const gt = src.indexOf(close, from);
    const end = gt === -1 ? src.length : gt;
    this.text = noNul(src.slice(from, end));
    this.#pos = gt === -1 ? end : gt + 1;
    this.end = this.#pos;
    return type;
  }

  /**
   * A comment after `<!--`. It ends at `--` (more dashes allowed) followed by `>` or `!>`, the
   * dashes of a `<!--` inside it counting as such (`<!-- a <!-->` ends there), or abruptly at
   * `<!-->` and `<!--->`; unclosed, at the end of the input.
   */
  #comment(from: number): TokenType {
    const src = this.#src;
    const length = src.length;
    const first = src.charCodeAt(from);
    if (first === GT || (first === DASH && src.charCodeAt(from + 1) === GT)) {
      this.text = '';
      this.#pos = first === GT ? from + 1 : from + 2;
      this.end = this.#pos;
      return COMMENT;
    }
    let i = from;
    for (;;) {
      const dash = src.indexOf('--', i);
      if (dash === -1) break;
      let j = dash + 2;
      while (src.charCodeAt(j) === DASH) j++; // `--->`: the extra dashes are data
      if (src.charCodeAt(j) === GT) return this.#endComment(from, j - 2, j + 1);
      if (src.charCodeAt(j) === BANG && src.charCodeAt(j + 1) === GT) return this.#endComment(from, j - 2, j + 2);
      i = j;
    }
    return this.#endComment(from, length, length);
  }

  #endComment(from: number, dataEnd: number, resume: number): TokenType {
    this.text = noNul(this.#src.slice(from, Math.max(from, dataEnd)));
    this.#pos = resume;
    this.end = resume;
    return COMMENT;
  }

  /** A start or end tag whose name starts at `from`; its attributes are read (and ignored for end tags). */
  #tag(from: number, type: typeof START | typeof END): TokenType {
    const src = this.#src;
    const length = src.length;
    let i = from;
    while (i < length) {
      const c = src.charCodeAt(i);
      if (isSpace(c) || c === SLASH || c === GT) break;
      i++;
    }
    if (i >= length) return this.#eofInTag();
    this.name = noNul(lower(src.slice(from, i)));
    this.selfClosing = false;
    const attrs: string[] = [];
    this.attrs = attrs;
    for (;;) {
      while (i < length && isSpace(src.charCodeAt(i))) i++;
      if (i >= length) return this.#eofInTag();
      let c = src.charCodeAt(i);
      if (c === GT) {
        i++;
        break;
      }
      if (c === SLASH) {
        if (src.charCodeAt(i + 1) === GT) {
          this.selfClosing = true;
          i += 2;
          break;
        }
        i++;
        continue;
      }
      // An attribute name: a leading `=` belongs to it.
      const nameStart = i;
      i++;
      while (i < length) {
        c = src.charCodeAt(i);
        if (isSpace(c) || c === SLASH || c === GT || c === EQ) break;
        i++;
      }
      const name = noNul(lower(src.slice(nameStart, i)));
      while (i < length && isSpace(src.charCodeAt(i))) i++;
      let value = '';
      if (src.charCodeAt(i) === EQ) {
        i++;
        while (i < length && isSpace(src.charCodeAt(i))) i++;
        if (i >= length) return this.#eofInTag();
        const q = src.charCodeAt(i);
        if (q === 0x22 || q === 0x27) {
          const close = src.indexOf(q === 0x22 ? '"' : "'", i + 1);
          if (close === -1) return this.#eofInTag();
          value = src.slice(i + 1, close);
          i = close + 1;
        } else if (q !== GT) {
          const valueStart = i;
          while (i < length && !isSpace(src.charCodeAt(i)) && src.charCodeAt(i) !== GT) i++;
          if (i >= length) return this.#eofInTag();
          value = src.slice(valueStart, i);
        }
      }
      if (type === START && !hasName(attrs, name)) attrs.push(name, noNul(value));
    }
    this.#pos = i;
    this.end = i;
    return type;
  }

  /** A tag cut off by the end of the input is dropped (the spec emits nothing). */
  #eofInTag(): TokenType {
    this.#pos = this.#src.length;
    this.end = this.#pos;
    return EOF;
  }

  /** RCDATA or RAWTEXT: text up to the appropriate end tag. */
  #rawText(): TokenType {
    const src = this.#src;
    const end = endTagAt(src, this.#endTag, this.#pos);
    if (end === -1) return this.#textUntil(src.length, src.length);
    if (end > this.#pos) return this.#textUntil(end, end);
    this.#state = 'data';
    return this.#tag(end + 2, END);
  }

  /** Script data, with the escaped (`<!--`) and double-escaped (`<!--<script>`) states. */
  #scriptData(): TokenType {
    const src = this.#src;
    const from = this.#pos;
    let end = endTagAt(src, this.#endTag, from);
    const comment = src.indexOf('<!--', from);
    if (comment !== -1 && (end === -1 || comment < end)) end = scriptDataEnd(src, from);
    if (end === -1) return this.#textUntil(src.length, src.length);
    if (end > from) return this.#textUntil(end, end);
    this.#state = 'data';
    return this.#tag(end + 2, END);
  }
}

function hasName(attrs: readonly string[], name: string): boolean {
  for (let i = 0; i < attrs.length; i += 2) if (attrs[i] === name) return true;
  return false;
}
