import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cutTeaser, type TeaserOptions } from '../../src/index.js';
import { findLeak, textOf, wellFormedProblems } from '../leak.js';

const MARKER = 'Zorblax7Quim';

/** Expects `html` to be well-formed and free of every leak form of `word`. */
function expectClean(html: string, word = MARKER): void {
  expect(wellFormedProblems(html)).toEqual([]);
  expect(findLeak(html, word)).toBeNull();
}

const p = (text: string) => `<p>${text}</p>`;
const intro = p('The council voted on Tuesday to extend the tram line.') + p('Supporters said journeys would be shorter.');

describe('cut modes', () => {
  it('keeps the first 2 paragraphs by default, with what lies between them', () => {
    const html = `<h1>Tram</h1>${p('One.')}<figure><img src="/t.jpg"><figcaption>The line</figcaption></figure>${p('Two.')}${p('Three.')}`;
    expect(cutTeaser(html)).toBe('<h1>Tram</h1><p>One.</p><figure><img src="/t.jpg"><figcaption>The line</figcaption></figure><p>Two.</p>');
  });

  it('counts paragraphs at the outermost level, not inside asides or figures', () => {
    const html = `${p('One.')}<aside><p>Read more</p><p>Also</p></aside><blockquote><p>Quote a</p><p>Quote b</p></blockquote>${p('Three.')}`;
    expect(cutTeaser(html, { paragraphs: 2 })).toBe(
      // A quotation's paragraphs count one by one: the second paragraph is its first.
      '<p>One.</p><aside><p>Read more</p><p>Also</p></aside><blockquote><p>Quote a</p></blockquote>',
    );
  });

  it('keeps the first N words, never splitting a word, keeping punctuation that sticks to it', () => {
    expect(cutTeaser(`${p('One two, three. Four five six.')}${p('x')}`, { words: 3 })).toBe('<p>One two, three.</p>');
    expect(cutTeaser(`${p('One <em>two</em> three four')}${p('x')}`, { words: 2 })).toBe('<p>One <em>two</em></p>');
  });

  it('finishes a word that runs across inline elements before cutting', () => {
    expect(cutTeaser(`${p('Alpha be<em>ta</em>gamma delta epsilon')}${p('x')}`, { words: 2 })).toBe('<p>Alpha be<em>ta</em>gamma</p>');
  });

  it('keeps at most N characters, cut at the last word boundary', () => {
    expect(cutTeaser(`${p('Hello wonderful world of news')}${p('x')}`, { characters: 14 })).toBe('<p>Hello</p>');
    expect(cutTeaser(`${p('Hello wonderful world of news')}${p('x')}`, { characters: 15 })).toBe('<p>Hello wonderful</p>');
  });

  it('cuts CJK text between words (Unicode word segmentation), not inside one', () => {
    const out = cutTeaser(`${p('東京都の新しい路面電車の路線が川を渡ることになりました')}${p('x')}`, { characters: 6 });
    const kept = textOf(out);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThanOrEqual(6);
    expect('東京都の新しい路面電車の路線が川を渡ることになりました'.startsWith(kept)).toBe(true);
  });

  it('cuts at an editor marker: a comment or an element with a class', () => {
    const html = `${p('Kept one.')}${p('Kept two.')}${p('Kept three.')}<!-- paywall -->${p(MARKER)}`;
    expect(cutTeaser(html, { marker: { comment: 'paywall' } })).toBe('<p>Kept one.</p><p>Kept two.</p><p>Kept three.</p>');
    const byClass = `${p('Kept.')}<div class="pw-break"></div>${p(MARKER)}`;
    expect(cutTeaser(byClass, { marker: { className: 'pw-break' } })).toBe('<p>Kept.</p>');
    // The marker inside a container: the container is closed properly.
    const nested = `<section>${p('Kept.')}<hr class="pw-break">${p(MARKER)}</section>`;
    expect(cutTeaser(nested, { marker: { className: 'pw-break' } })).toBe('<section><p>Kept.</p></section>');
  });

  it('without the marker in the article, falls back to the first 2 paragraphs', () => {
    expect(cutTeaser(`${p('a')}${p('b')}${p('c')}`, { marker: { comment: 'paywall' } })).toBe('<p>a</p><p>b</p>');
  });
});

