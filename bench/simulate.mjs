// The simulator's throughput and memory: a generated combined-format log (1,000,000 lines by
// default, gzip) replayed by the built command (`node dist/cli/main.js simulate`) with one and
// with three configurations, and with ten times the readers to show memory follows readers, not
// lines. Prints JSON on the last line; with --write, also rewrites its block of bench/README.md.
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';

const LINES = Number(process.env.BENCH_SIM_LINES ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'meterwall-simulate-'));
const SECTIONS = ['news', 'news', 'news', 'politics', 'business', 'sport', 'culture', 'opinion'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A log of `lines` requests from `readers` readers over 30 days from 15 November 2026. */
async function generate(file, lines, readers) {
  // mulberry32: deterministic and well mixed.
  let seed = 42;
  const rand = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = createGzip();
  out.pipe(createWriteStream(file));
  const start = Date.UTC(2026, 10, 15);
  const span = 30 * 86_400_000;
  for (let i = 0; i < lines; i++) {
    const t = new Date(start + Math.floor((i / lines) * span));
    const stamp = `${String(t.getUTCDate()).padStart(2, '0')}/${MONTHS[t.getUTCMonth()]}/${t.getUTCFullYear()}:${String(t.getUTCHours()).padStart(2, '0')}:${String(t.getUTCMinutes()).padStart(2, '0')}:${String(t.getUTCSeconds()).padStart(2, '0')} +0000`;
    // Readers follow a skewed distribution: a few read a lot, most a little.
    const r = Math.floor(rand() ** 2 * readers);
    const ip = `10.${(r >> 16) & 255}.${(r >> 8) & 255}.${r & 255}`;
    const ua = `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.${r % 97}.0 Safari/537.36`;
    const roll = rand();
    const path =
      roll < 0.1
        ? '/'
        : roll < 0.15
          ? '/styles.css'
          : `/articles/${SECTIONS[Math.floor(rand() * SECTIONS.length)]}/${Math.floor(rand() * 3000)}`;
    const referer = roll > 0.95 ? 'https://www.google.com/' : '-';
    const line = `${ip} - - [${stamp}] "GET ${path} HTTP/1.1" 200 5120 "${referer}" "${ua}"\n`;
    if (!out.write(line)) await new Promise((resolve) => out.once('drain', resolve));
  }
  await new Promise((resolve) => out.end(resolve));
  await new Promise((resolve) => setTimeout(resolve, 200));
}

function run(file, extra, show = false) {
  const started = performance.now();
  const output = execFileSync(
    process.execPath,
    ['dist/cli/main.js', 'simulate', file, '--config', 'bench/fixtures/simulate-config.mjs', '--quiet', ...extra],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  const seconds = (performance.now() - started) / 1000;
  if (show || process.env.BENCH_SIM_SHOW) process.stdout.write(`${output}\n`);
  const peak = Number(/peak memory (\d+) MB/.exec(output)?.[1]);
  return { seconds, peakMb: peak };
}

try {
  const few = join(dir, 'few.log.gz');
  const many = join(dir, 'many.log.gz');
  await generate(few, LINES, 20_000);
  await generate(many, LINES, 200_000);
  const one = run(few, []);
  const three = run(few, ['--set', 'meters.anonymous.limit=3,5,10']);
  const tenfold = run(many, []);
  const out = {
    lines: LINES,
    gzipBytes: statSync(few).size,
    one: { readers: 20_000, ...one },
    three: { readers: 20_000, ...three },
    tenfold: { readers: 200_000, ...tenfold },
  };
  console.log(
    `${LINES} lines: one configuration ${one.seconds.toFixed(1)} s (${one.peakMb} MB), three ${three.seconds.toFixed(1)} s (${three.peakMb} MB); 200,000 readers ${tenfold.seconds.toFixed(1)} s (${tenfold.peakMb} MB)`,
  );
  console.log(JSON.stringify(out));
  if (process.argv.includes('--write')) {
    const mb = (r) => `${r.peakMb} MB`;
    const block = `<!-- simulate:start -->
Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version} (\`npm run bench:simulate\`).

**\`meterwall simulate\` on a generated combined-format log of ${LINES.toLocaleString('en-GB')} lines (${(out.gzipBytes / 1e6).toFixed(1)} MB gzipped; 85% article requests over 30 days that cross a month; a site meter, a sport meter and the archive rule), the built command end to end: reading, gunzip, parsing, deciding, counting, the tables**

| run | readers | time | peak memory (RSS) |
|---|---|---|---|
| one configuration | ${out.one.readers.toLocaleString('en-GB')} | **${out.one.seconds.toFixed(1)} s** | ${mb(out.one)} |
| three configurations (\`--set meters.anonymous.limit=3,5,10\`) | ${out.three.readers.toLocaleString('en-GB')} | **${out.three.seconds.toFixed(1)} s** | ${mb(out.three)} |
| one configuration, ten times the readers | ${out.tenfold.readers.toLocaleString('en-GB')} | ${out.tenfold.seconds.toFixed(1)} s | ${mb(out.tenfold)} |

Budget: a million lines in under 20 s on two cores. Memory follows the number of distinct readers (their meters, and one number each for the tables), not the number of lines: the log is streamed, and a reader's older meter states are dropped as soon as a newer one replaces them.
<!-- simulate:end -->`;
    const readme = new URL('README.md', import.meta.url);
    const text = readFileSync(readme, 'utf8');
    writeFileSync(
      readme,
      text.includes('<!-- simulate:start -->')
        ? text.replace(/<!-- simulate:start -->[\s\S]*<!-- simulate:end -->/, block)
        : `${text.trimEnd()}\n\n## The simulator\n\n${block}\n`,
    );
    console.log('bench/README.md updated (simulator)');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
