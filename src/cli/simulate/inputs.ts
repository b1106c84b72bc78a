/**
 * Several logs as one stream in time order: the logs of several servers (or rotated files) are
 * merged by time, line by line, holding one entry per log. A log whose own lines go back in time
 * (two servers' logs concatenated) is counted, so the run can say so: its order is replayed as it
 * stands, which is not how the readers lived it.
 */
import { type LogFormat, logFormat } from './formats.js';
import { type LogCounts, type LogEntry, logCounts, readLog } from './log.js';
import { mergeSorted } from './merge.js';

/** Lines that went back in time within one log, past a minute of jitter (servers' clocks, slow requests). */
export const JITTER_MS = 60_000;

/** What reading several logs met: each log's counts, and the lines out of time order. */
export interface InputCounts {
  readonly logs: ReadonlyArray<{ readonly path: string; readonly counts: LogCounts }>;
  /** Lines earlier than the line before them in the same log, by more than a minute. */
  outOfOrder: number;
  /** The first such line: its log and line number. */
  firstOutOfOrder: { readonly path: string; readonly line: number } | null;
}

/** The entries of `paths` (`-` is standard input) merged in time order; ties keep the order of `paths`. */
export function readLogs(
  paths: readonly string[],
  format: LogFormat = logFormat(),
): { entries: AsyncGenerator<LogEntry>; counts: InputCounts } {
  const logs = paths.map((path) => ({ path, counts: logCounts() }));
  const counts: InputCounts = { logs, outOfOrder: 0, firstOutOfOrder: null };
  /** A log's entries, each one earlier than the latest before it counted (past a minute of jitter). */
  async function* watched(path: string, log: LogCounts): AsyncGenerator<LogEntry> {
    let last = Number.NEGATIVE_INFINITY;
    for await (const entry of readLog(path, log, format)) {
      if (entry.time < last - JITTER_MS) {
        counts.outOfOrder++;
        counts.firstOutOfOrder ??= { path, line: entry.line ?? 0 };
      }
      last = Math.max(last, entry.time);
      yield entry;
    }
  }
  const merged = () =>
    mergeSorted(
      logs.map(({ path, counts: c }) => watched(path, c)),
      (entry) => entry.time,
    );
  return { entries: merged(), counts };
}

/** The counts of several logs added up (for the report of what was not replayed). */
export function totalCounts(counts: InputCounts): LogCounts {
  const total = logCounts();
  for (const { counts: c } of counts.logs) {
    total.lines += c.lines;
    total.skipped += c.skipped;
    total.bytes += c.bytes;
    for (const [reason, n] of c.reasons) total.reasons.set(reason, (total.reasons.get(reason) ?? 0) + n);
    for (const example of c.examples) if (total.examples.length < 3) total.examples.push(example);
    for (const [name, n] of c.formats) total.formats.set(name, (total.formats.get(name) ?? 0) + n);
    if (c.truncated !== null) total.truncated = total.truncated === null ? c.truncated : `${total.truncated}; ${c.truncated}`;
  }
  return total;
}
