/**
 * One worker thread of a streamed run (streamed.ts), in two roles. As a preparer it reads the
 * chunks of the log it is sent (parsing, the config's article and reader: run.ts `Preparer`);
 * as an owner it replays the readers whose key hashes to it, chunk after chunk in log order. The
 * records of a chunk it prepared for another owner go to that owner's port (structured clone:
 * cheaper than the spill files' JSON), with the chunk's new meters per network; every owner
 * gets a batch for every chunk (maybe empty), so it knows when a chunk is complete.
 *
 * It gives up (the run falls back to partitions on disk, partitioned.ts) when a record links
 * readers (an account, a gift link: the owners could not keep them together) or its heap passes
 * {@link HEAP_SHARE} of its limit (too many readers for one pass).
 */
import { getHeapStatistics } from 'node:v8';
import type { MessagePort } from 'node:worker_threads';
import { isPromiseLike } from '../../util/maybe-async.js';
import { DecisionsOut } from './decisions.js';
import type { LogFormat } from './formats.js';
import { fnv, linksAnything } from './links.js';
import { type LogCounts, logCounts, MAX_LINE, readLine, skipLine, tooLongLine } from './log.js';
import { fromTuple, type RecordTuple, type SimRecord, toTuple } from './records.js';
import { PartitionReplay, Preparer } from './run.js';
import type { SimulationConfig } from './simulate.js';
import { sendStats } from './stats.js';

/** Past this share of its heap limit, a thread gives up on a single pass. */
const HEAP_SHARE = 0.6;
/** Records of a chunk are numbered `chunk * SEQ_PER_CHUNK + line within it` (a chunk holds far fewer lines). */
export const SEQ_PER_CHUNK = 2 ** 21;

/** From the main thread. */
export type ToShard =
  | { readonly type: 'chunk'; readonly c: number; readonly firstLine: number; readonly bytes: Uint8Array }
  | { readonly type: 'too-long'; readonly c: number; readonly line: number; readonly head: string }
  | { readonly type: 'end'; readonly chunks: number };

/** To the main thread. */
export type FromShard =
  | { readonly type: 'prepared'; readonly c: number; readonly counts: LogCounts; readonly times: Float64Array }
  | { readonly type: 'replayed'; readonly shard: number; readonly c: number }
  | { readonly type: 'abort'; readonly why: 'links' | 'memory' }
  | {
      readonly type: 'done';
      readonly shard: number;
      readonly stats: ReturnType<typeof sendStats>[];
      readonly prepared: Preparer['counts'];
    };

/** From one preparer to one owner: a chunk's records for it. */
interface Batch {
  readonly c: number;
  readonly records: readonly RecordTuple[];
  readonly fresh: ReadonlyArray<[string, number]>;
}

export interface ShardSetup {
  readonly shard: number;
  readonly shards: number;
  /** The log (entries name it). */
  readonly path: string;
  readonly names: readonly string[];
  readonly decisions: string | null;
  /** A port to each other shard (`null` at its own place). */
  readonly ports: ReadonlyArray<MessagePort | null>;
}

/** A shard's state and its two roles; `post` talks to the main thread. */
export class Shard {
  readonly #setup: ShardSetup;
  readonly #post: (message: FromShard, transfer?: ArrayBuffer[]) => void;
  readonly #format: LogFormat;
  readonly #preparer: Preparer;
  readonly #partition: PartitionReplay;
  readonly #out: DecisionsOut | null;
  readonly #pending = new Map<number, { readonly records: readonly SimRecord[]; readonly fresh: Batch['fresh'] }>();
  /** New meters per network and hour in the chunks replayed so far. */
  readonly #freshBase = new Map<string, number>();
  #next = 0;
  #end: number | null = null;
  #draining = false;
  #stopped = false;

  constructor(
    setup: ShardSetup,
    config: SimulationConfig,
    format: LogFormat,
    post: (message: FromShard, transfer?: ArrayBuffer[]) => void,
  ) {
    this.#setup = setup;
    this.#post = post;
    this.#format = format;
    this.#preparer = new Preparer(config, true);
    this.#partition = new PartitionReplay(config);
    this.#out = setup.decisions === null ? null : new DecisionsOut(setup.decisions, setup.names, [setup.path]);
    for (const port of setup.ports)
      port?.on('message', (batch: Batch) => {
        this.#pending.set(batch.c, { records: batch.records.map(fromTuple), fresh: batch.fresh });
        void this.#drain();
      });
  }

