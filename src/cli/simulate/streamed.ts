/**
 * One log replayed in a single pass on several worker threads (shards, shard.ts), nothing
 * spilled: this thread only reads the file (gunzip) and cuts it into chunks of whole lines, each
 * sent to every shard, which reads the lines of the readers it owns and replays them, in log
 * order. What each shard read of a chunk comes back here and is counted in log order (lines,
 * skips, formats, lines out of time order). At most {@link AHEAD} chunks are ahead of the slowest
 * shard's replay, so memory holds the readers, not the log.
 *
 * It is the fast path: a record that links readers (an account, a gift link) or a shard's heap
 * filling up ends it (`null`), and the run starts again on partitions on disk (partitioned.ts).
 */
import { removeScratch, scratchDir } from './scratch.js';
import { join } from 'node:path';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { mergeDecisions } from './decisions.js';
import { type InputCounts, JITTER_MS } from './inputs.js';
import { type LogCounts, logCounts, openLog, truncatedBy } from './log.js';
import type { PartitionedRun, ThreadedRunOptions } from './partitioned.js';
import { LineChunker, type Piece } from './chunks.js';
import { type Prepared, resultOf } from './run.js';
import type { FromShard, ToShard } from './shard.js';
import { addStats, emptyStats, type SentStats } from './stats.js';

/** Chunks sent ahead of the slowest shard's replay, per shard. */
const AHEAD = 2;
/** Distinct addresses kept for the CDN warning (as run.ts counts them). */
const MAX_ADDRESSES = 100_000;

export interface StreamedOptions extends ThreadedRunOptions {
  readonly script: URL;
  readonly path: string;
  /** Each shard's heap limit, MB. */
  readonly heapMb: number;
  /** After each chunk's lines are counted. */
  readonly onLines?: (lines: number, bytes: number) => void;
}