describe('an article shorter than the cut', () => {
  it('keeps about half of its text by default, so the teaser never gives the whole article away', () => {
    const out = cutTeaser(p('One two three four five six seven eight nine ten.'), { paragraphs: 2 });
    expect(out).toBe('<p>One two three four five</p>');
  });

  it('an article of exactly N paragraphs is also shorter than the cut', () => {
    expect(textOf(cutTeaser(intro, { paragraphs: 2 })).length).toBeLessThan(textOf(intro).length);
  });

  it('keeps everything with whenShort: full', () => {
    expect(cutTeaser(intro, { paragraphs: 2, whenShort: 'full' })).toBe(intro);
  });

  it('an article with nothing visible gives an empty teaser', () => {
    expect(cutTeaser('<script>x()</script>')).toBe('');
    expect(cutTeaser('')).toBe('');
  });
});

describe('nothing held back leaves the server', () => {
  const hiding: Array<[string, string]> = [
    ['a comment', `<!-- ${MARKER} -->`],
    ['an alt attribute', `<img src="/a.jpg" alt="${MARKER}">`],
    ['a title attribute', `<span title="${MARKER}">x</span>`],
    ['a data-* attribute', `<div data-body="${MARKER}">x</div>`],
    ['a content attribute', `<meta content="${MARKER}">`],
    ['srcset text', `<img src="/a.jpg" srcset="/${MARKER}.jpg 2x">`],
    ['a style attribute', `<span style="--t:'${MARKER}'">x</span>`],
    ['noscript', `<noscript><p>${MARKER}</p></noscript>`],
    ['template', `<template><p>${MARKER}</p></template>`],
    ['a JSON-LD script', `<script type="application/ld+json">{"articleBody":"${MARKER}"}</script>`],
    ['embedded state', `<script>window.__STATE__={"body":"${MARKER}"}</script>`],
    ['style', `<style>.x::after{content:"${MARKER}"}</style>`],
    ['iframe srcdoc', `<iframe srcdoc="<p>${MARKER}</p>"></iframe>`],
    ['a hidden element', `<div hidden><p>${MARKER}</p></div>`],
    ['display:none', `<div style="display: none"><p>${MARKER}</p></div>`],
    ['visibility:hidden', `<p style="visibility:hidden">${MARKER}</p>`],
    ['aria-hidden', `<span aria-hidden="true">${MARKER}</span>`],
    ['a hidden input', `<input type="hidden" value="${MARKER}">`],
    ['a textarea', `<textarea>${MARKER}</textarea>`],
    ['an svg', `<svg><text>${MARKER}</text></svg>`],
    ['an object', `<object data="/x"><p>${MARKER}</p></object>`],
    ['a javascript: link', `<a href="javascript:alert('${MARKER}')">x</a>`],
    ['a data: image', `<img src="data:text/plain,${MARKER}">`],
    ['a dialog', `<dialog><p>${MARKER}</p></dialog>`],
  ];

  it.each(hiding)('held-back text in %s before the cut is removed', (_, hidden) => {
    const out = cutTeaser(`<p>Lead paragraph ${hidden} continues.</p>${p('Second.')}${p('Third.')}`);
    expectClean(out);
    expect(textOf(out)).toContain('Lead paragraph');
  });

  it.each(hiding)('held-back text in %s after the cut is removed', (_, hidden) => {
    expectClean(cutTeaser(`${intro}<div>${hidden}</div>${p(`Later ${MARKER}.`)}`));
  });

  it('a class listed in dropClasses is dropped with its content', () => {
    const out = cutTeaser(`<p>Lead <span class="visually-hidden">${MARKER}</span> text.</p>${p('b')}${p('c')}`, {
      dropClasses: ['visually-hidden'],
    });
    expectClean(out);
    expect(out).toBe('<p>Lead  text.</p><p>b</p>');
  });

  it('comments and scripts inside the kept part are dropped, unless the site allows them', () => {
    const html = `<p>a<!-- note --></p><script type="application/ld+json">{"@type":"Thing"}</script>${p('b')}${p('c')}`;
    expect(cutTeaser(html)).toBe('<p>a</p><p>b</p>');
    const allowed = cutTeaser(html, {
      allowComment: (text) => text.trim() === 'note',
      allowScript: (attributes) => attributes['type'] === 'application/ld+json',
    });
    expect(allowed).toBe('<p>a<!-- note --></p><script type="application/ld+json">{"@type":"Thing"}</script><p>b</p>');
  });

  it('keeps safe attributes, escapes them, and keeps alt only when allowed', () => {
    const html = `<p class="lead x&quot;y" id="top" onclick="steal()"><a href="/a?b=1&amp;c=&quot;2" target="_blank" data-x="1">link</a> <img src="/i.jpg" alt="A photo" width="640" height="oops"></p>${p('b')}${p('c')}`;
    expect(cutTeaser(html)).toBe(
      '<p class="lead" id="top"><a href="/a?b=1&amp;c=&quot;2" target="_blank">link</a> <img src="/i.jpg" alt="" width="640"></p><p>b</p>',
    );
    expect(cutTeaser(html, { allowAttributes: ['alt'] })).toContain('alt="A photo"');
  });

  it('refuses javascript: URLs even when obfuscated', () => {
    for (const href of ['javascript:x()', ' JavaScript:x()', 'java\tscript:x()', 'jav&#x61;script:x()', 'vbscript:x', 'data:text/html,x']) {
      const out = cutTeaser(`<p><a href="${href}">x</a></p>${p('b')}${p('c')}`);
      expect(out).toBe('<p><a>x</a></p><p>b</p>');
    }
  });
});