  /** A message from the main thread. */
  receive(message: ToShard): void {
    if (this.#stopped) return;
    if (message.type === 'end') this.#end = message.chunks;
    else this.#prepare(message);
    void this.#drain();
  }

  #prepare(message: Exclude<ToShard, { type: 'end' }>): void {
    const counts = logCounts();
    const times: number[] = [];
    const { shard, shards, path, ports } = this.#setup;
    const own: SimRecord[] = [];
    const out: RecordTuple[][] = ports.map(() => []);
    if (message.type === 'too-long') tooLongLine(counts, message.line, message.head);
    else {
      const text = Buffer.from(message.bytes.buffer, message.bytes.byteOffset, message.bytes.length).toString('utf8');
      let number = message.firstLine - 1;
      for (let start = 0; start < text.length; ) {
        const newline = text.indexOf('\n', start);
        const end = newline === -1 ? text.length : newline;
        let line = text.slice(start, end);
        start = end + 1;
        number++;
        if (line.endsWith('\r')) line = line.slice(0, -1);
        if (line.length * 3 > MAX_LINE && Buffer.byteLength(line) > MAX_LINE) {
          tooLongLine(counts, number, line.slice(0, 120));
          continue;
        }
        const entry = readLine(line, number, path, this.#format, counts);
        if (entry === null) continue;
        times.push(entry.time, number);
        const record = this.#preparer.prepare(entry, 0, message.c * SEQ_PER_CHUNK + (number - message.firstLine));
        if (typeof record === 'string') skipLine(counts, number, record, `${entry.method} ${entry.url}`);
        if (record === null || typeof record === 'string') continue;
        if (linksAnything(record)) return this.#stop('links');
        const owner = fnv(record.key) % shards;
        if (owner === shard) own.push(record);
        else (out[owner] as RecordTuple[]).push(toTuple(record));
      }
    }
    const fresh = this.#preparer.takeFresh();
    ports.forEach((port, to) => {
      if (port === null) return;
      const batch: Batch = { c: message.c, records: out[to] as RecordTuple[], fresh };
      port.postMessage(batch);
    });
    this.#pending.set(message.c, { records: own, fresh });
    const timed = Float64Array.from(times);
    this.#post({ type: 'prepared', c: message.c, counts, times: timed }, [timed.buffer as ArrayBuffer]);
  }

  /** Replays the chunks that are complete, in order; at the end, sends the counts. */
  async #drain(): Promise<void> {
    if (this.#draining || this.#stopped) return;
    this.#draining = true;
    try {
      for (let batch = this.#pending.get(this.#next); batch !== undefined; batch = this.#pending.get(this.#next)) {
        this.#pending.delete(this.#next);
        for (const record of batch.records) {
          const replaying = this.#replay(record);
          if (replaying !== undefined) await replaying;
        }
        this.#count(batch.fresh);
        this.#post({ type: 'replayed', shard: this.#setup.shard, c: this.#next });
        this.#next++;
        const heap = getHeapStatistics();
        if (heap.used_heap_size > heap.heap_size_limit * HEAP_SHARE) return this.#stop('memory');
      }
      if (this.#end !== null && this.#next >= this.#end) {
        this.#stopped = true;
        await this.#out?.close();
        for (const port of this.#setup.ports) port?.close();
        this.#post({
          type: 'done',
          shard: this.#setup.shard,
          stats: this.#partition.finish().map(sendStats),
          prepared: this.#preparer.counts,
        });
      }
    } finally {
      this.#draining = false;
    }
  }

  /** Replays one record, its place among its network's new meters counted from the start of the log. */
  #replay(prepared: SimRecord): Promise<void> | undefined {
    const network = prepared.freshNetwork;
    const record =
      network === null || prepared.fresh === null ? prepared : { ...prepared, fresh: (this.#freshBase.get(network) ?? 0) + prepared.fresh };
    const replayed = this.#partition.replay(record);
    if (isPromiseLike(replayed)) return Promise.resolve(replayed).then((answers) => this.#out?.add(record, answers) ?? undefined);
    return this.#out?.add(record, replayed) ?? undefined;
  }

  /** Adds a chunk's new meters to the counts, keeping the latest two hours (the log is in time order). */
  #count(fresh: ReadonlyArray<[string, number]>): void {
    let latest = -1;
    for (const [key, n] of fresh) {
      this.#freshBase.set(key, (this.#freshBase.get(key) ?? 0) + n);
      latest = Math.max(latest, Number(key.slice(0, key.indexOf(':'))));
    }
    if (latest >= 0)
      for (const key of this.#freshBase.keys()) if (Number(key.slice(0, key.indexOf(':'))) < latest - 1) this.#freshBase.delete(key);
  }

  #stop(why: 'links' | 'memory'): void {
    this.#stopped = true;
    this.#post({ type: 'abort', why });
  }
}
