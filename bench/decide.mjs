// decide() on the hot path, beside a raw HMAC-SHA256 of the same token bytes, in one run.
// Run: npm run bench:decide (builds first). Prints JSON on the last line for bench/run.mjs.
import { createHmac } from 'node:crypto';
import { bench, do_not_optimize, run } from 'mitata';
import { applyDecisionHeaders, createPaywall } from '../dist/index.js';

const SECRET = 'bench-secret-0123456789-abcdefghijk';
// A limit high enough that no reader runs out during the counted-view bench.
const paywall = createPaywall({ secret: SECRET, meters: { anonymous: { limit: 100 }, registered: { limit: 100 } } });

const UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
// A request as the Node adapter hands it to decide(): method, url and a headers.get() over plain
// values (a Fetch Headers costs ~3 µs to build, which the counted-view bench would otherwise
// time inside its loop, as it makes each reader's next request from the cookie just set).
function request(cookie) {
  const values = cookie ? { cookie: `__Host-meterwall=${cookie}`, 'user-agent': UA } : { 'user-agent': UA };
  return { method: 'GET', url: '/articles/x', headers: { get: (name) => values[name.toLowerCase()] ?? null } };
}
// The new cookie, read as an adapter writes it (onto a header target: a Node response, a Fetch
// Headers) rather than through decision.headers, which builds a Fetch Headers (~3 µs) the
// counted-view bench would time as if decide() spent it.
let setCookie = null;
const sink = {
  headers: {
    get: () => null,
    set() {},
    append(_name, value) {
      setCookie = value;
    },
  },
};
const tokenOf = (d) => {
  setCookie = null;
  applyDecisionHeaders(sink, d);
  return setCookie.slice(setCookie.indexOf('=') + 1, setCookie.indexOf(';'));
};

// A returning reader who has read 'read-1' and 'read-2': re-opening one spends nothing and re-signs nothing.
let token = tokenOf(await paywall.decide(request(null), { id: 'read-1' }));
token = tokenOf(await paywall.decide(request(token), { id: 'read-2' }));
const returning = request(token);
const articles = Array.from({ length: 512 }, (_, i) => ({ id: `new-${i}` }));
for (const a of articles) await paywall.decide(request(token), a); // warm the id-hash cache
const fresh = request(null);
// 4096 readers take turns, each presenting the token its last view set (as a browser does): a
// counted view verifies it (from the cache), claims the view in the store and re-signs. A reader
// reads 10 articles (a generous monthly allowance), then its place goes to the next new reader
// of a pool of one-view readers made up front, so tokens stay the size real ones have.
const SLOTS = 4096;
const VIEWS_PER_READER = 10;
const pool = [];
for (let r = 0; r < 16 * SLOTS; r++) pool.push(request(tokenOf(await paywall.decide(request(null), { id: 'read-1' }))));
let nextInPool = 0;
const readers = [];
const viewsOf = new Uint8Array(SLOTS);
for (let r = 0; r < SLOTS; r++) readers.push(pool[nextInPool++]);

const tokenBytes = new TextEncoder().encode(token);
const hmacKey = createHmac('sha256', SECRET).digest(); // a 32-byte key, made once like an imported CryptoKey

let i = 0;
bench('raw HMAC-SHA256 of the token (node:crypto)', () => {
  do_not_optimize(createHmac('sha256', hmacKey).update(tokenBytes).digest());
});
bench('decide(): returning reader, token unchanged', async () => {
  const decision = await paywall.decide(returning, { id: 'read-1' });
  if (decision.reason !== 'already-read') throw new Error('the bench must measure a returning reader');
  do_not_optimize(decision);
});
bench('decide(): counted view (verify cached, re-sign)', async () => {
  i++;
  const slot = i & (SLOTS - 1);
  const decision = await paywall.decide(readers[slot], articles[viewsOf[slot]]);
  if (!decision.counted) throw new Error('the bench must measure a counted view');
  if (++viewsOf[slot] === VIEWS_PER_READER) {
    viewsOf[slot] = 0;
    readers[slot] = pool[nextInPool++ % pool.length];
  } else readers[slot] = request(tokenOf(decision));
  do_not_optimize(decision);
});
bench('decide(): fresh reader (new meter, sign)', async () => {
  const decision = await paywall.decide(fresh, articles[i++ & 511]);
  if (!decision.counted) throw new Error('the bench must measure a counted view');
  do_not_optimize(decision);
});

const result = await run({ format: 'mitata', colors: false });
const avg = Object.fromEntries(result.benchmarks.map((b) => [b.alias, b.runs[0].stats.avg]));
console.log(JSON.stringify(avg));
