/**
 * What the simulator counts for each candidate configuration: readers, article views (page views:
 * a HEAD, a prefetch or a bot is counted apart), views that were full / teaser / prompt, the share of readers who met the prompt and the teaser, views per
 * reader, and the same by section and by day. Memory grows with distinct readers only (one
 * number per reader and configuration). Every table keyed by what the log says (a section, a
 * day, a reader) is a `Map`: a path such as `/__proto__/x` is a key like any other.
 */
import type { Decision } from '../../types.js';

/** Views and what they got. */
export interface Tally {
  views: number;
  full: number;
  teaser: number;
  prompt: number;
}

/** One configuration's results. */
export interface CandidateStats {
  readonly name: string;
  readers: number;
  /** Article requests that were not page views (HEAD, prefetches, previews, bots): decided, never counted here. */
  notPageViews: number;
  /** Readers who met the prompt (at least once), and the teaser. */
  metPrompt: number;
  metTeaser: number;
  readonly total: Tally;
  /** Decisions by reason. */
  readonly reasons: Map<string, number>;
  /** Readers by how many article views they made: `1`, `2`, `3`, `4-5`, `6-10`, `11-20`, `21+`. */
  readonly viewsPerReader: Record<(typeof VIEW_BUCKETS)[number], number>;
  readonly bySection: Map<string, Tally>;
  /** By day (`YYYY-MM-DD` in the site's time zone). */
  readonly byDay: Map<string, Tally>;
}

export const VIEW_BUCKETS = ['1', '2', '3', '4-5', '6-10', '11-20', '21+'] as const;

function bucketOf(views: number): (typeof VIEW_BUCKETS)[number] {
  if (views <= 3) return VIEW_BUCKETS[views - 1] as (typeof VIEW_BUCKETS)[number];
  if (views <= 5) return '4-5';
  if (views <= 10) return '6-10';
  return views <= 20 ? '11-20' : '21+';
}

const tally = (): Tally => ({ views: 0, full: 0, teaser: 0, prompt: 0 });

/** The tally of `key` in `table`, made on first use. */
function slot(table: Map<string, Tally>, key: string): Tally {
  let t = table.get(key);
  if (t === undefined) {
    t = tally();
    table.set(key, t);
  }
  return t;
}

function add(t: Tally, access: Decision['access']): void {
  t.views++;
  t[access]++;
}

/** Counts one configuration's decisions. */
export class StatsCollector {
  readonly stats: CandidateStats;
  /**
   * Per reader, by their number (run.ts `PartitionReplay`; dense: each reader's first request
   * comes here before any later reader's): views × 4 + (met the prompt ? 1 : 0) + (met the
   * teaser ? 2 : 0), 0 for one who made no page view.
   */
  readonly #readers: number[] = [];

  constructor(name: string) {
    this.stats = {
      name,
      readers: 0,
      notPageViews: 0,
      metPrompt: 0,
      metTeaser: 0,
      total: tally(),
      reasons: new Map(),
      viewsPerReader: { '1': 0, '2': 0, '3': 0, '4-5': 0, '6-10': 0, '11-20': 0, '21+': 0 },
      bySection: new Map(),
      byDay: new Map(),
    };
  }

  /** Counts a decision; one on a request that was no page view (a HEAD, a prefetch, a bot) is counted apart, whatever decided it. */
  add(reader: number, decision: Decision, section: string, day: string, pageView = true): void {
    const s = this.stats;
    const readers = this.#readers;
    while (readers.length <= reader) readers.push(0);
    if (!pageView || decision.reason === 'not-counted') {
      s.notPageViews++;
      return;
    }
    add(s.total, decision.access);
    add(slot(s.bySection, section), decision.access);
    add(slot(s.byDay, day), decision.access);
    s.reasons.set(decision.reason, (s.reasons.get(decision.reason) ?? 0) + 1);
    const flag = decision.access === 'prompt' ? 1 : decision.access === 'teaser' ? 2 : 0;
    readers[reader] = ((readers[reader] as number) + 4) | flag;
  }

  /** The results, with the per-reader figures summed up. */
  finish(): CandidateStats {
    const s = this.stats;
    s.readers = 0;
    for (const bucket of VIEW_BUCKETS) s.viewsPerReader[bucket] = 0;
    for (const packed of this.#readers) {
      if (packed === 0) continue;
      s.readers++;
      if (packed & 1) s.metPrompt++;
      if (packed & 2) s.metTeaser++;
      s.viewsPerReader[bucketOf(packed >>> 2)]++;
    }
    return s;
  }
}

/** One configuration's counts as a worker thread sends them (its maps as entry lists). */
export type SentStats = Omit<CandidateStats, 'reasons' | 'bySection' | 'byDay'> & {
  readonly reasons: Array<[string, number]>;
  readonly bySection: Array<[string, Tally]>;
  readonly byDay: Array<[string, Tally]>;
};

export function sendStats(s: CandidateStats): SentStats {
  return { ...s, reasons: [...s.reasons], bySection: [...s.bySection], byDay: [...s.byDay] };
}

function addTally(into: Tally, t: Tally): void {
  into.views += t.views;
  into.full += t.full;
  into.teaser += t.teaser;
  into.prompt += t.prompt;
}

/**
 * Adds one partition's counts of a configuration to `into`. Partitions hold disjoint readers, so
 * every count, readers included, is a sum.
 */
export function addStats(into: CandidateStats, s: SentStats): void {
  into.readers += s.readers;
  into.notPageViews += s.notPageViews;
  into.metPrompt += s.metPrompt;
  into.metTeaser += s.metTeaser;
  addTally(into.total, s.total);
  for (const [reason, n] of s.reasons) into.reasons.set(reason, (into.reasons.get(reason) ?? 0) + n);
  for (const bucket of VIEW_BUCKETS) into.viewsPerReader[bucket] += s.viewsPerReader[bucket];
  for (const [key, t] of s.bySection) addTally(slot(into.bySection, key), t);
  for (const [key, t] of s.byDay) addTally(slot(into.byDay, key), t);
}

/** Empty counts for a configuration (the sum of no partition). */
export function emptyStats(name: string): CandidateStats {
  return new StatsCollector(name).finish();
}
