// What AI agents cost, in one run: a person's decision on a paywall without `agents` and on one
// with them (the same person, a returning reader: the check must not slow people down), and a
// signed agent's decision (Web Bot Auth verified against a key directory served on 127.0.0.1)
// with the directory cached, and cold (a new paywall, so the directory is fetched). Requests are
// signed beforehand by web-bot-auth (signing is the agent's cost, not the site's). Rounds
// alternate; figures are medians of the rounds (ratios: of per-round ratios).
//
//   npm run bench:agents            (node --import tsx bench/agents.ts; --write updates bench/README.md)
import { median } from './median.mjs';
import { writeReadmeBlock } from './readme-block.mjs';
import { createPaywall, type Decision, type Paywall, type RequestLike } from '../src/index.js';
import { defineAgents } from '../src/agents/index.js';
import { serveKeyDirectory, signedHeaders } from '../tests/helpers-agents.js';
import { BROWSER_UA } from '../tests/helpers.js';

const ROUNDS = 7;
const PEOPLE = 20_000;
const AGENTS = 400;
const COLD = 40;
const SECRET = 'bench-agents-secret-0123456789-abcdefgh';
const UA = BROWSER_UA;
const URL_ = 'https://news.example/articles/tram';
const ARTICLE = { id: 'tram' };

const directory = await serveKeyDirectory();
const agentsOf = () =>
  defineAgents({
    operators: { demo: { directory: directory.origin, user: 'licensed' } },
    license: { url: 'https://news.example/license.xml' },
  });
const plain = createPaywall({ secret: SECRET });
const withAgents = createPaywall({ secret: SECRET, agents: agentsOf() });

const requestOf = (headers: Record<string, string>): RequestLike => {
  const lower = new Map(Object.entries({ host: 'news.example', ...headers }).map(([k, v]) => [k.toLowerCase(), v]));
  return { method: 'GET', url: URL_, headers: { get: (n) => lower.get(n.toLowerCase()) ?? null } };
};

/** A returning reader's request: the meter cookie one first view set. */
async function returning(paywall: Paywall): Promise<RequestLike> {
  const first: Decision = await paywall.decide(requestOf({ 'user-agent': UA }), ARTICLE);
  const set = first.headers.get('set-cookie') as string;
  return requestOf({ 'user-agent': UA, cookie: set.split(';')[0] as string });
}

async function person(paywall: Paywall, request: RequestLike): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < PEOPLE; i++) await paywall.decide(request, ARTICLE);
  return ((performance.now() - started) * 1000) / PEOPLE;
}

async function signed(n: number): Promise<RequestLike[]> {
  return Promise.all(
    Array.from({ length: n }, async () => requestOf(await signedHeaders(URL_, { agent: directory.origin, userAgent: 'DemoAgent/1.0' }))),
  );
}

const plainRequest = await returning(plain);
const agentsRequest = await returning(withAgents);
// Warm both (JIT).
await person(plain, plainRequest);
await person(withAgents, agentsRequest);
const rows: Array<{ plain: number; agents: number; cached: number; cold: number }> = [];
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? ['plain', 'agents'] : ['agents', 'plain'];
  const people: Record<string, number> = {};
  for (const which of order)
    people[which] = await person(which === 'plain' ? plain : withAgents, which === 'plain' ? plainRequest : agentsRequest);
  const hot = await signed(AGENTS);
  await withAgents.decide((await signed(1))[0] as RequestLike, ARTICLE); // the directory in the cache
  let started = performance.now();
  for (const request of hot) {
    const decision = await withAgents.decide(request, ARTICLE);
    if (decision.reason !== 'agent-licensed') throw new Error(`not verified: ${decision.reason}`);
  }
  const cached = ((performance.now() - started) * 1000) / AGENTS;
  const cold = await signed(COLD);
  let total = 0;
  for (const request of cold) {
    const fresh = createPaywall({ secret: SECRET, agents: agentsOf() });
    started = performance.now();
    const decision = await fresh.decide(request, ARTICLE);
    total += performance.now() - started;
    if (decision.reason !== 'agent-licensed') throw new Error(`not verified: ${decision.reason}`);
  }
  rows.push({ plain: people['plain'] as number, agents: people['agents'] as number, cached, cold: (total * 1000) / COLD });
  console.log(JSON.stringify(rows.at(-1)));
}
await directory.close();

const result = {
  personPlain: median(rows.map((r) => r.plain)),
  personAgents: median(rows.map((r) => r.agents)),
  personRatio: median(rows.map((r) => r.agents / r.plain)),
  cached: median(rows.map((r) => r.cached)),
  cold: median(rows.map((r) => r.cold)),
  cachedRatio: median(rows.map((r) => r.cached / r.plain)),
};
console.log(JSON.stringify(result));

if (process.argv.includes('--write')) {
  const us = (v: number) => `${v.toFixed(v < 10 ? 2 : 0)} µs`;
  writeReadmeBlock(
    'agents',
    `<!-- agents:start -->
AI agents (\`npm run bench:agents\`, Node ${process.version}; ${ROUNDS} rounds alternating the paywalls; medians; a returning reader's
decision ${PEOPLE.toLocaleString('en-GB')} times a round, ${AGENTS} signed agent requests with the key directory cached, ${COLD} with it cold;
requests signed beforehand by web-bot-auth with RFC 9421's Ed25519 test key, the key directory on 127.0.0.1):

| decision | time | against a person without \`agents\` |
|---|---:|---:|
| a person (returning reader), paywall without \`agents\` | ${us(result.personPlain)} | 1.00× |
| the same person, paywall with \`agents\` | ${us(result.personAgents)} | **${result.personRatio.toFixed(2)}×** |
| a signed agent, key directory cached (one Ed25519 verification, the nonce claimed) | ${us(result.cached)} | ${result.cachedRatio.toFixed(1)}× |
| a signed agent, key directory cold (fetched once, then cached for \`directoryTtlMs\`) | ${us(result.cold)} | |

A person's request is looked at only for a \`Signature-Input\` header or a known AI user agent before
the decision goes on as before; a signed agent costs one Ed25519 verification and one claim of its
nonce (the memory store here; a round trip with a remote store), and its key directory is fetched once an hour.
<!-- agents:end -->`,
    'AI agents',
  );
}