/** Runs the log through the shards; `null` when it had to give up (the caller replays on partitions). */
export async function runStreamed(options: StreamedOptions): Promise<{ run: PartitionedRun; counts: InputCounts } | null> {
  const { path, workers } = options;
  const counts: LogCounts = logCounts();
  const input: InputCounts = { logs: [{ path, counts }], outOfOrder: 0, firstOutOfOrder: null };
  const dir = options.decisions === null ? null : scratchDir(options.tmp);
  const parts = Array.from({ length: workers }, (_, i) => (dir === null ? null : join(dir, `decisions-${i}.tsv`)));
  const ports: Array<Array<MessagePort | null>> = Array.from({ length: workers }, () => new Array(workers).fill(null));
  for (let a = 0; a < workers; a++)
    for (let b = a + 1; b < workers; b++) {
      const { port1, port2 } = new MessageChannel();
      (ports[a] as Array<MessagePort | null>)[b] = port1;
      (ports[b] as Array<MessagePort | null>)[a] = port2;
    }
  let gaveUp = false;
  let failed: Error | null = null;
  let wake: () => void = () => {};
  const replayed = new Array<number>(workers).fill(-1);
  const done: Array<Extract<FromShard, { type: 'done' }> | undefined> = Array.from({ length: workers }, () => undefined);
  /** Each chunk's answers from the shards, counted once all are in. */
  const results = new Map<number, Array<Extract<FromShard, { type: 'prepared' }>>>();
  let counted = 0;
  let last = Number.NEGATIVE_INFINITY;
  /** A chunk's lines, counted in log order (each line was read by one shard). */
  const count = (parts: ReadonlyArray<Extract<FromShard, { type: 'prepared' }>>): void => {
    let lines = 0;
    for (const { counts: c } of parts) {
      lines += c.lines;
      counts.lines += c.lines;
      counts.skipped += c.skipped;
      for (const [reason, n] of c.reasons) counts.reasons.set(reason, (counts.reasons.get(reason) ?? 0) + n);
      for (const [name, n] of c.formats) counts.formats.set(name, (counts.formats.get(name) ?? 0) + n);
    }
    const examples = parts.flatMap((p) => p.counts.examples).sort((a, b) => a.line - b.line);
    for (const example of examples) if (counts.examples.length < 3) counts.examples.push(example);
    byLine(
      parts.map((p) => p.times),
      (time, line) => {
        if (time < last - JITTER_MS) {
          input.outOfOrder++;
          input.firstOutOfOrder ??= { path, line };
        }
        if (time > last) last = time;
      },
    );
    options.onLines?.(lines, counts.bytes);
  };
  const threads = ports.map(
    (own, shard) =>
      new Worker(options.script, {
        workerData: {
          configPath: options.configPath,
          sets: options.sets,
          names: options.names,
          logs: [path],
          shard: { shard, shards: workers, path, names: options.names, decisions: parts[shard] ?? null, ports: own },
        },
        transferList: own.filter((port) => port !== null),
        resourceLimits: { maxOldGenerationSizeMb: options.heapMb, maxYoungGenerationSizeMb: 64 },
      }),
  );
  const ready = threads.map(
    (thread, shard) =>
      new Promise<void>((resolve) => {
        thread.on('message', (message: FromShard | 'ready') => {
          if (message === 'ready') return resolve();
          if (message.type === 'prepared') {
            const parts = results.get(message.c) ?? [];
            parts.push(message);
            results.set(message.c, parts);
            for (let next = results.get(counted); next?.length === workers; next = results.get(counted)) {
              results.delete(counted++);
              count(next);
            }
          } else if (message.type === 'replayed') replayed[message.shard] = message.c;
          else if (message.type === 'abort') gaveUp = true;
          else done[shard] = message;
          wake();
        });
        thread.once('error', (error: Error & { code?: string }) => {
          // A shard out of memory: too many readers for one pass.
          if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') gaveUp = true;
          else failed = error;
          resolve();
          wake();
        });
      }),
  );
  const until = async (condition: () => boolean): Promise<void> => {
    while (!condition() && !gaveUp && failed === null) await new Promise<void>((resolve) => (wake = resolve));
  };
  try {
    await Promise.all(ready);
    let chunks = 0;
    let complete = true;
    const send = async ({ transfer, ...piece }: Piece): Promise<void> => {
      await until(() => chunks - Math.min(...replayed) <= AHEAD * workers);
      if (gaveUp || failed !== null) return;
      // A copy to each shard but the last, which is given the bytes.
      const message: ToShard = { ...piece, c: chunks };
      for (const [i, thread] of threads.entries()) thread.postMessage(message, i === workers - 1 ? transfer : []);
      chunks++;
    };
    const chunker = new LineChunker();
    const { input: bytes, file } = await openLog(path, counts);
    try {
      for await (const buffer of bytes as AsyncIterable<Buffer>) {
        for (const piece of chunker.push(buffer)) await send(piece);
        if (gaveUp || failed !== null) break;
      }
    } catch (error) {
      if (!truncatedBy(error, path, chunker.lines, counts)) throw error;
      complete = false;
    } finally {
      file.destroy();
    }
    for (const piece of chunker.end(complete)) await send(piece);
    for (const thread of threads) thread.postMessage({ type: 'end', chunks } satisfies ToShard);
    await until(() => done.every((d) => d !== undefined));
    if (failed !== null) throw failed;
    if (gaveUp) return null;
    if (options.decisions !== null)
      await mergeDecisions(
        parts.filter((p) => p !== null),
        options.decisions,
      );
    const configurations = options.names.map(emptyStats);
    const prepared: Prepared = { articleRequests: 0, otherRequests: 0, keying: new Map(), addresses: new Set() };
    for (const shard of done as Array<Extract<FromShard, { type: 'done' }>>) {
      for (const [i, stats] of shard.stats.entries()) addStats(configurations[i] as (typeof configurations)[number], stats as SentStats);
      prepared.articleRequests += shard.prepared.articleRequests;
      prepared.otherRequests += shard.prepared.otherRequests;
      for (const [by, n] of shard.prepared.keying) prepared.keying.set(by, (prepared.keying.get(by) ?? 0) + n);
      for (const address of shard.prepared.addresses) if (prepared.addresses.size < MAX_ADDRESSES) prepared.addresses.add(address);
    }
    return { run: { result: resultOf(prepared, configurations), partitions: workers, workers, moved: 0, streamed: true }, counts: input };
  } finally {
    await Promise.all(threads.map((thread) => thread.terminate()));
    if (dir !== null) removeScratch(dir);
  }
}

/** Each pair (time, line number) of the shards' lists of a chunk (each in line order), in line order. */
function byLine(lists: readonly Float64Array[], each: (time: number, line: number) => void): void {
  const at = lists.map(() => 0);
  for (;;) {
    let next = -1;
    let nextLine = Number.POSITIVE_INFINITY;
    for (let i = 0; i < lists.length; i++) {
      const line = (lists[i] as Float64Array)[(at[i] as number) + 1];
      if (line !== undefined && line < nextLine) {
        next = i;
        nextLine = line;
      }
    }
    if (next === -1) return;
    const j = at[next] as number;
    at[next] = j + 2;
    each((lists[next] as Float64Array)[j] as number, nextLine);
  }
}