describe('hostile and broken sources', () => {
  it('closes unclosed and misnested tags', () => {
    const out = cutTeaser(`<p>One <b>bold <i>both</b> italic</i> end${p('Two <em>open')}${p('Three.')}`);
    expect(wellFormedProblems(out)).toEqual([]);
    expect(textOf(out)).toBe('One bold both italic endTwo open');
  });

  it('escapes a bare < and keeps entities whole', () => {
    const out = cutTeaser(`${p('if a < b &amp;&amp; c > d &eacute;t&eacute;')}${p('b')}${p('c')}`);
    expect(out).toBe('<p>if a &lt; b &amp;&amp; c &gt; d été</p><p>b</p>');
  });

  it('never splits an entity or a surrogate pair at the cut', () => {
    const source = `${p('Caf&eacute;s &amp; bars 😀😀 and 👩‍👩‍👧 families &mdash; more')}${p('x')}`;
    const full = textOf(source);
    for (let n = 1; n <= 40; n++) {
      const out = cutTeaser(source, { characters: n });
      const kept = textOf(out);
      expect(full.startsWith(kept)).toBe(true);
      expect(kept).not.toMatch(/[\uD800-\uDBFF]$/); // no lone high surrogate at the end
      expect(out).not.toMatch(/&[a-z]*$/);
      expect(wellFormedProblems(out)).toEqual([]);
    }
  });

  it('survives garbage without throwing', () => {
    for (const junk of ['<', '<<<>>>', '<p', '</p></div>', '<!--', '<![CDATA[x]]>', '<p x="', '\u0000<p>\u0000</p>', '<scr<script>ipt>']) {
      expect(() => cutTeaser(junk)).not.toThrow();
      expect(wellFormedProblems(cutTeaser(junk))).toEqual([]);
    }
  });

  it('validates options with a TypeError naming the option', () => {
    const bad: Array<[unknown, string]> = [
      [{ paragraphs: 0 }, 'options.paragraphs'],
      [{ words: 1.5 }, 'options.words'],
      [{ paragraphs: 2, words: 3 }, 'options'],
      [{ marker: {} }, 'options.marker'],
      [{ marker: { comment: 'a--b' } }, 'options.marker.comment'],
      [{ whenShort: 'never' }, 'options.whenShort'],
      [{ dropClasses: ['a b'] }, 'options.dropClasses'],
      [{ allowScript: true }, 'options.allowScript'],
      [{ cut: 2 }, 'options.cut'],
      [{ maxCharacters: 0 }, 'options.maxCharacters'],
      [{ characters: 1600 }, 'options.characters'],
    ];
    for (const [options, option] of bad) {
      expect(() => cutTeaser('<p>x</p>', options as TeaserOptions)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_OPTION', option }),
      );
    }
  });
});

// ---- Property tests over generated articles -------------------------------------------------

