/**
 * The command's inputs and outputs, run as a user runs it (the built `meterwall`): several logs
 * merged in time order, `-` for standard input, a concatenation of two servers' logs warned
 * about, a truncated gzip that keeps what was read and says where it stopped, output paths
 * checked before the run, repeated `--set` combined (or refused), an empty or mostly unreadable
 * log an error, a first line cut by rotation and mixed formats read line by line, `--decisions`.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = 'dist/cli/main.js';
const run = promisify(execFile);

/** Runs the command; resolves with its exit code and output (a failure is an answer, not a throw). */
async function simulate(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  if (stdin !== undefined) {
    const child = spawn(process.execPath, [bin, 'simulate', ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    child.stdin.end(stdin);
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
    return { code, stdout, stderr };
  }
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, 'simulate', ...args], { maxBuffer: 1 << 24 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const at = (minute: number) => new Date(Date.parse('2026-11-02T10:00:00Z') + minute * 60_000).toISOString();
const line = (minute: number, reader: string, url: string) => JSON.stringify({ time: at(minute), reader, url });

describe.skipIf(!existsSync(bin))('meterwall simulate: inputs and outputs', () => {
  let dir = '';
  let config = '';
  const p = (name: string) => join(dir, name);
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'meterwall-inputs-'));
    config = p('config.mjs');
    writeFileSync(
      config,
      `export default {
        options: { meters: { anonymous: { limit: 2 }, registered: { limit: 4 } }, period: { calendar: 'month', timeZone: 'UTC' } },
        article: (url) => { const m = /^\\/news\\/(\\w+)$/.exec(url.pathname); return m ? { id: m[1] } : null; },
      };\n`,
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // Server A and server B each saw part of reader r's visits: only merged in time order is the third article the one walled.
  const serverA = [line(0, 'r', '/news/a'), line(2, 'r', '/news/c'), line(4, 's', '/news/a')];
  const serverB = [line(1, 'r', '/news/b'), line(3, 'r', '/news/a')];

  it('several logs are merged in time order: the same answer as one sorted log', async () => {
    writeFileSync(p('a.log'), `${serverA.join('\n')}\n`);
    writeFileSync(p('b.log.gz'), gzipSync(`${serverB.join('\n')}\n`));
    writeFileSync(p('sorted.log'), `${[...serverA, ...serverB].sort((x, y) => x.localeCompare(y)).join('\n')}\n`);
    const merged = await simulate([p('a.log'), p('b.log.gz'), '--config', config, '--json', p('merged.json'), '--decisions', p('d.jsonl')]);
    expect((await simulate([p('sorted.log'), '--config', config, '--json', p('sorted.json')])).code).toBe(0);
    expect(merged.code).toBe(0);
    expect(readFileSync(p('merged.json'), 'utf8')).toBe(readFileSync(p('sorted.json'), 'utf8'));
    // r: a (full), b (full), c (walled), a again (already read).
    const decisions = readFileSync(p('d.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(decisions.map((d) => [d.log.endsWith('a.log') ? 'A' : 'B', d.line, d.url, d.decisions.configuration.reason])).toEqual([
      ['A', 1, '/news/a', 'metered'],
      ['B', 1, '/news/b', 'metered'],
      ['A', 2, '/news/c', 'register-to-continue'],
      ['B', 2, '/news/a', 'already-read'],
      ['A', 3, '/news/a', 'metered'],
    ]);
    // Concatenated instead: replayed as it stands, and said so.
    writeFileSync(p('cat.log'), `${[...serverA, ...serverB].join('\n')}\n`);
    writeFileSync(p('late.log'), `${[...serverA, line(-90, 'r', '/news/b')].join('\n')}\n`);
    const late = await simulate([p('late.log'), '--config', config]);
    expect(late.stdout).toMatch(/Warning: 1 line\(s\) are earlier than the line before them in the same log \(first: .*late\.log line 4\)/);
  });

  it('- reads the standard input', async () => {
    const piped = await simulate(['-', '--config', config, '--json', p('stdin.json')], `${[...serverA, ...serverB].sort().join('\n')}\n`);
    expect(piped.code).toBe(0);
    expect(readFileSync(p('stdin.json'), 'utf8')).toBe(readFileSync(p('sorted.json'), 'utf8'));
    expect((await simulate(['-', '-', '--config', config])).stderr).toContain('can be read once');
  });

  it('a truncated gzip keeps what was read and says where it stopped', async () => {
    const lines = Array.from({ length: 4000 }, (_, i) => line(i, `r${i % 50}`, `/news/x${i % 300}`));
    const whole = gzipSync(`${lines.join('\n')}\n`);
    writeFileSync(p('cut.log.gz'), whole.subarray(0, Math.floor(whole.length * 0.6)));
    const cut = await simulate([p('cut.log.gz'), '--config', config]);
    expect(cut.code).toBe(0);
    expect(cut.stdout).toMatch(
      /The log ends early \(.*cut\.log\.gz: .*, after line [\d,]+ \([\d,]+ bytes read\)\): what came before it was replayed\./,
    );
    const read = Number(/^([\d,]+) lines/m.exec(cut.stdout)?.[1]?.replace(/,/g, ''));
    expect(read).toBeGreaterThan(1000);
    expect(read).toBeLessThan(4000);
  });

  it('output paths are checked before the run', async () => {
    writeFileSync(p('one.log'), `${serverA.join('\n')}\n`);
    for (const option of ['--html', '--json', '--csv', '--decisions']) {
      const missing = await simulate([p('one.log'), '--config', config, option, p('no/such/folder/out')]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain(`${option} ${p('no/such/folder/out')}: the folder`);
      expect(missing.stdout).toBe(''); // nothing ran
    }
    expect((await simulate([p('one.log'), '--config', config, '--html', dir])).stderr).toContain('is a folder');
    const tmp = await simulate([p('one.log'), '--config', config, '--tmp', p('no/such/folder')]);
    expect(tmp.code).toBe(2);
    expect(tmp.stderr).toContain('--tmp');
  });

  it('repeated --set combine; the same option twice, or more than twelve configurations, are refused', async () => {
    writeFileSync(p('one.log'), `${serverA.join('\n')}\n`);
    const both = await simulate([
      p('one.log'),
      '--config',
      config,
      '--set',
      'meters.anonymous.limit=1,2',
      '--set',
      'meters.registered.limit=3,4',
      '--json',
      p('sets.json'),
    ]);
    expect(both.code).toBe(0);
    const names = (JSON.parse(readFileSync(p('sets.json'), 'utf8')) as { configurations: Array<{ name: string }> }).configurations.map(
      (c) => c.name,
    );
    expect(names).toEqual([
      'meters.anonymous.limit=1, meters.registered.limit=3',
      'meters.anonymous.limit=1, meters.registered.limit=4',
      'meters.anonymous.limit=2, meters.registered.limit=3',
      'meters.anonymous.limit=2, meters.registered.limit=4',
    ]);
    const twice = await simulate([
      p('one.log'),
      '--config',
      config,
      '--set',
      'meters.anonymous.limit=1',
      '--set',
      'meters.anonymous.limit=2',
    ]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('--set meters.anonymous.limit is given twice');
    const many = await simulate([
      p('one.log'),
      '--config',
      config,
      '--set',
      'meters.anonymous.limit=1,2,3,4',
      '--set',
      'meters.registered.limit=1,2,3,4',
    ]);
    expect(many.code).toBe(2);
    expect(many.stderr).toContain('at most 12');
  });

  it('an empty log, or one mostly unreadable, is an error; a cut first line and mixed formats are read line by line', async () => {
    writeFileSync(p('empty.log'), '');
    const empty = await simulate([p('empty.log'), '--config', config]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('no log lines were read');
    writeFileSync(
      p('other.log'),
      `${Array.from({ length: 10 }, (_, i) => `<${i}>Nov  2 10:00:0${i} host app: started`).join('\n')}\n${serverA[0]}\n`,
    );
    const other = await simulate([p('other.log'), '--config', config]);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/10 line\(s\) not replayed:\n\s+10 in no format/);
    expect(other.stderr).toContain('10 of 11 lines are in no format the simulator reads');
    const combined =
      '203.0.113.9 - - [02/Nov/2026:10:05:00 +0000] "GET /news/d HTTP/1.1" 200 512 "-" "Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0"';
    writeFileSync(p('rotated.log'), `0:00:00Z","reader":"r","url":"/news/z"}\n${serverA.join('\n')}\n${combined}\n`);
    const rotated = await simulate([p('rotated.log'), '--config', config]);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/^5 lines \(1 not replayed\), 4 article requests/m);
    expect(rotated.stdout).toMatch(/Read as: JSON lines \(75\.0%\), nginx\/Apache combined \(25\.0%\)/);
  });

  it('worker threads or one thread: the same counts and the same decisions, partition by partition', async () => {
    // 400 readers, some registered (an account on two browsers), over two months.
    const lines: string[] = [];
    for (let i = 0; i < 6000; i++) {
      const r = (i * 7919) % 400;
      const account = r % 5 === 0 ? { account: `acct${r % 40}`, status: 'registered' } : {};
      lines.push(JSON.stringify({ time: at(i * 15), reader: `r${r}`, url: `/news/n${(i * 31) % 90}`, ...account }));
    }
    writeFileSync(p('many.log'), `${lines.join('\n')}\n`);
    const results: string[] = [];
    const decisions: string[] = [];
    for (const [i, extra] of [
      ['--workers', '1'],
      ['--workers', '2'],
      ['--workers', '2', '--memory', '512'],
    ].entries()) {
      const out = await simulate([
        p('many.log'),
        '--config',
        config,
        '--json',
        p(`many-${i}.json`),
        '--decisions',
        p(`many-${i}.jsonl`),
        ...extra,
      ]);
      expect(out.code).toBe(0);
      results.push(readFileSync(p(`many-${i}.json`), 'utf8'));
      decisions.push(readFileSync(p(`many-${i}.jsonl`), 'utf8'));
      if (i === 0) expect(out.stdout).toMatch(/budget 1024 MB; [1-3] partition\(s\) on 1 thread\(s\)/);
      if (i === 1) expect(out.stdout).toMatch(/budget 1024 MB; [2-3] partition\(s\) on 2 thread\(s\)/);
      if (i === 2) expect(out.stdout).toMatch(/budget 512 MB; [2-3] partition\(s\) on 2 thread\(s\)/);
    }
    expect(results[1]).toBe(results[0]);
    expect(results[2]).toBe(results[0]);
    expect(decisions[1]).toBe(decisions[0]);
    expect(decisions[2]).toBe(decisions[0]);
    expect(decisions[0]?.trim().split('\n')).toHaveLength(6000);
    expect((await simulate([p('many.log'), '--config', config, '--workers', '0'])).stderr).toContain(
      '--workers takes a positive whole number',
    );
  }, 60_000);

  /** `<name>.log` with two limits on one thread (partitions) and on two (one pass): each run's output, --json and --decisions. */
  const oneThreadAndTwo = async (name: string): Promise<Array<{ stdout: string; json: string; decisions: string }>> => {
    const outs: Array<{ stdout: string; json: string; decisions: string }> = [];
    for (const [i, workers] of ['1', '2'].entries()) {
      const [json, decisions] = [p(`${name}-${i}.json`), p(`${name}-${i}.jsonl`)];
      const args = ['--set', 'meters.anonymous.limit=2,4', '--json', json, '--decisions', decisions, '--workers', workers];
      const out = await simulate([p(`${name}.log`), '--config', config, ...args]);
      expect(out.code, out.stderr).toBe(0);
      outs.push({ stdout: out.stdout, json: readFileSync(json, 'utf8'), decisions: readFileSync(decisions, 'utf8') });
    }
    return outs;
  };

  it('readers that nothing links: one pass on the worker threads, the same counts and decisions as partitions', async () => {
    // 3,000 readers without accounts over 40,000 lines (about 3 MB: several chunks on each thread), a few unreadable.
    const lines: string[] = [];
    for (let i = 0; i < 40_000; i++) {
      const r = (i * 7919) % 3000;
      lines.push(
        i % 997 === 0
          ? `garbage ${i}`
          : JSON.stringify({ time: at(i), reader: `r${r}`, url: `/news/n${(i * 31 + Math.floor(i / 3000) * 17) % 400}?from=${i % 7}` }),
      );
    }
    writeFileSync(p('unlinked.log'), `${lines.join('\n')}\n`);
    const outs = await oneThreadAndTwo('unlinked');
    expect(outs[0]?.stdout).toMatch(/budget 1024 MB; 1 partition\(s\) on 1 thread\(s\)/);
    expect(outs[1]?.stdout).toMatch(/budget 1024 MB; one pass on 2 thread\(s\)/);
    expect(outs[1]?.stdout).toMatch(/^40,000 lines \(41 not replayed\)/m);
    expect(outs[1]?.json).toBe(outs[0]?.json);
    expect(outs[1]?.decisions).toBe(outs[0]?.decisions);
    expect(outs[0]?.decisions.trim().split('\n')).toHaveLength(40_000 - 41);
    expect(outs[1]?.json).toMatch(/"prompt": [1-9]/);
  }, 60_000);

  it('a combined log (lines routed to their reader’s thread unread) mixed with JSON lines of the same readers: one pass answers as one thread', async () => {
    // 2,000 readers by address and user agent (several behind each address) over 60,000 lines
    // (about 9 MB: many chunks); one line in 37 is a JSON line of the same readers (read by the
    // chunk's designated thread), some unreadable, empty, indented or out of time order.
    const stamp = (minute: number) => {
      const d = new Date(Date.parse('2026-11-02T10:00:00Z') + minute * 60_000);
      const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
      const two = (n: number) => String(n).padStart(2, '0');
      return `${two(d.getUTCDate())}/${month}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
    };
    const lines: string[] = [];
    for (let i = 0; i < 60_000; i++) {
      const r = (i * 7919) % 2000;
      const ip = `203.0.113.${r % 250}`;
      const ua = `Mozilla/5.0 (reader ${Math.floor(r / 250)}) Firefox/140.0`;
      const url = `/news/n${(i * 31 + Math.floor(i / 2000) * 17) % 400}`;
      const minute = i / 2 - (i % 501 === 0 ? 3 : 0);
      if (i % 997 === 0) lines.push(`garbage ${i}`);
      else if (i % 1999 === 0) lines.push('');
      else if (i % 2003 === 0) lines.push(` ${ip} - - [${stamp(minute)}] "GET ${url} HTTP/1.1" 200 1 "-" "${ua}"`);
      else if (i % 37 === 0) lines.push(JSON.stringify({ time: at(minute), url, ip, ua }));
      else lines.push(`${ip} - - [${stamp(minute)}] "GET ${url} HTTP/1.1" 200 5120 "-" "${ua}"`);
    }
    writeFileSync(p('combined.log'), `${lines.join('\n')}\n`);
    const outs = await oneThreadAndTwo('combined');
    expect(outs[0]?.stdout).toMatch(/budget 1024 MB; 1 partition\(s\) on 1 thread\(s\)/);
    expect(outs[1]?.stdout).toMatch(/budget 1024 MB; one pass on 2 thread\(s\)/);
    const summary = (stdout: string | undefined) => stdout?.replace(/ in [\d.]+ s, peak memory \d+ MB \(.*\)/, '');
    expect(summary(outs[1]?.stdout)).toBe(summary(outs[0]?.stdout));
    expect(outs[1]?.json).toBe(outs[0]?.json);
    expect(outs[1]?.decisions).toBe(outs[0]?.decisions);
    expect(outs[0]?.stdout).toMatch(/^59,970 lines \(90 not replayed\)/m);
    expect(outs[0]?.stdout).toMatch(/Read as: nginx\/Apache combined \(97\.3%\), JSON lines \(2\.7%\)/);
    expect(outs[0]?.stdout).toMatch(/119 line\(s\) are earlier than the line before them/);
    expect(outs[1]?.json).toMatch(/"readers": 2000/);
  }, 60_000);

  it('interrupted (Ctrl-C), it removes its temporary files and exits 130', async () => {
    // Enough lines with accounts (links: partitions spilled to disk) to be interrupted mid-run.
    const lines: string[] = [];
    for (let i = 0; i < 300_000; i++)
      lines.push(
        JSON.stringify({
          time: at(i / 1000),
          reader: `v${i % 5000}`,
          url: `/news/n${i % 97}`,
          ...(i % 7 === 0 ? { account: `a${i % 300}`, status: 'registered' } : {}),
        }),
      );
    writeFileSync(p('big.log'), `${lines.join('\n')}\n`);
    const scratch = mkdtempSync(join(tmpdir(), 'meterwall-scratch-'));
    try {
      const child = spawn(process.execPath, [
        bin,
        'simulate',
        p('big.log'),
        '--config',
        config,
        '--tmp',
        scratch,
        '--workers',
        '1',
        '--quiet',
      ]);
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => {
        stderr += d;
      });
      const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      // Once the run has its folder of spilled partitions.
      for (let i = 0; i < 200 && readdirSync(scratch).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 25));
      expect(readdirSync(scratch).length).toBe(1);
      child.kill('SIGINT');
      expect(await closed).toBe(130);
      expect(stderr).toContain('interrupted; its temporary files are removed');
      expect(readdirSync(scratch)).toEqual([]);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 60_000);
});
