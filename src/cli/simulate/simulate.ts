/**
 * What a simulation is asked: the config module's shape, the candidate configurations (`--set`),
 * and who read a log line by default. The run itself is run.ts (one process) and partitioned.ts
 * (the command: partitions on disk, worker threads).
 */
import type { Article, PaywallOptions, ReaderStatus } from '../../types.js';
import type { LogOptions } from './formats.js';
import type { LogEntry } from './log.js';
import { addressKey, type KeyedBy } from './records.js';

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

export type { KeyedBy } from './records.js';

export type LoggedReader = { key: string; status?: ReaderStatus; id?: string; entitlements?: string[]; by?: KeyedBy };

/** Who made a request, by default: the logged account or browser (a log meterwall wrote), else the visitor id, account, or address and user agent. */
export function defaultReader(entry: LogEntry): LoggedReader {
  const logged = entry.meterwall;
  if (logged !== null) {
    // A log meterwall wrote: a reader is their account, else their browser.
    const key = logged.account ?? logged.browser ?? addressKey(entry.ip, entry.userAgent);
    const by: KeyedBy = logged.account !== null ? 'account' : logged.browser !== null ? 'browser' : 'address-and-agent';
    const reader = { key, status: logged.status, entitlements: [...logged.entitlements], by };
    return logged.account === null ? reader : { ...reader, id: logged.account };
  }
  const key = entry.reader ?? entry.account ?? addressKey(entry.ip, entry.userAgent);
  const by: KeyedBy = entry.reader !== null ? 'visitor-id' : entry.account !== null ? 'account' : 'address-and-agent';
  const status = entry.status ?? (entry.account ? 'registered' : 'anonymous');
  return entry.account ? { key, status, id: entry.account, by } : { key, status, by };
}

/** The configurations a run compares: each candidate merged over the site's options, or the options alone. */
export function candidatesOf(config: SimulationConfig): Array<{ readonly name: string; readonly options: Partial<PaywallOptions> }> {
  return config.configurations?.length
    ? config.configurations.map((c) => ({ name: c.name, options: { ...config.options, ...c.options } }))
    : [{ name: 'configuration', options: config.options }];
}
