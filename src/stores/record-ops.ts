/**
 * A store key's record and the store's operations on it, pure (internal): what the memory store
 * and the Redis scripts do, for stores that keep one record per key in a key-value engine and
 * make each operation atomic their own way (Durable Objects: one object per key, nothing
 * interleaved; Deno KV: a versionstamp check on commit). One definition, so every such store
 * counts, claims and expires alike.
 */
import type { MeterStore, StoreClaimResult, StoreRecordResult, StoreSnapshot } from '../types.js';

/** One key's record: article → time of its first counted view, the highest count claimed, a counter, and when it ends (ms; 0: never written). */
export interface KeyRecord {
  /** A `Map` (engines keep it by structured clone): an article key is never an object's own property. */
  views: Map<string, number>;
  high: number;
  count: number;
  expiresAt: number;
}

/** An operation of the store on one key, as it crosses to where the record lives. */
export type KeyOperation =
  | { readonly op: 'peek'; readonly article: string; readonly since: number }
  | {
      readonly op: 'record';
      readonly article: string;
      readonly limit: number;
      readonly at: number;
      readonly since: number;
      readonly ttlMs: number;
    }
  | {
      readonly op: 'merge';
      readonly views: ReadonlyArray<{ readonly article: string; readonly at: number }>;
      readonly limit: number;
      readonly since: number;
      readonly ttlMs: number;
    }
  | { readonly op: 'claim'; readonly presented: number; readonly limit: number; readonly ttlMs: number }
  | { readonly op: 'count'; readonly ttlMs: number };

const OPERATIONS: ReadonlySet<string> = new Set(['peek', 'record', 'merge', 'claim', 'count']);

/** Whether `value` names an operation (a record's home may receive anything over its wire). */
export function isKeyOperation(value: unknown): value is KeyOperation {
  return typeof value === 'object' && value !== null && OPERATIONS.has(String((value as { op?: unknown }).op));
}

export const emptyRecord = (): KeyRecord => ({ views: new Map(), high: 0, count: 0, expiresAt: 0 });

/** The record's views within the window (older ones dropped) and what they say of `article`. */
function snapshot(record: KeyRecord, article: string, since: number): StoreSnapshot {
  let used = 0;
  let oldest = Number.POSITIVE_INFINITY;
  for (const [key, at] of record.views) {
    if (at < since) {
      record.views.delete(key);
      continue;
    }
    used++;
    if (at < oldest) oldest = at;
  }
  return { used, read: record.views.has(article), oldestAt: used === 0 ? null : oldest };
}

/**
 * Applies `operation` to `stored` (read at `now`; `null` when the key holds nothing) and returns
 * the answer, and the record to write back (`null`: nothing changed). A record past its period
 * is empty, whether or not the engine has deleted it yet.
 */
export function applyOperation(
  stored: KeyRecord | null,
  operation: KeyOperation,
  now: number,
): { result: unknown; write: KeyRecord | null } {
  // A copy: what the engine handed over (a Durable Object's held record, a KV read) is changed
  // only by being written back.
  const record =
    stored === null || (stored.expiresAt !== 0 && stored.expiresAt <= now)
      ? emptyRecord()
      : { views: new Map(stored.views), high: stored.high, count: stored.count, expiresAt: stored.expiresAt };
  const extend = (ttlMs: number): void => {
    record.expiresAt = Math.max(record.expiresAt, now + Math.max(1, ttlMs));
  };
  switch (operation.op) {
    case 'peek':
      return { result: snapshot(record, operation.article, operation.since), write: null };
    case 'record': {
      const before = snapshot(record, operation.article, operation.since);
      const added = !before.read && before.used < operation.limit;
      if (!added) return { result: { ...before, added } satisfies StoreRecordResult, write: null };
      record.views.set(operation.article, operation.at);
      extend(operation.ttlMs);
      return { result: { ...before, added } satisfies StoreRecordResult, write: record };
    }
    case 'merge': {
      let { used } = snapshot(record, '', operation.since);
      let added = 0;
      for (const view of operation.views) {
        if (used >= operation.limit) break;
        if (view.at < operation.since || record.views.has(view.article)) continue;
        record.views.set(view.article, view.at);
        used++;
        added++;
      }
      if (added > 0) extend(operation.ttlMs);
      return { result: { ...snapshot(record, '', operation.since), added }, write: added > 0 ? record : null };
    }
    case 'claim': {
      const used = Math.max(record.high, operation.presented);
      if (used >= operation.limit) return { result: { allowed: false, used } satisfies StoreClaimResult, write: null };
      record.high = used + 1;
      extend(operation.ttlMs);
      return { result: { allowed: true, used } satisfies StoreClaimResult, write: record };
    }
    case 'count':
      // A window that starts with its first count.
      if (record.count === 0) record.expiresAt = now + Math.max(1, operation.ttlMs);
      record.count++;
      return { result: record.count, write: record };
  }
}

/** A MeterStore whose every operation is `call(key, operation)`: where the record lives decides how. */
export function storeOver(call: <T>(key: string, operation: KeyOperation) => Promise<T>): MeterStore {
  const ttl = (from: number, to: number): number => Math.max(1, Math.ceil(to - from));
  return {
    peek: (key, article, window) => call<StoreSnapshot>(key, { op: 'peek', article, since: window.since }),
    record: (key, article, view) =>
      call<StoreRecordResult>(key, {
        op: 'record',
        article,
        limit: view.limit,
        at: view.at,
        since: view.since,
        ttlMs: ttl(view.at, view.expiresAt),
      }),
    merge: (key, views, window) =>
      call<StoreRecordResult & { added: number }>(key, {
        op: 'merge',
        views: views.map((v) => ({ article: v.article, at: v.at })),
        limit: window.limit,
        since: window.since,
        ttlMs: ttl(window.at, window.expiresAt),
      }),
    claimView: (key, presented, claim) =>
      call<StoreClaimResult>(key, { op: 'claim', presented, limit: claim.limit, ttlMs: ttl(claim.at, claim.expiresAt) }),
    countFresh: (key, ttlMs) => call<number>(key, { op: 'count', ttlMs }),
  };
}
