/**
 * The meter store on Cloudflare Durable Objects (`meterwall/durable-objects`): one object per
 * store key (a meter, a claim, a network's count of new meters), named by the key, so every
 * Worker instance that binds the namespace reaches the same object for the same key. An object
 * holds its one record in memory, loaded once before it answers anything, and changes it
 * synchronously before persisting it (the output gate holds the answer until the write is
 * durable): nothing interleaves inside an operation, so "add only while under the limit" is
 * atomic without a transaction. An alarm deletes the record when its period ends.
 *
 * Web APIs only; the object speaks plain `fetch` (no `cloudflare:workers` import), so the class
 * works on any compatibility date.
 */
import { invalidOption, PaywallError } from '../errors.js';
import type { MeterStore, StoreClaimResult, StoreRecordResult, StoreSnapshot } from '../types.js';

/** A Durable Object namespace binding (`env.METERWALL`), as far as meterwall uses it. */
export interface DurableObjectNamespaceLike {
  idFromName(name: string): unknown;
  get(id: never): { fetch(input: string, init?: RequestInit): Promise<Response> };
}

/** A Durable Object's state (its constructor's first argument), as far as meterwall uses it. */
export interface DurableObjectStateLike {
  readonly storage: {
    get(key: string): Promise<unknown>;
    put(key: string, value: unknown): Promise<void>;
    deleteAll(): Promise<void>;
    setAlarm(at: number): Promise<void>;
  };
  blockConcurrencyWhile<T>(run: () => Promise<T>): Promise<T>;
}

/** Options of {@link createDurableObjectStore}. */
export interface DurableObjectStoreOptions {
  /**
   * Prefix of every object's name, to share a namespace with other applications.
   * @default 'meterwall:'
   */
  readonly prefix?: string;
}

/** One key's record: article → time of its first counted view, the highest count claimed, a counter, and when it ends. */
interface Record_ {
  /** A `Map` (the storage keeps it by structured clone): an article key is never an object's own property. */
  views: Map<string, number>;
  high: number;
  count: number;
  expiresAt: number;
}

type Operation =
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

const empty = (): Record_ => ({ views: new Map(), high: 0, count: 0, expiresAt: 0 });

/** The record's views within the window (older ones dropped) and what they say of `article`. */
function snapshot(record: Record_, article: string, since: number): StoreSnapshot {
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
 * The Durable Object class behind {@link createDurableObjectStore}. Export it from your Worker's
 * entry and bind it (wrangler: `durable_objects.bindings` with `class_name: "MeterwallStoreObject"`,
 * and a migration that adds it to `new_sqlite_classes`).
 *
 * @example
 * ```ts
 * export { MeterwallStoreObject } from 'meterwall/durable-objects';
 * ```
 */
export class MeterwallStoreObject {
  readonly #state: DurableObjectStateLike;
  #record: Record_ = empty();

  constructor(state: DurableObjectStateLike, _env?: unknown) {
    this.#state = state;
    void state.blockConcurrencyWhile(async () => {
      const stored = (await state.storage.get('m')) as Record_ | undefined;
      if (stored !== undefined) this.#record = stored;
    });
  }

  async fetch(request: Request): Promise<Response> {
    let operation: Operation;
    try {
      operation = (await request.json()) as Operation;
    } catch {
      return Response.json({ error: 'not an operation' }, { status: 400 });
    }
    const now = Date.now();
    // A record past its period is gone (its alarm may not have run yet).
    if (this.#record.expiresAt !== 0 && this.#record.expiresAt <= now) this.#record = empty();
    const record = this.#record;
    // Synchronous from here to the write: nothing else runs in this object meanwhile.
    const extend = (ttlMs: number): void => {
      record.expiresAt = Math.max(record.expiresAt, now + Math.max(1, ttlMs));
    };
    let result: unknown;
    let changed = false;
    switch (operation.op) {
      case 'peek':
        result = snapshot(record, operation.article, operation.since);
        break;
      case 'record': {
        const before = snapshot(record, operation.article, operation.since);
        const added = !before.read && before.used < operation.limit;
        if (added) {
          record.views.set(operation.article, operation.at);
          extend(operation.ttlMs);
          changed = true;
        }
        result = { ...before, added } satisfies StoreRecordResult;
        break;
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
        if (added > 0) {
          extend(operation.ttlMs);
          changed = true;
        }
        result = { ...snapshot(record, '', operation.since), added };
        break;
      }
      case 'claim': {
        const used = Math.max(record.high, operation.presented);
        if (used >= operation.limit) result = { allowed: false, used } satisfies StoreClaimResult;
        else {
          record.high = used + 1;
          extend(operation.ttlMs);
          changed = true;
          result = { allowed: true, used } satisfies StoreClaimResult;
        }
        break;
      }
      case 'count':
        // A window that starts with its first count.
        if (record.count === 0) record.expiresAt = now + Math.max(1, operation.ttlMs);
        record.count++;
        changed = true;
        result = record.count;
        break;
      default:
        return Response.json({ error: 'unknown operation' }, { status: 400 });
    }
    if (changed) {
      void this.#state.storage.put('m', record);
      void this.#state.storage.setAlarm(record.expiresAt);
    }
    return Response.json({ result });
  }

  /** The period ended: the record goes. */
  async alarm(): Promise<void> {
    if (this.#record.expiresAt > Date.now()) return void (await this.#state.storage.setAlarm(this.#record.expiresAt));
    this.#record = empty();
    await this.#state.storage.deleteAll();
  }
}

/**
 * Creates a meter store on Durable Objects: pass the namespace binding of
 * {@link MeterwallStoreObject}. Every Worker instance, in every location, that binds the same
 * namespace counts in the same objects.
 *
 * @example
 * ```ts
 * import { createDurableObjectStore } from 'meterwall/durable-objects';
 * const paywall = createPaywall({ secret: env.METERWALL_SECRET, store: createDurableObjectStore(env.METERWALL) });
 * ```
 */
export function createDurableObjectStore(namespace: DurableObjectNamespaceLike, options: DurableObjectStoreOptions = {}): MeterStore {
  if (
    namespace === null ||
    typeof namespace !== 'object' ||
    typeof namespace.idFromName !== 'function' ||
    typeof namespace.get !== 'function'
  )
    throw invalidOption('namespace', 'must be a Durable Object namespace binding (env.METERWALL)');
  if (options === null || typeof options !== 'object') throw invalidOption('options', 'must be an object');
  const prefix = options.prefix ?? 'meterwall:';
  if (typeof prefix !== 'string' || prefix.length > 100) throw invalidOption('prefix', 'must be a string of at most 100 characters');
  const call = async <T>(key: string, operation: Operation): Promise<T> => {
    const stub = namespace.get(namespace.idFromName(prefix + key) as never);
    const response = await stub.fetch('https://meterwall.store/', { method: 'POST', body: JSON.stringify(operation) });
    const body = (await response.json().catch(() => null)) as { result?: T } | null;
    if (!response.ok || body === null || body.result === undefined)
      throw new PaywallError('ERR_STORE_FAILED', `meterwall: the Durable Object store answered ${response.status}`);
    return body.result;
  };
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
