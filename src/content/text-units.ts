/**
 * Counting what a reader sees, for word and character cuts: words by Unicode word segmentation
 * (UAX #29 through `Intl.Segmenter`), characters as code points of text whose whitespace
 * collapses as a browser collapses it. `Intl.Segmenter` is slow on Node 20 and superlinear on
 * long strings, so it only ever sees bounded windows, and a whitespace-delimited run of an
 * alphabetic script (Latin, Cyrillic, Greek, Arabic, Hebrew, Hangul…) is split into the words
 * UAX #29 makes of it without asking it at all (tests check the shortcut against the
 * segmenter). A cut always falls on a word boundary, which never splits a grapheme cluster.
 */

/**
 * Code units given to the segmenter at first, and at most: small cuts need small windows. A
 * "word" longer than the largest window (2,000 letters without a break) is cut at its edge.
 */
const FIRST_WINDOW = 128;
const WINDOW = 2048;
/** Context kept before a boundary found in a window, so the segmenter sees enough of the text. */
const CONTEXT = 256;
/** Segments ending this close to a window's edge are segmented again with what follows. */
const TAIL = 32;
/** The longest whitespace-delimited run checked for the one-word shortcut. */
const SIMPLE_LENGTH = 64;

let wordSegmenter: Intl.Segmenter | undefined;
function segmenter(): Intl.Segmenter {
  wordSegmenter ??= new Intl.Segmenter(undefined, { granularity: 'word' });
  return wordSegmenter;
}

/** HTML whitespace: what a browser collapses. */
export function isCollapsible(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0c || c === 0x0d;
}

/**
 * The one-word shortcut's view of a UTF-16 code unit, by the word-break rules of UAX #29: a
 * letter of a space-delimited alphabetic script, a digit, an extending mark (attaches to what
 * precedes it), a mid character that joins letters (`:` `·`), digits (`,` `;`) or both (`.`
 * `'` `’`), punctuation that always breaks, or anything else (the segmenter decides).
 */
const enum Unit {
  Unknown = 0,
  Letter,
  Digit,
  /** A Hangul syllable: ICU joins them only to each other. */
  Hangul,
  Extend,
  MidLetter,
  MidNum,
  MidBoth,
  Break,
  Other,
}

