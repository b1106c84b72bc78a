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
import type { MeterStore } from '../types.js';
import { applyOperation, isKeyOperation, type KeyOperation, type KeyRecord, storeOver } from './record-ops.js';

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
  #record: KeyRecord | null = null;

  constructor(state: DurableObjectStateLike, _env?: unknown) {
    this.#state = state;
    void state.blockConcurrencyWhile(async () => {
      this.#record = ((await state.storage.get('m')) as KeyRecord | undefined) ?? null;
    });
  }

  async fetch(request: Request): Promise<Response> {
    const operation: unknown = await request.json().catch(() => null);
    if (!isKeyOperation(operation)) return Response.json({ error: 'not an operation' }, { status: 400 });
    // Synchronous from the read to the write: nothing else runs in this object meanwhile.
    const { result, write } = applyOperation(this.#record, operation, Date.now());
    if (write !== null) {
      this.#record = write;
      void this.#state.storage.put('m', write);
      void this.#state.storage.setAlarm(write.expiresAt);
    }
    return Response.json({ result });
  }

  /** The period ended: the record goes. */
  async alarm(): Promise<void> {
    const record = this.#record;
    if (record !== null && record.expiresAt > Date.now()) return void (await this.#state.storage.setAlarm(record.expiresAt));
    this.#record = null;
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
  return storeOver(async <T>(key: string, operation: KeyOperation): Promise<T> => {
    const stub = namespace.get(namespace.idFromName(prefix + key) as never);
    const response = await stub.fetch('https://meterwall.store/', { method: 'POST', body: JSON.stringify(operation) });
    const body = (await response.json().catch(() => null)) as { result?: T } | null;
    if (!response.ok || body === null || body.result === undefined)
      throw new PaywallError('ERR_STORE_FAILED', `meterwall: the Durable Object store answered ${response.status}`);
    return body.result;
  });
}
