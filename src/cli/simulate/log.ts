/**
 * Reading an access log for the simulator, streamed line by line (plain or gzip, told by its first
 * bytes): nginx/Apache combined format, or JSON lines with at least a time, a URL and, best, a
 * reader key. Lines that cannot be read are counted, never fatal.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { ReaderStatus } from '../../types.js';

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
  /** JSON lines: every field as logged (for the config's own mapping). */
  readonly fields: Readonly<Record<string, unknown>> | null;
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
    fields,
  };
}

/** The entries of a log file (plain or gzip), in file order; `skipped` counts lines that could not be read. */
export async function* readLog(path: string, counts: { lines: number; skipped: number; bytes: number }): AsyncGenerator<LogEntry> {
  const file = createReadStream(path);
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
  let parse: ((line: string) => LogEntry | null) | null = null;
  for await (const line of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
    if (line === '') continue;
    counts.lines++;
    parse ??= line.trimStart().startsWith('{') ? parseJsonLine : parseCombined;
    const entry = parse(line);
    if (entry === null) counts.skipped++;
    else yield entry;
  }
}
