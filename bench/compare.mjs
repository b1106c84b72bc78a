// decide() of this build against another build of meterwall, in one run: rounds of the same
// loop on each build, back to back, the order alternating, and the median of the per-round
// ratios (this VM drifts, so only close pairs compare fairly).
// Usage: npm run build && node bench/compare.mjs <other-dist-dir> (e.g. a build of main).
// Prints one line per case and, on the last line, JSON for bench/run.mjs.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const other = process.argv[2];
if (!other) {
  console.error('usage: node bench/compare.mjs <dist directory of the other build>');
  process.exit(2);
}
const builds = {
  baseline: await import(pathToFileURL(resolve(other, 'index.js')).href),
  this: await import(new URL('../dist/index.js', import.meta.url).href),
};
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 21);
const ITERATIONS = Number(process.env['BENCH_ITERATIONS'] ?? 20_000);

const SECRET = 'bench-secret-0123456789-abcdefghijk';
const UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
function request(cookie) {
  const headers = new Headers(cookie ? { cookie: `__Host-meterwall=${cookie}`, 'user-agent': UA } : { 'user-agent': UA });
  return { method: 'GET', url: '/articles/x', headers };
}
const tokenOf = (d) => d.headers.get('set-cookie').split(';')[0].split('=')[1];

/**
 * Two cases per build: the returning reader (a cached token, an article already read: nothing to
 * sign) and a counted view of a returning reader (the token verified, one more article counted,
 * the token re-signed). 4096 readers take turns, each presenting the token its last view set, as
 * a browser does; the limit is high enough that none runs out during the bench.
 */
const CASES = ['returning reader', 'counted view'];
const loops = {};
for (const [name, { createPaywall }] of Object.entries(builds)) {
  const paywall = createPaywall({ secret: SECRET, meters: { anonymous: { limit: 100 }, registered: { limit: 100 } } });
  let token = tokenOf(await paywall.decide(request(null), { id: 'read-1' }));
  token = tokenOf(await paywall.decide(request(token), { id: 'read-2' }));
  const returning = request(token);
  const article = { id: 'read-1' };
  const articles = Array.from({ length: 512 }, (_, i) => ({ id: `new-${i}` }));
  for (const a of articles) await paywall.decide(request(token), a); // warm the id-hash cache
  const readers = [];
  for (let r = 0; r < 4096; r++) readers.push(request(tokenOf(await paywall.decide(request(null), { id: 'read-1' }))));
  let n = 0;
  loops[name] = {
    'returning reader': async () => {
      const started = performance.now();
      for (let i = 0; i < ITERATIONS; i++) {
        const decision = await paywall.decide(returning, article);
        if (decision.reason !== 'already-read') throw new Error('the bench must measure a returning reader');
      }
      return ((performance.now() - started) * 1000) / ITERATIONS; // µs per decision
    },
    'counted view': async () => {
      const count = Math.ceil(ITERATIONS / 10);
      const started = performance.now();
      for (let i = 0; i < count; i++) {
        n++;
        const decision = await paywall.decide(readers[n & 4095], articles[(n >> 12) & 511]);
        readers[n & 4095] = request(tokenOf(decision));
        if (!decision.counted)
          throw new Error(
            `the bench must measure a counted view (${name}, view ${n}: ${decision.reason} ${decision.meter?.used}/${decision.meter?.limit})`,
          );
      }
      return ((performance.now() - started) * 1000) / count;
    },
  };
}
for (let warm = 0; warm < 3; warm++) for (const build of Object.values(loops)) for (const c of CASES) await build[c]();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const out = { rounds: ROUNDS };
for (const c of CASES) {
  const times = { baseline: [], this: [] };
  const ratios = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 ? ['this', 'baseline'] : ['baseline', 'this'];
    const took = {};
    for (const name of order) took[name] = await loops[name][c]();
    times.baseline.push(took.baseline);
    times.this.push(took.this);
    ratios.push(took.this / took.baseline);
  }
  out[c] = { baseline: median(times.baseline), this: median(times.this), ratio: median(ratios) };
  console.log(
    `${c}: baseline ${out[c].baseline.toFixed(2)} µs, this build ${out[c].this.toFixed(2)} µs, median ratio ${out[c].ratio.toFixed(3)}× over ${ROUNDS} rounds`,
  );
}
console.log(JSON.stringify(out));
