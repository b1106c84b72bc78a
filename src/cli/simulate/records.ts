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

/**
 * A record as one line of a spill file: a JSON array in a fixed order (no key repeated on every
 * line: half the bytes, and faster to write and read than the object).
 */
export function encodeRecord(r: SimRecord): string {
  return `${JSON.stringify([r.seq, r.time, r.line, r.log, r.method, r.url, r.userAgent, r.referer, r.ip, r.key, r.reader, r.logged, r.fresh, r.article, r.section, r.day])}\n`;
}

/** A spill file's line back as a record (the run wrote it: it is trusted). */
export function decodeRecord(line: string): SimRecord {
  const [seq, time, at, log, method, url, userAgent, referer, ip, key, reader, logged, fresh, article, section, day] = JSON.parse(line) as [
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
    SimRecord['article'],
    string,
    string,
  ];
  return { seq, time, line: at, log, method, url, userAgent, referer, ip, key, reader, logged, fresh, article, section, day };
}
