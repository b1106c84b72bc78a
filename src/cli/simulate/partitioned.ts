/**
 * A month of a big site on one machine. Readers are independent but for what they share through
 * the store: an account's meter (the browsers it signs in on), a gift link's opens, and each
 * network's count of new meters. So the run prepares the log in order (run.ts `Preparer`, which
 * also numbers each network's new meters, the cap's count), spills each record to one of
 * {@link BUCKETS} files by its reader, keeps together the readers an account or a gift links
 * (a union-find over those links only; records written before a link are moved after), then
 * replays groups of buckets (partitions, sized to the memory budget) one after another on worker
 * threads, each holding only its partition's readers, and sums their counts. Memory follows the
 * largest partition, not the log.
 */
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { COMPACT_JWS, protectedHeader, unverifiedPayload } from '../../core/jws.js';
import { GIFT_TOKEN_TYPE } from '../../features/gifts/token.js';
import type { LogEntry, SkipReason } from './log.js';
import type { SimRecord } from './records.js';
import { Preparer, resultOf, type SimulationResult } from './run.js';
import type { SimulationConfig } from './simulate.js';
import { BucketWriter, type PartitionDone, readRecords, replayPartition } from './spill.js';
import { addStats, emptyStats } from './stats.js';
import { mergeDecisions } from './decisions.js';

/** Spill files: readers are hashed into this many, which partitions then group. */
export const BUCKETS = 64;
/** The memory a partition's replay takes per record it holds, at most (measured: bench/README.md). */
const BYTES_PER_RECORD = 480;
/** What the main thread takes besides the partitions (its heap, the code, the reading), MB. */
const MAIN_MB = 120;
/** What a worker thread takes besides its partition (its heap, the config, the code), MB. */
const WORKER_MB = 50;

export interface PartitionedOptions {
  readonly config: SimulationConfig;
  /** The config module and the --set options, for the worker threads to load their own. */
  readonly configPath: string;
  readonly sets: readonly string[];
  readonly names: readonly string[];
  readonly logs: readonly string[];
  /** Worker threads (at most the cores); 1 replays in this thread. */
  readonly workers: number;
  /** The memory budget for the whole run, MB. */
  readonly memoryMb: number;
  /** `--decisions` output, or `null`. */
  readonly decisions: string | null;
  /** Where the spill files go (a folder of their own is made in it, and removed). */
  readonly tmp?: string;
  readonly onEntry?: () => void;
  readonly onSkip?: (entry: LogEntry, reason: SkipReason) => void;
}

/** What the run did, for the output. */
export interface PartitionedRun {
  readonly result: SimulationResult;
  readonly partitions: number;
  readonly workers: number;
  readonly moved: number;
}

