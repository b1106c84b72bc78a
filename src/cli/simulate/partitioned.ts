/**
 * A month of a big site on one machine. Readers are independent but for what they share through
 * the store: an account's meter (the browsers it signs in on), a gift link's opens, and each
 * network's count of new meters. So the run prepares the log in order (run.ts `Preparer`, which
 * also numbers each network's new meters, the cap's count), spills each record to one of
 * {@link BUCKETS} files by its reader, keeps together the readers an account or a gift links
 * (links.ts), then
 * replays groups of buckets (partitions, sized to the memory budget) one after another on worker
 * threads, each holding only its partition's readers, and sums their counts. Memory follows the
 * largest partition, not the log.
 */
import { removeScratch, scratchDir } from './scratch.js';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LogEntry, SkipReason } from './log.js';
import { Preparer, resultOf, type SimulationResult } from './run.js';
import type { SimulationConfig } from './simulate.js';
import type { Article } from '../../types.js';
import { BUCKETS, fnv, Links, linkRecord, moveLinked } from './links.js';
import { ArticleTable } from './records.js';
import { BucketWriter, type PartitionDone, replayPartition } from './spill.js';
import { addStats, emptyStats } from './stats.js';
import { CommandError } from '../errors.js';
import { mergeDecisions } from './decisions.js';

/** The memory a partition's replay takes per record it holds, at most (measured: bench/README.md). */
const BYTES_PER_RECORD = 560;
/** What a worker thread takes besides its partition (its heap, the config, the code), MB. */
const WORKER_MB = 50;

/** The main thread's heap limit: a quarter of the budget, at least 128 MB (it reads, prepares and routes; it holds no reader). */
export function mainHeapMb(memoryMb: number): number {
  return Math.max(128, Math.floor(memoryMb / 4));
}

/** Each worker thread's heap limit: its share of what the main thread leaves. */
export function workerHeapMb(memoryMb: number, workers: number): number {
  return Math.max(64, Math.floor((memoryMb - mainHeapMb(memoryMb)) / workers));
}

/** What every way of running a replay on threads is given (partitions here, a single pass in streamed.ts). */
export interface ThreadedRunOptions {
  /** The config module and the --set options, for the worker threads to load their own. */
  readonly configPath: string;
  readonly sets: readonly string[];
  /** The configurations' names. */
  readonly names: readonly string[];
  /** Worker threads (at most the cores). */
  readonly workers: number;
  /** `--decisions` output, or `null`. */
  readonly decisions: string | null;
  /** Where temporary files go (a folder of their own is made in it, and removed). */
  readonly tmp?: string;
}

export interface PartitionedOptions extends ThreadedRunOptions {
  readonly config: SimulationConfig;
  readonly logs: readonly string[];
  /** The memory budget for the whole run, MB (with `workers` 1, the replay runs in this thread). */
  readonly memoryMb: number;
  readonly onEntry?: () => void;
  readonly onSkip?: (entry: LogEntry, reason: SkipReason) => void;
}

/** What the run did, for the output. */
export interface PartitionedRun {
  readonly result: SimulationResult;
  readonly partitions: number;
  readonly workers: number;
  readonly moved: number;
  /** Replayed in one pass on the threads (streamed.ts), not on partitions. */
  readonly streamed: boolean;
}

/** The worker script beside this module in the build, or `null` (running from source: replay here). */
export function workerScript(): URL | null {
  const url = new URL('./worker.js', import.meta.url);
  return url.protocol === 'file:' && existsSync(fileURLToPath(url)) ? url : null;
}

