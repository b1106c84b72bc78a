/**
 * Words without the segmenter: the rules of UAX #29 (word boundaries) for runs of the
 * space-delimited alphabetic scripts (Latin, Greek, Cyrillic, Armenian, Hebrew, Arabic,
 * Georgian, Hangul, Devanagari), which tell their words at a table lookup per code unit.
 * Anything the shortcut does not know goes to `Intl.Segmenter` (text-units.ts); property tests
 * check the two agree on every code point of these scripts.
 */

/**
 * The one-word shortcut's view of a UTF-16 code unit, by the word-break rules of UAX #29: a
 * letter of a space-delimited alphabetic script, a digit, an extending mark (attaches to what
 * precedes it), a mid character that joins letters (`:` `·`), digits (`,` `;`) or both (`.`
 * `'` `’`), punctuation that always breaks, or anything else (the segmenter decides).
 */
export enum Unit {
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

const SCRIPTS =
  '\\p{sc=Latin}\\p{sc=Greek}\\p{sc=Cyrillic}\\p{sc=Armenian}\\p{sc=Hebrew}\\p{sc=Arabic}\\p{sc=Georgian}\\p{sc=Hangul}\\p{sc=Devanagari}';
let letter: RegExp | undefined;
let extend: RegExp | undefined;
const DIGIT = /^[0-9\u0660-\u0669\u06F0-\u06F9\u0966-\u096F]$/;
const MID_LETTER = ':\u00B7\u0387\u2027';
const MID_NUM = ',;\u037E\u060C\u066C';
const MID_BOTH = ".'\u2018\u2019\u2024";
/** Punctuation that UAX #29 never joins to a word. */
const BREAK = /^[()[\]{}"“”„‚«»‹›¿¡!?…\-‐–—/&%@#*+=<>|~^$€£¥§°©®™•\u00A0\u2000-\u200A\u205F\u3000\u061B\u061F\u06D4\u0964\u0965]$/;

/** A letter of the scripts above (the pattern is compiled on first use). */
function isLetter(ch: string): boolean {
  letter ??= new RegExp(`^(?=\\p{L})[${SCRIPTS}]$`, 'u');
  return letter.test(ch);
}

/** A mark of those scripts, an inherited mark or joiner, or a soft hyphen: attaches to what precedes it. */
function isExtend(ch: string): boolean {
  extend ??= new RegExp(`^(?:(?=\\p{M})[${SCRIPTS}]|\\p{sc=Inherited}|\\u00AD)$`, 'u');
  return extend.test(ch);
}

/** Units of the Basic Multilingual Plane, classified on first sight (64 KB, once). */
let units: Uint8Array | undefined;

export function unitOf(c: number): Unit {
  units ??= new Uint8Array(0x10000);
  let unit = units[c] as Unit;
  if (unit === Unit.Unknown) {
    const ch = String.fromCharCode(c);
    if (c >= 0xd800 && c <= 0xdfff) unit = Unit.Other;
    else if (c >= 0xac00 && c <= 0xd7a3) unit = Unit.Hangul;
    else if (DIGIT.test(ch)) unit = Unit.Digit;
    else if (isLetter(ch)) unit = Unit.Letter;
    else if (isExtend(ch)) unit = Unit.Extend;
    else if (MID_LETTER.includes(ch)) unit = Unit.MidLetter;
    else if (MID_NUM.includes(ch)) unit = Unit.MidNum;
    else if (MID_BOTH.includes(ch)) unit = Unit.MidBoth;
    else if (BREAK.test(ch)) unit = Unit.Break;
    else unit = Unit.Other;
    units[c] = unit;
  }
  return unit;
}

let pictograph: RegExp | undefined;
/** An extended pictograph (emoji, ©, ‼…), which a zero-width joiner before it joins to what precedes (WB3c). */
function isPictograph(cp: number): boolean {
  pictograph ??= /^\p{Extended_Pictographic}$/u;
  return pictograph.test(String.fromCodePoint(cp));
}

const isHebrew = (c: number): boolean => (c >= 0x0590 && c <= 0x05ff) || (c >= 0xfb1d && c <= 0xfb4f);

/** Spans found by {@link simpleWords}: start, end, start, end… (reused). */
export const spans: number[] = [];

/**
 * The words of a whitespace-free run `text[i, j)`, when the shortcut can tell them: letters and
 * digits never break among themselves (WB5, WB8–WB10), marks attach (WB4), a mid character
 * joins two letters (WB6–7) or two digits (WB11–12), and the punctuation around them breaks.
 * Fills `spans` and returns `true`, or returns `false` (the segmenter decides).
 */
export function simpleWords(text: string, i: number, j: number): boolean {
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
        // A joiner before a pictograph joins the two (WB3c: "0\u200D©" is one segment): the segmenter decides.
        if (d === 0x200d && k + 1 < j && isPictograph(text.codePointAt(k + 1) as number)) return false;
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
