// Loads the bare and the decideNode() server with autocannon on 127.0.0.1, alternating, in one
// run, and reports requests per second and the ratio. Prints JSON on the last line.
import autocannon from 'autocannon';
import { execFileSync, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const DURATION = Number(process.env.BENCH_SECONDS ?? 3);

// With two or more cores and taskset, autocannon runs on core 0 and the server on core 1, so
// they do not take turns on one core (which makes runs noisy).
let pinned = false;
if (os.cpus().length >= 2 && process.env.BENCH_PIN !== '0') {
  try {
    execFileSync('taskset', ['-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
    pinned = true;
  } catch {
    pinned = false;
  }
}

async function start(mode) {
  const server = new URL('./server.mjs', import.meta.url).pathname;
  const stdio = ['ignore', 'pipe', 'inherit', 'ipc'];
  const child = pinned ? spawn('taskset', ['-c', '1', process.execPath, server, mode], { stdio }) : fork(server, [mode], { stdio });
  const [line] = await once(child.stdout, 'data');
  const [, port, cookie] = String(line).trim().split(' ');
  return { child, port: Number(port), cookie };
}

/** The server process's CPU time so far (µs), asked over IPC. */
async function cpu(child) {
  child.send('cpu');
  const [usage] = await once(child, 'message');
  return usage;
}

async function load(mode) {
  const { child, port, cookie } = await start(mode);
  // A browser's request: its meter cookie and a user agent (both servers get the same).
  const headers = {
    cookie,
    'user-agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36',
    accept: 'text/html,application/xhtml+xml',
  };
  // A short warm-up, then the measured run (bounded by duration).
  await autocannon({ url: `http://127.0.0.1:${port}/articles/tram`, connections: 50, duration: 1, headers });
  const cpuBefore = await cpu(child);
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/articles/tram`,
    connections: 50,
    pipelining: 1,
    duration: DURATION,
    headers,
  });
  const cpuAfter = await cpu(child);
  child.send('stop');
  await once(child, 'exit');
  if (result.non2xx || result.errors) throw new Error(`${mode}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  const cpuMicros = cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system;
  return { rps: result.requests.average, p99: result.latency.p99, cpuPerRequest: cpuMicros / result.requests.total };
}

const runs = { bare: [], meterwall: [] };
for (let r = 0; r < ROUNDS; r++) {
  for (const mode of r % 2 ? ['meterwall', 'bare'] : ['bare', 'meterwall']) {
    const res = await load(mode);
    runs[mode].push(res);
    console.log(`round ${r + 1} ${mode}: ${Math.round(res.rps)} req/s, p99 ${res.p99} ms, ${res.cpuPerRequest.toFixed(1)} µs CPU/request`);
  }
}
// The host's load drifts: compare each round's pair (run back to back) and take the median ratio.
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const bare = median(runs.bare.map((x) => x.rps));
const meterwall = median(runs.meterwall.map((x) => x.rps));
const ratios = runs.bare.map((b, i) => runs.meterwall[i].rps / b.rps);
const p99 = { bare: median(runs.bare.map((x) => x.p99)), meterwall: median(runs.meterwall.map((x) => x.p99)) };
const cpuPerRequest = {
  bare: median(runs.bare.map((x) => x.cpuPerRequest)),
  meterwall: median(runs.meterwall.map((x) => x.cpuPerRequest)),
};
console.log(
  JSON.stringify({ bare, meterwall, ratio: median(ratios), ratios, p99, cpuPerRequest, rounds: ROUNDS, seconds: DURATION, pinned }),
);
