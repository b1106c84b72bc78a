/**
 * A run in two halves. `Preparer` (the main thread, in log order): which entries are article
 * requests, who read them, on which day, and each new meter's place among its network's that hour
 * (the one thing readers share). `PartitionReplay` (a worker, or the main thread): every candidate
 * configuration deciding one partition's records in order through the paywall's own engine
 * (replay.ts), counted (stats.ts). `simulate()` is both in one process, one partition: the
 * command partitions (partitioned.ts); tests and small logs need not.
 */
import { normalizeArticle } from '../../core/article.js';
import type { Article, Decision, Reader } from '../../types.js';
import { networkOf, parseIp } from '../../util/ip.js';
import { isPromiseLike, type MaybePromise } from '../../util/maybe-async.js';
import type { LogEntry, SkipReason } from './log.js';
import { type KeyedBy, keyedByAddress, type SimRecord } from './records.js';
import { createReplayer } from './replay.js';
import { candidatesOf, defaultReader, type LoggedReader, type SimulationConfig } from './simulate.js';
import { type CandidateStats, StatsCollector } from './stats.js';

/** Distinct addresses counted for the CDN warning, at most. */
const MAX_ADDRESSES = 100_000;

/** One configuration's answer for one request. */
export interface Answer {
  readonly access: Decision['access'];
  readonly reason: Decision['reason'];
}

/** What the preparing pass counted. */
export interface Prepared {
  articleRequests: number;
  otherRequests: number;
  readonly keying: Map<KeyedBy, number>;
  readonly addresses: Set<string>;
}

/** Day labels in a time zone, cached by hour. */
function dayLabels(timeZone: string): (time: number) => string {
  const format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const cache = new Map<number, string>();
  return (time) => {
    const hour = Math.floor(time / 3_600_000);
    let label = cache.get(hour);
    if (label === undefined) {
      label = format.format(new Date(time));
      if (cache.size > 100_000) cache.clear();
      cache.set(hour, label);
    }
    return label;
  };
}

/** Turns log entries into records, in log order. */
export class Preparer {
  readonly counts: Prepared = { articleRequests: 0, otherRequests: 0, keying: new Map(), addresses: new Set() };
  readonly #config: SimulationConfig;
  readonly #readerOf: (entry: LogEntry) => LoggedReader | null;
  readonly #day: (time: number) => string;
  /** New meters per network in the current hours (older hours are dropped: the log is in time order). */
  #fresh = new Map<string, number>();
  #freshHour = -1;
  #seq = 0;
  /** Prepared in chunks (streamed.ts): new meters are counted per chunk, and the replay adds the chunks before. */
  readonly #chunked: boolean;

  constructor(config: SimulationConfig, chunked = false) {
    this.#config = config;
    this.#chunked = chunked;
    this.#readerOf = config.reader ?? defaultReader;
    const period = config.options.period;
    this.#day = dayLabels(period && 'calendar' in period ? (period.timeZone ?? 'UTC') : 'UTC');
  }

