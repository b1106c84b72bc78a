/**
 * The log formats the simulator reads, told apart line by line: nginx/Apache `combined` (with
 * extra quoted fields after the user agent: a visitor-id cookie, `X-Forwarded-For`), and JSON
 * lines: meterwall's own (`paywall.accessLogFields` under `meterwall`), Cloudflare Logpush
 * (`EdgeStartTimestamp`, `ClientRequestURI`…), Fastly's JSON (`client_ip`, `request_user_agent`…),
 * nginx's JSON (`remote_addr`, `request_uri`…), or any JSON with a field map. Behind a CDN or a
 * proxy the client is the last `X-Forwarded-For` hop outside the trusted proxies.
 */
import { inRange, type IpRange, parseIp, parseRange } from '../../util/ip.js';
import type { ReaderStatus } from '../../types.js';
import { loggedFields } from './logged-fields.js';
import type { LogEntry } from './entry.js';

/** Which format a line was read as (the run says how much of each). */
export type FormatName = 'meterwall' | 'combined' | 'cloudflare' | 'fastly' | 'json';

/** The fields a JSON line may be mapped from (dotted paths: `Cookies.vid`). */
export const MAPPED_FIELDS = [
  'time',
  'url',
  'method',
  'ip',
  'userAgent',
  'referer',
  'code',
  'reader',
  'account',
  'status',
  'forwardedFor',
] as const;
export type MappedField = (typeof MAPPED_FIELDS)[number];

/** How to read the logs: the config module's `log`. */
export interface LogOptions {
  /** A combined log's quoted fields after the user agent, in order: `visitor` (a visitor-id cookie), `forwarded-for`, or `ignore`. */
  readonly extraFields?: ReadonlyArray<'visitor' | 'forwarded-for' | 'ignore'>;
  /** The addresses of the site's proxies and CDN (CIDR ranges): the client is the last `X-Forwarded-For` hop outside them. */
  readonly trustedProxies?: readonly string[];
  /** JSON lines: where each field is, as a dotted path (`{ reader: 'Cookies.vid', time: 'ts' }`); it wins over the known names. */
  readonly fields?: Partial<Record<MappedField, string>>;
}

/** The options, checked once: a TypeError naming the option for a mistake. */
export interface LogFormat {
  readonly extraFields: ReadonlyArray<'visitor' | 'forwarded-for' | 'ignore'>;
  readonly trusted: readonly IpRange[];
  readonly fields: Partial<Record<MappedField, readonly string[]>>;
}

export function logFormat(options: LogOptions = {}): LogFormat {
  for (const key of Object.keys(options))
    if (key !== 'extraFields' && key !== 'trustedProxies' && key !== 'fields')
      throw new TypeError(`log.${key} is not an option (extraFields, trustedProxies, fields)`);
  const extraFields = options.extraFields ?? [];
  for (const field of extraFields)
    if (field !== 'visitor' && field !== 'forwarded-for' && field !== 'ignore')
      throw new TypeError(`log.extraFields: ${String(field)} is not visitor, forwarded-for or ignore`);
  const trusted = (options.trustedProxies ?? []).map((range) => {
    const parsed = parseRange(range);
    if (parsed === null) throw new TypeError(`log.trustedProxies: ${String(range)} is not an address or a CIDR range`);
    return parsed;
  });
  const fields: Partial<Record<MappedField, readonly string[]>> = {};
  for (const [name, path] of Object.entries(options.fields ?? {})) {
    if (!(MAPPED_FIELDS as readonly string[]).includes(name))
      throw new TypeError(`log.fields.${name} is not a field (${MAPPED_FIELDS.join(', ')})`);
    if (typeof path !== 'string' || path === '') throw new TypeError(`log.fields.${name} must be a dotted path such as Cookies.vid`);
    fields[name as MappedField] = path.split('.');
  }
  return { extraFields, trusted, fields };
}

/**
 * The client behind trusted proxies: walking `X-Forwarded-For` from the right, past every hop
 * that is a trusted proxy, starting from the connection's address, which must be one itself.
 */
