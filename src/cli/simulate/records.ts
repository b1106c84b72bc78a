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
  readonly article: Article;
  readonly section: string;
  /** Its day in the site's time zone (`YYYY-MM-DD`). */
  readonly day: string;
}

/** The distinct articles of a run, each encoded once: a record names its article by its place here. */
export class ArticleTable {
  readonly articles: Article[] = [];
  readonly #index = new Map<string, number>();

  /** The place of `article` (the same facts: the same place). */
  indexOf(article: Article): number {
    const published = article.publishedAt instanceof Date ? article.publishedAt.getTime() : (article.publishedAt ?? '');
    const key = `${article.id}\u0000${article.access ?? ''}\u0000${article.section ?? ''}\u0000${article.type ?? ''}\u0000${published}\u0000${article.requires?.join('\u0001') ?? ''}\u0000${article.tags?.join('\u0001') ?? ''}`;
    let index = this.#index.get(key);
    if (index === undefined) {
      index = this.articles.length;
      this.articles.push(article);
      this.#index.set(key, index);
    }
    return index;
  }
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
  return `[${r.seq},${r.time},${r.line ?? 'null'},${r.log},${q(r.method)},${q(r.url)},${q(r.userAgent)},${q(r.referer)},${q(r.ip)},${q(r.key)},${reader},${logged},${r.fresh ?? 'null'},${article},${q(r.day)}]\n`;
}

/** A spill file's line back as a record (the run wrote it: it is trusted). */
export function decodeRecord(line: string, articles: readonly Article[]): SimRecord {
  const [seq, time, at, log, method, url, userAgent, referer, ip, key, reader, logged, fresh, index, day] = JSON.parse(line) as [
    number,
    number,
    number | null,
    number,
    string,
    string,
    string | null,
    string | null,
    string | null,
    string,
    SimRecord['reader'],
    SimRecord['logged'],
    number | null,
    number,
    string,
  ];
  const article = articles[index] as Article;
  return {
    seq,
    time,
    line: at,
    log,
    method,
    url,
    userAgent,
    referer,
    ip,
    key,
    reader,
    logged,
    fresh,
    article,
    section: article.section ?? '(none)',
    day,
  };
}
