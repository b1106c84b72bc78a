/**
 * Teasers of real-world article shapes, judged against parse5 (an independent, spec-compliant
 * parser): the teaser's visible text is an exact prefix of the article's, nothing held back
 * appears anywhere in it, a browser parses it into exactly the elements written, and
 * paragraphs, words and characters are counted as a reader counts them.
 */
import { describe, expect, it } from 'vitest';
import { cutTeaser, type TeaserOptions } from '../../src/index.js';
import { FIXTURES, type Fixture } from '../fixtures/articles/index.js';
import { characters, collapse, structureProblems, visibleText, words } from '../html-reference.js';
import { findLeak } from '../leak.js';

const normal = (text: string) => collapse(text).replace(/\u00A0/g, ' ');

/** What every teaser of an article must be, whatever the cut. */
function expectFaithful(fixture: Fixture, teaser: string): string {
  expect(structureProblems(teaser)).toEqual([]);
  const article = collapse(visibleText(fixture.html, [], false));
  const kept = collapse(visibleText(teaser, [], false));
  expect(article.startsWith(kept), `"${kept.slice(-80)}" is not a prefix of the article`).toBe(true);
  expect(findLeak(teaser, 'XQZ')).toBeNull();
  return collapse(visibleText(teaser));
}

describe.each(FIXTURES.map((f) => [f.name, f] as const))('%s', (_name, fixture) => {
  it('{ paragraphs: 1 } and { paragraphs: 2 } keep exactly the first article paragraphs, as a reader counts them', () => {
    for (const n of [1, 2] as const) {
      const kept = normal(expectFaithful(fixture, cutTeaser(fixture.html, { paragraphs: n })));
      // A cut that would fall among a table's rows falls before the table.
      const table = fixture.table;
      const upTo = table !== undefined && n > table.from && n < table.to ? table.from : n;
      for (const start of fixture.paragraphs.slice(0, upTo)) expect(kept).toContain(normal(start));
      expect(kept).not.toContain(normal(fixture.paragraphs[upTo] as string));
    }
  });

  it('{ words: N } keeps N words of visible text, never splitting one', () => {
    const two = visibleText(cutTeaser(fixture.html, { paragraphs: 2 }));
    for (const share of [0.3, 0.6, 0.9]) {
      const n = Math.max(1, Math.floor(words(two) * share));
      const kept = visibleText(cutTeaser(fixture.html, { words: n }));
      expectFaithful(fixture, cutTeaser(fixture.html, { words: n }));
      if (fixture.tables) expect(words(kept)).toBeLessThanOrEqual(n);
      else expect(words(kept)).toBe(n);
    }
  });

  it('{ characters: N } keeps at most N visible characters, ending on a word boundary', () => {
    const two = visibleText(cutTeaser(fixture.html, { paragraphs: 2 }));
    const article = collapse(visibleText(fixture.html));
    const segmenter = new Intl.Segmenter(undefined, { granularity: 'word' });
    for (const share of [0.3, 0.6, 0.9]) {
      const n = Math.max(1, Math.floor(characters(two) * share));
      const teaser = cutTeaser(fixture.html, { characters: n } as TeaserOptions);
      const kept = collapse(expectFaithful(fixture, teaser));
      expect(characters(visibleText(teaser))).toBeLessThanOrEqual(n);
      // The cut is a word boundary of the article's text: no word (or grapheme) is split.
      const boundaries = new Set([0]);
      for (const s of segmenter.segment(article)) boundaries.add(s.index + s.segment.length);
      expect(
        boundaries.has(kept.length),
        `cut at ${kept.length}: "${kept.slice(-20)}|${article.slice(kept.length, kept.length + 20)}"`,
      ).toBe(true);
    }
  });
});

