/**
 * The meter store on Redis over HTTP (`meterwall/upstash`): Upstash's REST protocol (which Vercel
 * KV uses too) through the `@upstash/redis` client edge users already have. The same Lua scripts
 * as `meterwall/redis` (EVALSHA, EVAL when the server does not know the script yet), so the same
 * atomic counting, on any runtime with `fetch`: Workers, edge functions, Deno, Bun, Node.
 */
import { invalidOption } from '../errors.js';
import type { MeterStore } from '../types.js';
import { createRedisStore, type RedisStoreOptions } from './redis.js';

/** An `@upstash/redis` client (`new Redis({ url, token })`), as far as meterwall uses it. */
export interface UpstashRedisClient {
  evalsha(sha: string, keys: string[], args: string[]): Promise<unknown>;
  eval(script: string, keys: string[], args: string[]): Promise<unknown>;
}

/** Whether an Upstash error is Redis saying it does not know the script (the client puts Redis's reply after its own words). */
function isNoScript(error: unknown): boolean {
  return /\bNOSCRIPT\b/.test(error instanceof Error ? error.message : String(error));
}

/**
 * Creates a meter store on an HTTP Redis that speaks Upstash's REST protocol. Give the client a
 * short retry (`retry: { retries: 1 }`): while the database is unreachable, a command should fail
 * soon, so that the paywall's failure policy answers (`failure.timeoutMs` bounds the wait anyway).
 *
 * @example
 * ```ts
 * import { Redis } from '@upstash/redis/cloudflare';
 * import { createUpstashStore } from 'meterwall/upstash';
 * const redis = new Redis({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN, retry: { retries: 1 } });
 * const paywall = createPaywall({ secret, store: createUpstashStore(redis) });
 * ```
 */
export function createUpstashStore(redis: UpstashRedisClient, options: RedisStoreOptions = {}): MeterStore {
  if (redis === null || typeof redis !== 'object' || typeof redis.evalsha !== 'function' || typeof redis.eval !== 'function')
    throw invalidOption('client', 'must be an @upstash/redis client (new Redis({ url, token }))');
  return createRedisStore(
    {
      async runScript(script, sha, keys, args) {
        try {
          return await redis.evalsha(sha, [...keys], [...args]);
        } catch (error) {
          if (!isNoScript(error)) throw error;
          return redis.eval(script, [...keys], [...args]);
        }
      },
    },
    options,
  );
}