  /** The record of `entry`, `null` when it is not an article request, or why it cannot be replayed. */
  prepare(entry: LogEntry, log = 0, seq = this.#seq): SimRecord | null | SkipReason {
    const url = URL.parse(entry.url, 'http://localhost');
    if (url === null) return 'bad-url';
    let article: Article | null;
    let who: LoggedReader | null;
    try {
      article = this.#config.article(url, entry);
      if (article !== null) normalizeArticle(article); // an article without a string id is the config's mistake
      who = article === null ? null : this.#readerOf(entry);
    } catch {
      return 'config-error';
    }
    const c = this.counts;
    if (article === null || who === null) {
      c.otherRequests++;
      return null;
    }
    c.articleRequests++;
    const by = this.#config.reader === undefined ? (who.by ?? 'config') : 'config';
    c.keying.set(by, (c.keying.get(by) ?? 0) + 1);
    // Written out, not spread: this runs for every article request of the log.
    const status = who.status ?? 'anonymous';
    const entitlements = who.entitlements ?? [];
    const reader: Reader = who.id ? { status, entitlements, id: who.id } : { status, entitlements };
    const fresh = this.#freshOrdinal(entry);
    this.#seq = seq + 1;
    const record: SimRecord = {
      seq,
      time: entry.time,
      line: entry.line ?? null,
      log,
      method: entry.method,
      url: entry.url,
      userAgent: entry.userAgent,
      referer: entry.referer,
      ip: entry.ip,
      key: who.key,
      reader,
      logged: entry.meterwall,
      fresh: fresh?.n ?? null,
      freshNetwork: this.#chunked ? (fresh?.key ?? null) : null,
      article,
      section: article.section ?? '(none)',
      day: this.#day(entry.time),
    };
    // Prepared in chunks, the replay counts the addresses, one look per reader, not per request (PartitionReplay).
    if (!this.#chunked) countAddress(c.addresses, record);
    return record;
  }

  /** A request that started a new meter live: its place among its network's new meters this hour (the cap's count). */
  #freshOrdinal(entry: LogEntry): { readonly n: number; readonly key: string } | null {
    const logged = entry.meterwall;
    if (logged === null || !logged.wrote || logged.cookies.some((c) => !c.startsWith('!'))) return null;
    const ip = parseIp(logged.client);
    if (ip === null) return null;
    const hour = Math.floor(entry.time / 3_600_000);
    if (!this.#chunked && hour > this.#freshHour) {
      if (hour > this.#freshHour + 1) this.#fresh = new Map();
      else for (const key of this.#fresh.keys()) if (!key.startsWith(`${hour}:`)) this.#fresh.delete(key);
      this.#freshHour = hour;
    }
    const key = `${hour}:${networkOf(ip)}`;
    const n = (this.#fresh.get(key) ?? 0) + 1;
    this.#fresh.set(key, n);
    return { n, key };
  }

  /** Prepared in chunks: the new meters this chunk counted, by network and hour (the counting starts again). */
  takeFresh(): Array<[string, number]> {
    const counted = [...this.#fresh];
    this.#fresh.clear();
    return counted;
  }
}

/** Counts `record`'s address among the distinct addresses of readers keyed by address and user agent (the CDN warning). */
function countAddress(addresses: Set<string>, record: SimRecord): void {
  const address = record.ip ?? '-';
  if (addresses.size >= MAX_ADDRESSES || !keyedByAddress(record) || addresses.has(address)) return;
  // Copied once: an address read from a line may be a view that keeps the whole chunk of the log.
  addresses.add(ownString(address));
}

/** Every configuration replaying one partition's records, in order. */
export class PartitionReplay {
  readonly #runs: Array<{ readonly replayer: ReturnType<typeof createReplayer>; readonly stats: StatsCollector }>;
  /** Each reader key's number, in order of first appearance: the replay and the counts look readers up by it. */
  readonly #readers = new Map<string, number>();

  /** Where a new reader's address is counted (a run prepared in chunks: see `Preparer`), or `null`. */
  readonly #addresses: Set<string> | null;

  constructor(config: SimulationConfig, addresses: Set<string> | null = null) {
    this.#runs = candidatesOf(config).map((c) => ({ replayer: createReplayer(c.options), stats: new StatsCollector(c.name) }));
    this.#addresses = addresses;
  }

  /** Decides `record` in every configuration; its answers in configuration order (at once, unless a store answered later). */
  replay(record: SimRecord): MaybePromise<Answer[]> {
    const answers: Answer[] = [];
    let key = this.#readers.get(record.key);
    if (key === undefined) {
      key = this.#readers.size;
      this.#readers.set(ownString(record.key), key);
      // A reader keyed by address and user agent has one address: only a new reader can bring a new one.
      if (this.#addresses !== null) countAddress(this.#addresses, record);
    }
    const who = { key, reader: record.reader };
    const runs = this.#runs;
    const count = (run: (typeof runs)[number], decision: Decision): void => {
      run.stats.add(key, decision, record.section, record.day, run.replayer.pageView(record));
      answers.push({ access: decision.access, reason: decision.reason });
    };
    const from = (first: number): MaybePromise<Answer[]> => {
      for (let i = first; i < runs.length; i++) {
        const run = runs[i] as (typeof runs)[number];
        const decided = run.replayer.decide(record.time, who, record, record.article);
        if (isPromiseLike(decided))
          return Promise.resolve(decided).then((decision) => {
            count(run, decision);
            return from(i + 1);
          });
        count(run, decided);
      }
      return answers;
    };
    return from(0);
  }

  /** Each configuration's counts for this partition. */
  finish(): CandidateStats[] {
    return this.#runs.map((r) => r.stats.finish());
  }
}

/**
 * `text` in memory of its own. A string cut from a longer one (a line of a log, a chunk of lines)
 * may be a view that keeps the whole longer one alive; a key kept for the whole run must not.
 */
function ownString(text: string): string {
  // A concatenation is flattened into a new string on first use; the slice of it is of that string only.
  return ` ${text}`.slice(1);
}

/** The simulation's results: one entry per configuration, and what was read. */
export interface SimulationResult {
  readonly configurations: CandidateStats[];
  /** Article requests decided, and log entries that were not articles. */
  readonly articleRequests: number;
  readonly otherRequests: number;
  /** Article requests by how their reader was told apart (a log without a visitor id keys by address and user agent). */
  readonly keying: ReadonlyMap<KeyedBy, number>;
  /** Distinct addresses of the readers whose key is their address and user agent (counted up to 100,000). */
  readonly addresses: number;
}

/** The results of a run: the prepared counts and each configuration's counts, summed over the partitions. */
export function resultOf(counts: Prepared, configurations: CandidateStats[]): SimulationResult {
  return {
    configurations,
    articleRequests: counts.articleRequests,
    otherRequests: counts.otherRequests,
    keying: counts.keying,
    addresses: counts.addresses.size,
  };
}

/** What a run reports as it goes. */
export interface SimulationHooks {
  /** After each entry (a progress bar). */
  onEntry?(): void;
  /** An entry that could not be replayed (a request target that is not a URL, a config that threw on it): the run goes on. */
  onSkip?(entry: LogEntry, reason: SkipReason): void;
}

/** Runs every configuration of `config` over `entries` in this process, as one partition. */
export async function simulate(
  entries: AsyncIterable<LogEntry> | Iterable<LogEntry>,
  config: SimulationConfig,
  hooks: SimulationHooks = {},
): Promise<SimulationResult> {
  const preparer = new Preparer(config);
  const partition = new PartitionReplay(config);
  for await (const entry of entries) {
    hooks.onEntry?.();
    const record = preparer.prepare(entry);
    if (typeof record === 'string') hooks.onSkip?.(entry, record);
    if (record === null || typeof record === 'string') continue;
    await partition.replay(record);
  }
  return resultOf(preparer.counts, partition.finish());
}
