import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundaryBefore, forEachWord, measureCharacters } from '../../src/content/text-units.js';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'word' });
const graphemer = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const reference = (text: string) =>
  [...segmenter.segment(text)].filter((s) => s.isWordLike).map((s) => [s.index, s.index + s.segment.length]);
const ours = (text: string) => {
  const spans: number[][] = [];
  forEachWord(text, (start, end) => {
    spans.push([start, end]);
    return true;
  });
  return spans;
};

describe('words: the one-word shortcut and the windows agree with Intl.Segmenter on the whole text', () => {
  it('on short texts of letters, digits, marks, punctuation and scripts of all kinds (fast-check)', () => {
    const unit = fc.constantFrom(
      ...'aZ09é Ωж.,;:!?\'"()[]«»“”‘’-_/@#&\u0301\u0483\n\t\u00A0ªº×÷çßÆ'.split(''),
      'ё',
      'ш',
      '東',
      'の',
      '😀',
      '\u200d',
      'ไ',
      'ท',
      'ย',
      'ש',
      'ع',
      '3.14',
      "don't",
      'e.g.',
    );
    fc.assert(
      fc.property(
        fc.array(unit, { maxLength: 60 }).map((a) => a.join('')),
        (text) => {
          expect(ours(text)).toEqual(reference(text));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('on code points drawn from every script and punctuation block the shortcut knows (fast-check)', () => {
    const ranges: [number, number][] = [
      [0x20, 0x7e],
      [0xa0, 0x24f],
      [0x300, 0x36f],
      [0x370, 0x3ff],
      [0x400, 0x52f],
      [0x530, 0x58f],
      [0x590, 0x5ff],
      [0x600, 0x6ff],
      [0x900, 0x97f],
      [0x10a0, 0x10ff],
      [0x1100, 0x11ff],
      [0x1e00, 0x1eff],
      [0x2000, 0x206f],
      [0x3130, 0x318f],
      [0xac00, 0xd7a3],
      [0xfe00, 0xfe0f],
      [0x3040, 0x30ff],
      [0x4e00, 0x4e20],
      [0xe00, 0xe7f],
      [0xfb1d, 0xfb4f],
      [0xfe70, 0xfeff],
    ];
    const unit = fc.oneof(
      fc
        .constantFrom(...ranges)
        .chain(([lo, hi]) => fc.integer({ min: lo, max: hi }))
        .map((c) => String.fromCharCode(c)),
      fc.constantFrom(' ', ' ', '.', "'", '"', ',', ':', '’', 'a', 'ש', 'ع', 'б', '1', '\u00ad', '\u200c', '\u200d', '😀'),
    );
    fc.assert(
      fc.property(
        fc.array(unit, { maxLength: 40 }).map((a) => a.join('')),
        (text) => {
          expect(ours(text)).toEqual(reference(text));
        },
      ),
      { numRuns: 20000 },
    );
  });

  it('on a zero-width joiner before a pictograph, which joins them (WB3c; found by the property below)', () => {
    for (const text of ['0\u200d©', 'word\u200d😀 next', 'a\u200d‼b', '0\u200d©a', 'a\u200db', 'क्\u200dष', 'x\u200d']) {
      expect(ours(text), JSON.stringify(text)).toEqual(reference(text));
    }
  });

  it('on long runs without spaces (Japanese, Chinese, Thai) and spaced scripts (Korean), across many windows', () => {
    for (const text of [
      '東京都の新しい路面電車の路線が川を渡ることになりました。'.repeat(200),
      '市政府周一宣布将在明年春节前完成老城区供暖管网的改造工程'.repeat(150),
      'กรุงเทพมหานครประกาศขยายเวลาเปิดให้บริการสวนสาธารณะ'.repeat(120),
      '서울시는 새로운 노면전차 노선이 강을 건너게 된다고 발표했다. '.repeat(100),
      // One "word" longer than the first windows: they grow until it fits.
      `${'a'.repeat(1500)} tail`,
      `${'가'.repeat(700)} 나 ${'x1'.repeat(400)}.`,
    ]) {
      expect(ours(text)).toEqual(reference(text));
    }
  });

  it('on random mixes of real CJK, Thai and Korean sentences, spaces removed: windows never move a boundary', () => {
    for (const name of ['japanese', 'chinese', 'thai', 'korean-br']) {
      const html = readFileSync(new URL(`../fixtures/articles/${name}.html`, import.meta.url), 'utf8');
      const pieces = html
        .replace(/<[^>]*>/g, '')
        .replace(/&[a-z#0-9]+;/g, '')
        .split(/(?<=[。、，,.\s])/u)
        .filter((p) => p.trim() !== '');
      fc.assert(
        fc.property(fc.array(fc.constantFrom(...pieces), { minLength: 20, maxLength: 80 }), (chosen) => {
          const text = chosen.join('').replace(/\s+/g, '');
          expect(ours(text)).toEqual(reference(text));
        }),
        { numRuns: 60 },
      );
    }
  });

  it('stops as soon as the visitor says so, without segmenting the rest', () => {
    const seen: number[] = [];
    const original = Intl.Segmenter.prototype.segment;
    Intl.Segmenter.prototype.segment = function (this: Intl.Segmenter, input: string) {
      seen.push(input.length);
      return original.call(this, input);
    };
    try {
      let n = 0;
      forEachWord('東京都の新しい路面電車の路線が川を渡ることになりました。'.repeat(5000), () => ++n < 10);
      expect(n).toBe(10);
    } finally {
      Intl.Segmenter.prototype.segment = original;
    }
    expect(seen.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(512);
  });
});

describe('characters as a reader sees them', () => {
  it('collapses whitespace runs, counts none at the start of a block, and keeps pre text as written', () => {
    expect(measureCharacters('   one   two  ', { pending: false, blockStart: true }, false, 100)).toEqual({ used: 7, cut: -1 });
    expect(measureCharacters('  one  ', { pending: false, blockStart: true }, true, 100)).toEqual({ used: 7, cut: -1 });
    // A surrogate pair is one character.
    expect(measureCharacters('a😀b', { pending: false, blockStart: true }, false, 2)).toEqual({ used: 2, cut: 3 });
  });

  it('the boundary before a position agrees with the segmenter, shortcut or not (fast-check)', () => {
    const unit = fc.constantFrom(..."ab é.,'’:-1ш ש ع가😀\u0301\u200d東ไ".split(''), "don't", 'e.g.', '🇫🇷');
    fc.assert(
      fc.property(
        fc.array(unit, { maxLength: 40 }).map((a) => a.join('')),
        fc.nat(),
        (text, n) => {
          const position = text.length === 0 ? 0 : n % (text.length + 1);
          const boundaries = new Set([0, text.length]);
          const inside = new Set<number>(); // positions strictly inside a word
          for (const s of segmenter.segment(text)) {
            boundaries.add(s.index);
            if (s.isWordLike) for (let k = 1; k < s.segment.length; k++) inside.add(s.index + k);
          }
          const graphemes = new Set([text.length, ...[...graphemer.segment(text)].map((g) => g.index)]);
          const found = boundaryBefore(text, position);
          // Never inside a word, never inside a grapheme cluster.
          expect(inside.has(found)).toBe(false);
          expect(graphemes.has(found)).toBe(true);
          expect(found).toBeLessThanOrEqual(position);
          // No boundary is skipped: not before the reference's last boundary at or before the position.
          expect(found).toBeGreaterThanOrEqual(Math.max(...[...boundaries].filter((b) => b <= position)));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('a cut falls back to the last word boundary, never inside a grapheme', () => {
    expect(boundaryBefore('Hello wonderful world', 9)).toBe(6);
    expect(boundaryBefore('Hi 👨‍👩 there', 5)).toBe(3);
    expect(boundaryBefore('Flag 🇫🇷 yes', 7)).toBe(5);
  });
});
