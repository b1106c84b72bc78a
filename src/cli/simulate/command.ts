/**
 * `meterwall simulate <log>… --config <module>`: the command. Every output path is checked before
 * the run (a missing folder fails at once, not after an hour), the logs are merged in time order,
 * a log that is empty or mostly unreadable is an error, and what was not replayed is counted
 * with why.
 */
import { removeScratchOnSignals } from './scratch.js';
import { accessSync, constants, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { printable } from '../printable.js';
import { readLogs, totalCounts } from './inputs.js';
import { skipLine } from './log.js';
import { logFormat } from './formats.js';
import { formatCsv, formatFormats, formatJson, formatKeying, formatSkipped, formatTable } from './report.js';
import { CommandError } from '../errors.js';
import { loadConfig } from './config-module.js';
import { mainHeapMb, runPartitioned, workerHeapMb, workerScript } from './partitioned.js';
import { runStreamed } from './streamed.js';
import { configurationsFromSets, type SimulationConfig } from './simulate.js';

/** The memory budget of a run by default, MB (`--memory`). */
export const DEFAULT_MEMORY_MB = 1024;

function positiveInteger(option: string, value: string): number {
  if (!/^[1-9]\d{0,5}$/.test(value)) throw new CommandError('ERR_USAGE', `--${option} takes a positive whole number (got ${value})`);
  return Number(value);
}

/** More than this share of unreadable lines makes the run an error: the wrong format, not a few bad lines. */
const MOSTLY_UNREADABLE = 0.5;

/** Throws unless `path` can be written: an existing file, or a new one in an existing, writable folder. */
function checkOutput(option: string, path: string): void {
  let target = path;
  try {
    if (statSync(path).isDirectory()) throw new CommandError('ERR_USAGE', `--${option} ${path} is a folder: give a file name`);
  } catch (error) {
    if (error instanceof CommandError) throw error;
    target = dirname(resolve(path)); // a new file: its folder must exist
  }
  try {
    accessSync(target, constants.W_OK);
  } catch {
    throw new CommandError(
      'ERR_USAGE',
      `--${option} ${path}: ${target === path ? 'cannot be written' : `the folder ${target} does not exist or cannot be written`}`,
    );
  }
}

/** Throws unless `path` is a folder the spill files can be written to. */
function checkFolder(path: string): void {
  try {
    if (!statSync(path).isDirectory()) throw new Error('not a folder');
    accessSync(path, constants.W_OK);
  } catch {
    throw new CommandError('ERR_USAGE', `--tmp ${path}: not a folder that can be written`);
  }
}

/** Runs the command; resolves to its exit code. */
export async function simulateCommand(args: string[], usage: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      set: { type: 'string', multiple: true },
      json: { type: 'string' },
      csv: { type: 'string' },
      html: { type: 'string' },
      decisions: { type: 'string' },
      workers: { type: 'string' },
      memory: { type: 'string' },
      tmp: { type: 'string' },
      quiet: { type: 'boolean' },
    },
  });
  if (positionals.length === 0 || values.config === undefined) {
    console.error(usage);
    return 2;
  }
  if (positionals.filter((p) => p === '-').length > 1) throw new CommandError('ERR_USAGE', '- (standard input) can be read once');
  for (const path of positionals) if (path !== '-') statSync(path); // a missing log fails before the run
  const outputs = { json: values.json, csv: values.csv, html: values.html, decisions: values.decisions };
  for (const [option, path] of Object.entries(outputs)) if (path !== undefined) checkOutput(option, path);
  if (values.tmp !== undefined) checkFolder(values.tmp);
  removeScratchOnSignals();
  const loaded = await loadConfig(values.config);
  const config: SimulationConfig = values.set?.length
    ? { ...loaded, configurations: configurationsFromSets(values.set, loaded.options) }
    : loaded;

  const size = positionals.reduce((sum, p) => sum + (p === '-' ? 0 : statSync(p).size), 0);
  const progress = process.stderr.isTTY && !values.quiet;
  const names = config.configurations?.length ? config.configurations.map((c) => c.name) : ['configuration'];
  const memory = values.memory === undefined ? DEFAULT_MEMORY_MB : positiveInteger('memory', values.memory);
  // The main thread's heap within its share of the budget: V8 collects sooner instead of growing.
  setFlagsFromString(`--max-old-space-size=${mainHeapMb(memory)}`);
  const workers = values.workers === undefined ? availableParallelism() : positiveInteger('workers', values.workers);
  const memoryMb = memory;
  const started = performance.now();
  let seen = 0;
  const bar = (lines: number, read: number): void => {
    const before = seen;
    seen += lines;
    if (!progress || size === 0 || Math.floor(before / 50_000) === Math.floor(seen / 50_000)) return;
    const share = Math.min(1, read / size);
    process.stderr.write(
      `\r[${'#'.repeat(Math.round(share * 30)).padEnd(30)}] ${(share * 100).toFixed(0)}%  ${seen.toLocaleString('en-GB')} lines`,
    );
  };
  const common = {
    configPath: values.config,
    sets: values.set ?? [],
    names,
    decisions: values.decisions ?? null,
    ...(values.tmp === undefined ? {} : { tmp: values.tmp }),
  };
  // One log file and several threads: the single pass (streamed.ts), unless its readers link or overflow it.
  const script = workerScript();
  const threads = Math.min(workers, availableParallelism());
  const single =
    script !== null && threads > 1 && positionals.length === 1 && positionals[0] !== '-'
      ? await runStreamed({
          ...common,
          script,
          path: positionals[0] as string,
          workers: threads,
          heapMb: workerHeapMb(memoryMb, threads),
          onLines: bar,
        })
      : null;
  seen = 0;
  const { entries, counts } = single === null ? readLogs(positionals, logFormat(config.log)) : { entries: null, counts: single.counts };
  const run =
    single?.run ??
    (await runPartitioned(entries as NonNullable<typeof entries>, {
      ...common,
      config,
      logs: positionals,
      workers,
      memoryMb,
      onEntry() {
        const read = counts.logs.reduce((sum, l) => sum + l.counts.bytes, 0);
        bar(1, read);
      },
      onSkip(entry, reason) {
        const log = counts.logs.find((l) => l.path === entry.log) ?? counts.logs[0];
        if (log) skipLine(log.counts, entry.line ?? 0, reason, `${entry.method} ${entry.url}`);
      },
    }));
  const result = run.result;
  if (progress) process.stderr.write(`${'\r'.padEnd(70)}\r`);
  const total = totalCounts(counts);
  if (total.lines === 0)
    throw new CommandError(
      'ERR_INPUT',
      `no log lines were read from ${positionals.join(', ')}${total.truncated ? ` (${total.truncated})` : ''}`,
    );
  const unreadable = (total.reasons.get('unknown-format') ?? 0) + (total.reasons.get('no-time-or-url') ?? 0);
  if (unreadable > total.lines * MOSTLY_UNREADABLE) {
    console.error(formatSkipped(total));
    throw new CommandError(
      'ERR_INPUT',
      `${unreadable.toLocaleString('en-GB')} of ${total.lines.toLocaleString('en-GB')} lines are in no format the simulator reads: is it one of the formats in docs/simulate.md (or does the config need a field map)?`,
    );
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(formatTable(result));
  console.log(
    `\n${total.lines.toLocaleString('en-GB')} lines (${total.skipped} not replayed), ${result.articleRequests.toLocaleString('en-GB')} article requests, in ${seconds.toFixed(1)} s, peak memory ${Math.round(process.resourceUsage().maxRSS / 1024)} MB (budget ${memoryMb} MB; ${run.streamed ? `one pass on ${run.workers} thread(s)` : `${run.partitions} partition(s) on ${run.workers} thread(s)`}${run.moved > 0 ? `; ${run.moved.toLocaleString('en-GB')} records moved to the partition of the account or gift that links their reader` : ''})`,
  );
  console.log(formatFormats(total.formats));
  console.log(formatKeying(result.keying, result.addresses));
  if (counts.outOfOrder > 0 && counts.firstOutOfOrder !== null)
    console.log(
      `Warning: ${counts.outOfOrder.toLocaleString('en-GB')} line(s) are earlier than the line before them in the same log (first: ${printable(counts.firstOutOfOrder.path)} line ${counts.firstOutOfOrder.line}): were several servers' logs concatenated? Pass each server's log as its own file and they are merged in time order.`,
    );
  const skipped = formatSkipped(total);
  if (skipped !== '') console.log(skipped);
  if (values.json) writeFileSync(values.json, formatJson(result));
  if (values.csv) writeFileSync(values.csv, formatCsv(result));
  if (values.html) {
    const { formatHtml } = await import('./html.js');
    writeFileSync(values.html, formatHtml(result));
  }
  return 0;
}
