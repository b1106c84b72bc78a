/**
 * What readers share through the store, kept together across partitions: an account and every
 * reader key it is read under, a gift link and the browsers that opened it. A union-find over
 * those links only (a log without accounts or gifts holds none); after the spilling pass, the
 * records a key wrote to a bucket before it was linked are moved to its component's bucket, in
 * log order.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { COMPACT_JWS, protectedHeader, unverifiedPayload } from '../../core/jws.js';
import { GIFT_TOKEN_TYPE } from '../../features/gifts/token.js';
import type { ArticleTable, SimRecord } from './records.js';
import { BucketWriter, readRecords } from './spill.js';

/** Spill files: readers are hashed into this many, which partitions then group. */
export const BUCKETS = 64;

/** FNV-1a, 32 bits: the bucket of a key. */
export function fnv(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The id of a gift link in a URL (unverified: the log said it verified), or `null`. */
function giftIdIn(url: string): string | null {
  const query = url.indexOf('?');
  if (query === -1) return null;
  for (const pair of url.slice(query + 1).split('&')) {
    const value = pair.slice(pair.indexOf('=') + 1);
    if (!COMPACT_JWS.test(value) || protectedHeader(value)?.['typ'] !== GIFT_TOKEN_TYPE) continue;
    const jti = unverifiedPayload(value)?.['jti'];
    if (typeof jti === 'string') return jti;
  }
  return null;
}

/** A union-find over the keys links join (an account and its browsers, a gift and its openers). */
export class Links {
  readonly #parent = new Map<string, string>();
  /** The buckets each linked key's records were written to (its records before it was linked: its own). */
  readonly written = new Map<string, Set<number>>();
  get size(): number {
    return this.#parent.size;
  }
  find(key: string): string {
    let root = key;
    for (let up = this.#parent.get(root); up !== undefined && up !== root; up = this.#parent.get(root)) root = up;
    for (let at = key; at !== root; ) {
      const up = this.#parent.get(at) as string;
      this.#parent.set(at, root);
      at = up;
    }
    return root;
  }
  has(key: string): boolean {
    return this.#parent.has(key);
  }
  union(a: string, b: string): void {
    for (const key of [a, b])
      if (!this.#parent.has(key)) {
        this.#parent.set(key, key);
        this.written.set(key, new Set([fnv(key) % BUCKETS]));
      }
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.#parent.set(rb, ra);
  }
}

/** Joins the keys a record links: its reader key (a browser, a visitor) and its account; its reader and the gift it opened. */
export function linkRecord(links: Links, record: SimRecord): void {
  // An account's meter is one, whichever reader key (browser, visitor id) reads on it.
  const account = record.reader.id;
  if (account !== undefined && account !== record.key) links.union(account, record.key);
  const logged = record.logged;
  if (logged === null) return;
  if (logged.account !== null && logged.browser !== null) links.union(logged.account, logged.browser);
  if (logged.gift === 'ok') {
    const gift = giftIdIn(record.url);
    if (gift !== null) links.union(record.key, `gift\u0000${gift}`);
  }
}

/** Whether `record` links its reader to another key (what {@link linkRecord} would join). */
export function linksAnything(record: SimRecord): boolean {
  const account = record.reader.id;
  if (account !== undefined && account !== record.key) return true;
  const logged = record.logged;
  if (logged === null) return false;
  return (logged.account !== null && logged.browser !== null) || (logged.gift === 'ok' && giftIdIn(record.url) !== null);
}

/** Moves the records of linked keys written to a bucket other than their component's; returns how many moved. */
export async function moveLinked(writer: BucketWriter, links: Links, dir: string, table: ArticleTable): Promise<number> {
  const home = (key: string): number => fnv(links.find(key)) % BUCKETS;
  const from = new Set<number>();
  for (const [key, buckets] of links.written) for (const bucket of buckets) if (bucket !== home(key)) from.add(bucket);
  if (from.size === 0) return 0;
  const incoming = new Map<number, SimRecord[]>();
  const kept = new BucketWriter(join(dir, 'kept'));
  let moved = 0;
  mkdirSync(join(dir, 'kept'));
  for (const bucket of from) {
    if (!writer.counts.get(bucket)) continue;
    for await (const record of readRecords(writer.path(bucket), table.articles)) {
      const to = links.has(record.key) ? home(record.key) : bucket;
      if (to === bucket) await kept.write(bucket, record, table.indexOf(record.article));
      else {
        (incoming.get(to) ?? incoming.set(to, []).get(to))?.push(record);
        moved++;
      }
    }
  }
  await kept.close();
  for (const bucket of from) {
    if (!writer.counts.get(bucket)) continue;
    const left = kept.counts.get(bucket) ?? 0;
    // Every record moved out: the bucket is empty now.
    if (left === 0) rmSync(writer.path(bucket));
    else renameSync(kept.path(bucket), writer.path(bucket));
    writer.counts.set(bucket, left);
  }
  // The moved records join their home bucket in log order (they are few: a browser's records before its account).
  const merged = new BucketWriter(join(dir, 'kept'));
  for (const [bucket, records] of incoming) {
    records.sort((a, b) => a.seq - b.seq);
    const own = existsSync(writer.path(bucket)) ? readRecords(writer.path(bucket), table.articles) : null;
    let next = own === null ? null : await own.next();
    for (const record of records) {
      while (next !== null && !next.done && next.value.seq < record.seq) {
        await merged.write(bucket, next.value, table.indexOf(next.value.article));
        next = await (own as AsyncGenerator<SimRecord>).next();
      }
      await merged.write(bucket, record, table.indexOf(record.article));
    }
    while (next !== null && !next.done) {
      await merged.write(bucket, next.value, table.indexOf(next.value.article));
      next = await (own as AsyncGenerator<SimRecord>).next();
    }
  }
  await merged.close();
  for (const bucket of incoming.keys()) {
    renameSync(merged.path(bucket), writer.path(bucket));
    writer.counts.set(bucket, merged.counts.get(bucket) ?? 0);
  }
  return moved;
}
