/**
 * The simulation: one pass over the log, every candidate configuration deciding each article
 * request in the log's own order and clock, through the paywall's own engine (replay.ts), the
 * results counted per configuration (stats.ts).
 */
import type { Article, Decision, PaywallOptions, Reader, ReaderStatus } from '../../types.js';
import { isPromiseLike } from '../../util/maybe-async.js';
import type { LogOptions } from './formats.js';
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
  /** How to read the logs: a combined log's extra fields, the CDN's or proxies' ranges, a JSON field map (docs/simulate.md). */
  readonly log?: LogOptions;
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

/** The most configurations one run compares (the report tells twelve apart by colour). */
export const MAX_CONFIGURATIONS = 12;

/**
 * Several `--set`s: every combination of their values (`--set a=1,2 --set b=x,y` makes four). The
 * same option twice is refused, and so are more than {@link MAX_CONFIGURATIONS} combinations.
 */
export function configurationsFromSets(sets: readonly string[], base: Partial<PaywallOptions>) {
  let combined = [{ name: '', options: base }];
  const seen = new Set<string>();
  for (const set of sets) {
    const path = set.slice(0, Math.max(0, set.indexOf('=')));
    if (seen.has(path)) throw new TypeError(`--set ${path} is given twice: give its values once, comma-separated (${path}=3,5,10)`);
    seen.add(path);
    combined = combined.flatMap((c) =>
      configurationsFromSet(set, c.options).map((one) => ({
        name: c.name === '' ? one.name : `${c.name}, ${one.name}`,
        options: one.options,
      })),
    );
    if (combined.length > MAX_CONFIGURATIONS)
      throw new TypeError(
        `the --set options make ${combined.length} configurations or more; one run compares at most ${MAX_CONFIGURATIONS}`,
      );
  }
  return combined;
}

function setAt(object: unknown, path: readonly string[], value: unknown): Partial<PaywallOptions> {
  const [key, ...rest] = path;
  if (key === undefined) return value as Partial<PaywallOptions>;
  const source = object !== null && typeof object === 'object' ? (object as Record<string, unknown>) : {};
  return { ...source, [key]: setAt(source[key], rest, value) } as Partial<PaywallOptions>;
}

/** How a request's reader was told apart from the others. */
export type KeyedBy = 'browser' | 'visitor-id' | 'account' | 'address-and-agent' | 'config';

type LoggedReader = { key: string; status?: ReaderStatus; id?: string; entitlements?: string[]; by?: KeyedBy };

function defaultReader(entry: LogEntry): LoggedReader {
  const logged = entry.meterwall;
  if (logged !== null) {
    // A log meterwall wrote: a reader is their account, else their browser.
    const key = logged.account ?? logged.browser ?? `${entry.ip ?? '-'} ${entry.userAgent ?? '-'}`;
    const by: KeyedBy = logged.account !== null ? 'account' : logged.browser !== null ? 'browser' : 'address-and-agent';
    const reader = { key, status: logged.status, entitlements: [...logged.entitlements], by };
    return logged.account === null ? reader : { ...reader, id: logged.account };
  }
  const key = entry.reader ?? entry.account ?? `${entry.ip ?? '-'} ${entry.userAgent ?? '-'}`;
  const by: KeyedBy = entry.reader !== null ? 'visitor-id' : entry.account !== null ? 'account' : 'address-and-agent';
  const status = entry.status ?? (entry.account ? 'registered' : 'anonymous');
  return entry.account ? { key, status, id: entry.account, by } : { key, status, by };
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
  /** Article requests by how their reader was told apart (a log without a visitor id keys by address and user agent). */
  readonly keying: ReadonlyMap<KeyedBy, number>;
  /** Distinct addresses of the article requests keyed by address and user agent (counted up to 100,000). */
  readonly addresses: number;
}

const MAX_ADDRESSES = 100_000;

/** One configuration's answer for one request. */
export interface Answer {
  readonly access: Decision['access'];
  readonly reason: Decision['reason'];
}

/** What a run reports as it goes. */
export interface SimulationHooks {
  /** After each entry (a progress bar). */
  onEntry?(): void;
  /** An entry that could not be replayed (a request target that is not a URL, a config that threw on it): the run goes on. */
  onSkip?(entry: LogEntry, reason: SkipReason): void;
  /** Each article request's answers, one per configuration in order (`--decisions`). */
  onDecision?: ((entry: LogEntry, answers: readonly Answer[]) => void) | undefined;
}

/** Runs every configuration of `config` over `entries`. */
export async function simulate(
  entries: AsyncIterable<LogEntry> | Iterable<LogEntry>,
  config: SimulationConfig,
  hooks: SimulationHooks = {},
): Promise<SimulationResult> {
  const { onEntry, onSkip, onDecision } = hooks;
  const candidates = config.configurations?.length
    ? config.configurations.map((c) => ({ name: c.name, options: { ...config.options, ...c.options } }))
    : [{ name: 'configuration', options: config.options }];
  const runs = candidates.map((c) => ({ replayer: createReplayer(c.options), stats: new StatsCollector(c.name) }));
  const period = config.options.period;
  const day = dayLabels(period && 'calendar' in period ? (period.timeZone ?? 'UTC') : 'UTC');
  const readerOf: (entry: LogEntry) => LoggedReader | null = config.reader ?? defaultReader;
  const keying = new Map<KeyedBy, number>();
  const addresses = new Set<string>();
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
    const by = config.reader === undefined ? (who.by ?? 'config') : 'config';
    keying.set(by, (keying.get(by) ?? 0) + 1);
    if (by === 'address-and-agent' && addresses.size < MAX_ADDRESSES) addresses.add(entry.ip ?? '-');
    const reader: Reader = { status: who.status ?? 'anonymous', entitlements: who.entitlements ?? [], ...(who.id ? { id: who.id } : {}) };
    const simulated: SimulatedReader = { key: who.key, reader };
    const request = {
      method: entry.method,
      url: entry.url,
      userAgent: entry.userAgent,
      referer: entry.referer,
      ip: entry.ip,
      logged: entry.meterwall,
    };
    const answers: Answer[] | null = onDecision ? [] : null;
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
      run.stats.add(who.key, decision, section, label, run.replayer.pageView(request));
      answers?.push({ access: decision.access, reason: decision.reason });
    }
    if (answers !== null && answers.length === runs.length) onDecision?.(entry, answers);
  }
  return { configurations: runs.map((r) => r.stats.finish()), articleRequests, otherRequests, keying, addresses: addresses.size };
}