export function clientBehind(connection: string | null, forwardedFor: string | null, trusted: readonly IpRange[]): string | null {
  if (trusted.length === 0 || forwardedFor === null) return connection;
  const isTrusted = (text: string): boolean => {
    const ip = parseIp(text);
    return ip !== null && trusted.some((range) => inRange(ip, range));
  };
  if (connection === null || !isTrusted(connection)) return connection;
  const hops = forwardedFor
    .split(',')
    .map((hop) => hop.trim())
    .filter((hop) => hop !== '');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string;
    if (parseIp(hop) === null) return connection; // a hop no one can read: stop at what is known
    if (!isTrusted(hop)) return hop;
  }
  return hops[0] ?? connection;
}

const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** A month by its three letters as a number (a Map of numbers is looked up without a string made or hashed). */
const MONTHS = new Map(MONTH_NAMES.map((name, i) => [(name.charCodeAt(0) << 16) | (name.charCodeAt(1) << 8) | name.charCodeAt(2), i]));
// 127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.0" 200 2326 "http://ref/" "Mozilla/4.08" "extra"…
// The time is one capture (read by its places, below): fewer strings made for each line.
const COMBINED =
  /^(\S+) \S+ \S+ \[(\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4})\] "(\S+) (\S+)(?: [^"]*)?" (\d{3}) \S+(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?((?: "(?:[^"\\]|\\.)*")*)\s*$/;
const EXTRA = /"((?:[^"\\]|\\.)*)"/g;
const STATUSES = new Set<string>(['anonymous', 'registered', 'subscriber']);

const dash = (value: string | undefined): string | null => (value === undefined || value === '-' || value === '' ? null : value);

/** The start of the last day read, UTC, by its date and zone (a log's lines share days: one `Date.UTC` a day, not a line). */
let lastDay = -1;
let lastDayStart = 0;

/** `dd/Mon/yyyy:hh:mm:ss ±hhmm` (the digits checked by the pattern) as ms since 1970, or NaN for an unknown month. */
function combinedTime(stamp: string): number {
  const digit = (at: number): number => stamp.charCodeAt(at) - 48;
  const month = MONTHS.get((stamp.charCodeAt(3) << 16) | (stamp.charCodeAt(4) << 8) | stamp.charCodeAt(5));
  if (month === undefined) return Number.NaN;
  const day = digit(0) * 10 + digit(1);
  const year = digit(7) * 1000 + digit(8) * 100 + digit(9) * 10 + digit(10);
  const zone = (stamp.charCodeAt(21) === 45 ? -1 : 1) * ((digit(22) * 10 + digit(23)) * 60 + digit(24) * 10 + digit(25));
  const key = ((year * 12 + month) * 32 + day) * 4096 + (zone + 2048);
  if (key !== lastDay) {
    lastDayStart = Date.UTC(year, month, day) - zone * 60_000;
    lastDay = key;
  }
  const seconds = (digit(12) * 10 + digit(13)) * 3600 + (digit(15) * 10 + digit(16)) * 60 + digit(18) * 10 + digit(19);
  return lastDayStart + seconds * 1000;
}

/** A combined-format line, or `null`. */
export function parseCombined(
  line: string,
  format: LogFormat = logFormat(),
  where?: { readonly line: number; readonly log: string },
): LogEntry | null {
  const m = COMBINED.exec(line);
  if (m === null) return null;
  const time = combinedTime(m[2] as string);
  if (Number.isNaN(time)) return null;
  let reader: string | null = null;
  let forwardedFor: string | null = null;
  if (m[8]) {
    let i = 0;
    for (const [, value] of m[8].matchAll(EXTRA)) {
      const kind = format.extraFields[i++];
      if (kind === 'visitor') reader = dash(value);
      else if (kind === 'forwarded-for') forwardedFor = dash(value);
    }
  }
  const method = m[3] as string;
  const url = m[4] as string;
  const ip = clientBehind(dash(m[1]), forwardedFor, format.trusted);
  const code = Number(m[5]);
  const referer = dash(m[6]);
  const userAgent = dash(m[7]);
  // Written out, not spread: this runs for every line of the log.
  return where === undefined
    ? { time, method, url, ip, code, referer, userAgent, reader, account: null, status: null, meterwall: null, fields: null }
    : {
        time,
        method,
        url,
        ip,
        code,
        referer,
        userAgent,
        reader,
        account: null,
        status: null,
        meterwall: null,
        fields: null,
        line: where.line,
        log: where.log,
      };
}

