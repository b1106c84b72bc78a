// What a gift link's opening costs against a counted view, in one run: 21 rounds alternating the
// kinds, the median of the per-round ratios (this machine drifts). Prints JSON on the last line.
//
// - counted view: a returning reader opens a new article (its token verified from the cache, the
//   view claimed in the store, the token re-signed): the baseline, what most page views cost.
// - gift, capped, new browser: no cookie; the gift token verified (one HMAC: gift tokens are not
//   cached), the opening added to the gift's set in the store, a new meter signed with the mark.
// - gift, capped, re-opened: the same browser again (its meter from the cache, the gift token
//   verified, the store says it opened it already; nothing signed).
// - gift, no cap, new browser: as the first, without the store.
import { applyDecisionHeaders, createPaywall, defineGifts } from '../dist/index.js';

const SECRET = 'bench-secret-0123456789-abcdefghijk';
const UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
const ROUNDS = 21;
const PER_ROUND = 20_000;

function request(cookie, url = '/articles/x') {
  const values = cookie ? { cookie: `__Host-meterwall=${cookie}`, 'user-agent': UA } : { 'user-agent': UA };
  return { method: 'GET', url, headers: { get: (name) => values[name.toLowerCase()] ?? null } };
}
// Every kind reads its decision's Set-Cookie the way an adapter writes it (onto a header target),
// not through decision.headers, which builds a Fetch Headers (~3 µs) inside the timed loop.
let setCookie = null;
const sink = { headers: { get: () => null, set() {}, append: (_name, value) => (setCookie = value) } };
const cookieOf = (d) => {
  setCookie = null;
  applyDecisionHeaders(sink, d);
  return setCookie;
};
const tokenOf = (d) => {
  const header = cookieOf(d);
  return header.slice(header.indexOf('=') + 1, header.indexOf(';'));
};
const subscriber = () => ({ method: 'GET', url: '/', headers: { get: (name) => (name === 'x-reader' ? 'alice' : null) } });
const resolveReader = (req) => (req.headers.get('x-reader') === 'alice' ? { status: 'subscriber', id: 'alice' } : null);

async function paywallWith(maxOpens) {
  const paywall = createPaywall({
    secret: SECRET,
    meters: { anonymous: { limit: 100 }, registered: { limit: 100 } },
    resolveReader,
    gifts: defineGifts(maxOpens === null ? {} : { maxOpens }),
  });
  const made = await paywall.createGift(subscriber(), { id: 'gifted' });
  if (!made.ok) throw new Error(made.reason);
  return { paywall, url: `/articles/gifted?gift=${made.gift.token}` };
}

const capped = await paywallWith(1_000_000);
const open = await paywallWith(null);
// Counted views: 4096 returning readers take turns, each presenting the token its last view set,
// reading up to 50 articles before its place goes to a new one-view reader.
const SLOTS = 4096;
const readers = [];
const views = new Uint16Array(SLOTS);
const fresh = async () => request(tokenOf(await capped.paywall.decide(request(null), { id: 'first' })));
for (let r = 0; r < SLOTS; r++) readers.push(await fresh());
const articles = Array.from({ length: 64 }, (_, i) => ({ id: `new-${i}` }));
const warm = await fresh();
for (const a of articles) await capped.paywall.decide(warm, a); // warm the id-hash cache (a reader of its own)
const giftOpen = request(null, capped.url);
const opener = request(tokenOf(await capped.paywall.decide(giftOpen, { id: 'gifted' })), capped.url);
const uncapped = request(null, open.url);
let turn = 0;

const KINDS = {
  async counted() {
    const slot = turn++ & (SLOTS - 1);
    const d = await capped.paywall.decide(readers[slot], articles[views[slot]]);
    if (!d.counted) throw new Error(`not a counted view: ${d.reason} ${JSON.stringify(d.trace)}`);
    if (++views[slot] === 50) {
      views[slot] = 0;
      readers[slot] = await fresh();
    } else readers[slot] = request(tokenOf(d));
  },
  async giftNew() {
    const d = await capped.paywall.decide(giftOpen, { id: 'gifted' });
    if (d.reason !== 'gift' || cookieOf(d) === null) throw new Error(`not a new browser's gift: ${d.reason}`);
  },
  async giftAgain() {
    const d = await capped.paywall.decide(opener, { id: 'gifted' });
    if (d.reason !== 'gift' || cookieOf(d) !== null) throw new Error('not a re-opening');
  },
  async giftUncapped() {
    const d = await open.paywall.decide(uncapped, { id: 'gifted' });
    if (d.reason !== 'gift' || cookieOf(d) === null) throw new Error('not a gift');
  },
};

async function time(kind) {
  const run = KINDS[kind];
  const start = performance.now();
  for (let i = 0; i < PER_ROUND; i++) await run();
  return ((performance.now() - start) * 1000) / PER_ROUND;
}

const names = Object.keys(KINDS);
for (const kind of names) await time(kind); // warm-up
const runs = Object.fromEntries(names.map((k) => [k, []]));
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 ? [...names].reverse() : names;
  for (const kind of order) runs[kind].push(await time(kind));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const out = { rounds: ROUNDS };
for (const kind of names) {
  out[kind] = { us: median(runs[kind]), vsCounted: median(runs[kind].map((t, i) => t / runs.counted[i])) };
}
for (const kind of names) console.log(`${kind}: ${out[kind].us.toFixed(2)} µs (${out[kind].vsCounted.toFixed(2)}× a counted view)`);
console.log(JSON.stringify(out));
