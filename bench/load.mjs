// Load on the example news site (in-memory store) on 127.0.0.1: autocannon with a realistic
// mix of returning and new readers, then a million simulated readers to show memory stays
// bounded. Prints JSON on the last line for bench/run.mjs. BENCH_LOAD_SECONDS, BENCH_READERS tune it.
import autocannon from 'autocannon';
import { execFileSync, fork } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';

const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 15);
const READERS = Number(process.env.BENCH_READERS ?? 1_000_000);
const UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';

const pinned = os.cpus().length >= 2 && process.env.BENCH_PIN !== '0';
if (pinned) execFileSync('taskset', ['-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
const child = fork(new URL('./site-server.ts', import.meta.url).pathname, [], {
  execArgv: ['--import', 'tsx', '--expose-gc', '--max-old-space-size=1024'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
if (pinned) execFileSync('taskset', ['-p', '-c', '1', String(child.pid)], { stdio: 'ignore' });
const [{ port }] = await once(child, 'message');
const base = `http://127.0.0.1:${port}`;
const ask = async (message) => {
  child.send(message);
  const [answer] = await once(child, 'message');
  return answer;
};

// Returning readers: 2,000 browsers that have read one or two articles already.
const slugs = [
  'tram-line-to-cross-the-river',
  'council-budget-gap',
  'heatwave-hospital-admissions',
  'riverside-united-promotion-push',
  'flood-defences-east-bank',
  'startup-turns-old-mill-into-lab',
  'theatre-review-the-ferryman',
  'library-reopens-after-flood-repairs',
];
const returning = [];
for (let i = 0; i < 2000; i++) {
  let cookie = '';
  for (let j = 0; j < 1 + (i % 2); j++) {
    const response = await fetch(`${base}/articles/${slugs[(i + j) % slugs.length]}`, { headers: cookie ? { cookie } : {} });
    await response.arrayBuffer();
    const set = response.headers.getSetCookie().find((c) => c.startsWith('__Host-meterwall='));
    if (set) cookie = set.split(';')[0];
  }
  returning.push(cookie);
}

// The mix: 80% returning readers (most re-open an article, some read a new one and are
// counted), 20% new readers (a fresh meter, counted and signed).
let n = 0;
const result = await autocannon({
  url: base,
  connections: 50,
  duration: SECONDS,
  requests: [
    {
      setupRequest(request) {
        n++;
        const fresh = n % 5 === 0;
        const reader = returning[(n * 7919) % returning.length];
        const slug = slugs[fresh ? n % slugs.length : n % 3 === 0 ? n % slugs.length : (n * 7919) % 2];
        return {
          ...request,
          path: `/articles/${slug}`,
          headers: { 'user-agent': UA, accept: 'text/html', ...(fresh ? {} : { cookie: reader }) },
        };
      },
    },
  ],
});
if (result.non2xx || result.errors) throw new Error(`${result.non2xx} non-2xx, ${result.errors} errors`);

// A million simulated readers, memory read at checkpoints (after a forced GC).
const checkpoints = [];
checkpoints.push(await ask('memory'));
for (const target of [100_000, 250_000, 500_000, 1_000_000].filter((t) => t <= READERS)) {
  const have = checkpoints.at(-1).readers;
  checkpoints.push(await ask({ simulate: target - have }));
  console.log(`readers ${target}: rss ${checkpoints.at(-1).rssMb} MB, heap used ${checkpoints.at(-1).heapUsedMb} MB`);
}
child.send('stop');
await once(child, 'exit');

const summary = {
  seconds: SECONDS,
  connections: 50,
  rps: Math.round(result.requests.average),
  p50: result.latency.p50,
  p99: result.latency.p99,
  total: result.requests.total,
  checkpoints,
  pinned,
};
console.log(`${summary.rps} req/s, p50 ${summary.p50} ms, p99 ${summary.p99} ms`);
console.log(JSON.stringify(summary));
