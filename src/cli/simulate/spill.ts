/**
 * Partitions on disk: records appended to bucket files (buffered, with backpressure), read back
 * in order (one file, or several merged by their place in the log), and one partition replayed
 * from its files (the work a worker thread does), its `--decisions` lines written beside it.
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Article } from '../../types.js';
import { decodeRecord, encodeRecord, type SimRecord } from './records.js';
import { mergeSorted } from './merge.js';
import { PartitionReplay } from './run.js';
import { DecisionsOut } from './decisions.js';
import { isPromiseLike } from '../../util/maybe-async.js';
import type { SimulationConfig } from './simulate.js';
import { type SentStats, sendStats } from './stats.js';

/** Bytes buffered per bucket before a write. */
const BUFFER = 64 * 1024;

/** Appends records to numbered files in a folder, each opened on its first record. */
export class BucketWriter {
  readonly #dir: string;
  readonly #streams = new Map<number, { stream: WriteStream; buffer: string[]; size: number }>();
  /** Records written, per bucket. */
  readonly counts = new Map<number, number>();

  constructor(dir: string) {
    this.#dir = dir;
  }

  path(bucket: number): string {
    return `${this.#dir}/bucket-${bucket}.jsonl`;
  }

  /** Appends `record` to `bucket`; resolves when the stream can take more. */
  async write(bucket: number, record: SimRecord, article: number): Promise<void> {
    let out = this.#streams.get(bucket);
    if (out === undefined) {
      out = { stream: createWriteStream(this.path(bucket)), buffer: [], size: 0 };
      this.#streams.set(bucket, out);
    }
    const line = encodeRecord(record, article);
    out.buffer.push(line);
    out.size += line.length;
    this.counts.set(bucket, (this.counts.get(bucket) ?? 0) + 1);
    if (out.size >= BUFFER) await this.#flush(out);
  }

  async #flush(out: { stream: WriteStream; buffer: string[]; size: number }): Promise<void> {
    const text = out.buffer.join('');
    out.buffer = [];
    out.size = 0;
    if (!out.stream.write(text)) await new Promise<void>((resolve) => out.stream.once('drain', () => resolve()));
  }

  /** Flushes and closes every file. */
  async close(): Promise<void> {
    for (const out of this.#streams.values()) {
      if (out.size > 0) await this.#flush(out);
      await new Promise<void>((resolve, reject) => out.stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
    }
    this.#streams.clear();
  }
}

/** The records of one spill file, in file order. */
export async function* readRecords(path: string, articles: readonly Article[]): AsyncGenerator<SimRecord> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) if (line !== '') yield decodeRecord(line, articles);
}

/** The records of several spill files (each in log order) merged into log order. */
export async function* mergeRecords(paths: readonly string[], articles: readonly Article[]): AsyncGenerator<SimRecord> {
  if (paths.length === 1) {
    yield* readRecords(paths[0] as string, articles);
    return;
  }
  yield* mergeSorted(
    paths.map((path) => readRecords(path, articles)),
    (record) => record.seq,
  );
}

/** What one partition's replay gives back. */
export interface PartitionDone {
  readonly stats: SentStats[];
}

/**
 * Replays one partition (its files merged into log order) through every configuration; with
 * `decisions`, writes each request's answers there as `<seq>\t<JSON line>`, in log order.
 */
export async function replayPartition(
  files: readonly string[],
  articles: readonly Article[],
  config: SimulationConfig,
  names: readonly string[],
  logs: readonly string[],
  decisions: string | null,
): Promise<PartitionDone> {
  const partition = new PartitionReplay(config);
  const out = decisions === null ? null : new DecisionsOut(decisions, names, logs);
  for await (const record of mergeRecords(files, articles)) {
    const replayed = partition.replay(record);
    const answers = isPromiseLike(replayed) ? await replayed : replayed;
    const drained = out?.add(record, answers);
    if (drained) await drained;
  }
  await out?.close();
  return { stats: partition.finish().map(sendStats) };
}
