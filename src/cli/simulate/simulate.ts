/**
 * The simulation: one pass over the log, every candidate configuration deciding each article
 * request in the log's own order and clock, through the paywall's own engine (replay.ts), the
 * results counted per configuration (stats.ts).
 */
import type { Article, PaywallOptions, Reader, ReaderStatus } from '../../types.js';
import { isPromiseLike } from '../../util/maybe-async.js';
import type { LogEntry, SkipReason } from './log.js';
import { createReplayer, type SimulatedReader } from './replay.js';
import { type CandidateStats, StatsCollector } from './stats.js';

/** What a config module exports (as its default export). */
export interface SimulationConfig {
  /** The site's paywall options (no secret needed: nothing is signed). */
  readonly options: Partial<PaywallOptions>;
  /** The article a request is for, or `null` for anything else (front pages, assets). */
  readonly article: (url: URL, entry: LogEntry) => Article | null;
  /**
   * Who made a request: a key telling readers apart and their status. By default the log's
   * `reader`, else its `account`, else the address with the user agent; the status from the log
   * (`status`), else `registered` with an account and `anonymous` without.
   */
  readonly reader?: (entry: LogEntry) => { key: string; status?: ReaderStatus; id?: string; entitlements?: string[] } | null;
  /** Candidate configurations, each merged over `options`; without them, `options` alone. */
  readonly configurations?: ReadonlyArray<{ readonly name: string; readonly options: Partial<PaywallOptions> }>;
}

/** `path=a,b,c`: one configuration per value, the value set at the dotted path of the options. */
export function configurationsFromSet(set: string, base: Partial<PaywallOptions>) {
  const eq = set.indexOf('=');
  if (eq < 1) throw new TypeError(`--set takes <option path>=<value>[,<value>…], e.g. meters.anonymous.limit=3,5,10 (got ${set})`);
  const path = set.slice(0, eq).split('.');
  return set
    .slice(eq + 1)
    .split(',')
    .map((raw) => {
      let value: unknown = raw;
      try {
        value = JSON.parse(raw);
      } catch {
        // a bare string
      }
      return { name: `${set.slice(0, eq)}=${raw}`, options: setAt(base, path, value) };
    });
}

function setAt(object: unknown, path: readonly string[], value: unknown): Partial<PaywallOptions> {
  const [key, ...rest] = path;
  if (key === undefined) return value as Partial<PaywallOptions>;
  const source = object !== null && typeof object === 'object' ? (object as Record<string, unknown>) : {};
  return { ...source, [key]: setAt(source[key], rest, value) } as Partial<PaywallOptions>;
}

type LoggedReader = { key: string; status?: ReaderStatus; id?: string; entitlements?: string[] };

function defaultReader(entry: LogEntry): LoggedReader {
  const key = entry.reader ?? entry.account ?? `${entry.ip ?? '-'} ${entry.userAgent ?? '-'}`;
  const status = entry.status ?? (entry.account ? 'registered' : 'anonymous');
  return entry.account ? { key, status, id: entry.account } : { key, status };
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

/** The simulation's results: one entry per configuration, and what was read. */
export interface SimulationResult {
  readonly configurations: CandidateStats[];
  /** Article requests decided, and log entries that were not articles. */
  readonly articleRequests: number;
  readonly otherRequests: number;
}

/**
 * Runs every configuration of `config` over `entries`. `onEntry` is called after each entry (a
 * progress bar), `onSkip` for an entry that could not be replayed (a request target that is not a
 * URL, a config that threw on it): the run goes on.
 */
export async function simulate(
  entries: AsyncIterable<LogEntry> | Iterable<LogEntry>,
  config: SimulationConfig,
  onEntry?: () => void,
  onSkip?: (entry: LogEntry, reason: SkipReason) => void,
): Promise<SimulationResult> {
  const candidates = config.configurations?.length
    ? config.configurations.map((c) => ({ name: c.name, options: { ...config.options, ...c.options } }))
    : [{ name: 'configuration', options: config.options }];
  const runs = candidates.map((c) => ({ replayer: createReplayer(c.options), stats: new StatsCollector(c.name) }));
  const period = config.options.period;
  const day = dayLabels(period && 'calendar' in period ? (period.timeZone ?? 'UTC') : 'UTC');
  const readerOf: (entry: LogEntry) => LoggedReader | null = config.reader ?? defaultReader;
  let articleRequests = 0;
  let otherRequests = 0;
  for await (const entry of entries) {
    onEntry?.();
    const url = URL.parse(entry.url, 'http://localhost');
    if (url === null) {
      onSkip?.(entry, 'bad-url');
      continue;
    }
    let article: Article | null;
    let who: LoggedReader | null;
    try {
      article = config.article(url, entry);
      who = article === null ? null : readerOf(entry);
    } catch {
      onSkip?.(entry, 'config-error');
      continue;
    }
    if (article === null || who === null) {
      otherRequests++;
      continue;
    }
    articleRequests++;
    const reader: Reader = { status: who.status ?? 'anonymous', entitlements: who.entitlements ?? [], ...(who.id ? { id: who.id } : {}) };
    const simulated: SimulatedReader = { key: who.key, reader };
    const request = { method: entry.method, url: entry.url, userAgent: entry.userAgent, referer: entry.referer, ip: entry.ip };
    const section = article.section ?? '(none)';
    const label = day(entry.time);
    for (const run of runs) {
      let decided: ReturnType<typeof run.replayer.decide>;
      try {
        decided = run.replayer.decide(entry.time, simulated, request, article);
      } catch {
        onSkip?.(entry, 'config-error'); // an article the config built wrongly (no string id)
        break;
      }
      const decision = isPromiseLike(decided) ? await decided : decided;
      run.stats.add(who.key, decision, section, label);
    }
  }
  return { configurations: runs.map((r) => r.stats.finish()), articleRequests, otherRequests };
}
