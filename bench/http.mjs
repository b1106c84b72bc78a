// Loads the bare and the decideNode() server with autocannon on 127.0.0.1, alternating, in one
// run, and reports requests per second and the ratio. Prints JSON on the last line.
import autocannon from 'autocannon';
import { fork } from 'node:child_process';
import { once } from 'node:events';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DURATION = Number(process.env.BENCH_SECONDS ?? 5);

async function start(mode) {
  const child = fork(new URL('./server.mjs', import.meta.url), [mode], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const [line] = await once(child.stdout, 'data');
  const [, port, cookie] = String(line).trim().split(' ');
  return { child, port: Number(port), cookie };
}

async function load(mode) {
  const { child, port, cookie } = await start(mode);
  const headers = cookie ? { cookie } : {};
  // A short warm-up, then the measured run (bounded by duration).
  await autocannon({ url: `http://127.0.0.1:${port}/articles/tram`, connections: 50, duration: 1, headers });
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/articles/tram`,
    connections: 50,
    pipelining: 1,
    duration: DURATION,
    headers,
  });
  child.send('stop');
  await once(child, 'exit');
  if (result.non2xx || result.errors) throw new Error(`${mode}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p99: result.latency.p99 };
}

const runs = { bare: [], meterwall: [] };
for (let r = 0; r < ROUNDS; r++) {
  for (const mode of r % 2 ? ['meterwall', 'bare'] : ['bare', 'meterwall']) {
    const res = await load(mode);
    runs[mode].push(res);
    console.log(`round ${r + 1} ${mode}: ${Math.round(res.rps)} req/s, p99 ${res.p99} ms`);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const bare = median(runs.bare.map((x) => x.rps));
const meterwall = median(runs.meterwall.map((x) => x.rps));
console.log(JSON.stringify({ bare, meterwall, ratio: meterwall / bare, rounds: ROUNDS, seconds: DURATION }));
