/**
 * Counting what a reader sees, for word and character cuts: words by Unicode word segmentation
 * (UAX #29 through `Intl.Segmenter`), characters as code points of text whose whitespace
 * collapses as a browser collapses it. `Intl.Segmenter` is slow on Node 20 and superlinear on
 * long strings, so it only ever sees bounded windows, and a whitespace-delimited run of an
 * alphabetic script (Latin, Cyrillic, Greek, Arabic, Hebrew, Hangul…) is split into the words
 * UAX #29 makes of it without asking it at all (tests check the shortcut against the
 * segmenter). A cut always falls on a word boundary, which never splits a grapheme cluster.
 */
import { Unit, simpleWords, spans, unitOf } from './word-shortcut.js';

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
  if (
    (a === 0 || isCollapsible(text.charCodeAt(a - 1))) &&
    (b === text.length || isCollapsible(text.charCodeAt(b))) &&
    simpleWords(text, a, b)
  ) {
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
