// Loads the bare server and the decideNode() server with autocannon on 127.0.0.1, in one run,
// for three kinds of traffic, and reports requests per second and each one's ratio to the bare
// server under the same traffic, measured in the same round. Prints JSON on the last line.
//
// The bare server gets the very requests meterwall gets, and where meterwall sets a cookie (new
// readers, counted views) it sets one of the same length (server.mjs `bare-cookie`): autocannon's
// own work per request differs a lot between kinds of traffic (a counted run calls two functions
// of ours per request and parses a Set-Cookie), and on this 2-core machine it is the load
// generator that limits the bare server first. Each result also gives its ratio to the bare
// server under returning traffic (the comparison of earlier runs) and the server's CPU time per
// request, which shows the cost even when the load generator is the limit.
//
// - returning: every request re-opens an article the reader has read (nothing is signed);
// - new:       every request is a new reader (no cookie: a new meter is signed);
// - counted:   every request is a counted view of a returning reader: each connection plays a
//              reader who reads 20 new articles in a row, presenting the cookie the last response
//              set (its first token comes from a pool of readers with one view, made up front).
import autocannon from 'autocannon';
import { execFileSync, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import { createPaywall } from '../dist/index.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const DURATION = Number(process.env.BENCH_SECONDS ?? 3);
// Each run: the server, and the traffic it gets. A kind's bare run is its baseline.
const RUNS = {
  bare: { server: 'bare', traffic: 'returning' },
  returning: { server: 'meterwall', traffic: 'returning' },
  'bare-new': { server: 'bare-cookie', traffic: 'new' },
  new: { server: 'meterwall', traffic: 'new' },
  'bare-counted': { server: 'bare-cookie', traffic: 'counted' },
  counted: { server: 'meterwall', traffic: 'counted' },
};
const BASELINE = { returning: 'bare', new: 'bare-new', counted: 'bare-counted' };
const MODES = Object.keys(RUNS);
const READS_PER_READER = 20;
const UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';

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

// Readers with one view, for the counted runs: signed here with the server's secret, so each
// server process (with its own, empty store) meets them as returning readers it never saw.
const pool = [];
{
  const maker = createPaywall({ secret: 'bench-secret-0123456789-abcdefghijk', meters: { anonymous: { limit: 50 } } });
  for (let i = 0; i < 30_000; i++) {
    const d = await maker.decide({ method: 'GET', url: '/articles/start', headers: new Headers({ 'user-agent': UA }) }, { id: 'start' });
    pool.push(d.headers.get('set-cookie').split(';')[0]);
  }
}
let nextReader = 0;

async function start(kind) {
  const server = new URL('./server.mjs', import.meta.url).pathname;
  const stdio = ['ignore', 'pipe', 'inherit', 'ipc'];
  const child = pinned ? spawn('taskset', ['-c', '1', process.execPath, server, kind], { stdio }) : fork(server, [kind], { stdio });
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

/** autocannon options for a kind of traffic. */
function traffic(mode, cookie) {
  const base = { 'user-agent': UA, accept: 'text/html,application/xhtml+xml' };
  if (mode === 'new') return { path: '/articles/tram', headers: base };
  if (mode !== 'counted') return { path: '/articles/tram', headers: { ...base, cookie } };
  // Kept cheap: the load generator runs this per request, and at these rates its own work is
  // what limits a run first. The request object autocannon passes is reused, so it is updated
  // in place.
  const paths = Array.from({ length: READS_PER_READER }, (_, i) => `/articles/a${i}`);
  const requests = paths.map((path, i) => ({
    setupRequest(req, context) {
      if (i === 0) context.cookie = pool[nextReader++ % pool.length];
      req.path = path;
      req.headers = { ...base, cookie: context.cookie };
      return req;
    },
    onResponse(status, _body, context, headers) {
      const set = headers['set-cookie'] ?? headers['Set-Cookie'];
      if (status !== 200 || !set) throw new Error(`counted run: no new cookie (status ${status})`);
      context.cookie = set.slice(0, set.indexOf(';'));
    },
  }));
  return { requests };
}

async function load(mode) {
  const { child, port, cookie } = await start(RUNS[mode].server);
  const options = traffic(RUNS[mode].traffic, cookie);
  const url = `http://127.0.0.1:${port}${options.path ?? ''}`;
  const common = { url, connections: 50, pipelining: 1, headers: options.headers, requests: options.requests };
  // A short warm-up, then the measured run (bounded by duration).
  await autocannon({ ...common, duration: 1 });
  const cpuBefore = await cpu(child);
  const result = await autocannon({ ...common, duration: DURATION });
  const cpuAfter = await cpu(child);
  child.send('stop');
  await once(child, 'exit');
  if (result.non2xx || result.errors) throw new Error(`${mode}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  const cpuMicros = cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system;
  return { rps: result.requests.average, p99: result.latency.p99, cpuPerRequest: cpuMicros / result.requests.total };
}

const runs = Object.fromEntries(MODES.map((m) => [m, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (const mode of r % 2 ? [...MODES].reverse() : MODES) {
    const res = await load(mode);
    runs[mode].push(res);
    console.log(`round ${r + 1} ${mode}: ${Math.round(res.rps)} req/s, p99 ${res.p99} ms, ${res.cpuPerRequest.toFixed(1)} µs CPU/request`);
  }
}
// The host's load drifts: compare each round's runs (back to back) and take the median ratio.
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const out = { rounds: ROUNDS, seconds: DURATION, pinned };
for (const mode of MODES) {
  const baseline = BASELINE[mode] ?? mode;
  out[mode] = {
    rps: median(runs[mode].map((x) => x.rps)),
    ratio: median(runs[mode].map((x, i) => x.rps / runs[baseline][i].rps)),
    ratioToBare: median(runs[mode].map((x, i) => x.rps / runs.bare[i].rps)),
    cpuRatio: median(runs[mode].map((x, i) => runs[baseline][i].cpuPerRequest / x.cpuPerRequest)),
    p99: median(runs[mode].map((x) => x.p99)),
    cpuPerRequest: median(runs[mode].map((x) => x.cpuPerRequest)),
  };
}
console.log(JSON.stringify(out));