/** A time as logs write it: ISO 8601, or a number of seconds, milliseconds, microseconds or nanoseconds since 1970. */
function timeOf(value: unknown): number {
  const n = typeof value === 'string' && /^\d{9,19}(\.\d+)?$/.test(value) ? Number(value) : value;
  if (typeof n === 'number') {
    if (!Number.isFinite(n)) return Number.NaN;
    if (n > 1e17) return Math.floor(n / 1e6); // ns (Cloudflare's unixnano)
    if (n > 1e14) return Math.floor(n / 1e3); // µs
    return n < 1e11 ? n * 1000 : n; // s or ms
  }
  return typeof n === 'string' ? Date.parse(n) : Number.NaN;
}

const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' && value !== '-' ? value : null);

/** The known names of each field, by format, tried in order. */
const KNOWN: Readonly<Record<MappedField, readonly string[]>> = {
  time: ['time', 'timestamp', 'EdgeStartTimestamp', 'time_start', '@timestamp', 'time_iso8601', 'timestamp_iso8601'],
  url: ['url', 'path', 'ClientRequestURI', 'request_uri', 'request_url', 'uri'],
  method: ['method', 'ClientRequestMethod', 'request_method'],
  ip: ['ip', 'ClientIP', 'client_ip', 'remote_addr'],
  userAgent: ['ua', 'userAgent', 'ClientRequestUserAgent', 'request_user_agent', 'http_user_agent', 'user_agent'],
  referer: ['referer', 'ClientRequestReferer', 'request_referer', 'http_referer'],
  code: ['code', 'EdgeResponseStatus', 'response_status', 'status'],
  reader: ['reader', 'visitor', 'visitor_id'],
  account: ['account'],
  status: ['status'],
  forwardedFor: ['http_x_forwarded_for', 'x_forwarded_for', 'forwarded_for'],
};

function at(fields: Readonly<Record<string, unknown>>, path: readonly string[]): unknown {
  let value: unknown = fields;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** The JSON line's format, by the names it uses. */
function formatOf(fields: Readonly<Record<string, unknown>>): FormatName {
  if ('EdgeStartTimestamp' in fields || 'ClientRequestURI' in fields) return 'cloudflare';
  if ('client_ip' in fields && ('request_user_agent' in fields || 'response_status' in fields)) return 'fastly';
  return 'json';
}

/** A JSON line, or `null`; `format` tells which format it was read as. */
export function parseJsonLine(
  line: string,
  format: LogFormat = logFormat(),
  where?: { readonly line: number; readonly log: string },
): (LogEntry & { readonly format: FormatName }) | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return null;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  const fields = parsed as Record<string, unknown>;
  const get = (name: MappedField): unknown => {
    const mapped = format.fields[name];
    if (mapped !== undefined) return at(fields, mapped);
    for (const key of KNOWN[name]) if (Object.hasOwn(fields, key) && fields[key] !== undefined) return fields[key];
    return undefined;
  };
  const time = timeOf(get('time'));
  const url = str(get('url'));
  if (Number.isNaN(time) || url === null) return null;
  const statusText = str(get('status'));
  const code = get('code');
  const numeric = typeof code === 'number' ? code : typeof code === 'string' && /^\d{3}$/.test(code) ? Number(code) : null;
  const meterwall = loggedFields(fields['meterwall']);
  return {
    time,
    method: str(get('method'))?.toUpperCase() ?? 'GET',
    url,
    ip: clientBehind(str(get('ip')), str(get('forwardedFor')), format.trusted),
    userAgent: str(get('userAgent')),
    referer: str(get('referer')),
    code: numeric,
    reader: str(get('reader')),
    account: str(get('account')),
    status: statusText !== null && STATUSES.has(statusText) ? (statusText as ReaderStatus) : null,
    meterwall,
    fields,
    format: meterwall !== null ? 'meterwall' : formatOf(fields),
    ...where,
  };
}

/** Whether `text` is JSON at all (a JSON line without a time or URL is told apart from another format). */
export function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