const SCRIPTS = '\\p{sc=Latin}\\p{sc=Greek}\\p{sc=Cyrillic}\\p{sc=Armenian}\\p{sc=Hebrew}\\p{sc=Arabic}\\p{sc=Georgian}\\p{sc=Hangul}\\p{sc=Devanagari}';
const LETTER = new RegExp(`^(?=\\p{L})[${SCRIPTS}]$`, 'u');
const EXTEND = new RegExp(`^(?:(?=\\p{M})[${SCRIPTS}]|\\p{sc=Inherited}|\\u00AD)$`, 'u');
const DIGIT = /^[0-9\u0660-\u0669\u06F0-\u06F9\u0966-\u096F]$/;
const MID_LETTER = ':\u00B7\u0387\u2027';
const MID_NUM = ',;\u037E\u060C\u066C';
const MID_BOTH = ".'\u2018\u2019\u2024";
/** Punctuation that UAX #29 never joins to a word. */
const BREAK = /^[()[\]{}"“”„‚«»‹›¿¡!?…\-‐–—/&%@#*+=<>|~^$€£¥§°©®™•\u00A0\u2000-\u200A\u205F\u3000\u061B\u061F\u06D4\u0964\u0965]$/;

/** Units of the Basic Multilingual Plane, classified on first sight (64 KB, once). */
let units: Uint8Array | undefined;

function unitOf(c: number): Unit {
  units ??= new Uint8Array(0x10000);
  let unit = units[c] as Unit;
  if (unit === Unit.Unknown) {
    const ch = String.fromCharCode(c);
    if (c >= 0xd800 && c <= 0xdfff) unit = Unit.Other;
    else if (c >= 0xac00 && c <= 0xd7a3) unit = Unit.Hangul;
    else if (DIGIT.test(ch)) unit = Unit.Digit;
    else if (LETTER.test(ch)) unit = Unit.Letter;
    else if (EXTEND.test(ch)) unit = Unit.Extend;
    else if (MID_LETTER.includes(ch)) unit = Unit.MidLetter;
    else if (MID_NUM.includes(ch)) unit = Unit.MidNum;
    else if (MID_BOTH.includes(ch)) unit = Unit.MidBoth;
    else if (BREAK.test(ch)) unit = Unit.Break;
    else unit = Unit.Other;
    units[c] = unit;
  }
  return unit;
}

const isHebrew = (c: number): boolean => (c >= 0x0590 && c <= 0x05ff) || (c >= 0xfb1d && c <= 0xfb4f);

/** Spans found by {@link simpleWords}: start, end, start, end… (reused). */
const spans: number[] = [];

/**
 * The words of a whitespace-free run `text[i, j)`, when the shortcut can tell them: letters and
 * digits never break among themselves (WB5, WB8–WB10), marks attach (WB4), a mid character
 * joins two letters (WB6–7) or two digits (WB11–12), and the punctuation around them breaks.
 * Fills `spans` and returns `true`, or returns `false` (the segmenter decides).
 */
function simpleWords(text: string, i: number, j: number): boolean {
  spans.length = 0;
  let hebrew = false;
  let quote = false;
  let k = i;
  while (k < j) {
    const c = text.charCodeAt(k);
    const unit = unitOf(c);
    if (unit === Unit.Break || unit === Unit.MidBoth || unit === Unit.MidLetter || unit === Unit.MidNum) {
      if (c === 0x22 || c === 0x27) quote = true;
      k++;
      continue;
    }
    if (unit === Unit.Hangul) {
      const start = k;
      while (k < j && unitOf(text.charCodeAt(k)) === Unit.Hangul) k++;
      if (k < j && unitOf(text.charCodeAt(k)) === Unit.Extend) return false;
      spans.push(start, k);
      continue;
    }
    if (unit !== Unit.Letter && unit !== Unit.Digit) return false;
    if (isHebrew(c)) hebrew = true;
    const start = k;
    let last = unit;
    k++;
    while (k < j) {
      const d = text.charCodeAt(k);
      const next = unitOf(d);
      if (next === Unit.Letter || next === Unit.Digit) {
        if (isHebrew(d)) hebrew = true;
        last = next;
        k++;
      } else if (next === Unit.Extend) {
        k++;
      } else if (next === Unit.MidBoth || next === (last === Unit.Letter ? Unit.MidLetter : Unit.MidNum)) {
        if (k + 1 >= j || unitOf(text.charCodeAt(k + 1)) !== last) break;
        if (isHebrew(text.charCodeAt(k + 1))) hebrew = true;
        k += 2;
      } else break;
    }
    spans.push(start, k);
  }
  // A quote after a Hebrew letter may belong to the word (WB7a–c): the segmenter decides.
  return !(hebrew && quote);
}

/**
 * Calls `visit` for each word-like segment of `text` in order (stops when it returns `false`).
 * Runs the shortcut can split are split without the segmenter; from any other, the segmenter
 * takes one window of at most {@link FIRST_WINDOW} code units, and a run without whitespace
 * longer than {@link SIMPLE_LENGTH} (CJK, Thai) goes to it window by window.
 */
export function forEachWord(text: string, visit: (start: number, end: number) => boolean): void {
  const length = text.length;
  let i = 0;
  while (i < length) {
    while (i < length && isCollapsible(text.charCodeAt(i))) i++;
    if (i >= length) return;
    let j = i;
    const far = Math.min(length, i + SIMPLE_LENGTH + 1);
    while (j < far && !isCollapsible(text.charCodeAt(j))) j++;
    if (j === far && j < length) {
      segmentRun(text, i, length, visit, false);
      return;
    }
    if (simpleWords(text, i, j)) {
      for (let w = 0; w < spans.length; w += 2) if (!visit(spans[w] as number, spans[w + 1] as number)) return;
      i = j;
    } else {
      const resume = segmentRun(text, i, length, visit, true);
      if (resume < 0) return;
      i = resume;
    }
  }
}

/**
 * The word-like segments of `text[from, to)` through the segmenter, window by window, the
 * windows growing from {@link FIRST_WINDOW} to {@link WINDOW} code units; with `once`, one
 * window only. Returns where it stopped, or -1 when `visit` stopped.
 */
function segmentRun(text: string, from: number, to: number, visit: (start: number, end: number) => boolean, once: boolean): number {
  let at = from;
  let size = FIRST_WINDOW;
  while (at < to) {
    const windowEnd = Math.min(to, at + size);
    const next = segmentWindow(text, at, windowEnd, windowEnd === to, size >= WINDOW, visit);
    if (next < 0) return -1;
    size = Math.min(WINDOW, size * 2);
    if (next === at) continue; // one word reaches past the window's edge: again, with a bigger one
    at = next;
    if (once) return at;
  }
  return at;
}

/**
 * Visits the word-like segments of one window, `text[at, windowEnd)`. Unless it is the `last`,
 * only the segments that end well before its edge are kept (dictionary-based segmentation, as
 * for Thai, looks ahead): returns where the next window starts (`at` when its first segment
 * already reaches the edge and a bigger window is possible), or -1 when `visit` stopped.
 */
function segmentWindow(
  text: string,
  at: number,
  windowEnd: number,
  last: boolean,
  largest: boolean,
  visit: (start: number, end: number) => boolean,
): number {
  for (const segment of segmenter().segment(text.slice(at, windowEnd))) {
    const start = at + segment.index;
    const end = start + segment.segment.length;
    if (!last && end > windowEnd - TAIL && (start > at || !largest)) return start;
    if (segment.isWordLike && !visit(start, end)) return -1;
  }
  return windowEnd;
}

/**
 * The last word boundary at or before `position` in `text` (a grapheme boundary too), looking
 * at no more than {@link CONTEXT} code units before it.
 */
export function boundaryBefore(text: string, position: number): number {
  if (position >= text.length) return text.length;
  if (position <= 0) return 0;
  const here = text.charCodeAt(position);
  if (isCollapsible(here)) return position;
  // After whitespace, unless a mark (or anything unknown) follows: it would cling to the space.
  if (isCollapsible(text.charCodeAt(position - 1)) && unitOf(here) !== Unit.Extend && unitOf(here) !== Unit.Other) return position;
  // Inside a run the shortcut can split: the start of the word the position falls in.
  let a = position;
  while (a > 0 && position - a <= SIMPLE_LENGTH && !isCollapsible(text.charCodeAt(a - 1))) a--;
  let b = position;
  while (b < text.length && b - position <= SIMPLE_LENGTH && !isCollapsible(text.charCodeAt(b))) b++;
  if ((a === 0 || isCollapsible(text.charCodeAt(a - 1))) && (b === text.length || isCollapsible(text.charCodeAt(b))) && simpleWords(text, a, b)) {
    for (let w = 0; w < spans.length; w += 2) {
      if ((spans[w] as number) < position && position < (spans[w + 1] as number)) return spans[w] as number;
    }
    return position;
  }
  const from = Math.max(0, position - CONTEXT);
  let boundary = 0;
  for (const segment of segmenter().segment(text.slice(from, Math.min(text.length, position + 64)))) {
    const start = from + segment.index;
    if (start > position) break;
    const end = start + segment.segment.length;
    if (end <= position) boundary = end;
    else {
      boundary = start;
      break;
    }
  }
  // A window that starts inside a word cannot say where that word began: cut before the window's text.
  return boundary === from && from > 0 ? Math.max(0, lastSpace(text, from)) : boundary;
}

function lastSpace(text: string, before: number): number {
  for (let i = before - 1; i >= 0; i--) if (isCollapsible(text.charCodeAt(i))) return i + 1;
  return 0;
}

/** Counts code points. */
export function codePoints(text: string, from = 0, to = text.length): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++;
  }
  return n;
}

