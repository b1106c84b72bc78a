/**
 * Reading an access log for the simulator, streamed line by line (plain or gzip, told by its first
 * bytes): nginx/Apache combined format, or JSON lines with at least a time, a URL and, best, a
 * reader key, told apart line by line. Lines that cannot be read are counted with why and a few
 * examples, never fatal; a line longer than {@link MAX_LINE} bytes is skipped without being held
 * in memory (one 600 MB line in a small gzip is a line like any other), and a gzip cut short ends
 * the reading with a note, keeping what came before.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { LogEntry } from './entry.js';
import { type FormatName, isJson, type LogFormat, logFormat, parseCombined, parseJsonLine } from './formats.js';

export type { LogEntry } from './entry.js';
export { parseCombined, parseJsonLine } from './formats.js';

/** The longest line read, in bytes: a request line, its headers and a JSON record fit many times over. */
export const MAX_LINE = 64 * 1024;
/** Examples of unreadable lines kept for the report, and how much of each. */
const EXAMPLES = 3;
const EXAMPLE_LENGTH = 120;

/** Why a line was not replayed. */
export type SkipReason = 'unknown-format' | 'no-time-or-url' | 'too-long' | 'bad-url' | 'config-error';

/** What reading (and replaying) a log met besides entries. */
export interface LogCounts {
  /** Non-empty lines read. */
  lines: number;
  /** Lines not replayed, by any reason. */
  skipped: number;
  /** Bytes read from the file (compressed, for a gzip). */
  bytes: number;
  readonly reasons: Map<SkipReason, number>;
  /** The first few lines not replayed: their number, why, and how they start. */
  readonly examples: Array<{ readonly line: number; readonly reason: SkipReason; readonly text: string }>;
  /** Why the input ended early (a gzip cut short), or `null`. */
  truncated: string | null;
  /** Lines read, by the format they were read as. */
  readonly formats: Map<FormatName, number>;
}

/** Counts that nothing has been read into yet. */
export function logCounts(): LogCounts {
  return { lines: 0, skipped: 0, bytes: 0, reasons: new Map(), examples: [], truncated: null, formats: new Map() };
}

/** Counts a line that is not replayed. */
export function skipLine(counts: LogCounts, line: number, reason: SkipReason, text: string): void {
  counts.skipped++;
  counts.reasons.set(reason, (counts.reasons.get(reason) ?? 0) + 1);
  if (counts.examples.length < EXAMPLES) counts.examples.push({ line, reason, text: text.slice(0, EXAMPLE_LENGTH) });
}

/** The lines of `input`, each at most `max` bytes (a longer one is `tooLong`, with its start only). */
async function* linesOf(input: Readable, max: number): AsyncGenerator<{ readonly text: string; readonly tooLong: boolean }> {
  let parts: Buffer[] = [];
  let length = 0;
  let dropping = false;
  let head = '';
  const line = () => {
    const text = dropping ? head : Buffer.concat(parts, length).toString('utf8');
    const done = { text: text.endsWith('\r') ? text.slice(0, -1) : text, tooLong: dropping };
    parts = [];
    length = 0;
    dropping = false;
    return done;
  };
  for await (const chunk of input as AsyncIterable<Buffer>) {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline === -1 ? chunk.length : newline;
      if (!dropping && length + (end - start) > max) {
        // Too long: keep how it starts, and nothing more of it.
        head = Buffer.concat([...parts, chunk.subarray(start, Math.min(end, start + EXAMPLE_LENGTH))])
          .subarray(0, EXAMPLE_LENGTH)
          .toString('utf8');
        dropping = true;
        parts = [];
        length = 0;
      } else if (!dropping) {
        parts.push(chunk.subarray(start, end));
        length += end - start;
      }
      if (newline === -1) break;
      yield line();
      start = newline + 1;
    }
  }
  if (dropping || length > 0) yield line();
}

/** A log's decompressed bytes (plain or gzip, told by its first bytes); `counts.bytes` follows what is read of the file. */
export async function openLog(path: string, counts: LogCounts): Promise<{ readonly input: Readable; readonly file: Readable }> {
  // `-` is the standard input (a log piped in, `zcat *.gz | meterwall simulate -`).
  const file: Readable = path === '-' ? process.stdin : createReadStream(path);
  const first = await new Promise<Buffer | null>((resolve, reject) => {
    file.once('readable', () => resolve(file.read(2) as Buffer | null));
    file.once('error', reject);
  });
  if (first !== null) file.unshift(first);
  const gzip = first !== null && first[0] === 0x1f && first[1] === 0x8b;
  file.on('data', (chunk: Buffer | string) => {
    counts.bytes += chunk.length;
  });
  return { input: gzip ? file.pipe(createGunzip()) : file, file };
}

/** Whether a line is read as JSON (else as combined). */
export const isJsonLine = (text: string): boolean => text.trimStart().startsWith('{');

/**
 * One line of a log read (its number in the file, 1-based): the entry, or `null` when it is empty
 * or cannot be read (counted in `counts` with why). Told line by line: a log may mix formats, and
 * its first line may be cut by rotation.
 */
export function readLine(text: string, number: number, path: string, format: LogFormat, counts: LogCounts): LogEntry | null {
  if (text === '') return null;
  counts.lines++;
  const json = isJsonLine(text);
  const at = { line: number, log: path };
  const fromJson = json ? parseJsonLine(text, format, at) : null;
  const read = json ? fromJson : parseCombined(text, format, at);
  if (read === null) {
    skipLine(counts, number, json && isJson(text) ? 'no-time-or-url' : 'unknown-format', text);
    return null;
  }
  const name: FormatName = fromJson?.format ?? 'combined';
  counts.formats.set(name, (counts.formats.get(name) ?? 0) + 1);
  return read;
}

/** Counts a line longer than {@link MAX_LINE} (only how it starts is kept). */
export function tooLongLine(counts: LogCounts, number: number, head: string): void {
  counts.lines++;
  skipLine(counts, number, 'too-long', head);
}

/**
 * Whether `error` is a gzip cut short (rotated while written, a partial download): what came
 * before stands, and `counts` says where it stopped. Anything else (a read error, a bug) is not
 * the log's end, and is not taken for one.
 */
export function truncatedBy(error: unknown, path: string, lines: number, counts: LogCounts): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (!(typeof code === 'string' && code.startsWith('Z_'))) return false;
  const why = error instanceof Error ? error.message : String(error);
  counts.truncated = `${path === '-' ? 'standard input' : path}: ${why}, after line ${lines.toLocaleString('en-GB')} (${counts.bytes.toLocaleString('en-GB')} bytes read)`;
  return true;
}

/**
 * The entries of a log file (plain or gzip), in file order. What cannot be read is counted in
 * `counts` (with why, and a few examples); a gzip cut short ends the entries with a note.
 */
export async function* readLog(path: string, counts: LogCounts, format: LogFormat = logFormat()): AsyncGenerator<LogEntry> {
  const { input, file } = await openLog(path, counts);
  let number = 0;
  try {
    for await (const { text, tooLong } of linesOf(input, MAX_LINE)) {
      number++;
      if (tooLong) tooLongLine(counts, number, text);
      const read = tooLong ? null : readLine(text, number, path, format, counts);
      if (read !== null) yield read;
    }
  } catch (error) {
    if (!truncatedBy(error, path, number, counts)) throw error;
    file.destroy();
  }
}
