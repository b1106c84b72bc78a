/**
 * One worker thread of a streamed run (streamed.ts). Every thread is sent every chunk of the log
 * and replays the readers it owns (by {@link ownerOf} their key), chunk after chunk in log order.
 * A combined-format line with the default reader key (address and user agent) is routed before it
 * is parsed: its first field is the address its key starts with, so the owner alone reads it
 * (parsing, the config's article and reader: run.ts `Preparer`) and nothing crosses threads. Any
 * other line (JSON, a visitor id, a config's own `reader`, trusted proxies) is read by the chunk's
 * designated thread, which sends each owner its records (structured clone: cheaper than the spill
 * files' JSON) with the chunk's new meters per network; every thread sees which chunks hold such
 * lines, so an owner waits for a batch only where one comes.
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
import { linksAnything } from './links.js';
import { type LogCounts, logCounts, MAX_LINE, readLine, skipLine, tooLongLine } from './log.js';
import { fromTuple, type RecordTuple, type SimRecord, toTuple } from './records.js';
import { hasJsonLine, ownerOf, routeOf } from './routing.js';
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

/** From a chunk's designated thread to one owner: the chunk's records for it of the lines not routed before parsing. */
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

/** A chunk's records for this owner, in log order, and whether a batch from its designated thread completes it. */
interface Own {
  readonly records: readonly SimRecord[];
  readonly fresh: Batch['fresh'];
  readonly waits: boolean;
}

/** A shard's state and its two roles; `post` talks to the main thread. */
export class Shard {
  readonly #setup: ShardSetup;
  readonly #post: (message: FromShard, transfer?: ArrayBuffer[]) => void;
  readonly #format: LogFormat;
  readonly #preparer: Preparer;
  readonly #partition: PartitionReplay;
  readonly #out: DecisionsOut | null;
  readonly #own = new Map<number, Own>();
  readonly #batches = new Map<number, { readonly records: readonly SimRecord[]; readonly fresh: Batch['fresh'] }>();
  /** Combined lines are routed before parsing: the default reader key, by address and user agent. */
  readonly #routes: boolean;
  /** New meters per network and hour in the chunks replayed so far. */
  readonly #freshBase = new Map<string, number>();
  #next = 0;
  #end: number | null = null;
  #draining = false;
  /** A replay that answered later (a store that answers later), which the rest of its chunk waits for. */
  #inflight: Promise<void> | null = null;
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
    this.#partition = new PartitionReplay(config, this.#preparer.counts.addresses);
    this.#out = setup.decisions === null ? null : new DecisionsOut(setup.decisions, setup.names, [setup.path]);
    this.#routes = config.reader === undefined && !format.extraFields.includes('visitor') && format.trusted.length === 0;
    for (const port of setup.ports)
      port?.on('message', (batch: Batch) => {
        this.#batches.set(batch.c, { records: batch.records.map(fromTuple), fresh: batch.fresh });
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
    const designated = message.c % shards === shard;
    const chunk = message.type === 'chunk' ? message : null;
    const bytes = chunk === null ? null : Buffer.from(chunk.bytes.buffer, chunk.bytes.byteOffset, chunk.bytes.length);
    /** Whether the chunk holds a line only its designated thread reads (every thread reads the same bytes, so agrees). */
    const crossing = !this.#routes || (bytes !== null && hasJsonLine(bytes));
    /**
     * Every chunk before is replayed and nothing comes from another thread: each record is replayed
     * as soon as it is read, while it is in the processor's cache (the chunk's records are not kept).
     */
    let now = this.#next === message.c && !this.#draining && this.#inflight === null && (!crossing || designated);
    const own: SimRecord[] = [];
    const out: RecordTuple[][] = ports.map(() => []);
    if (chunk === null || bytes === null) {
      if (designated && message.type === 'too-long') tooLongLine(counts, message.line, message.head);
    } else {
      let number = chunk.firstLine - 1;
      for (let start = 0; start < bytes.length; ) {
        const newline = bytes.indexOf(0x0a, start);
        const next = newline === -1 ? bytes.length : newline + 1;
        let end = newline === -1 ? bytes.length : newline;
        if (end > start && bytes[end - 1] === 0x0d) end--;
        const from = start;
        start = next;
        number++;
        const route = this.#routes ? routeOf(bytes, from, end, shards) : -1;
        if (route === -1 ? !designated : route !== shard) continue;
        if (end - from > MAX_LINE) {
          tooLongLine(counts, number, bytes.toString('utf8', from, from + 4 * 120).slice(0, 120));
          continue;
        }
        const entry = readLine(bytes.toString('utf8', from, end), number, path, this.#format, counts);
        if (entry === null) continue;
        times.push(entry.time, number);
        const record = this.#preparer.prepare(entry, 0, message.c * SEQ_PER_CHUNK + (number - chunk.firstLine));
        if (typeof record === 'string') skipLine(counts, number, record, `${entry.method} ${entry.url}`);
        if (record === null || typeof record === 'string') continue;
        if (linksAnything(record)) return this.#stop('links');
        // A routed line's key starts with the address it was routed by: its owner is this thread.
        const owner = route === -1 ? ownerOf(record.key, shards) : shard;
        if (owner !== shard) (out[owner] as RecordTuple[]).push(toTuple(record));
        else if (!now) own.push(record);
        else {
          const replaying = this.#replay(record);
          // The rest of the chunk waits for it (#drain).
          if (replaying !== undefined) {
            this.#inflight = replaying;
            now = false;
          }
        }
      }
    }
    const fresh = this.#preparer.takeFresh();
    if (designated && crossing)
      ports.forEach((port, to) => {
        if (port === null) return;
        const batch: Batch = { c: message.c, records: out[to] as RecordTuple[], fresh };
        port.postMessage(batch);
      });
    this.#own.set(message.c, { records: own, fresh, waits: crossing && !designated });
    const timed = Float64Array.from(times);
    this.#post({ type: 'prepared', c: message.c, counts, times: timed }, [timed.buffer as ArrayBuffer]);
  }

  /** Replays the chunks that are complete, in order; at the end, sends the counts. */
  async #drain(): Promise<void> {
    if (this.#draining || this.#stopped) return;
    this.#draining = true;
    try {
      for (let own = this.#own.get(this.#next); own !== undefined; own = this.#own.get(this.#next)) {
        if (this.#inflight !== null) {
          await this.#inflight;
          this.#inflight = null;
        }
        const batch = own.waits ? this.#batches.get(this.#next) : undefined;
        if (own.waits && batch === undefined) break;
        this.#own.delete(this.#next);
        this.#batches.delete(this.#next);
        const records = batch === undefined ? own.records : inSeqOrder(own.records, batch.records);
        for (const record of records) {
          const replaying = this.#replay(record);
          if (replaying !== undefined) await replaying;
        }
        this.#count(batch?.fresh ?? own.fresh);
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

/** Two runs of records, each in log order, as one. */
function inSeqOrder(a: readonly SimRecord[], b: readonly SimRecord[]): SimRecord[] {
  const merged: SimRecord[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) merged.push(((a[i] as SimRecord).seq < (b[j] as SimRecord).seq ? a[i++] : b[j++]) as SimRecord);
  while (i < a.length) merged.push(a[i++] as SimRecord);
  while (j < b.length) merged.push(b[j++] as SimRecord);
  return merged;
}