function fnv(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The id of a gift link in a URL (unverified: the log said it verified), or `null`. */
function giftIdIn(url: string): string | null {
  const query = url.indexOf('?');
  if (query === -1) return null;
  for (const pair of url.slice(query + 1).split('&')) {
    const value = pair.slice(pair.indexOf('=') + 1);
    if (!COMPACT_JWS.test(value) || protectedHeader(value)?.['typ'] !== GIFT_TOKEN_TYPE) continue;
    const jti = unverifiedPayload(value)?.['jti'];
    if (typeof jti === 'string') return jti;
  }
  return null;
}

/** A union-find over the keys links join (an account and its browsers, a gift and its openers). */
class Links {
  readonly #parent = new Map<string, string>();
  /** The buckets each linked key's records were written to (its records before it was linked: its own). */
  readonly written = new Map<string, Set<number>>();
  get size(): number {
    return this.#parent.size;
  }
  find(key: string): string {
    let root = key;
    for (let up = this.#parent.get(root); up !== undefined && up !== root; up = this.#parent.get(root)) root = up;
    for (let at = key; at !== root; ) {
      const up = this.#parent.get(at) as string;
      this.#parent.set(at, root);
      at = up;
    }
    return root;
  }
  has(key: string): boolean {
    return this.#parent.has(key);
  }
  union(a: string, b: string): void {
    for (const key of [a, b])
      if (!this.#parent.has(key)) {
        this.#parent.set(key, key);
        this.written.set(key, new Set([fnv(key) % BUCKETS]));
      }
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.#parent.set(rb, ra);
  }
}

/** The worker script beside this module in the build, or `null` (running from source: replay here). */
function workerScript(): URL | null {
  const url = new URL('./worker.js', import.meta.url);
  return url.protocol === 'file:' && existsSync(fileURLToPath(url)) ? url : null;
}

/** Runs the simulation partitioned on disk. */
export async function runPartitioned(entries: AsyncIterable<LogEntry>, options: PartitionedOptions): Promise<PartitionedRun> {
  const dir = mkdtempSync(join(options.tmp ?? tmpdir(), 'meterwall-simulate-'));
  try {
    const preparer = new Preparer(options.config);
    const writer = new BucketWriter(dir);
    const links = new Links();
    const bucketOf = (key: string): number => fnv(links.has(key) ? links.find(key) : key) % BUCKETS;
    for await (const entry of entries) {
      options.onEntry?.();
      const record = preparer.prepare(entry, Math.max(0, options.logs.indexOf(entry.log ?? '')));
      if (typeof record === 'string') options.onSkip?.(entry, record);
      if (record === null || typeof record === 'string') continue;
      linkRecord(links, record);
      const bucket = bucketOf(record.key);
      links.written.get(record.key)?.add(bucket);
      await writer.write(bucket, record);
    }
    await writer.close();
    const moved = links.size === 0 ? 0 : await moveLinked(writer, links, dir);
    const partitions = group(writer, options);
    const workers = Math.max(1, Math.min(options.workers, partitions.length, availableParallelism()));
    const script = workers > 1 ? workerScript() : null;
    const done: PartitionDone[] = new Array(partitions.length);
    const parts = partitions.map((_, i) => (options.decisions === null ? null : join(dir, `decisions-${i}.tsv`)));
    if (script === null) {
      for (let i = 0; i < partitions.length; i++)
        done[i] = await replayPartition(partitions[i] as string[], options.config, options.names, options.logs, parts[i] ?? null);
    } else await onWorkers(script, workers, partitions, parts, options, done);
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
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Joins the keys a record links: its reader key (a browser, a visitor) and its account; its reader and the gift it opened. */
function linkRecord(links: Links, record: SimRecord): void {
  // An account's meter is one, whichever reader key (browser, visitor id) reads on it.
  const account = record.reader.id;
  if (account !== undefined && account !== record.key) links.union(account, record.key);
  const logged = record.logged;
  if (logged === null) return;
  if (logged.account !== null && logged.browser !== null) links.union(logged.account, logged.browser);
  if (logged.gift === 'ok') {
    const gift = giftIdIn(record.url);
    if (gift !== null) links.union(record.key, `gift\u0000${gift}`);
  }
}

/** Moves the records of linked keys written to a bucket other than their component's; returns how many moved. */
async function moveLinked(writer: BucketWriter, links: Links, dir: string): Promise<number> {
  const home = (key: string): number => fnv(links.find(key)) % BUCKETS;
  const from = new Set<number>();
  for (const [key, buckets] of links.written) for (const bucket of buckets) if (bucket !== home(key)) from.add(bucket);
  if (from.size === 0) return 0;
  const incoming = new Map<number, SimRecord[]>();
  const kept = new BucketWriter(join(dir, 'kept'));
  let moved = 0;
  mkdirSync(join(dir, 'kept'));
  for (const bucket of from) {
    if (!writer.counts.get(bucket)) continue;
    for await (const record of readRecords(writer.path(bucket))) {
      const to = links.has(record.key) ? home(record.key) : bucket;
      if (to === bucket) await kept.write(bucket, record);
      else {
        (incoming.get(to) ?? incoming.set(to, []).get(to))?.push(record);
        moved++;
      }
    }
  }
  await kept.close();
  for (const bucket of from) {
    if (!writer.counts.get(bucket)) continue;
    const left = kept.counts.get(bucket) ?? 0;
    // Every record moved out: the bucket is empty now.
    if (left === 0) rmSync(writer.path(bucket));
    else renameSync(kept.path(bucket), writer.path(bucket));
    writer.counts.set(bucket, left);
  }
  // The moved records join their home bucket in log order (they are few: a browser's records before its account).
  const merged = new BucketWriter(join(dir, 'kept'));
  for (const [bucket, records] of incoming) {
    records.sort((a, b) => a.seq - b.seq);
    const own = existsSync(writer.path(bucket)) ? readRecords(writer.path(bucket)) : null;
    let next = own === null ? null : await own.next();
    for (const record of records) {
      while (next !== null && !next.done && next.value.seq < record.seq) {
        await merged.write(bucket, next.value);
        next = await (own as AsyncGenerator<SimRecord>).next();
      }
      await merged.write(bucket, record);
    }
    while (next !== null && !next.done) {
      await merged.write(bucket, next.value);
      next = await (own as AsyncGenerator<SimRecord>).next();
    }
  }
  await merged.close();
  for (const bucket of incoming.keys()) {
    renameSync(merged.path(bucket), writer.path(bucket));
    writer.counts.set(bucket, merged.counts.get(bucket) ?? 0);
  }
  return moved;
}

/** Buckets grouped into partitions: as few as the workers need, none over the memory budget's share of records. */
function group(writer: BucketWriter, options: PartitionedOptions): string[][] {
  const buckets = [...writer.counts].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((sum, [, n]) => sum + n, 0);
  const workers = Math.max(1, Math.min(options.workers, availableParallelism()));
  const perWorkerBytes = Math.max(16, (options.memoryMb - MAIN_MB) / workers - WORKER_MB) * 1024 * 1024;
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
  done: PartitionDone[],
): Promise<void> {
  let next = 0;
  const run = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const worker = new Worker(script, {
        workerData: { configPath: options.configPath, sets: options.sets, names: options.names, logs: options.logs },
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
      worker.once('error', reject);
    });
  await Promise.all(Array.from({ length: count }, run));
}
