// Runs every benchmark in one go and rewrites the results block of bench/README.md.
// Usage: npm run bench (builds first). BENCH_ROUNDS / BENCH_SECONDS tune the HTTP runs.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { BUDGETS } from '../scripts/budgets.mjs';
import { measureBundles } from '../scripts/bundle-size.mjs';

const here = new URL('.', import.meta.url);
function runScript(name, args = [], env = {}, cwd = undefined) {
  const path = name.startsWith('/') ? name : new URL(name, here).pathname;
  const out = execFileSync(process.execPath, [path, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.stdout.write(out);
  return JSON.parse(out.trim().split('\n').at(-1));
}

// BENCH_BASELINE: a checkout of an earlier commit, built (`npm run build` there), to compare
// decide() against in this run (compare.mjs) and to load its example site right before this one.
const baseline = process.env.BENCH_BASELINE;
const bundles = await measureBundles();
// The baseline's bundles, built from its own dist with the same script (this checkout's).
const oldBundles = baseline ? await measureBundles(join(baseline, 'dist')) : null;
const packed = (cwd) =>
  JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--silent', '--ignore-scripts'], { cwd, encoding: 'utf8' }))[0];
const tarball = packed(new URL('..', import.meta.url).pathname);
const oldTarball = baseline ? packed(baseline) : null;
const decide = runScript('decide.mjs');
const rules = runScript('rules.mjs');
const gifts = runScript('gifts.mjs');
const teaser = runScript('teaser.mjs');
const http = runScript('http.mjs');
const compared = baseline ? runScript('compare.mjs', [join(baseline, 'dist')]) : null;
// The baseline's own HTTP run, right after this build's: the same machine, minutes apart.
const oldHttp = baseline ? runScript(join(baseline, 'bench/http.mjs'), [], {}, baseline) : null;
// Run from the checkout itself, so its tsconfig (and its own build) is the one resolved.
const oldLoad = baseline ? runScript(join(baseline, 'bench/load.mjs'), [], { BENCH_READERS: '0' }, baseline) : null;
const load = runScript('load.mjs');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const us = (ns) => `${(ns / 1000).toFixed(2)} µs`;
const TOKENIZER = 'htmlparser2 Tokenizer over the whole article';
const CUT = 'cutTeaser(article, { paragraphs: 2 })';
const WORDS = 'cutTeaser(article, { words: 50 })';
const RENDER = 'renderer.render(): cached cut + prompt + JSON-LD';
const raw = decide['raw HMAC-SHA256 of the token (node:crypto)'];
const returning = decide['decide(): returning reader, token unchanged'];
const rows = Object.entries(decide)
  .map(([name, ns]) => `| ${name} | ${us(ns)} | ${(ns / raw).toFixed(2)}× |`)
  .join('\n');

const block = `<!-- results:start -->
Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}, ${os.platform()} ${os.release()}.

**decide() against a raw HMAC-SHA256 of the same token bytes (mitata, same run)**

| benchmark | mean | vs raw HMAC |
|---|---|---|
${rows}

A returning reader costs **${(returning / raw).toFixed(2)}×** a raw HMAC (budget: 4×); a counted view **${(decide['decide(): counted view (verify cached, re-sign)'] / raw).toFixed(2)}×** and a fresh reader **${(decide['decide(): fresh reader (new meter, sign)'] / raw).toFixed(2)}×** (budget: 8× each).

**A returning reader on a paywall with ${rules.rules} rules of every kind (none matching its article until the last, a catch-all), against the same reader without rules and a raw HMAC (\`rules.mjs\`, ${rules.rounds} rounds alternating the three, medians of per-round ratios)**

| case | median | ratio |
|---|---|---|
| decide(): returning reader, no rules | ${rules.none.toFixed(2)} µs | 1.00× |
| decide(): returning reader, ${rules.rules} rules | ${rules.ruled.toFixed(2)} µs | **${rules.vsNone.toFixed(2)}×** |
| raw HMAC-SHA256 of its token | ${rules.hmac.toFixed(2)} µs | (the ${rules.rules}-rule figure is ${rules.vsHmac.toFixed(2)}× this) |

With ${rules.rules} rules a returning reader costs **${rules.vsNone.toFixed(2)}×** the figure without rules (budget: 1.5×) and **${rules.vsHmac.toFixed(2)}×** a raw HMAC (budget: 4×). The rules are built once into bit masks over the article's section, type and tags (one lookup each); only the rules those leave possible are tried on the reader and the request.

**Opening a gift link against a counted view (\`gifts.mjs\`, ${gifts.rounds} rounds alternating the four, medians of per-round ratios)**

| case | median | vs a counted view |
|---|---|---|
| decide(): counted view of a returning reader (verify cached, claim, re-sign) | ${gifts.counted.us.toFixed(2)} µs | 1.00× |
| decide(): a gift with an open cap, opened by a new browser (verify the gift, add the opening to its set in the store, sign a new meter) | ${gifts.giftNew.us.toFixed(2)} µs | **${gifts.giftNew.vsCounted.toFixed(2)}×** |
| decide(): the same gift re-opened by that browser (the store says it opened it; nothing signed) | ${gifts.giftAgain.us.toFixed(2)} µs | ${gifts.giftAgain.vsCounted.toFixed(2)}× |
| decide(): a gift without a cap, opened by a new browser (no store) | ${gifts.giftUncapped.us.toFixed(2)} µs | ${gifts.giftUncapped.vsCounted.toFixed(2)}× |

A gift token is verified on every opening (one HMAC: gift tokens are not cached, so a stream of forged ones cannot push meters out of the cache); a new browser's opening also signs its first meter, which a counted view of a returning reader only re-signs. These loops read each decision's \`Set-Cookie\` and make each reader's next request from it, so the absolute figures are above those of the mitata table.

**What an edge function ships (esbuild, minified, platform neutral, with every dependency, gzip level 9; \`scripts/bundle-size.mjs\`)**

| bundle | build | gzipped | minified | inputs (minified bytes) | each dependency's gzipped weight (the bundle less the bundle without it) |
|---|---|---|---|---|---|
${Object.entries(bundles)
  .flatMap(([name, b]) =>
    [oldBundles ? ['baseline', oldBundles[name]] : null, ['this build', b]]
      .filter((row) => row !== null)
      .map(
        ([build, x]) =>
          `| ${name === 'decide' ? 'deciding: createPaywall + decide + applyDecisionHeaders' : 'rendering: createRenderer + render'} | ${build} | **${(x.gzip / 1024).toFixed(1)} KB** | ${(x.minified / 1024).toFixed(1)} KB | ${Object.entries(
            x.inputs,
          )
            .sort((p, q) => q[1] - p[1])
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')} | ${Object.entries(x.dependencies)
            .sort((p, q) => q[1] - p[1])
            .map(([k, v]) => `${k} ${(v / 1024).toFixed(1)} KB`)
            .join(', ')} |`,
      ),
  )
  .join('\n')}

Budgets: deciding ${BUDGETS.decideKB} KB, rendering ${BUDGETS.renderKB} KB (a test in \`tests/package\` keeps both; \`scripts/budgets.mjs\`).

**The packed tarball (\`npm pack\`)**: ${(tarball.size / 1000).toFixed(1)} kB packed, ${(tarball.unpackedSize / 1000).toFixed(1)} kB unpacked, ${tarball.entryCount} files${oldTarball ? ` (the baseline: ${(oldTarball.size / 1000).toFixed(1)} kB packed, ${(oldTarball.unpackedSize / 1000).toFixed(1)} kB unpacked)` : ''}; budget ${BUDGETS.tarballKiB} KiB (${((BUDGETS.tarballKiB * 1024) / 1000).toFixed(1)} kB) packed.

**Cutting the ${(teaser.bytes / 1024).toFixed(1)} KB article in \`fixtures/article.html\` (${teaser.paragraphs} paragraphs, links, emphasis, a figure with caption, an aside) (mitata, same run)**

| benchmark | median | vs tokenizing the whole article |
|---|---|---|
${Object.entries(teaser.avg)
  .map(([name, ns]) => `| ${name} | ${us(ns)} | ${(ns / teaser.avg[TOKENIZER]).toFixed(2)}× |`)
  .join('\n')}

The 2-paragraph cut takes **${(teaser.avg[CUT] / teaser.avg[TOKENIZER]).toFixed(2)}×** the time of htmlparser2's tokenizer over the whole article (budget: 0.3×): tokenizing and tree building stop at the cut. \`{ words: 50 }\` takes **${(teaser.avg[WORDS] / teaser.avg[TOKENIZER]).toFixed(2)}×** (budget: 1×). A render with the cut cached takes **${(teaser.avg[RENDER] / teaser.avg[TOKENIZER]).toFixed(3)}×**.

**\`{ words: 50 }\` on the article fixtures of the test suite (\`tests/fixtures/articles\`: CMS markup and scripts of many kinds), against htmlparser2's tokenizer over each (15 rounds alternating the two; medians, and the median of the per-round ratios; same run)**

As written, the fixtures are short (50 to 120 words): the cut runs to their end and the short-article rule cuts again. At an article's length (each body repeated to 6 KB or more, the size of the article above) the cut stops early.

| fixture | as written | tokenizer | \`{ words: 50 }\` | ratio | at article length | tokenizer | \`{ words: 50 }\` | ratio |
|---|---|---|---|---|---|---|---|---|
${Object.entries(teaser.bodies)
  .map(
    ([name, { short: a, sized: b }]) =>
      `| ${name} | ${a.kb.toFixed(1)} KB | ${a.tokenizer.toFixed(1)} µs | ${a.words.toFixed(1)} µs | ${a.ratio.toFixed(2)}× | ${b.kb.toFixed(1)} KB | ${b.tokenizer.toFixed(1)} µs | ${b.words.toFixed(1)} µs | **${b.ratio.toFixed(2)}×** |`,
  )
  .join('\n')}

At article length, \`{ words: 50 }\` takes a median **${median(Object.values(teaser.bodies).map((b) => b.sized.ratio)).toFixed(2)}×** a full tokenizer pass, at worst **${Math.max(...Object.values(teaser.bodies).map((b) => b.sized.ratio)).toFixed(2)}×** (${Object.entries(teaser.bodies).sort((a, b) => b[1].sized.ratio - a[1].sized.ratio)[0][0]}; budget: 1×). Over 1× are only scripts written without spaces (${
  Object.entries(teaser.bodies)
    .filter(([, b]) => b.sized.ratio > 1)
    .map(([n]) => n)
    .join(', ') || 'none in this run'
}): each of their text nodes costs one call of \`Intl.Segmenter\`, 3 to 5 µs on Node 20 however short the text, and their words are the dictionary's to find. As written, a median ${median(Object.values(teaser.bodies).map((b) => b.short.ratio)).toFixed(2)}×: cutting a body to its end costs more than tokenizing it, as it also builds the tree and writes the teaser.

**One 160 KB text node (9 cuts after a warm-up cut, same run)**

| node and cut | median | worst |
|---|---|---|
${Object.entries(teaser.long)
  .map(([name, l]) => `| ${name} (${l.kb} KB) | ${l.median.toFixed(2)} ms | ${l.worst.toFixed(2)} ms |`)
  .join('\n')}

Every cut of a 160 KB text node takes at most **${Math.max(...Object.values(teaser.long).map((l) => l.worst)).toFixed(2)} ms** (budget: 10 ms): segmentation runs over bounded windows. The process's very first cut took ${teaser.coldMs.toFixed(1)} ms, once: it loads ICU's word-break data for \`Intl.Segmenter\`.

**node:http serving a fixed 6 KB article, loaded by autocannon on 127.0.0.1 (50 connections, ${http.rounds} rounds of ${http.seconds} s, the six servers back to back in each round, the order reversed every other round${http.pinned ? ', autocannon pinned to core 0 and the server to core 1' : ''}). Each kind of traffic is measured against the bare server under the same requests (for new readers and counted views it answers with a Set-Cookie as long as meterwall's), so the difference is \`decideNode()\` alone; the last column keeps the comparison of earlier runs, against the bare server under returning traffic.**

| server and traffic | median requests/s | median ratio to bare, same traffic (per round) | median server CPU per request | bare's CPU / this CPU | median p99 latency | ratio to bare under returning traffic |
|---|---|---|---|---|---|---|
${[
  ['bare, returning traffic (sets its own Cache-Control and Vary)', 'bare'],
  ['decideNode(), returning reader (an article already read: nothing signed)', 'returning'],
  ['bare, new-reader traffic (and a Set-Cookie)', 'bare-new'],
  ['decideNode(), every request a new reader (no cookie: a new meter, signed)', 'new'],
  ['bare, counted-view traffic (and a Set-Cookie)', 'bare-counted'],
  ['decideNode(), every request a counted view of a returning reader (verify, claim, re-sign)', 'counted'],
]
  .map(
    ([label, key]) =>
      `| ${label} | ${Math.round(http[key].rps)} | **${http[key].ratio.toFixed(2)}×** | ${http[key].cpuPerRequest.toFixed(1)} µs | ${http[key].cpuRatio.toFixed(2)}× | ${http[key].p99} ms | ${http[key].ratioToBare.toFixed(2)}× |`,
  )
  .join('\n')}

Budgets, each against the bare server under the same traffic: returning readers 0.85× or more, new readers and counted views 0.50× or more. In a counted run each connection plays a reader who reads 20 new articles in a row, presenting the cookie the last response set; its first token comes from a pool of 30,000 one-view readers signed up front (so the server's store has never seen them).

${
  oldHttp
    ? `**The same HTTP run on the baseline build (${baseline.split('/').filter(Boolean).at(-1)}), right after this build's: ratios to the bare server under the same traffic**

| build | returning reader | new reader | counted view |
|---|---|---|---|
| baseline | ${oldHttp.returning.ratio.toFixed(2)}× | ${oldHttp.new.ratio.toFixed(2)}× | ${oldHttp.counted.ratio.toFixed(2)}× |
| this build | **${http.returning.ratio.toFixed(2)}×** | **${http.new.ratio.toFixed(2)}×** | **${http.counted.ratio.toFixed(2)}×** |

`
    : ''
}${
  compared
    ? `**decide() of this build against the baseline build (\`compare.mjs\`, ${compared.rounds} rounds alternating the two, medians of per-round ratios)**

| case | baseline | this build | median ratio |
|---|---|---|---|
${['returning reader', 'counted view'].map((c) => `| ${c} | ${compared[c].baseline.toFixed(2)} µs | ${compared[c].this.toFixed(2)} µs | **${compared[c].ratio.toFixed(3)}×** |`).join('\n')}

`
    : ''
}**The example news site under load (in-memory store, 127.0.0.1, ${load.connections} connections, ${load.seconds} s${load.pinned ? ', autocannon and the site on separate cores' : ''})**

A realistic mix: 2,000 returning readers (80% of requests; most re-open an article they read, some read a new one and are counted and re-signed) and new readers (20%; a fresh meter, counted and signed), each page fully rendered (layout, teaser or article, banner, prompt, JSON-LD).

| build | requests/s | p50 latency | p99 latency | requests |
|---|---|---|---|---|
${oldLoad ? `| baseline (${baseline.split('/').filter(Boolean).at(-1)}), loaded just before | ${oldLoad.rps} | ${oldLoad.p50} ms | ${oldLoad.p99} ms | ${oldLoad.total} |\n` : ''}| this build | **${load.rps}** | ${load.p50} ms | ${load.p99} ms | ${load.total} |

Memory of the site process (after a forced GC) as simulated new readers accumulate, each given a fresh meter, counted and signed, leaving a fresh-meter count in the in-memory store (bounded at 100,000 entries) and a verified token in the cache (10,000); a new meter's first view claims nothing in the store:

| readers | RSS | heap used |
|---|---|---|
${load.checkpoints.map((c) => `| ${c.readers.toLocaleString('en-GB')} | ${c.rssMb} MB | ${c.heapUsedMb} MB |`).join('\n')}
<!-- results:end -->`;

const readme = new URL('README.md', here);
const text = readFileSync(readme, 'utf8');
writeFileSync(readme, text.replace(/<!-- results:start -->[\s\S]*<!-- results:end -->/, block));
console.log('\nbench/README.md updated');
