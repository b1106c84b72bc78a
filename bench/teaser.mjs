// Cutting a realistic 6 KB article (10 paragraphs, links, emphasis, a figure with caption, an
// aside) to 2 paragraphs and to 50 words, beside htmlparser2's own tokenizer over the whole
// article (a fast tokenizer that stops at nothing), in one run; then the article-shaped
// fixtures of the test suite (real CMS markup, several scripts) cut to 50 words beside the same
// tokenizer over each; then one 160 KB text node cut in each mode. Prints JSON on the last line
// for bench/run.mjs.
import { readdirSync, readFileSync } from 'node:fs';
import { Parser, Tokenizer } from 'htmlparser2';
import { bench, do_not_optimize, run } from 'mitata';
import { createPaywall, createRenderer, cutTeaser } from '../dist/index.js';

const article = readFileSync(new URL('./fixtures/article.html', import.meta.url), 'utf8');
const node = {
  latin: `<p>${'The council met again on Tuesday and argued about the budget. '.repeat(2600)}</p>`,
  japanese: `<p>${'東京都の新しい路面電車の路線が川を渡ることになりました。'.repeat(5800)}</p>`,
};
// The process's very first cut, before anything is warm: it includes loading ICU's word-break
// data for Intl.Segmenter, once per process.
const coldStart = performance.now();
cutTeaser(node.japanese, { words: 50 });
const coldMs = performance.now() - coldStart;
const noop = () => {};
const callbacks = Object.fromEntries(
  [
    'onattribdata',
    'onattribentity',
    'onattribend',
    'onattribname',
    'oncdata',
    'onclosetag',
    'oncomment',
    'ondeclaration',
    'onend',
    'onopentagend',
    'onopentagname',
    'onprocessinginstruction',
    'onselfclosingtag',
    'ontext',
    'ontextentity',
  ].map((n) => [n, noop]),
);

function tokenize(html) {
  const tokenizer = new Tokenizer({ decodeEntities: true }, callbacks);
  tokenizer.write(html);
  tokenizer.end();
}

const paywall = createPaywall({ secret: 'bench-secret-0123456789-abcdefghijk', meters: { anonymous: { limit: 0 } } });
const wall = await paywall.decide({ method: 'GET', url: '/a', headers: new Headers() }, { id: 'tram' });
const meta = {
  id: 'tram',
  version: '2026-11-23T10:00',
  headline: 'Tram line to cross the river',
  url: 'https://news.example/articles/tram',
};
const renderer = createRenderer();
renderer.render(wall, article, meta); // fills the cache

bench('htmlparser2 Tokenizer over the whole article', () => {
  tokenize(article);
});
bench('htmlparser2 Parser over the whole article', () => {
  new Parser({}, { decodeEntities: true }).end(article);
});
bench('cutTeaser(article, { paragraphs: 2 })', () => {
  do_not_optimize(cutTeaser(article, { paragraphs: 2 }));
});
bench('cutTeaser(article, { words: 50 })', () => {
  do_not_optimize(cutTeaser(article, { words: 50 }));
});
bench('cutTeaser(article, { characters: 300 })', () => {
  do_not_optimize(cutTeaser(article, { characters: 300 }));
});
bench('renderer.render(): cached cut + prompt + JSON-LD', () => {
  do_not_optimize(renderer.render(wall, article, meta));
});

const result = await run({ format: 'mitata', colors: false });
// Medians: a mean on this VM is moved by rare pauses of tens of ms.
const avg = Object.fromEntries(result.benchmarks.map((b) => [b.alias, b.runs[0].stats.p50]));

/** µs per call of `fn`, `n` calls. */
function time(fn, n) {
  const started = performance.now();
  for (let i = 0; i < n; i++) fn();
  return ((performance.now() - started) * 1000) / n;
}
const mid = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** 15 rounds of `base` and `fn` (alternating which goes first): their medians and the median per-round ratio. */
function compare(base, fn, n) {
  const a = [];
  const b = [];
  const ratios = [];
  for (let r = 0; r < 15; r++) {
    let x;
    let y;
    if (r % 2 === 0) {
      x = time(base, n);
      y = time(fn, n);
    } else {
      y = time(fn, n);
      x = time(base, n);
    }
    a.push(x);
    b.push(y);
    ratios.push(y / x);
  }
  return { tokenizer: mid(a), words: mid(b), ratio: mid(ratios) };
}

// Real CMS shapes (tests/fixtures/articles): `{ words: 50 }` against a full tokenizer pass of each,
// as written (short bodies: the cut runs to their end and takes the short-article rule) and at
// an article's length (the body repeated to 6 KB or more, as the 6 KB article above).
const dir = new URL('../tests/fixtures/articles/', import.meta.url);
const bodies = {};
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.html'))
  .sort()) {
  const short = readFileSync(new URL(file, dir), 'utf8');
  const sized = short.repeat(Math.ceil(6144 / short.length));
  const row = {};
  for (const [name, html] of [
    ['short', short],
    ['sized', sized],
  ]) {
    for (let i = 0; i < 300; i++) {
      tokenize(html);
      cutTeaser(html, { words: 50 });
    }
    row[name] = {
      kb: html.length / 1024,
      ...compare(
        () => tokenize(html),
        () => cutTeaser(html, { words: 50 }),
        100,
      ),
    };
  }
  bodies[file.replace(/\.html$/, '')] = row;
}

// One text node of 160 KB (Latin, and Japanese, which has no spaces): 9 cuts in each mode after
// one warm-up cut, in ms.
const long = {};
for (const [script, html] of Object.entries(node)) {
  for (const options of [{ paragraphs: 2 }, { words: 50 }, { characters: 300 }]) {
    cutTeaser(html, options);
    const times = [];
    for (let i = 0; i < 9; i++) {
      const started = performance.now();
      cutTeaser(html, options);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    long[`${script} ${JSON.stringify(options)}`] = { kb: Math.round(html.length / 1024), median: times[4], worst: times[8] };
  }
}
console.log(
  JSON.stringify({ bytes: Buffer.byteLength(article), paragraphs: (article.match(/<p[\s>]/g) ?? []).length, avg, bodies, long, coldMs }),
);