/** Whitespace collapsing across text runs: a space counts once, and not at the start of a block. */
export interface Collapse {
  /** A whitespace run waits: it counts when visible text follows in the same block. */
  pending: boolean;
  /** Nothing visible yet in the current block. */
  blockStart: boolean;
}

/**
 * Characters of `text` as a reader sees them (code points, whitespace collapsed unless `pre`),
 * stopping at `budget`: `used` counted, and `cut`, the index in `text` where the budget ran
 * out (on a code point boundary), or -1 when it all fits.
 */
export function measureCharacters(text: string, collapse: Collapse, pre: boolean, budget: number): { used: number; cut: number } {
  let used = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff) continue; // the second half of a surrogate pair
    if (!pre && isCollapsible(c)) {
      if (!collapse.blockStart) collapse.pending = true;
      continue;
    }
    const cost = collapse.pending ? 2 : 1;
    if (used + cost > budget) return { used, cut: collapse.pending ? lastSpaceStart(text, i) : i };
    used += cost;
    collapse.pending = false;
    collapse.blockStart = false;
  }
  return { used, cut: -1 };
}

/** Where the whitespace run that ends at `i` starts. */
function lastSpaceStart(text: string, i: number): number {
  let j = i;
  while (j > 0 && isCollapsible(text.charCodeAt(j - 1))) j--;
  return j;
}
