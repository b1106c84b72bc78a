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
import type { ReaderStatus } from '../../types.js';
import { type AccessLogFields, loggedFields } from './logged-fields.js';

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
}

/** Counts that nothing has been read into yet. */
export function logCounts(): LogCounts {
  return { lines: 0, skipped: 0, bytes: 0, reasons: new Map(), examples: [], truncated: null };
}

/** Counts a line that is not replayed. */
export function skipLine(counts: LogCounts, line: number, reason: SkipReason, text: string): void {
  counts.skipped++;
  counts.reasons.set(reason, (counts.reasons.get(reason) ?? 0) + 1);
  if (counts.examples.length < EXAMPLES) counts.examples.push({ line, reason, text: text.slice(0, EXAMPLE_LENGTH) });
}

/** One request from the log. */
export interface LogEntry {
  /** ms since epoch. */
  readonly time: number;
  readonly method: string;
  /** The request target (a path with its query, or an absolute URL). */
  readonly url: string;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly referer: string | null;
  /** The HTTP status the site answered, when the log has it. */
  readonly code: number | null;
  /** JSON lines: the reader key the log gives (`reader`), the account (`account`) and the reader's status (`status`). */
  readonly reader: string | null;
  readonly account: string | null;
  readonly status: ReaderStatus | null;
  /** What meterwall logged of its decision (`paywall.accessLogFields`), or `null`. */
  readonly meterwall: AccessLogFields | null;
  /** JSON lines: every field as logged (for the config's own mapping). */
  readonly fields: Readonly<Record<string, unknown>> | null;
  /** Its line in the file (1-based), when read from one. */
  readonly line?: number;
  /** The log it was read from (`-` for standard input), when read from one. */
  readonly log?: string;
}

const MONTHS: Readonly<Record<string, number>> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};
// 127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.0" 200 2326 "http://ref/" "Mozilla/4.08"
const COMBINED =
  /^(\S+) \S+ \S+ \[(\d{2})\/(\w{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})\] "(\S+) (\S+)(?: [^"]*)?" (\d{3}) \S+(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?/;
const STATUSES = new Set<string>(['anonymous', 'registered', 'subscriber']);

const dash = (value: string | undefined): string | null => (value === undefined || value === '-' || value === '' ? null : value);

/** A combined-format line, or `null`. */
export function parseCombined(line: string): LogEntry | null {
  const m = COMBINED.exec(line);
  if (m === null) return null;
  const month = MONTHS[m[3] as string];
  if (month === undefined) return null;
  const offset = (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10])) * 60_000;
  const time = Date.UTC(Number(m[4]), month, Number(m[2]), Number(m[5]), Number(m[6]), Number(m[7])) - offset;
  return {
    time,
    method: m[11] as string,
    url: m[12] as string,
    ip: dash(m[1]),
    code: Number(m[13]),
    referer: dash(m[14]),
    userAgent: dash(m[15]),
    reader: null,
    account: null,
    status: null,
    meterwall: null,
    fields: null,
  };
}

function timeOf(value: unknown): number {
  if (typeof value === 'number') return value < 1e11 ? value * 1000 : value; // seconds or ms
  return typeof value === 'string' ? Date.parse(value) : Number.NaN;
}

const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** A JSON line, or `null`. Fields: `time` (ISO, s or ms), `url`, and optionally `reader`, `account`, `status`, `method`, `ip`, `ua`/`userAgent`, `referer`, `code`. */
export function parseJsonLine(line: string): LogEntry | null {
  let fields: Record<string, unknown>;
  try {
    fields = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (fields === null || typeof fields !== 'object') return null;
  const time = timeOf(fields['time'] ?? fields['timestamp']);
  const url = str(fields['url']) ?? str(fields['path']);
  if (Number.isNaN(time) || url === null) return null;
  const status = str(fields['status']);
  return {
    time,
    method: str(fields['method']) ?? 'GET',
    url,
    ip: str(fields['ip']),
    userAgent: str(fields['ua']) ?? str(fields['userAgent']),
    referer: str(fields['referer']),
    code: typeof fields['code'] === 'number' ? fields['code'] : null,
    reader: str(fields['reader']),
    account: str(fields['account']),
    status: status !== null && STATUSES.has(status) ? (status as ReaderStatus) : null,
    meterwall: loggedFields(fields['meterwall']),
    fields,
  };
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

/**
 * The entries of a log file (plain or gzip), in file order. What cannot be read is counted in
 * `counts` (with why, and a few examples); a gzip cut short ends the entries with a note.
 */
export async function* readLog(path: string, counts: LogCounts): AsyncGenerator<LogEntry> {
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
  const input: Readable = gzip ? file.pipe(createGunzip()) : file;
  let number = 0;
  try {
    for await (const { text, tooLong } of linesOf(input, MAX_LINE)) {
      number++;
      if (text === '' && !tooLong) continue;
      counts.lines++;
      if (tooLong) {
        skipLine(counts, number, 'too-long', text);
        continue;
      }
      // Told line by line: a log may mix formats, and its first line may be cut by rotation.
      const json = text.trimStart().startsWith('{');
      const entry = json ? parseJsonLine(text) : parseCombined(text);
      if (entry === null) skipLine(counts, number, json && isJson(text) ? 'no-time-or-url' : 'unknown-format', text);
      else yield { ...entry, line: number, log: path };
    }
  } catch (error) {
    // A gzip cut short (rotated while written, a partial download): what came before stands.
    const why = error instanceof Error ? error.message : String(error);
    counts.truncated = `${path === '-' ? 'standard input' : path}: ${why}, after line ${number.toLocaleString('en-GB')} (${counts.bytes.toLocaleString('en-GB')} bytes read)`;
    file.destroy();
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
