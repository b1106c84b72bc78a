/**
 * The meter store on Deno KV (`meterwall/deno-kv`): Deno Deploy's database, `Deno.openKv()` on a
 * Deno server, or `openKv` from `@deno/kv` on Node. One entry per store key; each operation reads
 * the entry, applies the store's operation to it (record-ops.ts, shared with the Durable Objects
 * store) and commits only if the entry is unchanged since the read (an atomic versionstamp check),
 * else reads again: optimistic, so "add only while under the limit" holds across every instance.
 * Entries expire with their period (`expireIn`; an entry past its period reads as empty even
 * before the engine deletes it).
 */
import { invalidOption, PaywallError } from '../errors.js';
import type { MeterStore } from '../types.js';
import { applyOperation, type KeyOperation, type KeyRecord, storeOver } from './record-ops.js';

type KvKey = readonly unknown[];

/** Errors from the database one operation tries again before it fails. */
const MAX_ERRORS = 5;

/** An atomic operation of Deno KV, as far as meterwall uses it. */
export interface DenoKvAtomicLike {
  check(...checks: Array<{ key: KvKey; versionstamp: string | null }>): DenoKvAtomicLike;
  set(key: KvKey, value: unknown, options?: { expireIn?: number }): DenoKvAtomicLike;
  commit(): Promise<{ readonly ok: boolean }>;
}

/** A Deno KV database (`await Deno.openKv()`, or `openKv()` from `@deno/kv`), as far as meterwall uses it. */
export interface DenoKvLike {
  get(key: KvKey): Promise<{ readonly value: unknown; readonly versionstamp: string | null }>;
  atomic(): DenoKvAtomicLike;
}

/** Options of {@link createDenoKvStore}. */
export interface DenoKvStoreOptions {
  /**
   * The first part of every key, to share a database with other applications.
   * @default 'meterwall'
   */
  readonly prefix?: string;
  /**
   * Reads and commits one operation tries while other instances change the same entry, before it
   * fails (and the paywall's failure policy answers).
   * @default 100
   */
  readonly attempts?: number;
}

/**
 * Creates a meter store on Deno KV. On Deno Deploy every instance shares the database.
 *
 * @example
 * ```ts
 * import { createDenoKvStore } from 'meterwall/deno-kv';
 * const paywall = createPaywall({ secret, store: createDenoKvStore(await Deno.openKv()) });
 * ```
 */
export function createDenoKvStore(kv: DenoKvLike, options: DenoKvStoreOptions = {}): MeterStore {
  if (kv === null || typeof kv !== 'object' || typeof kv.get !== 'function' || typeof kv.atomic !== 'function')
    throw invalidOption('kv', 'must be a Deno KV database (await Deno.openKv())');
  if (options === null || typeof options !== 'object') throw invalidOption('options', 'must be an object');
  const prefix = options.prefix ?? 'meterwall';
  if (typeof prefix !== 'string' || prefix.length > 100) throw invalidOption('prefix', 'must be a string of at most 100 characters');
  const attempts = options.attempts ?? 100;
  if (!Number.isSafeInteger(attempts) || attempts < 1) throw invalidOption('attempts', 'must be a positive integer');
  return storeOver(async <T>(key: string, operation: KeyOperation): Promise<T> => {
    const entryKey = [prefix, key];
    let errors = 0;
    for (let attempt = 0; attempt < attempts; attempt++) {
      try {
        const entry = await kv.get(entryKey);
        const now = Date.now();
        const { result, write } = applyOperation((entry.value as KeyRecord | null) ?? null, operation, now);
        if (write === null) return result as T;
        const committed = await kv
          .atomic()
          .check({ key: entryKey, versionstamp: entry.versionstamp })
          .set(entryKey, write, { expireIn: Math.max(1, write.expiresAt - now) })
          .commit();
        if (committed.ok) return result as T;
      } catch (error) {
        // A database file shared by several processes can be busy for a moment (SQLite's lock):
        // a few errors are tried again; more are the database failing.
        if (++errors > MAX_ERRORS) throw error;
      }
      // Another instance changed the entry since it was read (or held the lock): read it again,
      // after a moment that spreads the retries of many at once.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(20, attempt + 1)));
    }
    throw new PaywallError('ERR_STORE_FAILED', `meterwall: Deno KV: ${attempts} attempts at one entry all met a concurrent change`);
  });
}
