// Cutting a realistic 6 KB article (10 paragraphs, links, emphasis, a figure with caption, an
// aside) to 2 paragraphs, beside htmlparser2's own tokenizer over the whole article, in one run.
// Prints JSON on the last line for bench/run.mjs.
import { readFileSync } from 'node:fs';
import { Parser, Tokenizer } from 'htmlparser2';
import { bench, do_not_optimize, run } from 'mitata';
import { createPaywall, cutTeaser } from '../dist/index.js';

const article = readFileSync(new URL('./fixtures/article.html', import.meta.url), 'utf8');
const noop = () => {};
const callbacks = Object.fromEntries(
  ['onattribdata', 'onattribentity', 'onattribend', 'onattribname', 'oncdata', 'onclosetag', 'oncomment', 'ondeclaration',
    'onend', 'onopentagend', 'onopentagname', 'onprocessinginstruction', 'onselfclosingtag', 'ontext', 'ontextentity'].map((n) => [n, noop]),
);

const paywall = createPaywall({ secret: 'bench-secret-0123456789-abcdefghijk', meters: { anonymous: { limit: 0 } } });
const wall = await paywall.decide({ method: 'GET', url: '/a', headers: new Headers() }, { id: 'tram' });
const meta = { id: 'tram', version: '2026-11-23T10:00', headline: 'Tram line to cross the river', url: 'https://news.example/articles/tram' };
paywall.render(wall, article, meta); // fills the cache

bench('htmlparser2 Tokenizer over the whole article', () => {
  const tokenizer = new Tokenizer({ decodeEntities: true }, callbacks);
  tokenizer.write(article);
  tokenizer.end();
});
bench('htmlparser2 Parser over the whole article', () => {
  new Parser({}, { decodeEntities: true }).end(article);
});
bench('cutTeaser(article, { paragraphs: 2 })', () => {
  do_not_optimize(cutTeaser(article, { paragraphs: 2 }));
});
bench('paywall.render(): cached cut + prompt + JSON-LD', () => {
  do_not_optimize(paywall.render(wall, article, meta));
});

const result = await run({ format: 'mitata', colors: false });
const avg = Object.fromEntries(result.benchmarks.map((b) => [b.alias, b.runs[0].stats.avg]));
console.log(JSON.stringify({ bytes: Buffer.byteLength(article), paragraphs: (article.match(/<p[\s>]/g) ?? []).length, avg }));