describe('a block that is not a paragraph never carries the article past the cut (issue 23, finding 10)', () => {
  const filler = (i: number) => `Review ${i} of the season, with its verdict and the price of a table for two. `.repeat(3);
  const reviews = Array.from({ length: 50 }, (_, i) => `<li>${filler(i)}</li>`).join('');
  const cases: ReadonlyArray<readonly [string, string]> = [
    ['a list of fifty reviews', `<p>intro</p><ol>${reviews}</ol><p>method</p>`],
    [
      'a definition list',
      `<p>intro</p><dl>${Array.from({ length: 30 }, (_, i) => `<dt>Term ${i}</dt><dd>${filler(i)}</dd>`).join('')}</dl><p>end</p>`,
    ],
    [
      'a table of fifty rows',
      `<p>intro</p><table>${Array.from({ length: 50 }, (_, i) => `<tr><td>${filler(i)}</td></tr>`).join('')}</table><p>end</p>`,
    ],
    [
      'a quotation of twenty paragraphs',
      `<p>intro</p><blockquote>${Array.from({ length: 20 }, (_, i) => `<p>${filler(i)}</p>`).join('')}</blockquote>`,
    ],
    ['a long pre', `<p>intro</p><pre>${Array.from({ length: 200 }, (_, i) => filler(i)).join('\n')}</pre><p>end</p>`],
    [
      'a figure with the article in its caption',
      `<p>intro</p><figure><figcaption>${Array.from({ length: 40 }, (_, i) => filler(i)).join('')}</figcaption></figure><p>a</p><p>b</p>`,
    ],
    [
      'an aside holding the article',
      `<p>intro</p><aside>${Array.from({ length: 40 }, (_, i) => `<p>${filler(i)}</p>`).join('')}</aside><p>a</p><p>b</p>`,
    ],
  ];

  it.each(cases)('%s: a prefix of the article, within two paragraphs and the character ceiling', (_what, html) => {
    const article = collapse(visibleText(html, [], false));
    for (const options of [
      { paragraphs: 2 },
      { paragraphs: 3 },
      { words: 5000 },
      { marker: { comment: 'paywall' } },
      {},
    ] as TeaserOptions[]) {
      const teaser = cutTeaser(html, options);
      expect(structureProblems(teaser)).toEqual([]);
      const kept = collapse(visibleText(teaser, [], false));
      expect(article.startsWith(kept)).toBe(true);
      // The ceiling bounds every teaser, whatever the mode (1,500 characters by default).
      expect(characters(visibleText(teaser))).toBeLessThanOrEqual(1500);
    }
    // Two paragraphs of a list, a table or a quotation are its first item, nothing after; what
    // is kept whole (a pre, a figure, an aside) stops at the ceiling.
    const two = collapse(visibleText(cutTeaser(html, { paragraphs: 2 }), [], false));
    if (/<(?:ol|dl|table|blockquote)>/.test(html)) expect(two).not.toContain('Review 1 of');
    expect(characters(two)).toBeLessThan(article.length / 4);
  });

  it('a site may set its own ceiling, and a characters cut above it is refused at construction', () => {
    const html = `<p>intro</p><pre>${filler(1).repeat(50)}</pre>`;
    expect(characters(visibleText(cutTeaser(html, { paragraphs: 2, maxCharacters: 300 })))).toBeLessThanOrEqual(300);
    expect(() => cutTeaser(html, { characters: 2000 })).toThrow(/options\.characters.*maxCharacters \(1500\)/);
    expect(characters(visibleText(cutTeaser(html, { characters: 2000, maxCharacters: 2000 })))).toBeGreaterThan(1500);
  });
});

describe('an article shorter than the cut', () => {
  it('falls back to half of its text, never more than 1,000 characters', () => {
    const short = '<p>One two three four five six seven eight nine ten.</p>';
    expect(cutTeaser(short)).toBe('<p>One two three four five</p>');
    // One long block (no paragraph structure a reader would see) looks short, but is not given away.
    const long = `<div>${'The committee met again on Tuesday and argued about the budget. '.repeat(400)}</div>`;
    const teaser = cutTeaser(long);
    expect(characters(visibleText(teaser))).toBeLessThanOrEqual(1000);
    expect(characters(visibleText(teaser))).toBeGreaterThan(900);
  });
});