const word = fc.constantFrom(
  'council',
  'tram',
  'river',
  'vote',
  'market',
  'square',
  'commuters',
  'night',
  'Tuesday',
  'line',
  'café',
  'naïve',
  '東京',
  '😀',
  'AT&T',
  'a<b',
  '“quoted”',
  'x'.repeat(30),
  'état',
  'über',
);
const sentence = fc.array(word, { minLength: 1, maxLength: 14 }).map((ws) => ws.join(' '));
const inline = fc.oneof(
  sentence.map((s) => escapeText(s)),
  sentence.map((s) => `<em>${escapeText(s)}</em>`),
  sentence.map((s) => `<a href="/more">${escapeText(s)}</a>`),
  sentence.map((s) => `<strong>${escapeText(s)}</strong> ${escapeText(s)}`),
);
const paragraph = fc.array(inline, { minLength: 1, maxLength: 4 }).map((parts) => `<p>${parts.join(' ')}</p>`);
const other = fc.oneof(
  sentence.map((s) => `<h2>${escapeText(s)}</h2>`),
  sentence.map((s) => `<figure><img src="/p.jpg" alt="photo"><figcaption>${escapeText(s)}</figcaption></figure>`),
  sentence.map((s) => `<aside><p>${escapeText(s)}</p></aside>`),
);
/** A block that counts as a paragraph, or one that does not. */
const block = fc.oneof(
  { weight: 3, arbitrary: paragraph.map((html) => ({ html, counts: true })) },
  other.map((html) => ({ html, counts: false })),
);
/** Where the marker hides after the cut. */
const hideAfter = fc.constantFrom(
  (m: string) => `<p>Later ${m} text.</p>`,
  (m: string) => `<p>x</p><!-- ${m} -->`,
  (m: string) => `<p><img src="/x.jpg" alt="${m}" title="${m}"></p>`,
  (m: string) => `<script type="application/ld+json">{"articleBody":"${m}"}</script><p>y</p>`,
  (m: string) => `<noscript>${m}</noscript><p>z</p>`,
  (m: string) => `<p data-x="${m}">${m}</p>`,
);

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const article = fc.record({
  prefix: fc.array(block, { minLength: 1, maxLength: 12 }),
  hide: hideAfter,
  // Visible text always follows the hidden marker, so the article is longer than the cut.
  tail: fc.array(block, { minLength: 1, maxLength: 4 }),
});