/** Runs the simulation partitioned on disk. */
export async function runPartitioned(entries: AsyncIterable<LogEntry>, options: PartitionedOptions): Promise<PartitionedRun> {
  const dir = scratchDir(options.tmp);
  try {
    const preparer = new Preparer(options.config);
    const writer = new BucketWriter(dir);
    const links = new Links();
    const table = new ArticleTable();
    const bucketOf = (key: string): number => fnv(links.has(key) ? links.find(key) : key) % BUCKETS;
    for await (const entry of entries) {
      options.onEntry?.();
      const record = preparer.prepare(entry, Math.max(0, options.logs.indexOf(entry.log ?? '')));
      if (typeof record === 'string') options.onSkip?.(entry, record);
      if (record === null || typeof record === 'string') continue;
      linkRecord(links, record);
      const bucket = bucketOf(record.key);
      links.written.get(record.key)?.add(bucket);
      await writer.write(bucket, record, table.indexOf(record.article));
    }
    await writer.close();
    const moved = links.size === 0 ? 0 : await moveLinked(writer, links, dir, table);
    const partitions = group(writer, options);
    const workers = Math.max(1, Math.min(options.workers, partitions.length, availableParallelism()));
    const script = workers > 1 ? workerScript() : null;
    const done: PartitionDone[] = new Array(partitions.length);
    const parts = partitions.map((_, i) => (options.decisions === null ? null : join(dir, `decisions-${i}.tsv`)));
    if (script === null) {
      for (let i = 0; i < partitions.length; i++)
        done[i] = await replayPartition(
          partitions[i] as string[],
          table.articles,
          options.config,
          options.names,
          options.logs,
          parts[i] ?? null,
        );
    } else await onWorkers(script, workers, partitions, parts, options, table.articles, done);
    const configurations = options.names.map(emptyStats);
    for (const partition of done)
      for (const [i, stats] of partition.stats.entries()) addStats(configurations[i] as (typeof configurations)[number], stats);
    if (options.decisions !== null)
      await mergeDecisions(
        parts.filter((p) => p !== null),
        options.decisions,
      );
    return {
      result: resultOf(preparer.counts, configurations),
      partitions: partitions.length,
      workers: script === null ? 1 : workers,
      moved,
      streamed: false,
    };
  } finally {
    removeScratch(dir);
  }
}

/** Buckets grouped into partitions: as few as the workers need, none over the memory budget's share of records. */
function group(writer: BucketWriter, options: PartitionedOptions): string[][] {
  const buckets = [...writer.counts].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((sum, [, n]) => sum + n, 0);
  const workers = Math.max(1, Math.min(options.workers, availableParallelism()));
  const perWorkerBytes = Math.max(16, workerHeapMb(options.memoryMb, workers) - WORKER_MB) * 1024 * 1024;
  const cap = Math.max(1, Math.floor(perWorkerBytes / BYTES_PER_RECORD));
  const target = Math.min(cap, Math.max(1, Math.ceil(total / workers)));
  const partitions: string[][] = [];
  let current: string[] = [];
  let size = 0;
  for (const [bucket, n] of buckets) {
    if (current.length > 0 && size + n > target) {
      partitions.push(current);
      current = [];
      size = 0;
    }
    current.push(writer.path(bucket));
    size += n;
  }
  if (current.length > 0) partitions.push(current);
  return partitions;
}

/** Replays the partitions on `count` worker threads, each taking the next partition when done. */
async function onWorkers(
  script: URL,
  count: number,
  partitions: readonly string[][],
  parts: ReadonlyArray<string | null>,
  options: PartitionedOptions,
  articles: readonly Article[],
  done: PartitionDone[],
): Promise<void> {
  let next = 0;
  const run = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const worker = new Worker(script, {
        workerData: { configPath: options.configPath, sets: options.sets, names: options.names, logs: options.logs, articles },
      });
      const take = () => {
        if (next >= partitions.length) {
          void worker.terminate().then(() => resolve());
          return;
        }
        const i = next++;
        worker.postMessage({ i, files: partitions[i], decisions: parts[i] });
      };
      worker.on('message', (message: { i: number; done: PartitionDone } | 'ready') => {
        if (message !== 'ready') done[message.i] = message.done;
        take();
      });
      worker.once('error', (error: Error & { code?: string }) =>
        reject(
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new CommandError(
                'ERR_INPUT',
                `a partition did not fit in a worker thread's share of --memory ${options.memoryMb} (MB): give more`,
              )
            : error,
        ),
      );
    });
  await Promise.all(Array.from({ length: count }, run));
}
