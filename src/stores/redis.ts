/**
 * The Redis meter store (`meterwall/redis`, Web APIs only: Node, Bun, Deno, Workers and edge
 * runtimes, with any client that can run a script): every operation is one Lua script, so
 * "add this article only while under the limit" is atomic across any number of servers and
 * costs one round trip. Meters are sorted sets (article hash → time read) that expire with
 * their period; keys are namespaced and hold only keyed hashes, never an email or account id.
 */
import { invalidOption, PaywallError } from '../errors.js';
import type { MeterStore, StoreClaimResult, StoreRecordResult, StoreSnapshot } from '../types.js';

/** The smallest client meterwall needs: run a Lua script (by SHA, or by source when not loaded). */
export interface RedisScriptRunner {
  /** Runs `script` (whose SHA1 is `sha`) with `keys` and `args`; resolves to the script's reply. */
  runScript(script: string, sha: string, keys: readonly string[], args: readonly string[]): Promise<unknown>;
}

/** A node-redis (v4+) client, as far as meterwall uses it. */
export interface NodeRedisClient {
  evalSha(sha: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/** An ioredis client, as far as meterwall uses it. */
export interface IoRedisClient {
  evalsha(sha: string, numKeys: number, ...args: string[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: string[]): Promise<unknown>;
}

/** Options of {@link createRedisStore}. */
export interface RedisStoreOptions {
  /**
   * Prefix of every key, to share a Redis with other applications.
   * @default 'meterwall:'
   */
  readonly prefix?: string;
}

// KEYS[1] meter. ARGV: since. Drops views older than the window; returns used and the oldest time.
const PRUNE = `redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
local used = redis.call('ZCARD', KEYS[1])
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2] or '-1'
`;

// ARGV: since, article. Returns { used, read, oldest }.
const PEEK = `${PRUNE}local read = 0
if ARGV[2] ~= '' and redis.call('ZSCORE', KEYS[1], ARGV[2]) then read = 1 end
return { used, read, oldest }`;

// ARGV: since, article, limit, at, ttlMs. Adds the article only if new and under the limit.
const RECORD = `${PRUNE}local read = 0
if redis.call('ZSCORE', KEYS[1], ARGV[2]) then read = 1 end
local added = 0
if read == 0 and used < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[4], ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  added = 1
end
return { used, read, oldest, added }`;

// ARGV: since, limit, ttlMs, then article, at pairs. Adds new articles in order while under the
// limit; returns { used, read, oldest, added }.
const MERGE = `${PRUNE}local limit = tonumber(ARGV[2])
local since = tonumber(ARGV[1])
local added = 0
for i = 4, #ARGV - 1, 2 do
  if used >= limit then break end
  if tonumber(ARGV[i + 1]) >= since and not redis.call('ZSCORE', KEYS[1], ARGV[i]) then
    redis.call('ZADD', KEYS[1], ARGV[i + 1], ARGV[i])
    used = used + 1
    added = added + 1
  end
end
if added > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2] or '-1'
return { used, 0, oldest, added }`;

// KEYS[1] high-water count. ARGV: presented, limit, ttlMs. Returns { allowed, used }.
const CLAIM = `local known = tonumber(redis.call('GET', KEYS[1]) or '0')
local used = math.max(known, tonumber(ARGV[1]))
if used < tonumber(ARGV[2]) then
  redis.call('SET', KEYS[1], used + 1, 'PX', ARGV[3])
  return { 1, used }
end
return { 0, used }`;

// KEYS[1] a counter. ARGV: ttlMs. Counts one more within a window that starts with the first.
const COUNT = `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

/** A script's SHA1 (the name EVALSHA knows it by), by Web Crypto: no `node:crypto`, so the store runs at the edge. */
async function sha1(script: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-1', new TextEncoder().encode(script)));
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

function isNoScript(error: unknown): boolean {
  // Redis replies with an error whose first word is its code: NOSCRIPT means "load it first".
  return /^NOSCRIPT\b/.test(error instanceof Error ? error.message : String(error));
}

/** Wraps whichever client was given into a script runner. */
function toRunner(client: unknown): RedisScriptRunner {
  if (client === null || typeof client !== 'object')
    throw invalidOption('client', 'must be a node-redis or ioredis client, or { runScript }');
  const c = client as Record<string, unknown>;
  if (typeof c['runScript'] === 'function') return client as RedisScriptRunner;
  if (typeof c['evalSha'] === 'function' && typeof c['eval'] === 'function') {
    const redis = client as NodeRedisClient;
    return {
      async runScript(script, sha, keys, args) {
        const options = { keys: [...keys], arguments: [...args] };
        try {
          return await redis.evalSha(sha, options);
        } catch (error) {
          if (!isNoScript(error)) throw error;
          return redis.eval(script, options);
        }
      },
    };
  }
  if (typeof c['evalsha'] === 'function' && typeof c['eval'] === 'function') {
    const redis = client as IoRedisClient;
    return {
      async runScript(script, sha, keys, args) {
        try {
          return await redis.evalsha(sha, keys.length, ...keys, ...args);
        } catch (error) {
          if (!isNoScript(error)) throw error;
          return redis.eval(script, keys.length, ...keys, ...args);
        }
      },
    };
  }
  throw invalidOption('client', 'must be a node-redis client (evalSha), an ioredis client (evalsha) or { runScript }');
}

function snapshotOf(reply: unknown): StoreSnapshot {
  if (!Array.isArray(reply) || reply.length < 3)
    throw new PaywallError('ERR_STORE_FAILED', 'meterwall: unexpected reply from the Redis meter script');
  const oldest = Number(reply[2]);
  return { used: Number(reply[0]), read: Number(reply[1]) === 1, oldestAt: oldest < 0 ? null : oldest };
}

const ttl = (from: number, to: number): string => String(Math.max(1, Math.ceil(to - from)));

/**
 * Creates a meter store on Redis, for sites that run several servers. Pass a node-redis or
 * ioredis client (with its offline queue disabled, so a command fails at once while Redis is
 * down instead of running late), or any `{ runScript }`. Connect it without waiting: the site
 * serves while Redis is down (the failure policy answers) and uses it once it is up.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { createRedisStore } from 'meterwall/redis';
 * const client = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', disableOfflineQueue: true });
 * client.on('error', (error) => console.error(`[redis] ${error.message}`)); // without a listener, a refused connection ends the process
 * client.connect().catch(() => {}); // not awaited: with Redis down at start it never settles; the client reconnects on its own
 * const paywall = createPaywall({ secret, store: createRedisStore(client) });
 * ```
 */
export function createRedisStore(client: NodeRedisClient | IoRedisClient | RedisScriptRunner, options: RedisStoreOptions = {}): MeterStore {
  const runner = toRunner(client);
  if (options === null || typeof options !== 'object') throw invalidOption('options', 'must be an object');
  const prefix = options.prefix ?? 'meterwall:';
  if (typeof prefix !== 'string' || prefix.length > 100) throw invalidOption('prefix', 'must be a string of at most 100 characters');
  const scripts = { peek: PEEK, record: RECORD, merge: MERGE, claim: CLAIM, count: COUNT };
  // Digested once, on the first command (Web Crypto is asynchronous; every command is too).
  let shas: Promise<Record<keyof typeof scripts, string>> | null = null;
  const digest = async () => ({
    peek: await sha1(PEEK),
    record: await sha1(RECORD),
    merge: await sha1(MERGE),
    claim: await sha1(CLAIM),
    count: await sha1(COUNT),
  });
  const run = async (name: keyof typeof scripts, key: string, args: readonly string[]) => {
    shas ??= digest();
    return runner.runScript(scripts[name], (await shas)[name], [prefix + key], args);
  };

  return {
    async peek(key, article, window) {
      return snapshotOf(await run('peek', key, [String(window.since), article]));
    },
    async record(key, article, view): Promise<StoreRecordResult> {
      const reply = await run('record', key, [
        String(view.since),
        article,
        String(view.limit),
        String(view.at),
        ttl(view.at, view.expiresAt),
      ]);
      return { ...snapshotOf(reply), added: Array.isArray(reply) && Number(reply[3]) === 1 };
    },
    async merge(key, views, window) {
      const args = [String(window.since), String(window.limit), ttl(window.at, window.expiresAt)];
      for (const view of views) args.push(view.article, String(view.at));
      const reply = await run('merge', key, args);
      return { ...snapshotOf(reply), added: Array.isArray(reply) ? Number(reply[3]) : 0 };
    },
    async claimView(key, presented, claim): Promise<StoreClaimResult> {
      const reply = await run('claim', key, [String(presented), String(claim.limit), ttl(claim.at, claim.expiresAt)]);
      if (!Array.isArray(reply)) throw new PaywallError('ERR_STORE_FAILED', 'meterwall: unexpected reply from the Redis claim script');
      return { allowed: Number(reply[0]) === 1, used: Number(reply[1]) };
    },
    async countFresh(key, ttlMs) {
      return Number(await run('count', key, [String(Math.max(1, Math.ceil(ttlMs)))]));
    },
  };
}
