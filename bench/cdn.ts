// The example site behind Varnish (examples/varnish/default.vcl) against the origin alone, in
// one run: a realistic mix of article views (a thousand readers keeping their cookies, articles
// of skewed popularity, some readers returning, a few prefetches and crawler claims), sent by a
// bounded load generator on one core to servers pinned to the other (taskset). Rounds alternate
// which goes first; figures are medians of the rounds (throughput: of per-round ratios).
//
// - origin renders per 1,000 article views: how many article pages the origin rendered
//   (behind Varnish, a page is rendered on a cache miss only; the decision route renders nothing);
// - article views per second: through Varnish (the decision at the origin, the page from the
//   cache) and from the origin alone (every view decided and rendered).
//
//   npm run bench:cdn            (node --import tsx bench/cdn.ts; --write updates bench/README.md)
import { median } from './median.mjs';
import { writeReadmeBlock } from './readme-block.mjs';
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import os from 'node:os';
import { ARTICLES } from '../examples/news-site/articles.js';
import { startVarnish, varnishdPath } from '../examples/varnish/varnish.js';
import { BROWSER_UA, seededRandom } from '../tests/helpers.js';
import { freePort } from '../tests/helpers-redis.js';

const ROUNDS = 5;
const VIEWS = 3000;
const READERS = 1000;
const CONCURRENCY = 16;
const UA = BROWSER_UA;
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

const varnishd = varnishdPath();
if (varnishd === null) {
  console.error('bench:cdn needs varnishd (apt-get install varnish)');
  process.exit(1);
}
const taskset = (() => {
  try {
    return execFileSync('/bin/sh', ['-c', 'command -v taskset'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
})();
const pinned = taskset !== null && os.cpus().length >= 2;
// The load generator on core 0, the servers on core 1.
if (pinned) execFileSync(taskset as string, ['-cp', '0', String(process.pid)], { stdio: 'ignore' });

function startOrigin(cdn: boolean): Promise<{ child: ChildProcess; url: string }> {
  const args = ['--import', 'tsx', 'bench/cdn-origin.ts', ...(cdn ? ['--cdn'] : [])];
  const child = pinned ? spawn(taskset as string, ['-c', '1', process.execPath, ...args]) : spawn(process.execPath, args);
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      if (url) resolve({ child, url });
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`origin exited (${code}): ${output}`)));
  });
}

/** The mix: who reads what, the same in every round (mulberry32). */
function mix(): Array<{ reader: number; slug: string; headers: Record<string, string> }> {
  const rand = seededRandom(7);
  return Array.from({ length: VIEWS }, () => {
    const roll = rand();
    const headers: Record<string, string> =
      roll < 0.02 ? { 'user-agent': GOOGLEBOT } : roll < 0.07 ? { 'user-agent': UA, 'sec-purpose': 'prefetch' } : { 'user-agent': UA };
    return {
      reader: Math.floor(rand() ** 2 * READERS),
      slug: (ARTICLES[Math.floor(rand() ** 1.5 * ARTICLES.length)] as (typeof ARTICLES)[number]).slug,
      headers,
    };
  });
}

/** Sends the mix to `base` with CONCURRENCY requests in flight; each reader keeps the meter cookie it was set. */
async function drive(base: string, views: ReturnType<typeof mix>): Promise<{ seconds: number; status: Map<number, number> }> {
  const jars = new Map<number, string>();
  const status = new Map<number, number>();
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < views.length) {
        const view = views[next++] as (typeof views)[number];
        const cookie = jars.get(view.reader);
        const response = await fetch(`${base}/articles/${view.slug}`, { headers: { ...view.headers, ...(cookie ? { cookie } : {}) } });
        await response.arrayBuffer();
        status.set(response.status, (status.get(response.status) ?? 0) + 1);
        const set = response.headers.getSetCookie()[0];
        if (set) jars.set(view.reader, set.split(';')[0] as string);
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, status };
}

