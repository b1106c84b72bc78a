// decide() for a returning reader on a paywall with 20 rules of every kind (a referrer is refused: a country instead) (none matching its
// article until the last, a catch-all), against the same reader on a paywall without rules and
// against a raw HMAC-SHA256 of the token, in one run: 21 rounds alternating the three, the
// median of the per-round ratios (this machine drifts). Prints JSON on the last line.
import { createHmac } from 'node:crypto';
import { createPaywall, defineRules } from '../dist/index.js';

const SECRET = 'bench-secret-0123456789-abcdefghijk';
const UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
const ROUNDS = 21;
const PER_ROUND = 50_000;

// As the Node adapter hands a request to decide(): method, url and a headers.get() over plain values.
function request(cookie) {
  const values = cookie ? { cookie: `__Host-meterwall=${cookie}`, 'user-agent': UA } : { 'user-agent': UA };
  return { method: 'GET', url: '/articles/x', headers: { get: (name) => values[name.toLowerCase()] ?? null } };
}
const tokenOf = (d) => d.headers.get('set-cookie').split(';')[0].split('=')[1];

const RULES = [
  ...['sport', 'culture', 'travel', 'food', 'motoring'].map((section) => ({
    name: `${section} free`,
    when: { section },
    treatment: 'free',
  })),
  ...['elections', 'climate', 'courts', 'schools', 'transport'].map((tag) => ({
    name: `${tag} for subscribers`,
    when: { tag },
    treatment: 'subscribers',
  })),
  { name: 'breaking', when: { type: 'breaking', newerThan: '24h' }, treatment: 'free' },
  { name: 'archive', when: { section: 'news', olderThan: '365d' }, treatment: 'subscribers' },
  { name: 'newsletters', when: { type: 'newsletter' }, treatment: 'registered' },
  { name: 'premium', when: { entitlements: ['premium'] }, treatment: 'free' },
  { name: 'campus a', when: { network: ['198.51.100.0/24'] }, treatment: { institution: 'A' } },
  { name: 'campus b', when: { network: ['192.0.2.0/24', '2001:db8::/48'] }, treatment: { institution: 'B' } },
  { name: 'irish edition', when: { section: 'ireland', country: 'IE' }, treatment: 'free' },
  { name: 'registered opinion', when: { reader: 'registered', section: 'opinion' }, treatment: 'free' },
  { name: 'investigations', when: { tag: 'investigation' }, treatment: { subscribers: { entitlements: ['premium'] } } },
  { name: 'everything else', treatment: 'metered' },
];
const CONTEXT = { ip: '203.0.113.9' };

/** A returning reader (an article already read) on a paywall with or without the rules. */
async function returningReader(rules) {
  const paywall = createPaywall({
    secret: SECRET,
    ...(rules ? { rules: defineRules(rules), proxy: { trustedRanges: ['10.0.0.0/8'], countryHeader: 'cf-ipcountry' } } : {}),
  });
  const article = rules
    ? { id: 'read-1', section: 'news', tags: ['council'], publishedAt: new Date(Date.now() - 3_600_000) }
    : { id: 'read-1' };
  const req = request(tokenOf(await paywall.decide(request(null), article)));
  const check = await paywall.decide(req, article, CONTEXT);
  if (check.reason !== 'already-read' || check.rule !== (rules ? 'everything else' : null)) throw new Error('not the returning reader');
  return { paywall, article, req, token: req.headers.get('cookie').split('=')[1] };
}

const plain = await returningReader(null);
const ruled = await returningReader(RULES);
const key = createHmac('sha256', SECRET).digest();
const tokenBytes = new TextEncoder().encode(ruled.token);

async function time(kind) {
  const start = performance.now();
  if (kind === 'hmac') for (let i = 0; i < PER_ROUND; i++) createHmac('sha256', key).update(tokenBytes).digest();
  else {
    const { paywall, article, req } = kind === 'rules' ? ruled : plain;
    for (let i = 0; i < PER_ROUND; i++) await paywall.decide(req, article, CONTEXT);
  }
  return ((performance.now() - start) * 1000) / PER_ROUND;
}

for (const kind of ['none', 'rules', 'hmac']) await time(kind); // warm-up
const runs = { none: [], rules: [], hmac: [] };
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 ? ['hmac', 'rules', 'none'] : ['none', 'rules', 'hmac'];
  for (const kind of order) runs[kind].push(await time(kind));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const out = {
  rounds: ROUNDS,
  rules: RULES.length,
  none: median(runs.none),
  ruled: median(runs.rules),
  hmac: median(runs.hmac),
  vsNone: median(runs.rules.map((t, i) => t / runs.none[i])),
  vsHmac: median(runs.rules.map((t, i) => t / runs.hmac[i])),
};
console.log(
  `returning reader: no rules ${out.none.toFixed(2)} µs, ${RULES.length} rules ${out.ruled.toFixed(2)} µs (${out.vsNone.toFixed(2)}×), raw HMAC ${out.hmac.toFixed(2)} µs (${out.vsHmac.toFixed(2)}×)`,
);
console.log(JSON.stringify(out));