describe('properties (fast-check)', () => {
  it('paragraph cuts: well-formed, a prefix of the text, the marker after the cut never leaks', () => {
    fc.assert(
      fc.property(article, ({ prefix, hide, tail }) => {
        const counted = prefix.filter((b) => b.counts).length;
        fc.pre(counted >= 1);
        // The cut falls at the last counted paragraph of the prefix; everything after is held back.
        const lastCounted = prefix.map((b) => b.counts).lastIndexOf(true);
        const kept = prefix
          .slice(0, lastCounted + 1)
          .map((b) => b.html)
          .join('');
        const source = kept + hide(MARKER) + tail.map((b) => b.html).join('');
        // The mode on its own (the ceiling has a property of its own below).
        const out = cutTeaser(source, { paragraphs: counted, maxCharacters: 1_000_000 });
        expectClean(out);
        expect(textOf(source).startsWith(textOf(out))).toBe(true);
        expect(textOf(out)).toBe(textOf(kept));
      }),
      { numRuns: 400 },
    );
  });

  it('word and character cuts: well-formed, a prefix, within budget, the marker never leaks', () => {
    fc.assert(
      fc.property(
        article,
        fc.constantFrom<'words' | 'characters'>('words', 'characters'),
        fc.double({ min: 0.05, max: 0.95, noNaN: true }),
        ({ prefix, hide, tail }, unit, share) => {
          const kept = prefix.map((b) => b.html).join('');
          const keptText = textOf(kept);
          // Words as documented: Unicode word segmentation (an emoji or a lone symbol is not a word).
          const words = [...new Intl.Segmenter(undefined, { granularity: 'word' }).segment(keptText)].filter((w) => w.isWordLike).length;
          const size = unit === 'words' ? words : [...keptText].length;
          fc.pre(size >= 1);
          const n = Math.max(1, Math.floor(size * share));
          fc.pre(n < size || unit === 'characters');
          const source = `${kept}${hide(MARKER)}${tail.map((b) => b.html).join('')}`;
          const out = cutTeaser(source, { [unit]: n, maxCharacters: 1_000_000 } as TeaserOptions);
          expectClean(out);
          const text = textOf(out);
          expect(keptText.startsWith(text)).toBe(true);
          if (unit === 'characters') expect([...text].length).toBeLessThanOrEqual(n + 40); // a word running across elements is finished
        },
      ),
      { numRuns: 400 },
    );
  });

  it('marker cuts: the teaser is exactly what precedes the marker', () => {
    fc.assert(
      fc.property(article, fc.constantFrom('comment', 'class'), ({ prefix, hide, tail }, kind) => {
        const kept = prefix.map((b) => b.html).join('');
        const marker = kind === 'comment' ? '<!-- paywall -->' : '<div class="paywall-break"></div>';
        const source = `${kept}${marker}${hide(MARKER)}${tail.map((b) => b.html).join('')}`;
        const marked: TeaserOptions = kind === 'comment' ? { marker: { comment: 'paywall' } } : { marker: { className: 'paywall-break' } };
        const out = cutTeaser(source, { ...marked, maxCharacters: 1_000_000 });
        expectClean(out);
        expect(textOf(out)).toBe(textOf(kept));
      }),
      { numRuns: 300 },
    );
  });

  it('every teaser, whatever the mode, keeps at most maxCharacters of visible text, a prefix of the article', () => {
    fc.assert(
      fc.property(
        article,
        fc.constantFrom<TeaserOptions>({ paragraphs: 2 }, { paragraphs: 8 }, { words: 400 }, { marker: { comment: 'paywall' } }),
        fc.integer({ min: 20, max: 1500 }),
        ({ prefix, hide, tail }, mode, ceiling) => {
          const source = `${prefix.map((b) => b.html).join('')}${hide(MARKER)}${tail.map((b) => b.html).join('')}`;
          const out = cutTeaser(source, { ...mode, maxCharacters: ceiling });
          expect(wellFormedProblems(out)).toEqual([]);
          expect(textOf(source).startsWith(textOf(out))).toBe(true);
          // Code points, whitespace collapsed as a browser shows it.
          expect([...textOf(out).replace(/\s+/g, ' ').trim()].length).toBeLessThanOrEqual(ceiling);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('arbitrary strings never throw and always give well-formed output', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('<', '>', '/', 'p', 'a', ' ', '"', '=', '!', '-', '&', ';', 'x', 'é', '😀') }),
        (junk) => {
          expect(wellFormedProblems(cutTeaser(junk))).toEqual([]);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('the shapes real news markup takes', () => {
  it('a script that a browser ends later than a naive tokenizer (<!--<script> inside it) is dropped whole', () => {
    const held = 'HELD third paragraph';
    const state = `<script>window.S={"ad":"<!--<script src=/a.js></script>","body":"${held}"};</script>`;
    expect(cutTeaser(`${state}<p>One.</p><p>Two.</p><p>${held}</p>`, { paragraphs: 2 })).toBe('<p>One.</p><p>Two.</p>');
    const adTag = '<script><!--\ndocument.write("<script src=/ad.js></script>");\n//--></script>';
    expect(cutTeaser(`${adTag}<p>One.</p><p>Two.</p><p>Three.</p>`, { paragraphs: 2 })).toBe('<p>One.</p><p>Two.</p>');
  });

  it('every place a naive tokenizer and the HTML spec disagree ends where a browser ends it', () => {
    const cases: Array<[string, string]> = [
      ['a comment closed with --!>', `<!-- a --!><p>Visible.</p><!-- ${MARKER} -->`],
      ['<!--> inside a comment', `<!-- a <!--><p>Visible.</p><!-- ${MARKER} -->`],
      ['a textarea holding markup', `<textarea></p><p>${MARKER}</p></textarea><p>Visible.</p>`],
      ['a title in the body', `<title>${MARKER}</p></title><p>Visible.</p>`],
      ['xmp', `<xmp><p>${MARKER}</p></xmp><p>Visible.</p>`],
      ['noscript', `<noscript><p>${MARKER}</p></noscript><p>Visible.</p>`],
      ['an iframe holding markup', `<iframe><p>${MARKER}</p></iframe><p>Visible.</p>`],
      ['CDATA in math', `<math><mtext><![CDATA[${MARKER}</p>]]></mtext></math><p>Visible.</p>`],
      ['a bogus comment', `<?php echo "${MARKER}"; ?><p>Visible.</p>`],
      ['</p> without a start tag', `</p><p>Visible.</p>`],
    ];
    for (const [, html] of cases) {
      const out = cutTeaser(`${html}<p>Two.</p><p>Three.</p>`, { paragraphs: 2 });
      expectClean(out);
      expect(textOf(out)).toBe('Visible.Two.');
    }
    // An HTML paragraph inside svg ends the svg: a browser shows it, so it counts.
    expect(textOf(cutTeaser(`<svg><desc>${MARKER}</desc><p>Shown.</p></svg><p>Two.</p><p>Three.</p>`, { paragraphs: 2 }))).toBe(
      'Shown.Two.',
    );
    // Everything after <plaintext> is raw text, and a template's content follows parsing modes of
    // its own: the teaser stops before either.
    expect(cutTeaser(`<p>One.</p><plaintext><p>${MARKER}</p>`, { paragraphs: 2, whenShort: 'full' })).toBe('<p>One.</p>');
    expect(
      cutTeaser(`<p>One.</p><template><col><script>a="<!--<script></script>";</script></template><p>${MARKER}</p>`, {
        paragraphs: 2,
        whenShort: 'full',
      }),
    ).toBe('<p>One.</p>');
  });

  it('empty and image-only blocks, headings and MathML-only blocks are not paragraphs', () => {
    const html =
      '<p>&nbsp;</p><p><img src="/a.jpg"></p><h2>Heading</h2><p><math><mi>x</mi></math></p><p>Real first paragraph.</p><p>Real second.</p><p>Third.</p>';
    expect(textOf(cutTeaser(html, { paragraphs: 1 }))).toBe('\u00A0HeadingReal first paragraph.');
    expect(textOf(cutTeaser(html, { paragraphs: 2 }))).toBe('\u00A0HeadingReal first paragraph.Real second.');
  });

  it('characters count what a reader sees: source whitespace collapses and indentation counts nothing', () => {
    const html = `${' '.repeat(120)}<div>\n    <p>\n      One two three four five six seven eight nine ten.\n    </p>\n    <p>More.</p><p>${'x '.repeat(200)}</p></div>`;
    const out = cutTeaser(html, { characters: 30 });
    expect(textOf(out).replace(/\s+/g, ' ').trim()).toBe('One two three four five six');
  });

  it('runs of two <br> and text directly in a div make paragraphs', () => {
    const html = '<div>Para one.<br><br>Para two.<br/><br />Para three.<br><br>Para four.</div>';
    expect(cutTeaser(html, { paragraphs: 1 })).toBe('<div>Para one.<br></div>');
    expect(cutTeaser(html, { paragraphs: 2 })).toBe('<div>Para one.<br><br>Para two.<br></div>');
    // A single <br> is a line break within a paragraph.
    expect(cutTeaser('<div>Line one<br>line two.<br><br>Next.<br><br>Last.</div>', { paragraphs: 1 })).toBe(
      '<div>Line one<br>line two.<br></div>',
    );
    expect(cutTeaser('<div>Intro text.<p>A paragraph.</p>More text.</div><p>End.</p>', { paragraphs: 2 })).toBe(
      '<div>Intro text.<p>A paragraph.</p></div>',
    );
  });

  it('promo, newsletter and related boxes, pull quotes and embeds never count as paragraphs; more can be named', () => {
    const html =
      '<p>One.</p><div class="newsletter"><p>Sign up</p></div><p class="promo">Subscribe</p><section class="related-links"><ul><li>More</li></ul></section>' +
      '<aside><p>Aside</p></aside><blockquote class="twitter-tweet"><p>Tweet</p></blockquote><figure class="wp-block-pullquote"><blockquote><p>Quote</p></blockquote></figure>' +
      '<div role="complementary"><p>Box</p></div><p>Two.</p><p>Three.</p>';
    expect(textOf(cutTeaser(html, { paragraphs: 2 }))).toBe('One.Sign upSubscribeMoreAsideTweetQuoteBoxTwo.');
    const own = '<p>One.</p><div class="brand-plug"><p>Plug</p></div><p>Two.</p><p>Three.</p>';
    expect(textOf(cutTeaser(own, { paragraphs: 2 }))).toBe('One.Plug');
    expect(textOf(cutTeaser(own, { paragraphs: 2, furniture: { names: ['plug'] } }))).toBe('One.PlugTwo.');
  });

  it('entities are decoded before words are counted, and no cut splits a word or a grapheme', () => {
    const latvian = '<p>Nakt&#299; uz tre&scaron;dienu gaidāms lietus, vietām stiprs vējš un pērkona negaiss visā valstī.</p><p>x</p>';
    expect(textOf(cutTeaser(latvian, { words: 10 }))).toBe('Naktī uz trešdienu gaidāms lietus, vietām stiprs vējš un pērkona');
    const russian =
      '<p>&#1052;&#1086;&#1089;&#1082;&#1074;&#1072; &#1089;&#1090;&#1086;&#1083;&#1080;&#1094;&#1072; &#1056;&#1086;&#1089;&#1089;&#1080;&#1080;</p><p>x</p>';
    expect(textOf(cutTeaser(russian, { words: 2 }))).toBe('Москва столица');
    const arabic =
      '<p>&#1571;&#1593;&#1604;&#1606;&#1578; &#1608;&#1586;&#1575;&#1585;&#1577; &#1575;&#1604;&#1589;&#1581;&#1577;</p><p>x</p>';
    expect(textOf(cutTeaser(arabic, { words: 2 }))).toBe('أعلنت وزارة');
    expect(textOf(cutTeaser('<p>Hi &#128104;&zwj;&#128105; there.</p><p>x</p>', { characters: 4 }))).toBe('Hi');
    expect(textOf(cutTeaser('<p>Hi &#128104;&zwj;&#128105; there.</p><p>x</p>', { characters: 6 }))).toBe('Hi 👨‍👩');
    expect(textOf(cutTeaser('<p>Flag &#127467;&#127479; yes.</p><p>x</p>', { characters: 6 }))).toBe('Flag');
    expect(textOf(cutTeaser('<p>Flag &#127467;&#127479; yes.</p><p>x</p>', { characters: 7 }))).toBe('Flag 🇫🇷');
    expect(textOf(cutTeaser('<p>Cafe&#769; menu today.</p><p>x</p>', { words: 1 }))).toBe('Cafe\u0301');
    // A word that runs across inline elements counts once.
    expect(textOf(cutTeaser('<p>Al<b>pha</b> beta gamma.</p><p>x</p>', { words: 2 }))).toBe('Alpha beta');
  });

  it('segmentation only ever sees bounded windows: one long text node costs no more than its cut', () => {
    const seen: number[] = [];
    const original = Intl.Segmenter.prototype.segment;
    Intl.Segmenter.prototype.segment = function (this: Intl.Segmenter, input: string) {
      seen.push(input.length);
      return original.call(this, input);
    };
    try {
      const japanese = '東京都の新しい路面電車の路線が川を渡ることになりました。'.repeat(6000); // 162,000 characters
      for (const options of [{ words: 50 }, { characters: 300 }, { paragraphs: 2 }] as TeaserOptions[]) {
        const out = cutTeaser(`<p>${japanese}</p>`, options);
        expect(textOf(out).length).toBeLessThanOrEqual(1000);
      }
      expect(cutTeaser(`<p>${'word '.repeat(32_000)}</p>`, { words: 50 })).toBe(`<p>${'word '.repeat(49)}word</p>`);
    } finally {
      Intl.Segmenter.prototype.segment = original;
    }
    expect(Math.max(...seen)).toBeLessThanOrEqual(2048);
  });

  it('a table cell outside a table is dropped as a browser drops it; its text stays', () => {
    expect(cutTeaser('<p>One <td>cell</td> two.</p><p>Three.</p><p>Four.</p>', { paragraphs: 1 })).toBe('<p>One cell two.</p>');
  });

  it('a table is kept whole, with the structure a browser gives it, or not at all', () => {
    expect(cutTeaser('<p>One.</p><table><tr><td>a</td></tr></table><p>Three.</p>', { paragraphs: 2 })).toBe(
      '<p>One.</p><table><tbody><tr><td>a</td></tr></tbody></table>',
    );
    // Text a browser would move out in front of the table: the teaser stops before the table.
    expect(
      cutTeaser(`<p>One.</p><table><tr><td>a</td></tr>${MARKER} stray<tr><td>b</td></tr></table><p>Three.</p>`, { paragraphs: 2 }),
    ).toBe('<p>One.</p>');
    // A word budget that ends inside a table ends before it.
    expect(cutTeaser('<p>One two.</p><table><tr><td>a b c d</td></tr></table><p>Three.</p>', { words: 4 })).toBe('<p>One two.</p>');
  });
});