const alone = await startOrigin(false);
const behind = await startOrigin(true);
/** A new Varnish (an empty cache), pinned with the origins. */
async function freshVarnish() {
  const started = await startVarnish({
    originPort: Number(new URL(behind.url).port),
    port: await freePort(),
    binary: varnishd as string,
    storageMb: 128,
  });
  // varnishd's manager and its child (the cache process) start pinned with their threads.
  if (pinned)
    for (const pid of execFileSync('pgrep', ['-f', started.workdir], { encoding: 'utf8' }).trim().split('\n'))
      execFileSync(taskset as string, ['-a', '-cp', '1', pid], { stdio: 'ignore' });
  return started;
}
let varnish = await freshVarnish();
const renders = async (origin: string) => Number(await (await fetch(`${origin}/__bench/renders`)).text());
const views = mix();
const rows: Array<{ alone: { perSecond: number; renders: number }; varnish: { perSecond: number; renders: number } }> = [];
try {
  // Warm both (the JIT, the origins' caches): two passes each, not counted.
  for (let i = 0; i < 2; i++) {
    await drive(alone.url, views);
    await drive(varnish.url, views);
  }
  for (let round = 0; round < ROUNDS; round++) {
    const run = async (which: 'alone' | 'varnish') => {
      const origin = which === 'alone' ? alone.url : behind.url;
      if (which === 'varnish') {
        await varnish.stop();
        varnish = await freshVarnish();
      }
      await renders(origin);
      const { seconds } = await drive(which === 'alone' ? alone.url : varnish.url, views);
      return { perSecond: VIEWS / seconds, renders: ((await renders(origin)) / VIEWS) * 1000 };
    };
    // Each round starts with an empty cache (a new Varnish): its misses are counted too.
    const first = round % 2 === 0 ? 'alone' : 'varnish';
    const a = first === 'alone' ? await run('alone') : null;
    const v = await run('varnish');
    const b = a ?? (await run('alone'));
    rows.push({ alone: b, varnish: v });
    console.log(
      `round ${round + 1}: origin alone ${b.perSecond.toFixed(0)}/s, ${b.renders.toFixed(0)} renders per 1,000; behind Varnish ${v.perSecond.toFixed(0)}/s, ${v.renders.toFixed(1)} renders per 1,000`,
    );
  }
} finally {
  await varnish.stop();
  alone.child.kill();
  behind.child.kill();
}

const result = {
  views: VIEWS,
  readers: READERS,
  articles: ARTICLES.length,
  concurrency: CONCURRENCY,
  pinned,
  aloneRenders: median(rows.map((r) => r.alone.renders)),
  varnishRenders: median(rows.map((r) => r.varnish.renders)),
  alonePerSecond: median(rows.map((r) => r.alone.perSecond)),
  varnishPerSecond: median(rows.map((r) => r.varnish.perSecond)),
  ratio: median(rows.map((r) => r.varnish.perSecond / r.alone.perSecond)),
};
console.log(JSON.stringify(result));

if (process.argv.includes('--write')) {
  const block = `<!-- cdn:start -->
Behind a cache (\`npm run bench:cdn\`: the example site as origin, Varnish ${spawnSync(varnishd, ['-V'], { encoding: 'utf8' }).stderr.match(/varnish-([\d.]+)/)?.[1] ?? ''} with examples/varnish/default.vcl; ${VIEWS.toLocaleString('en-GB')} article views a round from ${READERS.toLocaleString('en-GB')} readers keeping their cookies over the ${ARTICLES.length} articles, skewed popularity, 5% prefetches, 2% crawler claims; ${CONCURRENCY} requests in flight; ${ROUNDS} rounds alternating which goes first, ${pinned ? 'load generator and servers pinned to different cores' : 'not pinned'}; medians):

| | article views per second | origin renders per 1,000 article views |
|---|---:|---:|
| origin alone (every view decided and rendered) | ${result.alonePerSecond.toFixed(0)} | ${result.aloneRenders.toFixed(0)} |
| behind Varnish (decision at the origin, page from the cache) | ${result.varnishPerSecond.toFixed(0)} | ${result.varnishRenders.toFixed(1)} |

Throughput behind Varnish: **${result.ratio.toFixed(2)}×** the origin alone (median of per-round ratios). Each
round starts with an empty cache, so every article's variants are rendered once (then kept for the TTL,
300 s). Per view the origin still decides (\`/meterwall/decide/…\`, a 204 with no body): the example renders a
page in well under a millisecond (the teaser cut and the prompt are cached), and here Varnish's own work
(two requests per view: the decision, then the page) shares the origin's one core, so throughput falls.
What the cache saves is the origin's renders, the cost that grows with a real CMS's page; a Varnish on
its own machine takes its share off the origin.
<!-- cdn:end -->`;
  writeReadmeBlock('cdn', block, 'Behind a cache');
}
