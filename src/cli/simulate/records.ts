/**
 * One article request, ready to replay: what the log said, which article, who read it and on
 * which day, as the main thread prepared it. A record is all a partition's replay needs, so it
 * is what the run spills to disk (one JSON line) and what a worker thread reads back.
 */
import type { AccessLogFields } from '../../core/decide/access-log.js';
import type { Article, Reader } from '../../types.js';

/** How a request's reader was told apart from the others. */
export type KeyedBy = 'browser' | 'visitor-id' | 'account' | 'address-and-agent' | 'config';

export interface SimRecord {
  /** Its place in the merged log (the order of replay, and of `--decisions`). */
  readonly seq: number;
  readonly time: number;
  /** Its line, and which of the logs it came from (an index into the command's list), when known. */
  readonly line: number | null;
  readonly log: number;
  readonly method: string;
  readonly url: string;
  readonly userAgent: string | null;
  readonly referer: string | null;
  readonly ip: string | null;
  /** The reader key (a browser, an account, a visitor id, address and user agent). */
  readonly key: string;
  readonly reader: Reader;
  readonly logged: AccessLogFields | null;
  /** Its place among its network's new meters that hour, when it started one live (see replay.ts). */
  readonly fresh: number | null;
  /**
   * When the log was prepared in chunks on several threads (streamed.ts): the network and hour
   * that `fresh` counts in, `fresh` being its place within its chunk only (the replay adds the
   * earlier chunks' counts); otherwise `null`.
   */
  readonly freshNetwork: string | null;
  readonly article: Article;
  readonly section: string;
  /** Its day in the site's time zone (`YYYY-MM-DD`). */
  readonly day: string;
}

/** The key of a reader told apart by address and user agent (a log without a visitor id). */
export function addressKey(ip: string | null, userAgent: string | null): string {
  return `${ip ?? '-'} ${userAgent ?? '-'}`;
}

/** Whether `r`'s reader is told apart by address and user agent (its key is {@link addressKey}; compared in place, nothing made). */
export function keyedByAddress(r: SimRecord): boolean {
  const ip = r.ip ?? '-';
  const userAgent = r.userAgent ?? '-';
  const key = r.key;
  return (
    key.length === ip.length + 1 + userAgent.length && key.charCodeAt(ip.length) === 0x20 && key.startsWith(ip) && key.endsWith(userAgent)
  );
}

/** The distinct articles of a run, each encoded once: a record names its article by its place here. */
export class ArticleTable {
  readonly articles: Article[] = [];
  /** By id, the places of the articles of that id (one, nearly always), compared field by field: no key string per record. */
  readonly #byId = new Map<string, number[]>();

  /** The place of `article` (the same facts: the same place). */
  indexOf(article: Article): number {
    const places = this.#byId.get(article.id);
    if (places !== undefined) for (const place of places) if (same(this.articles[place] as Article, article)) return place;
    const index = this.articles.length;
    this.articles.push(article);
    if (places === undefined) this.#byId.set(article.id, [index]);
    else places.push(index);
    return index;
  }
}

const time = (value: Date | string | undefined): number | string | undefined => (value instanceof Date ? value.getTime() : value);
const list = (a: readonly string[] | undefined, b: readonly string[] | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && a.length === b.length && a.every((x, i) => x === b[i]));

function same(a: Article, b: Article): boolean {
  return (
    a.access === b.access &&
    a.section === b.section &&
    a.type === b.type &&
    time(a.publishedAt) === time(b.publishedAt) &&
    list(a.requires, b.requires) &&
    list(a.tags, b.tags)
  );
}

const q = (value: string | null): string => (value === null ? 'null' : JSON.stringify(value));
const ANONYMOUS = '{"status":"anonymous","entitlements":[]}';

/**
 * A record as one line of a spill file: a JSON array in a fixed order, its article by its place
 * in the run's {@link ArticleTable} (no key repeated on every line, no article encoded twice).
 */
export function encodeRecord(r: SimRecord, article: number): string {
  const reader =
    r.reader.status === 'anonymous' && r.reader.id === undefined && r.reader.entitlements.length === 0
      ? ANONYMOUS
      : JSON.stringify(r.reader);
  const logged = r.logged === null ? 'null' : JSON.stringify(r.logged);
  // The key of a log without a visitor id is its address and user agent: written once, not twice.
  const key = keyedByAddress(r) ? '0' : q(r.key);
  // The order of a RecordTuple, the article by its place.
  return `[${r.seq},${r.time},${r.line ?? 'null'},${r.log},${q(r.method)},${q(r.url)},${q(r.userAgent)},${q(r.referer)},${q(r.ip)},${key},${reader},${logged},${r.fresh ?? 'null'},${q(r.freshNetwork)},${article},${q(r.day)}]\n`;
}

/** A spill file's line back as a record (the run wrote it: it is trusted). */
export function decodeRecord(line: string, articles: readonly Article[]): SimRecord {
  const tuple = JSON.parse(line) as Mutable<RecordTuple>;
  tuple[14] = articles[tuple[14] as unknown as number] as Article;
  return fromTuple(tuple);
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A record as it crosses to another thread: an array in a fixed order, its key left out when it is the address and user agent. */
export type RecordTuple = readonly [
  seq: number,
  time: number,
  line: number | null,
  log: number,
  method: string,
  url: string,
  userAgent: string | null,
  referer: string | null,
  ip: string | null,
  key: string | 0,
  reader: Reader | 0,
  logged: AccessLogFields | null,
  fresh: number | null,
  freshNetwork: string | null,
  article: Article,
  day: string,
];

const ANONYMOUS_READER: Reader = Object.freeze({ status: 'anonymous', entitlements: Object.freeze([]) as unknown as string[] });

/** `r` as a {@link RecordTuple} (cheaper to clone than the object: no keys, no repeated key). */
export function toTuple(r: SimRecord): RecordTuple {
  const plain = r.reader.status === 'anonymous' && r.reader.id === undefined && r.reader.entitlements.length === 0;
  const key = keyedByAddress(r) ? 0 : r.key;
  return [
    r.seq,
    r.time,
    r.line,
    r.log,
    r.method,
    r.url,
    r.userAgent,
    r.referer,
    r.ip,
    key,
    plain ? 0 : r.reader,
    r.logged,
    r.fresh,
    r.freshNetwork,
    r.article,
    r.day,
  ];
}

/** A {@link RecordTuple} back as a record. */
export function fromTuple(t: RecordTuple): SimRecord {
  const [seq, time, line, log, method, url, userAgent, referer, ip, key, reader, logged, fresh, freshNetwork, article, day] = t;
  return {
    seq,
    time,
    line,
    log,
    method,
    url,
    userAgent,
    referer,
    ip,
    key: key === 0 ? addressKey(ip, userAgent) : key,
    reader: reader === 0 ? ANONYMOUS_READER : reader,
    logged,
    fresh,
    freshNetwork,
    article,
    section: article.section ?? '(none)',
    day,
  };
}
